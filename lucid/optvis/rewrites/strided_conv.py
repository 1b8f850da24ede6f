"""Rewrite ``"strided_conv_grad"``: a strided convolution's input gradient as a stride-1 one.

TensorFlow computes the input gradient of a strided ``Conv2D`` with
``Conv2DBackpropInput``, which on CPU is several times slower than the forward convolution
(InceptionV1's first 7x7/2 layer: 36.7 ms against 7.3 ms forward at batch 16). The same
gradient is a stride-1 convolution followed by ``depth_to_space``:

For stride ``s`` and input row ``p``, write ``p + pad_top = s * P + r`` with ``0 <= r < s``.
Only kernel rows ``s * m + r`` reach row ``p``, from output rows ``P - m``, so

    dx[s * P + r - pad_top] = sum_m dy[P - m] . w[s * m + r]

is, for each phase ``r``, a stride-1 correlation of ``dy`` with the phase's sub-kernel,
flipped. One convolution computes all ``s * s`` phases (rows and columns) as
``s * s * in_channels`` output channels; ``depth_to_space(s)`` interleaves them back into
the image grid, which is then cropped by the padding. The result equals TensorFlow's to
float round-off; the filter gradient is TensorFlow's own. Measured on that layer at 128 px
(one thread, CPU time; noisy, shared CPU): 3.8 -> 1.4 ms at batch 1, 60 -> 23 ms at batch 16
(forward 0.8 and 13 ms).

Stride-1 layers can be computed the same way (``flip_stride_one=True``): a forward
convolution with the flipped kernel. Measured alone on a 2-core CPU at InceptionV1's
shapes, that is 1.02-1.5x faster than ``Conv2DBackpropInput`` at batch 1 (most for 1x1
kernels) and 0.89-1.08x at batch 16; in a whole render step 1.03x faster in float32 at
batch 1, level at batch 16, and 1.06-1.07x faster in bfloat16 (oneDNN's bfloat16 forward
kernels beat its backward ones). The step builder passes ``flip_stride_one=True``.

How it is used::

    from lucid.optvis.rewrites import strided_conv

    with overrides.gradient_override_map(strided_conv.gradient_overrides()):
        T = render.import_model(model, t_image, t_image)

Applies to ``Conv2D`` ops in NHWC with ``SAME`` or ``VALID`` padding, no dilation, a kernel
shape known when the graph is built, and equal strides > 1 in height and width. Every other
``Conv2D`` (stride 1, NCHW, explicit padding, dilation) gets TensorFlow's standard gradient,
unless ``flip_stride_one=True`` is passed, which also rewrites stride-1 input gradients as
forward convolutions with the flipped kernel (the same formula with ``s = 1``; a plain
``SAME`` convolution for odd kernels).
"""

import functools

import tensorflow.compat.v1 as tf


def gradient_overrides(flip_stride_one: bool = False) -> dict:
    """Op type -> gradient function, for ``overrides.gradient_override_map``.

    Args:
      flip_stride_one: also compute stride-1 input gradients as forward convolutions with
        the flipped kernel (off by default here; the step builder turns it on, see the
        module docstring).

    Returns:
      ``{"Conv2D": gradient function}``; the same function object for the same argument, so
      it is registered with TensorFlow only once.
    """
    return {"Conv2D": _conv2d_grad(bool(flip_stride_one))}


@functools.cache
def _conv2d_grad(flip_stride_one):
    def conv2d_grad(op, grad):
        """Gradient for ``Conv2D``: the input gradient rewritten where it applies."""
        if op.type != "Conv2D":
            raise TypeError(
                f"this gradient is for Conv2D ops; it was applied to a {op.type} op ({op.name})."
            )
        strides = _spatial(op.get_attr("strides"))
        rewritable = applies_to(op) and (flip_stride_one or strides != (1, 1))
        input_grad = (
            stride_one_input_grad(op, grad) if rewritable else _standard_input_grad(op, grad)
        )
        return [input_grad, _standard_filter_grad(op, grad)]

    conv2d_grad.__name__ = "strided_conv2d_grad_flip" if flip_stride_one else "strided_conv2d_grad"
    return conv2d_grad


def _spatial(nhwc):
    return int(nhwc[1]), int(nhwc[2])


def _data_format(op):
    data_format = op.get_attr("data_format")
    return data_format.decode() if isinstance(data_format, bytes) else data_format


def _padding(op):
    padding = op.get_attr("padding")
    return padding.decode() if isinstance(padding, bytes) else padding


def applies_to(op: tf.Operation) -> bool:
    """Whether :func:`stride_one_input_grad` handles this ``Conv2D`` op.

    True for NHWC, ``SAME`` or ``VALID`` padding, dilation 1, equal height and width strides
    (1 included) and a statically known `[kh, kw, in, out]` kernel shape.
    """
    if op.type != "Conv2D" or _data_format(op) != "NHWC" or _padding(op) not in ("SAME", "VALID"):
        return False
    if any(int(d) != 1 for d in op.get_attr("dilations")):
        return False
    stride_h, stride_w = _spatial(op.get_attr("strides"))
    if stride_h != stride_w:  # depth_to_space interleaves square blocks only
        return False
    return op.inputs[1].shape.is_fully_defined() and op.inputs[0].shape.ndims == 4


def _phase_kernel(w, stride_h, stride_w):
    """`[kh, kw, in, out]` -> `[mh, mw, out, sh * sw * in]`: the flipped sub-kernel of each phase.

    ``m = ceil(k / s)`` taps per phase; kernel row ``s * m + r`` goes to row ``M - 1 - m`` of
    phase ``r``'s block (rows past the kernel are zero).
    """
    kh, kw, c_in, c_out = w.shape.as_list()
    mh, mw = -(-kh // stride_h), -(-kw // stride_w)
    w = tf.pad(w, [[0, mh * stride_h - kh], [0, mw * stride_w - kw], [0, 0], [0, 0]])
    w = tf.reshape(w, [mh, stride_h, mw, stride_w, c_in, c_out])
    w = tf.reverse(w, axis=[0, 2])
    # depth_to_space reads depth as (row phase, column phase, channel).
    w = tf.transpose(w, [0, 2, 5, 1, 3, 4])
    return tf.reshape(w, [mh, mw, c_out, stride_h * stride_w * c_in]), mh, mw


def _pad_before(in_size, out_size, stride, kernel, padding):
    """Padding TensorFlow adds before the input along one axis (int32 scalar tensor)."""
    if padding == "VALID":
        return tf.constant(0, tf.int32)
    total = tf.maximum((out_size - 1) * stride + kernel - in_size, 0)
    return total // 2


def stride_one_input_grad(op: tf.Operation, grad: tf.Tensor) -> tf.Tensor:
    """The input gradient of a ``Conv2D`` op (see :func:`applies_to`) by a stride-1 convolution.

    Args:
      op: the forward ``Conv2D`` op; input `[batch, h, w, in]`, kernel `[kh, kw, in, out]`.
      grad: the gradient of its output, `[batch, out_h, out_w, out]`.

    Returns:
      The gradient of its input, `[batch, h, w, in]`, equal to ``Conv2DBackpropInput``'s.
    """
    x, w = op.inputs
    stride_h, stride_w = _spatial(op.get_attr("strides"))
    padding = _padding(op)
    kernel, mh, mw = _phase_kernel(w, stride_h, stride_w)
    kh, kw = w.shape.as_list()[:2]
    if (stride_h, padding, kh % 2, kw % 2) == (1, "SAME", 1, 1):
        # Symmetric padding: the flipped kernel's own SAME convolution, no padding or crop.
        return tf.nn.conv2d(grad, kernel, strides=[1, 1, 1, 1], padding="SAME")
    x_shape, grad_shape = tf.shape(x), tf.shape(grad)
    in_h, in_w, out_h, out_w = x_shape[1], x_shape[2], grad_shape[1], grad_shape[2]
    top = _pad_before(in_h, out_h, stride_h, kh, padding)
    left = _pad_before(in_w, out_w, stride_w, kw, padding)
    # Phase rows P cover the padded input rows 0 .. top + in_h - 1.
    rows = (top + in_h + stride_h - 1) // stride_h
    cols = (left + in_w + stride_w - 1) // stride_w
    padded = tf.pad(
        grad,
        [[0, 0], [mh - 1, rows - out_h], [mw - 1, cols - out_w], [0, 0]],
    )
    phases = tf.nn.conv2d(padded, kernel, strides=[1, 1, 1, 1], padding="VALID")
    if stride_h > 1:
        phases = tf.nn.depth_to_space(phases, stride_h)
    result = tf.slice(phases, [0, top, left, 0], [-1, in_h, in_w, -1])
    result.set_shape(x.shape)
    return result


def _standard_input_grad(op, grad):
    """``Conv2DBackpropInput``, with the op's own attributes (TensorFlow's standard gradient)."""
    return tf.raw_ops.Conv2DBackpropInput(
        input_sizes=tf.shape(op.inputs[0]),
        filter=op.inputs[1],
        out_backprop=grad,
        strides=op.get_attr("strides"),
        padding=op.get_attr("padding"),
        explicit_paddings=op.get_attr("explicit_paddings"),
        use_cudnn_on_gpu=op.get_attr("use_cudnn_on_gpu"),
        data_format=op.get_attr("data_format"),
        dilations=op.get_attr("dilations"),
    )


def _standard_filter_grad(op, grad):
    """``Conv2DBackpropFilter``, with the op's own attributes (TensorFlow's standard gradient)."""
    return tf.raw_ops.Conv2DBackpropFilter(
        input=op.inputs[0],
        filter_sizes=tf.shape(op.inputs[1]),
        out_backprop=grad,
        strides=op.get_attr("strides"),
        padding=op.get_attr("padding"),
        explicit_paddings=op.get_attr("explicit_paddings"),
        use_cudnn_on_gpu=op.get_attr("use_cudnn_on_gpu"),
        data_format=op.get_attr("data_format"),
        dilations=op.get_attr("dilations"),
    )
