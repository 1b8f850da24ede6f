"""Rewrite ``"image_kernels"``: rotations as a compiled kernel, bit for bit TensorFlow's op.

``lucid._compat.rotate`` is TensorFlow's ``ImageProjectiveTransformV3``, whose CPU kernel
works out the sample position of every output value (each channel again) through a generic
per-value generator; its registered gradient is the same op with the inverse transforms.
Every render step rotates this way, forward and back: ``transform.random_rotate`` (nearest
neighbour by default, as Lucid's; below batch 8, where ``"gather_rotate"`` does not apply)
and ``render_units``' per-item transforms (``optvis.batch_transforms``, bilinear).
``LucidProjectiveTransform`` (``rewrites/kernels/lucid_image.cc``, compiled at first use by
:mod:`rewrites.custom_ops`) does the same arithmetic once per pixel, row by row on
TensorFlow's intra-op threads, with the same float operations in the same order (and no
contracted multiply-adds), so its values equal the op's bit for bit; the gradient is
TensorFlow's formula, the op on the inverse transforms computed as TensorFlow computes them.
The tests compare values and gradients exactly on random sizes, angles and channel counts.

Measured on a 2-core AVX-512 CPU: at render_units' sizes (batch 40, 144x144x3, bilinear)
8.2 -> 3.2 ms per rotation alone; whole render_units steps of ``mixed4a_pre_relu`` (two
graphs alternating in one process) 1.044x in float32, 1.063x in bfloat16; render_vis at
batch 1 (``benchmarks/rewrite_ab.py --without image_kernels``) 1.038x in float32, 1.021x in
bfloat16. From batch 8 up ``"gather_rotate"``'s index map and gather stay ahead for the
nearest-neighbour rotation (1.03x over this kernel at batch 16), so they keep it. Applied
while the step builder's graph has the rewrite on, no GPU is visible (there the op is one
kernel launch) and the kernel builds; otherwise the op runs as before (one warning when the
kernel cannot be built). ``rewrites.rotations`` chooses among the three.
(Kernels for render_units' per-item crops, ``CropAndResize`` and its image gradient, were
tried too: level and 1.3x alone, ~1 % of a step; not kept.)
"""

import functools

import tensorflow.compat.v1 as tf

from lucid._compat import check_interpolation
from lucid._compat import inverse_transforms
from lucid._compat import rotation_transforms
from lucid.optvis import rewrites
from lucid.optvis.rewrites import custom_ops
from lucid.optvis.rewrites import fast_lrn

OP_TYPE = "LucidProjectiveTransform"


@functools.cache
def kernels():
    """The loaded op module, or None if it cannot be built; registers the op's gradient."""
    module = custom_ops.load()
    if module is not None:

        @tf.RegisterGradient(OP_TYPE)
        def _gradient(op, grad):
            images, transforms = op.inputs[0], op.inputs[1]
            inverse = inverse_transforms(transforms)
            gradient = module.lucid_projective_transform(
                grad, inverse, tf.shape(images)[1:3], interpolation=op.get_attr("interpolation"),
                fill_value=op.get_attr("fill_value"),
            )  # fmt: skip
            return [gradient, None, None]

    return module


def helps_here() -> bool:
    """True unless TensorFlow sees a GPU (where the op is one kernel launch)."""
    return fast_lrn.helps_here()


def applies(graph: tf.Graph) -> bool:
    """Whether the rewrite is on in ``graph``, helps on this machine and the kernel builds
    (building it now if needed)."""
    return (
        rewrites.enabled(rewrites.IMAGE_KERNELS, graph) and helps_here() and kernels() is not None
    )


def rotate(images: tf.Tensor, angles, interpolation: str = "BILINEAR") -> tf.Tensor:
    """``lucid._compat.rotate(images, angles, interpolation)`` for float32 `[batch, height,
    width, channels]` images, through the compiled kernel (:func:`applies` must hold)."""
    check_interpolation(interpolation)
    module = kernels()
    if module is None:
        raise RuntimeError("The image kernels are unavailable (see the warning above).")
    shape = tf.shape(images)
    out = module.lucid_projective_transform(
        images, rotation_transforms(shape, angles), shape[1:3], interpolation=interpolation,
        fill_value=0.0,
    )  # fmt: skip
    out.set_shape(images.shape)
    return out


__all__ = [
    "OP_TYPE",
    "kernels",
    "helps_here",
    "applies",
    "rotate",
]
