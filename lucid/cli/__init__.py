"""The ``lucid`` command line: render a unit to a PNG, list the zoo, list a model's layers.

    lucid render                                  # a showcase unit of ShapesNet, offline
    lucid render conv3:20 --steps 256 --batch 4   # four diverse images of one channel, as a grid
    lucid render mixed4a_pre_relu:476 --model InceptionV1 --size 128
    lucid models                                  # the zoo: dataset, input size, cached or not
    lucid layers InceptionV1                      # declared layers with depths and tags

Modules, from the bottom up: ``checks`` (what the user typed, checked without TensorFlow:
model names, output paths, objectives, number ranges; ``UserError``), ``models``
(``lucid models``, ``lucid layers`` and loading a model by name), ``render``
(``lucid render``) and ``app`` (the parser, the entry point and how errors are reported).
``lucid microscope`` lives in ``lucid/microscope/cli.py`` and registers itself through
``app``'s hook.

Importing this package is cheap: TensorFlow is imported only once a command needs it.
"""

from lucid.cli.app import main

__all__ = ["main"]
