"""Gram style statistics and StyleLoss on a tiny hand-weighted graph."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import style

# A 1x1 conv with fixed weights: the second style layer is x @ W at every pixel.
CONV_W = np.array([[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]], np.float32)


def _np_gram(a):
    a = a.reshape(-1, a.shape[-1]).astype(np.float64)
    return a.T @ a / a.shape[0]


def _layers(t_input):
    conv = tf.nn.conv2d(t_input, CONV_W[None, None], strides=[1, 1, 1, 1], padding="VALID")
    return [t_input, conv]


def _images():
    rng = np.random.RandomState(0)
    return rng.rand(1, 4, 4, 3).astype(np.float32), rng.rand(1, 4, 4, 3).astype(np.float32)


def test_gram_style_matches_numpy(graph):
    a = np.random.RandomState(1).randn(2, 3, 3, 4).astype(np.float32)
    gram = graph.sess.run(style.gram_style(tf.constant(a)))
    np.testing.assert_allclose(gram, _np_gram(a), rtol=1e-5)
    # Dynamic leading dims are fine; only the channel count must be static.
    t_a = tf.placeholder(tf.float32, [None, None, None, 4])
    np.testing.assert_allclose(
        graph.sess.run(style.gram_style(t_a), {t_a: a}), _np_gram(a), rtol=1e-5
    )


def test_gram_style_needs_static_channels(graph):
    with pytest.raises(ValueError, match="static channel count"):
        style.gram_style(tf.placeholder(tf.float32, [1, 2, 2, None]))


def test_losses_match_numpy(graph):
    g1 = np.array([[1.0, -2.0], [0.5, 4.0]], np.float32)
    g2 = np.array([[0.0, 1.0], [0.5, 1.0]], np.float32)
    l1, l2 = graph.sess.run([style.mean_l1_loss(g1, g2), style.mean_l2_loss(g1, g2)])
    np.testing.assert_allclose(l1, np.mean(np.abs(g1 - g2)), rtol=1e-6)
    np.testing.assert_allclose(l2, np.sqrt(np.mean((g1 - g2) ** 2)), rtol=1e-6)


def test_style_loss_end_to_end(graph):
    style_image, other_image = _images()
    t_input = tf.placeholder(tf.float32, [1, 4, 4, 3])
    loss = style.StyleLoss(_layers(t_input))
    assert loss.ema is None and loss.effective_grams is loss.input_grams
    assert [v.shape.as_list() for v in loss.target_vars] == [[3, 3], [2, 2]]
    assert not set(loss.target_vars) & set(tf.trainable_variables())
    graph.sess.run(tf.global_variables_initializer())

    n_ops = len(graph.get_operations())
    with graph.sess.as_default():
        loss.set_style({t_input: style_image})
    assert len(graph.get_operations()) == n_ops  # set_style builds nothing new

    targets = [_np_gram(style_image), _np_gram(style_image @ CONV_W)]
    for v, expected in zip(loss.target_vars, targets):
        np.testing.assert_allclose(graph.sess.run(v), expected, rtol=1e-5)
    assert graph.sess.run(loss.style_loss, {t_input: style_image}) == pytest.approx(0, abs=1e-6)

    other = [_np_gram(other_image), _np_gram(other_image @ CONV_W)]
    expected_losses = [np.mean(np.abs(o - t)) for o, t in zip(other, targets)]
    losses, total = graph.sess.run([loss.style_losses, loss.style_loss], {t_input: other_image})
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
    np.testing.assert_allclose(total, sum(expected_losses), rtol=1e-5)


def test_style_loss_optimisation_moves_towards_the_style(graph):
    style_image, start_image = _images()
    t_input = tf.identity(tf.Variable(start_image))  # a tensor, so it can be fed
    loss = style.StyleLoss(_layers(t_input), loss_func=style.mean_l2_loss)
    train_op = tf.train.AdamOptimizer(0.02).minimize(loss.style_loss)
    graph.sess.run(tf.global_variables_initializer())
    with graph.sess.as_default():
        loss.set_style({t_input: style_image})
    before = graph.sess.run(loss.style_loss)
    for _ in range(30):
        graph.sess.run(train_op)
    assert graph.sess.run(loss.style_loss) < 0.5 * before


def test_style_loss_with_ema_averages_the_grams(graph):
    first, second = _images()
    t_input = tf.placeholder(tf.float32, [1, 4, 4, 3])
    decay = 0.75  # not 0.5, so that decay and 1 - decay are told apart
    loss = style.StyleLoss([t_input], ema_decay=decay)
    assert isinstance(loss.ema, tf.train.ExponentialMovingAverage)
    graph.sess.run(tf.global_variables_initializer())
    g1, g2 = _np_gram(first), _np_gram(second)
    # As in Lucid (TF1's default zero_debias=False), the average starts from zero and is
    # updated before it is read: (1-d)*g1 after one step, d*(1-d)*g1 + (1-d)*g2 after two.
    step1 = graph.sess.run(loss.effective_grams[0], {t_input: first})
    np.testing.assert_allclose(step1, (1 - decay) * g1, rtol=1e-5)
    step2 = graph.sess.run(loss.effective_grams[0], {t_input: second})
    np.testing.assert_allclose(step2, decay * (1 - decay) * g1 + (1 - decay) * g2, rtol=1e-5)
    # Gradients still reach the input through the current Gram.
    (grad,) = tf.gradients(loss.style_loss, [t_input])
    assert grad is not None
    assert np.abs(graph.sess.run(grad, {t_input: first})).sum() > 0


def test_style_loss_checks_its_arguments(graph):
    t = tf.zeros([1, 2, 2, 3])
    with pytest.raises(ValueError, match="style_layers is empty"):
        style.StyleLoss([])
    with pytest.raises(TypeError, match="list of activation tensors"):
        style.StyleLoss(t)
    with pytest.raises(ValueError, match="ema_decay=1.5"):
        style.StyleLoss([t], ema_decay=1.5)
    with pytest.raises(TypeError, match="loss_func must be callable"):
        style.StyleLoss([t], loss_func="l1")


def test_set_style_needs_a_default_session():
    with tf.Graph().as_default():
        t_input = tf.placeholder(tf.float32, [1, 2, 2, 3])
        loss = style.StyleLoss([t_input])
        with pytest.raises(ValueError, match="default session"):
            loss.set_style({t_input: np.zeros([1, 2, 2, 3])})
