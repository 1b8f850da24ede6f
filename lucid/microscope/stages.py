"""The stages of an atlas build: which views there are, which analyses are on, their seconds.

``lucid.microscope.build`` runs the stages; this module names them (``VIEWS``, in the order
a build makes them), holds the switches of the analyses (:class:`Analyses`) and times each
stage (:class:`Stages`), saying it on stderr when the build shows progress.
"""

import dataclasses
import sys
import time
from typing import Dict

# Every view of an atlas, in the order a build makes them and reports their seconds.
VIEWS = (
    "architecture", "examples", "channel", "neuron", "negative", "diverse", "alpha",
    "deepdream", "caricature", "scores", "tuning", "upstream", "image tours", "site",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Analyses:
    """Which analyses a build adds to the renders (all by default).

    Attributes:
      scores: per-unit quality scores (``lucid.microscope.quality``).
      tuning: tuning curves over synthetic stimuli (``lucid.microscope.tuning``).
      upstream: the upstream units with the largest weights (``lucid.microscope.upstream``).
      architecture: the model's diagram (``lucid.microscope.architecture``).
      image_tours: pages following ``tours`` dataset images through the layers (with images).
      tours: dataset images in the image tours.
    """

    scores: bool = True
    tuning: bool = True
    upstream: bool = True
    architecture: bool = True
    image_tours: bool = True
    tours: int = 4


class Stages:
    """Times the stages of a build (``seconds[view]``) and, with ``progress``, says each one."""

    def __init__(self, progress: bool):
        self.progress = progress
        self.seconds = {}

    def say(self, message: str) -> None:
        """Writes ``microscope: message`` to stderr when showing progress."""
        if self.progress:
            print(f"microscope: {message}", file=sys.stderr, flush=True)

    def run(self, view: str, detail: str, function, *args, **kwargs):
        """``function(*args, **kwargs)``, its wall seconds added to ``view``; returns its result."""
        self.say(f"{view}: {detail}")
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            self.add(view, time.perf_counter() - start)

    def add(self, view: str, seconds: float) -> None:
        """Adds ``seconds`` to ``view`` (e.g. the render jobs' seconds an engine returns)."""
        self.seconds[view] = self.seconds.get(view, 0.0) + seconds

    def report(self) -> Dict[str, float]:
        """``{view: seconds}`` of the views that ran, in ``VIEWS`` order, to the millisecond."""
        return {view: round(self.seconds[view], 3) for view in VIEWS if view in self.seconds}
