"""Helpers for generator-style workflows over n-dimensional nests of iterables."""

import itertools
from collections.abc import Iterable

import numpy as np


def recursive_enumerate_nd(it, stop_iter=None, prefix=()):
    """Enumerates a nest of iterables, yielding `(n-d index tuple, leaf value)` pairs.

    Args:
      it: the (nested) iterable.
      stop_iter: optional predicate; an iterable for which it returns True is yielded as a
        leaf instead of being entered. E.g. ``lambda x: isinstance(x, np.ndarray) and
        x.ndim <= 3`` stops at images. Strings and bytes are always leaves.
      prefix: index prefix (used by the recursion).

    Yields:
      ``(index, value)``, e.g. ``((9, 9), 18)`` for ``((x + y for y in range(10)) for x in
      range(10))``.
    """
    for n, x in enumerate(it):
        index = prefix + (n,)
        is_leaf = isinstance(x, (str, bytes)) or not isinstance(x, Iterable)
        if is_leaf or (stop_iter is not None and stop_iter(x)):
            yield index, x
        else:
            yield from recursive_enumerate_nd(x, stop_iter=stop_iter, prefix=index)


def dict_to_ndarray(d):
    """Converts `{index tuple: value}` into a dense array; missing entries are zero.

    The shape is one more than the largest index along each axis. Array values add their
    own shape (and dtype); scalar values give a float32 array.

    Example:
      ``dict_to_ndarray({(0, 0): 3, (1, 1): 7})`` is ``[[3, 0], [0, 7]]``.
    """
    if not d:
        raise ValueError("dict_to_ndarray needs a non-empty dict of {index tuple: value}.")
    indices = list(d)
    rank = len(indices[0])
    if any(len(index) != rank for index in indices):
        raise ValueError(
            f"All indices must have the same length; got {sorted(set(map(len, indices)))}."
        )
    shape = [max(index[axis] for index in indices) + 1 for axis in range(rank)]
    first = d[indices[0]]
    if isinstance(first, np.ndarray):
        array = np.zeros(shape + list(first.shape), dtype=first.dtype)
    else:
        array = np.zeros(shape, dtype="float32")
    for index, value in d.items():
        array[index] = value
    return array


def batch_iter(it, batch_size=64):
    """Yields lists of up to `batch_size` consecutive items of `it` (any iterable).

    Lucid looped forever when given a list (it sliced the list afresh each time); this
    takes an iterator first.
    """
    iterator = iter(it)
    while True:
        batch = list(itertools.islice(iterator, batch_size))
        if not batch:
            return
        yield batch
