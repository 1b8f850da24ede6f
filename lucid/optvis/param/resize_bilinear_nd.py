"""Bilinear resizing of tensors of any rank.

``tf.image.resize_bilinear`` resizes two dimensions of a 4-D tensor. Bilinear (multilinear)
interpolation is separable, so an n-D resize is a sequence of such 2-D resizes on pairs of
dimensions, with everything outside the pair folded into the batch and channel axes.
"""

from typing import List
from typing import Sequence

import tensorflow.compat.v1 as tf


def product(l: Sequence[int]) -> int:  # noqa: E741 (Lucid's parameter name)
    """Returns the product of the numbers in ``l`` (1 for an empty sequence)."""
    prod = 1
    for x in l:
        prod *= x
    return prod


def collapse_shape(shape: Sequence[int], a: int, b: int) -> List[int]:
    """Collapses ``shape`` outside the interval ``[a, b)`` into one leading and one trailing dim.

    The dimensions before ``a`` are multiplied into one dimension and those from ``b`` on
    into another; positions outside the shape count as size 1.

    Args:
      shape: a static shape (sequence of ints).
      a: start of the kept interval.
      b: end (exclusive) of the kept interval.

    Returns:
      The collapsed shape as a list, ``[prod(shape[:a])] + shape[a:b] + [prod(shape[b:])]``.

    Examples::

      collapse_shape([1, 2, 3, 4, 5], 0, 2) == [1, 1, 2, 60]
      collapse_shape([1, 2, 3, 4, 5], 1, 3) == [1, 2, 3, 20]
      collapse_shape([1, 2, 3, 4, 5], 2, 4) == [2, 3, 4, 5]
      collapse_shape([1, 2, 3, 4, 5], 3, 5) == [6, 4, 5, 1]
    """
    shape = list(shape)
    if a < 0:
        return collapse_shape([1] * -a + shape, 0, b - a)
    if b > len(shape):
        return collapse_shape(shape + [1] * (b - len(shape)), a, b)
    return [product(shape[:a])] + shape[a:b] + [product(shape[b:])]


def resize_bilinear_nd(t, target_shape: Sequence[int]):
    """Bilinearly resizes ``t`` to ``target_shape``, one pair of dimensions at a time.

    Uses TF1's ``resize_bilinear`` semantics (``align_corners=False``,
    ``half_pixel_centers=False``), as Lucid did, so results match Lucid's exactly.

    Args:
      t: a tensor with a fully defined static shape, any rank >= 1.
      target_shape: the desired shape, same rank as ``t``.

    Returns:
      A float32 tensor of shape ``target_shape``.

    Raises:
      ValueError: if ``t``'s static shape is not fully defined, or the ranks differ.
    """
    t = tf.convert_to_tensor(t)
    if not t.shape.is_fully_defined():
        raise ValueError(
            f"resize_bilinear_nd needs a tensor with a fully defined static shape; got shape "
            f"{t.shape}. Use tf.reshape or set_shape to give it one."
        )
    shape = t.shape.as_list()
    target_shape = [int(d) for d in target_shape]
    if len(shape) != len(target_shape):
        raise ValueError(
            f"target_shape={target_shape} has rank {len(target_shape)}, but the tensor has "
            f"shape {shape} (rank {len(shape)}); pass a target shape of the same rank."
        )
    if any(d <= 0 for d in target_shape):
        raise ValueError(f"target_shape={target_shape} must contain only positive sizes.")

    d = 0
    while d < len(shape):
        if shape[d] == target_shape[d]:
            d += 1
            continue
        # Resize dimensions d and d+1 together (d+1 may already have its target size).
        new_shape = shape[:]
        new_shape[d : d + 2] = target_shape[d : d + 2]
        t_4d = tf.reshape(t, collapse_shape(shape, d, d + 2))
        # The ResizeBilinear op with TF1's defaults; tf.image.resize_bilinear is the same op
        # but logs a deprecation warning in TF2.
        t_4d = tf.raw_ops.ResizeBilinear(
            images=t_4d,
            size=collapse_shape(new_shape, d, d + 2)[1:3],
            align_corners=False,
            half_pixel_centers=False,
        )
        t = tf.reshape(t_4d, new_shape)
        shape = new_shape
        d += 2
    return t
