"""Replica label files of the zoo (``gs://modelzoo/labels/``), in the real files' formats.

Each file is UTF-8 text, one entry per line, ending with a newline:

* ``ImageNet_standard.txt``: 1000 class names, in the standard (sorted synset id) order used by
  ``ImageNet_standard_synsets.txt``: 1000 WordNet ids such as ``n01440764``.
* ``ImageNet_alternate.txt``: 1008 lines for InceptionV1's 1008 logits: ``dummy``, then the
  1000 classes in the order of the inception5h graph, then 7 more ``dummy`` lines for the
  unused logits. ``ImageNet_alternate_synsets.txt`` has the matching ids, ``dummy`` where the
  label is ``dummy``.

Class names and ids are placeholders (``replica class 0001``, ids counting up from
``n01440764``), consistent across files: line ``k`` of an alternate file and the standard
line it permutes name the same class.
"""

import numpy as np

NUM_CLASSES = 1000
NUM_ALTERNATE_LINES = 1008
DUMMY = "dummy"
_FIRST_SYNSET = 1440764  # n01440764, the first id of the standard ImageNet order
_SYNSET_STEP = 9973  # keeps every id at 8 digits: n01440764 .. n11403791


def imagenet_standard_synsets() -> list[str]:
    """1000 distinct WordNet-style ids, sorted, ``n`` plus 8 digits."""
    return [f"n{_FIRST_SYNSET + _SYNSET_STEP * i:08d}" for i in range(NUM_CLASSES)]


def imagenet_standard_labels() -> list[str]:
    """1000 class names, ``replica class 0001`` ... ``replica class 1000``."""
    return [f"replica class {i + 1:04d}" for i in range(NUM_CLASSES)]


def _alternate_order() -> list[int]:
    """Standard index of each class in the alternate order (a fixed permutation)."""
    return [int(i) for i in np.random.RandomState(0).permutation(NUM_CLASSES)]


def _alternate(entries: list[str]) -> list[str]:
    body = [entries[i] for i in _alternate_order()]
    padding = [DUMMY] * (NUM_ALTERNATE_LINES - 1 - NUM_CLASSES)
    return [DUMMY] + body + padding


def imagenet_alternate_labels() -> list[str]:
    """1008 names for InceptionV1's logits: ``dummy``, 1000 classes, 7 ``dummy``."""
    return _alternate(imagenet_standard_labels())


def imagenet_alternate_synsets() -> list[str]:
    """The ids matching :func:`imagenet_alternate_labels` line by line."""
    return _alternate(imagenet_standard_synsets())


# Mirror-relative path (as under gs://modelzoo/) -> the lines of that file.
LABEL_FILES = {
    "labels/ImageNet_alternate.txt": imagenet_alternate_labels,
    "labels/ImageNet_alternate_synsets.txt": imagenet_alternate_synsets,
    "labels/ImageNet_standard.txt": imagenet_standard_labels,
    "labels/ImageNet_standard_synsets.txt": imagenet_standard_synsets,
}


def label_file_bytes(relative_path: str) -> bytes:
    """The bytes of the label file at ``relative_path`` (a key of ``LABEL_FILES``)."""
    if relative_path not in LABEL_FILES:
        raise ValueError(
            f"relative_path={relative_path!r} is not a replica label file; "
            f"expected one of {sorted(LABEL_FILES)}."
        )
    lines = LABEL_FILES[relative_path]()
    return ("\n".join(lines) + "\n").encode("utf-8")
