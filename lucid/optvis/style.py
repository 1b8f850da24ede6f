"""Neural style transfer: Gram-matrix style statistics and a style loss.

A style is summarised by the Gram matrix of layer activations (channel correlations,
averaged over positions). :class:`StyleLoss` compares the Grams of the image being
optimised with those of a style image, which :meth:`StyleLoss.set_style` loads once.

References: Gatys et al., "A Neural Algorithm of Artistic Style", 2015,
https://arxiv.org/abs/1508.06576
"""

import numbers
from typing import Callable
from typing import Optional
from typing import Sequence

import tensorflow.compat.v1 as tf


def gram_style(a: tf.Tensor) -> tf.Tensor:
    """Gram matrix of activations divided by the number of positions.

    Args:
      a: activations ``[..., channels]`` (e.g. ``[batch, h, w, c]``) with a static channel
        count. Every leading position counts, batch items included.

    Returns:
      ``[channels, channels]`` tensor ``A^T A / n`` with ``A`` the activations reshaped to
      ``[n, channels]``.
    """
    a = tf.convert_to_tensor(a)
    channels = a.shape[-1] if a.shape.ndims else None
    if channels is None:
        raise ValueError(
            f"gram_style needs activations with a static channel count; got shape {a.shape}."
        )
    with tf.name_scope("gram"):
        a = tf.reshape(a, [-1, int(channels)])
        n = tf.shape(a)[0]
        gram = tf.matmul(a, a, transpose_a=True)
        return gram / tf.cast(n, gram.dtype)


def mean_l1_loss(g1: tf.Tensor, g2: tf.Tensor) -> tf.Tensor:
    """Mean absolute difference of two style statistics (a scalar)."""
    with tf.name_scope("mean_l1_loss"):
        return tf.reduce_mean(tf.abs(g1 - g2))


def mean_l2_loss(g1: tf.Tensor, g2: tf.Tensor) -> tf.Tensor:
    """Root mean squared difference of two style statistics (a scalar)."""
    with tf.name_scope("mean_l2_loss"):
        return tf.sqrt(tf.reduce_mean(tf.square(g1 - g2)))


class StyleLoss:
    """Style loss between the current image and a target style, summed over layers.

    Expected usage::

        style_loss = StyleLoss([T("conv2d2"), T("mixed3b")])
        ...
        tf.global_variables_initializer().run()
        style_loss.set_style({t_input: style_image})  # after initialising
        # then minimise style_loss.style_loss

    Attributes:
      input_grams: ``style_func`` of each style layer.
      ema: the ``tf.train.ExponentialMovingAverage``, or None without ``ema_decay``.
      effective_grams: the Grams the loss uses: ``input_grams``, or with ``ema_decay``
        their moving averages, updated at each run before being read (gradients still
        flow to the current Grams). As in Lucid the averages start at zero, without
        debiasing: after the first run the average is ``(1 - ema_decay) * gram``.
      target_vars: non-trainable variables holding the target style's Grams.
      style_losses: ``loss_func(effective, target)`` per layer.
      style_loss: their sum (a scalar).
    """

    def __init__(
        self,
        style_layers: Sequence[tf.Tensor],
        ema_decay: Optional[float] = None,
        style_func: Callable[[tf.Tensor], tf.Tensor] = gram_style,
        loss_func: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] = mean_l1_loss,
    ):
        """Builds the loss in the default graph.

        Args:
          style_layers: non-empty list of activation tensors whose statistics define a style.
          ema_decay: None, or a number in ``[0, 1]``: compare moving averages of the
            statistics over optimisation steps, useful when each step sees only part of
            the image (e.g. random crops).
          style_func: activations -> statistics (default :func:`gram_style`).
          loss_func: (statistics, target statistics) -> scalar (default :func:`mean_l1_loss`).
        """
        if isinstance(style_layers, (str, bytes, tf.Tensor)) or not hasattr(
            style_layers, "__iter__"
        ):
            raise TypeError(
                f"StyleLoss: style_layers must be a list of activation tensors; got {style_layers!r}."
            )
        style_layers = list(style_layers)
        if not style_layers:
            raise ValueError("StyleLoss: style_layers is empty; give at least one layer tensor.")
        if ema_decay is not None and not (
            isinstance(ema_decay, numbers.Real) and 0.0 <= ema_decay <= 1.0
        ):
            raise ValueError(
                f"StyleLoss: ema_decay must be None or a number in [0, 1]; got ema_decay={ema_decay!r}."
            )
        for name, f in (("style_func", style_func), ("loss_func", loss_func)):
            if not callable(f):
                raise TypeError(f"StyleLoss: {name} must be callable; got {name}={f!r}.")

        self.input_grams = [style_func(s) for s in style_layers]
        self.ema = None
        if ema_decay is not None:
            self.ema = tf.train.ExponentialMovingAverage(decay=ema_decay)
            update_ema_op = self.ema.apply(self.input_grams)
            # Averages update before the effective Grams are read; the stop_gradient trick
            # gives the averaged value while gradients still reach the current Grams.
            with tf.control_dependencies([update_ema_op]):
                self.effective_grams = [
                    g + tf.stop_gradient(self.ema.average(g) - g) for g in self.input_grams
                ]
        else:
            self.effective_grams = self.input_grams

        self.target_vars = [
            tf.Variable(tf.zeros_like(g), trainable=False) for g in self.input_grams
        ]
        self.style_losses = [
            loss_func(g, target) for g, target in zip(self.effective_grams, self.target_vars)
        ]
        self.style_loss = tf.add_n(self.style_losses)
        # Built once here so that set_style adds no ops to the graph.
        self._target_feeds = [tf.placeholder(v.dtype, v.shape) for v in self.target_vars]
        self._set_targets_op = tf.group(
            *[v.assign(feed) for v, feed in zip(self.target_vars, self._target_feeds)]
        )

    def set_style(self, input_feeds: dict) -> None:
        """Computes the style image's statistics and loads them into ``target_vars``.

        Runs in the default session; call it after initialising the variables.

        Args:
          input_feeds: a ``feed_dict`` that makes the style layers evaluate on the style
            image, e.g. ``{t_input: style_image}``.
        """
        sess = tf.get_default_session()
        if sess is None:
            raise ValueError(
                "StyleLoss.set_style runs in the default session, and there is none; call it "
                "inside `with sess.as_default():` (or a `with tf.Session() as sess:` block)."
            )
        computed = sess.run(self.input_grams, input_feeds)
        sess.run(self._set_targets_op, dict(zip(self._target_feeds, computed)))
