"""The rotation a render step runs: ``gather_rotate``'s, the compiled kernel's, or the op's.

``transform.random_rotate`` turns a batch of images by one angle per step, and
``render_units``' per-item transforms (``optvis.batch_transforms``) each item by its own
angle. Which of three equal formulations computes it depends on the rewrites on in the
step's graph and on the batch (all three give the same values and gradients, bit for bit):

* ``"gather_rotate"`` (nearest neighbour, CPU, static batch of at least
  ``gather_rotate.MIN_BATCH``): one index map and a gather (``rewrites.gather_rotate``);
* ``"image_kernels"`` (float32, rank 4, CPU, the kernel builds): ``LucidProjectiveTransform``
  (``rewrites.image_kernels``);
* otherwise ``lucid._compat.rotate`` (TensorFlow's ``ImageProjectiveTransformV3``).
"""

import tensorflow.compat.v1 as tf

from lucid._compat import rotate as op_rotate
from lucid.optvis import rewrites
from lucid.optvis.rewrites import gather_rotate
from lucid.optvis.rewrites import image_kernels


def rotate(t: tf.Tensor, angle, interpolation: str) -> tf.Tensor:
    """``t`` (`[batch, height, width, channels]`) turned by ``angle`` (radians, scalar or per
    image) counterclockwise, through the formulation the graph's rewrites choose."""
    if interpolation == "NEAREST" and gather_rotate_applies(t, angle):
        return gather_rotate.rotate(t, angle)
    if t.dtype == tf.float32 and t.shape.ndims == 4 and image_kernels.applies(t.graph):
        return image_kernels.rotate(t, angle, interpolation)
    return op_rotate(t, angle, interpolation=interpolation)


def gather_rotate_applies(t: tf.Tensor, angle) -> bool:
    """Whether the ``"gather_rotate"`` rewrite is on in ``t``'s graph and pays off for it."""
    if not rewrites.enabled(rewrites.GATHER_ROTATE, t.graph):
        return False
    return gather_rotate.applies_to(t, angle) and gather_rotate.helps_here(
        tf.dimension_value(t.shape[0])
    )


__all__ = ["rotate", "gather_rotate_applies"]
