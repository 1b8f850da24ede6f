"""Tests for lucid.optvis.objectives and objectives_util.

Values are checked on the hand-weighted toy model (tests/toy_models.py) or on hand-made
activation tensors, against hand-computed values or NumPy references.
"""

import functools
import inspect

import numpy as np
import pytest
import scipy.ndimage
import tensorflow.compat.v1 as tf

from lucid.optvis import objectives
from lucid.optvis.objectives import Objective
from lucid.optvis.objectives import as_objective
from lucid.optvis.objectives import wrap_objective
from lucid.optvis.objectives_blur import tf_blur
from lucid.optvis.objectives_util import _dot
from lucid.optvis.objectives_util import _dot_cossim
from lucid.optvis.objectives_util import _extract_act_pos
from lucid.optvis.objectives_util import _make_arg_str
from lucid.optvis.objectives_util import _T_force_NHWC
from lucid.optvis.objectives_util import _T_handle_batch
from tests.toy_models import LABELS
from tests.toy_models import ToyModel

RNG = np.random.RandomState(0)


# --- helpers -------------------------------------------------------------------------


def toy_T(t_input, t_model_input=None):
    """T over the toy model; ``T("input")`` is ``t_input`` (the model sees ``t_model_input``)."""
    T_model = ToyModel().import_graph(t_input if t_model_input is None else t_model_input)

    def T(name):
        if name == "input":
            return t_input
        if name == "labels":
            return list(LABELS)
        return T_model(name)

    return T


def dict_T(arrays, labels=None):
    """T over constant tensors made from a dict of NumPy arrays."""
    tensors = {name: tf.constant(np.asarray(a, np.float32)) for name, a in arrays.items()}
    return lambda name: labels if name == "labels" else tensors[name]


def run(graph, obj, T, feed_dict=None):
    return graph.sess.run(obj(T), feed_dict)


VALUE_KINDS = ["numpy", "graph_constant", "graph_tensor", "eager_tensor"]


def value_as(kind, array, dtype=tf.float32):
    """``array`` as a NumPy array, a constant or non-constant tensor of the default graph, or
    an eager tensor (made outside the test's graph)."""
    if kind == "numpy":
        return array
    if kind == "graph_constant":
        return tf.constant(array, dtype)
    if kind == "graph_tensor":  # its value is not known when the graph is built
        return tf.placeholder_with_default(tf.constant(array, dtype), np.shape(array))
    with tf.init_scope():
        return tf.constant(array, dtype)


def np_blur(x, w=3):
    """NumPy reference of tf_blur: border weight 0.5, interior 1, normalized at edges."""
    k = np.full([w, w], 0.5)
    k[1:-1, 1:-1] = 1.0
    out = np.empty_like(x, dtype=np.float64)
    ones = np.ones(x.shape[1:3])
    norm = scipy.ndimage.correlate(ones, k, mode="constant")
    for n in range(x.shape[0]):
        for c in range(x.shape[3]):
            out[n, :, :, c] = scipy.ndimage.correlate(x[n, :, :, c], k, mode="constant") / norm
    return out


def np_dot_cossim(x, y, cossim_pow):
    dot = (x * y).sum(-1)
    if cossim_pow == 0:
        return dot.mean()
    cossim = dot / (1e-4 + np.sqrt((x * x).sum(-1))) / (1e-4 + np.sqrt((y * y).sum(-1)))
    return (dot * np.maximum(0.1, cossim) ** cossim_pow).mean()


# --- the harness over every public objective -----------------------------------------

BATCH, SIZE = 2, 16
IMAGE_SHAPE = [BATCH, SIZE, SIZE, 4]  # RGBA, so blur_alpha_each_step has an alpha channel

HARNESS = {
    "neuron": lambda: objectives.neuron("const_pre_relu", 1),
    "neuron_dense": lambda: objectives.neuron("logits", 2, batch=1),
    "channel": lambda: objectives.channel("color_pre_relu", 0),
    "direction": lambda: objectives.direction("stripes_pre_relu", np.array([1.0, -0.5])),
    "direction_cossim": lambda: objectives.direction_cossim("color_pre_relu", [1, 0, 0], 1),
    "direction_neuron": lambda: objectives.direction_neuron("color_pre_relu", [1.0, -1.0, 0.5]),
    "tensor_direction": lambda: objectives.tensor_direction(
        "color_pre_relu", RNG.randn(3, 3, 3), cossim_pow=2
    ),
    "deepdream": lambda: objectives.deepdream("stripes_pre_relu"),
    "total_variation": lambda: objectives.total_variation(),
    "L1": lambda: objectives.L1(constant=0.5),
    "L2": lambda: objectives.L2(),
    "blur_input_each_step": lambda: objectives.blur_input_each_step(),
    "blur_alpha_each_step": lambda: objectives.blur_alpha_each_step(),
    "channel_interpolate": lambda: objectives.channel_interpolate(
        "color_pre_relu", 0, "stripes_pre_relu", 1
    ),
    "penalize_boundary_complexity": lambda: objectives.penalize_boundary_complexity(
        IMAGE_SHAPE, w=4
    ),
    "alignment": lambda: objectives.alignment("color_pre_relu"),
    "diversity": lambda: objectives.diversity("stripes_pre_relu"),
    "input_diff": lambda: objectives.input_diff(np.full(IMAGE_SHAPE, 0.5)),
    "class_logit": lambda: objectives.class_logit("logits", "red"),
    "as_objective": lambda: objectives.as_objective("const_pre_relu:3"),
}


def _public_factories():
    return {
        name
        for name, value in vars(objectives).items()
        if not name.startswith("_") and hasattr(value, "__wrapped__")
    }


def test_harness_covers_every_public_objective_factory():
    covered = {key for key in HARNESS if hasattr(objectives, key)}
    assert _public_factories() - covered == set()
    assert len(_public_factories()) == 18


@pytest.mark.parametrize("key", sorted(HARNESS))
def test_every_objective_is_a_scalar_with_a_gradient_and_a_description(graph, key):
    param = tf.Variable(RNG.randn(*IMAGE_SHAPE).astype(np.float32))
    t_image = tf.sigmoid(param)
    T = toy_T(t_image, t_image[..., :3])
    obj = HARNESS[key]()
    assert isinstance(obj, Objective)
    value_t = obj(T)
    assert value_t.shape.ndims == 0
    (grad_t,) = tf.gradients(value_t, [param])
    assert grad_t is not None
    graph.sess.run(tf.global_variables_initializer())
    value, grad = graph.sess.run([value_t, grad_t])
    assert np.isfinite(value) and np.isfinite(grad).all()
    assert np.abs(grad).sum() > 0
    name = {"neuron_dense": "neuron", "direction_cossim": "direction", "as_objective": "channel"}
    name = name.get(key, key)
    assert obj.name == name
    assert obj.description.startswith(name.title() + " [")
    assert obj.description.endswith("]")


# --- exact values on the toy model ----------------------------------------------------


def test_channel_on_black_image_is_exactly_one(graph):
    T = toy_T(tf.zeros([1, 8, 8, 3]))
    for n in range(4):
        assert run(graph, objectives.channel("const_pre_relu", n), T) == 1.0


def test_channel_on_grey_image(graph):
    T = toy_T(tf.fill([2, 5, 5, 3], 0.5))
    np.testing.assert_allclose(run(graph, objectives.channel("const", 2), T), 1.15, rtol=1e-6)


def test_channel_of_a_dense_layer(graph):
    red = np.zeros([1, 8, 8, 3], np.float32)
    red[..., 0] = 1.0
    T = toy_T(tf.constant(red))
    assert run(graph, objectives.channel("logits", 0), T) == pytest.approx(1.0)
    assert run(graph, objectives.channel("logits", 1), T) == pytest.approx(0.0)


def test_class_logit_by_index_and_label(graph):
    images = np.zeros([2, 8, 8, 3], np.float32)
    images[0, ..., 0] = 1.0  # red
    images[1, ..., 1] = 1.0  # green
    T = toy_T(tf.constant(images))
    assert run(graph, objectives.class_logit("logits", "red"), T) == pytest.approx(1.0)
    assert run(graph, objectives.class_logit("logits", 1), T) == pytest.approx(1.0)
    assert run(graph, objectives.class_logit("logits", "green", batch=1), T) == pytest.approx(1.0)
    assert run(graph, objectives.class_logit("logits", "green", batch=0), T) == pytest.approx(0.0)


def test_stripe_detector_prefers_vertical_stripes(graph):
    x = np.arange(16)
    vertical = np.tile((np.cos(2 * np.pi * x / 4) + 1) / 2, (16, 1))
    image = np.repeat(vertical[None, :, :, None], 3, axis=-1).astype(np.float32)
    T = toy_T(tf.constant(image))
    vertical_value = run(graph, objectives.channel("stripes", 0), T)
    horizontal_value = run(graph, objectives.channel("stripes", 1), T)
    # The stripes' response is 0.25 * cos(pi * offset / 2): 0.25 at 3 of the 9 x offsets
    # after the ReLU, so the channel mean is 1/12; the horizontal detector sees nothing.
    assert vertical_value == pytest.approx(1 / 12, rel=1e-5)
    assert horizontal_value == pytest.approx(0.0, abs=1e-6)


# --- exact values on hand-made activations --------------------------------------------


@pytest.mark.parametrize("size, centre", [(4, 2), (5, 2), (1, 0)])
def test_neuron_picks_the_centre_as_lucid(graph, size, centre):
    acts = RNG.randn(2, size, size, 3)
    T = dict_T({"a": acts})
    np.testing.assert_allclose(
        run(graph, objectives.neuron("a", 1), T), acts[:, centre, centre, 1].mean(), rtol=1e-5
    )


def test_neuron_at_a_position_and_batch(graph):
    acts = RNG.randn(3, 4, 5, 2)
    T = dict_T({"a": acts})
    obj = objectives.neuron("a", 0, x=1, y=3, batch=2)
    np.testing.assert_allclose(run(graph, obj, T), acts[2, 1, 3, 0], rtol=1e-5)


def test_extract_act_pos(graph):
    acts = RNG.randn(1, 4, 6, 2)
    out = graph.sess.run(_extract_act_pos(tf.constant(acts), None, 4))
    np.testing.assert_allclose(out, acts[:, 2:3, 4:5], rtol=1e-6)


def test_channel_batch_slicing(graph):
    acts = RNG.randn(3, 2, 2, 4)
    T = dict_T({"a": acts})
    for b in range(3):
        np.testing.assert_allclose(
            run(graph, objectives.channel("a", 3, batch=b), T), acts[b, ..., 3].mean(), rtol=1e-5
        )
    np.testing.assert_allclose(
        run(graph, objectives.channel("a", 3), T), acts[..., 3].mean(), rtol=1e-5
    )


@pytest.mark.parametrize("kind", VALUE_KINDS)
@pytest.mark.parametrize("cossim_pow", [0, 1, 2.5])
def test_direction_matches_numpy(graph, cossim_pow, kind):
    acts, vec = RNG.randn(2, 3, 3, 4), RNG.randn(4)
    T = dict_T({"a": acts})
    expected = np_dot_cossim(acts, vec[None, None, None], cossim_pow)
    obj = objectives.direction("a", value_as(kind, vec), cossim_pow=cossim_pow)
    np.testing.assert_allclose(run(graph, obj, T), expected, rtol=1e-5)
    obj = objectives.direction_cossim("a", value_as(kind, vec), cossim_pow=cossim_pow)
    np.testing.assert_allclose(run(graph, obj, T), expected, rtol=1e-5)
    assert objectives.direction_cossim is objectives.direction


def test_direction_tensor_of_another_graph_is_a_clear_error(graph):
    with tf.Graph().as_default():
        vec = tf.placeholder_with_default(np.ones(4, np.float32), [4])
    obj = objectives.direction("a", vec)
    with pytest.raises(ValueError, match="direction: vec is a tensor of another graph"):
        obj(dict_T({"a": np.ones([1, 2, 2, 4])}))


def test_direction_constant_of_another_graph_is_used_by_value(graph):
    with tf.Graph().as_default():
        vec = tf.constant([1.0, 2.0])
    acts = RNG.randn(1, 2, 2, 2)
    value = run(graph, objectives.direction("a", vec), dict_T({"a": acts}))
    np.testing.assert_allclose(value, (acts @ [1.0, 2.0]).mean(), rtol=1e-5)


def test_dot_and_dot_cossim(graph):
    x, y = RNG.randn(2, 5, 3), RNG.randn(3)
    tx, ty = tf.constant(x), tf.constant(y)
    np.testing.assert_allclose(graph.sess.run(_dot(tx, ty)), x @ y)
    for cossim_pow in (0, 1, 3):
        np.testing.assert_allclose(
            graph.sess.run(_dot_cossim(tx, ty, cossim_pow)), np_dot_cossim(x, y, cossim_pow)
        )


@pytest.mark.parametrize("kind", VALUE_KINDS)
def test_direction_neuron_matches_numpy(graph, kind):
    acts, vec = RNG.randn(2, 4, 4, 3), RNG.randn(3)
    T = dict_T({"a": acts})
    obj = objectives.direction_neuron("a", value_as(kind, vec), cossim_pow=1, batch=1)
    expected = np_dot_cossim(acts[1:2, 2:3, 2:3], vec, 1)
    np.testing.assert_allclose(run(graph, obj, T), expected, rtol=1e-5)


@pytest.mark.parametrize("kind", VALUE_KINDS)
@pytest.mark.parametrize("vec_shape", [(3, 3, 2), (1, 3, 3, 2)])
def test_tensor_direction_uses_the_centre_crop(graph, vec_shape, kind):
    acts, vec = RNG.randn(2, 5, 6, 2), RNG.randn(*vec_shape)
    T = dict_T({"a": acts})
    expected = np_dot_cossim(acts[:, 1:4, 1:4], vec.reshape(1, 3, 3, 2), 1)
    obj = objectives.tensor_direction("a", value_as(kind, vec), cossim_pow=1)
    np.testing.assert_allclose(run(graph, obj, T), expected, rtol=1e-5)


def test_tensor_direction_with_a_tensor_of_unknown_spatial_size(graph):
    acts, vec = RNG.randn(1, 5, 6, 2), RNG.randn(1, 3, 3, 2)
    vec_t = tf.placeholder(tf.float32, [1, None, None, 2])
    obj = objectives.tensor_direction("a", vec_t, cossim_pow=1)
    expected = np_dot_cossim(acts[:, 1:4, 1:4], vec, 1)
    value = run(graph, obj, dict_T({"a": acts}), {vec_t: vec})
    np.testing.assert_allclose(value, expected, rtol=1e-5)


def test_deepdream_l1_l2_total_variation(graph):
    x = RNG.rand(2, 5, 4, 3)
    T = dict_T({"input": x, "a": x - 0.5})
    np.testing.assert_allclose(
        run(graph, objectives.deepdream("a"), T), ((x - 0.5) ** 2).mean(), 1e-5
    )
    np.testing.assert_allclose(run(graph, objectives.L1(), T), np.abs(x).sum(), 1e-5)
    np.testing.assert_allclose(
        run(graph, objectives.L1("a", 0.25), T), np.abs(x - 0.75).sum(), 1e-5
    )
    np.testing.assert_allclose(run(graph, objectives.L2(), T), np.sqrt(1e-6 + (x**2).sum()), 1e-5)
    np.testing.assert_allclose(
        run(graph, objectives.L2(constant=1, epsilon=0.5), T),
        np.sqrt(0.5 + ((x - 1) ** 2).sum()),
        1e-5,
    )
    tv = np.abs(np.diff(x, axis=1)).sum() + np.abs(np.diff(x, axis=2)).sum()
    np.testing.assert_allclose(run(graph, objectives.total_variation(), T), tv, 1e-5)


def test_blur_penalties_match_numpy(graph):
    x = RNG.rand(2, 6, 7, 4)
    T = dict_T({"input": x})
    expected = 0.5 * ((x - np_blur(x)) ** 2).sum()
    np.testing.assert_allclose(run(graph, objectives.blur_input_each_step(), T), expected, 1e-5)
    alpha = x[..., 3:4]
    expected_alpha = 0.5 * ((alpha - np_blur(alpha)) ** 2).sum()
    np.testing.assert_allclose(
        run(graph, objectives.blur_alpha_each_step(), T), expected_alpha, 1e-5
    )


def test_blur_of_a_constant_is_the_constant(graph):
    out = graph.sess.run(tf_blur(tf.fill([1, 5, 5, 2], 0.3)))
    np.testing.assert_allclose(out, 0.3, rtol=1e-6)


def test_blur_input_gradient_does_not_flow_through_the_blur(graph):
    # d/dx 0.5 * sum((x - stop_gradient(blur(x)))**2) = x - blur(x): one blur step's direction.
    x = tf.constant(RNG.rand(1, 5, 5, 3).astype(np.float32))
    (grad,) = tf.gradients(objectives.blur_input_each_step()(lambda name: x), [x])
    expected = graph.sess.run(x - tf_blur(x))
    np.testing.assert_allclose(graph.sess.run(grad), expected, rtol=1e-5)


@pytest.mark.parametrize("kind", VALUE_KINDS + ["numpy_int", "python_int"])
def test_channel_interpolate_matches_numpy(graph, kind):
    a, b = RNG.randn(4, 3, 3, 2), RNG.randn(4, 2, 2, 5)
    T = dict_T({"a": a, "b": b})
    w = np.arange(4) / 3
    expected = sum((1 - w[n]) * a[n, ..., 1].mean() + w[n] * b[n, ..., 4].mean() for n in range(4))
    if kind == "python_int":
        n1, n4 = 1, 4
    elif kind == "numpy_int":
        n1, n4 = np.int64(1), np.int32(4)
    else:  # 0-d NumPy arrays, or int32 scalar tensors
        n1, n4 = value_as(kind, np.array(1), tf.int32), value_as(kind, np.array(4), tf.int32)
    obj = objectives.channel_interpolate("a", n1, "b", n4)
    np.testing.assert_allclose(run(graph, obj, T), expected, rtol=1e-5)


def test_channel_interpolate_channel_errors(graph):
    with pytest.raises(TypeError, match="n_channel2 must be an int; got float 1.5"):
        objectives.channel_interpolate("a", 0, "a", 1.5)
    with pytest.raises(TypeError, match="n_channel1 must be an integer scalar; got a tensor"):
        objectives.channel_interpolate("a", tf.placeholder(tf.float32, []), "a", 1)
    with pytest.raises(ValueError, match="channel 5 is out of range for layer 'a' with depth 2"):
        objectives.channel_interpolate("a", 0, "a", np.array(5))(
            dict_T({"a": np.ones([2, 2, 2, 2])})
        )


def test_penalize_boundary_complexity_matches_numpy(graph):
    shape = [1, 12, 12, 3]
    x = RNG.rand(*shape)
    T = dict_T({"input": x})
    mask = np.ones(shape)
    mask[:, 3:-3, 3:-3] = 0
    diffs = (np_blur(x, 5) - x) ** 2 + 0.8 * (x - 0.5) ** 2
    obj = objectives.penalize_boundary_complexity(shape, w=3)
    np.testing.assert_allclose(run(graph, obj, T), -(diffs * mask).sum(), rtol=1e-5)
    custom = RNG.rand(*shape)
    obj = objectives.penalize_boundary_complexity(shape, mask=custom, C=0.2)
    diffs = (np_blur(x, 5) - x) ** 2 + 0.8 * (x - 0.2) ** 2
    np.testing.assert_allclose(run(graph, obj, T), -(diffs * custom).sum(), rtol=1e-5)


@pytest.mark.parametrize("batch_n", [1, 3, 6])
def test_alignment_matches_numpy(graph, batch_n):
    acts = RNG.randn(batch_n, 3, 3, 2)
    T = dict_T({"a": acts})
    expected = -sum(
        ((acts[i] - acts[i + d]) ** 2).mean() / 3.0**d
        for d in [1, 2, 3, 4]
        for i in range(batch_n - d)
    )
    np.testing.assert_allclose(run(graph, objectives.alignment("a", 3), T), expected, rtol=1e-5)


def test_diversity_matches_numpy(graph):
    acts = RNG.randn(3, 4, 4, 5)
    T = dict_T({"a": acts})
    flat = acts.reshape(3, -1, 5)
    grams = np.einsum("npc,npd->ncd", flat, flat)
    grams /= np.sqrt((grams**2).sum(axis=(1, 2), keepdims=True))
    expected = sum((grams[i] * grams[j]).sum() for i in range(3) for j in range(3) if i != j) / 3
    np.testing.assert_allclose(run(graph, objectives.diversity("a"), T), expected, rtol=1e-5)


def test_diversity_is_zero_for_one_image_and_small_for_different_ones(graph):
    same = np.ones([2, 2, 2, 2])
    different = np.zeros([2, 2, 2, 2])
    different[0, ..., 0] = 1
    different[1, ..., 1] = 1
    T = dict_T({"one": same[:1], "same": same, "different": different})
    assert run(graph, objectives.diversity("one"), T) == pytest.approx(0.0)
    assert run(graph, objectives.diversity("same"), T) == pytest.approx(1.0)
    assert run(graph, objectives.diversity("different"), T) == pytest.approx(0.0)


def test_input_diff_matches_numpy(graph):
    x, orig = RNG.rand(1, 4, 4, 3), RNG.rand(4, 4, 3)
    T = dict_T({"input": x})
    expected = np.sqrt(((x - orig) ** 2).mean())
    np.testing.assert_allclose(run(graph, objectives.input_diff(orig), T), expected, rtol=1e-5)


# --- algebra ---------------------------------------------------------------------------


def _const(value, name):
    return Objective(lambda T: tf.constant(value, tf.float32), name, name.title() + " []")


@pytest.fixture
def ab():
    return _const(3.0, "a"), _const(5.0, "b")


def test_sum_difference_and_scaling(graph, ab):
    a, b = ab
    cases = {
        a + b: 8.0,
        a - b: -2.0,
        a + 1: 4.0,
        1 + a: 4.0,
        1 - a: -2.0,
        a - 0.5: 2.5,
        2 * a: 6.0,
        a * 2: 6.0,
        np.float32(2) * a: 6.0,
        a * b: 15.0,
        a / 2: 1.5,
        a / np.float64(4): 0.75,
        -a: -3.0,
        -(a - 2 * b): 7.0,
        sum([a, b, a]): 11.0,
        Objective.sum([a, b, a]): 11.0,
    }
    for obj, expected in cases.items():
        assert isinstance(obj, Objective)
        assert run(graph, obj, None) == pytest.approx(expected)


def test_names_and_descriptions_are_joined_as_lucid(ab):
    a, b = ab
    assert (a + b).name == "a, b"
    assert (a + b).description == "Sum(A [] +\nB [])"
    assert (a - b).description == "Sum(A [] +\nB [])"
    assert (a + 1).name == "a" and (a + 1).description == "A []"
    assert (2 * a).name == "a" and (-a).description == "A []"
    assert (a * b).name == "a" and (a * b).description == "A []"
    total = Objective.sum([a, b, a])
    assert total.name == "a, b, a"
    assert total.description == "Sum(A [] +\nB [] +\nA [])"


@pytest.mark.parametrize(
    "op",
    [
        lambda o: o + "x",
        lambda o: "x" + o,
        lambda o: o - "x",
        lambda o: "x" - o,
        lambda o: o * [1],
        lambda o: o / o,
        lambda o: 2 / o,
        lambda o: o + True,
        lambda o: o + (lambda T: 1.0),
        lambda o: o * np.ones(3),
    ],
)
def test_unsupported_operands_raise_type_error(ab, op):
    a, _ = ab
    with pytest.raises(TypeError):
        op(a)


def test_dunder_methods_return_not_implemented(ab):
    a, _ = ab
    assert a.__add__("x") is NotImplemented
    assert a.__mul__(None) is NotImplemented
    assert a.__sub__([]) is NotImplemented
    assert a.__truediv__(a) is NotImplemented


def test_objective_sum_rejects_non_objectives(ab):
    with pytest.raises(ValueError, match="non-empty list of Objectives"):
        Objective.sum([])
    with pytest.raises(TypeError, match="expects a list of Objectives"):
        Objective.sum([ab[0], 3])


def test_non_scalar_objective_is_summed_and_logged_once(graph, caplog):
    acts = RNG.rand(2, 3, 3, 4)
    T = dict_T({"a": acts})
    bad = Objective(lambda T: T("a")[..., 0], "bad", "Bad []")
    with caplog.at_level("INFO", logger="lucid.optvis"):
        value = run(graph, bad, T)
    np.testing.assert_allclose(value, acts[..., 0].sum(), rtol=1e-5)
    summed = [r for r in caplog.records if "sum of its elements" in r.getMessage()]
    assert len(summed) == 1 and summed[0].levelname == "INFO"
    assert "'Bad []'" in summed[0].getMessage() and "(2, 3, 3)" in summed[0].getMessage()


def test_non_scalar_objectives_combine_before_summing_as_in_lucid(graph, caplog):
    # Lucid summed only the final loss, so a scalar added to a per-item objective counts once
    # per item: sum(per_item + 1) = sum(per_item) + batch.
    acts = RNG.rand(3, 2, 2, 4)
    T = dict_T({"a": acts})

    @wrap_objective()
    def per_item(layer):
        return lambda T: tf.reduce_mean(T(layer), axis=[1, 2, 3])

    per_item_values = acts.mean(axis=(1, 2, 3))
    with caplog.at_level("INFO", logger="lucid.optvis"):
        value = run(graph, per_item("a") + 1.0, T)
    np.testing.assert_allclose(value, per_item_values.sum() + 3, rtol=1e-5)
    assert sum("sum of its elements" in r.getMessage() for r in caplog.records) == 1
    product = run(graph, per_item("a") * per_item("a"), T)
    np.testing.assert_allclose(product, (per_item_values**2).sum(), rtol=1e-5)
    both = run(graph, Objective.sum([per_item("a"), 2 * per_item("a")]), T)
    np.testing.assert_allclose(both, 3 * per_item_values.sum(), rtol=1e-5)
    np.testing.assert_allclose(
        run(graph, objectives.channel("a", 0) + per_item("a"), T),
        3 * acts[..., 0].mean() + per_item_values.sum(),
        rtol=1e-5,
    )


def test_scalar_objectives_are_not_logged(graph, caplog):
    T = dict_T({"a": np.ones([2, 3, 3, 4])})
    with caplog.at_level("INFO", logger="lucid.optvis"):
        run(graph, objectives.channel("a", 0) - objectives.L1("a"), T)
    assert not caplog.records
    assert Objective(lambda T: 2.5, "number")(T) == 2.5
    assert Objective(lambda T: np.float32(2.5), "number")(T) == 2.5


def test_list_and_unknown_rank_values_are_summed(graph):
    assert graph.sess.run(Objective(lambda T: [1.0, 2.0], "list")(None)) == 3.0
    unknown = tf.placeholder(tf.float32)
    obj = Objective(lambda T: unknown, "unknown")
    assert graph.sess.run(obj(None), {unknown: [[1.0, 2.0], [3.0, 4.0]]}) == 10.0
    assert graph.sess.run(obj(None), {unknown: 5.0}) == 5.0


# --- wrap_objective and handle_batch -------------------------------------------------


def test_wrap_objective_description_and_metadata(graph):
    @wrap_objective()
    def my_thing(layer, n=2, scale=1.0):
        """My docstring."""
        return lambda T: tf.reduce_sum(T(layer)) * n * scale

    obj = my_thing("a", scale=0.5)
    assert obj.name == "my_thing"
    assert obj.description == "My_Thing [a, 2, 0.5]"
    assert my_thing.__name__ == "my_thing" and my_thing.__doc__ == "My docstring."
    assert list(inspect.signature(my_thing).parameters) == ["layer", "n", "scale"]
    assert run(graph, obj, dict_T({"a": np.ones([2, 3])})) == pytest.approx(6.0)
    long_name = my_thing("a_layer_name_longer_than_15", np.zeros([2, 2]))
    assert long_name.description == "My_Thing [..., ..., 1.0]"
    with pytest.raises(TypeError):
        my_thing()


def test_factory_descriptions_list_defaults_as_lucid():
    assert objectives.channel("mixed4a", 3).description == "Channel [mixed4a, 3, None]"
    assert objectives.neuron("mixed4a", 3, x=1).description == "Neuron [mixed4a, 3, 1, None, None]"
    assert objectives.channel("mixed4a_pre_relu", 3).description == "Channel [..., 3, None]"
    assert objectives.total_variation().description == "Total_Variation [input]"
    assert objectives.L1().description == "L1 [input, 0]"


def test_make_arg_str():
    assert _make_arg_str("mixed4a") == "mixed4a"
    assert _make_arg_str("x" * 15) == "x" * 15
    assert _make_arg_str("x" * 16) == "..."
    assert _make_arg_str("a\nb") == "..."
    assert _make_arg_str(3) == "3"


def test_wrap_objective_require_format_nhwc(graph):
    @wrap_objective(require_format="NHWC")
    def rank(layer):
        return lambda T: tf.constant(float(T(layer).shape.ndims))

    @wrap_objective()
    def raw_rank(layer):
        return lambda T: tf.constant(float(T(layer).shape.ndims))

    T = dict_T({"dense": np.ones([2, 3])})
    assert run(graph, rank("dense"), T) == 4.0
    assert run(graph, raw_rank("dense"), T) == 2.0
    with pytest.raises(ValueError, match="require_format='NCHW' is not supported"):
        wrap_objective(require_format="NCHW")


def test_wrap_objective_bare_and_called_forms_agree(graph):
    # Lucid <= 0.3.9 (and every Lucid notebook) used @wrap_objective without parentheses.
    def dot_compare(layer, batch=1, cossim_pow=0):
        """Lucid's feature-inversion objective, shortened."""
        return lambda T: tf.reduce_sum(T(layer)[batch]) * (cossim_pow + 1)

    bare = wrap_objective(dot_compare)
    called = wrap_objective()(dot_compare)
    T = dict_T({"a": np.arange(6.0).reshape(2, 3)})
    for factory in (bare, called):
        assert factory.__name__ == "dot_compare" and factory.__doc__.startswith("Lucid's")
        obj = factory("a", cossim_pow=1)
        assert isinstance(obj, Objective)
        assert (obj.name, obj.description) == ("dot_compare", "Dot_Compare [a, 1, 1]")
        assert run(graph, obj, T) == pytest.approx(24.0)
        assert run(graph, factory("a", 0), T) == pytest.approx(3.0)

    @wrap_objective
    def penalize_alpha():
        return lambda T: -tf.reduce_mean(T("a"))

    assert penalize_alpha().description == "Penalize_Alpha []"
    assert run(graph, 2 * penalize_alpha(), T) == pytest.approx(-5.0)


def test_handle_batch_slices_tensors_only(graph):
    acts = RNG.randn(3, 2)

    @objectives.handle_batch(1)
    def inner(T):
        assert T("labels") == ["a", "b"]
        return T("a")

    np.testing.assert_allclose(graph.sess.run(inner(dict_T({"a": acts}, ["a", "b"]))), acts[1:2])
    T2 = _T_handle_batch(dict_T({"a": acts}), batch=None)
    np.testing.assert_allclose(graph.sess.run(T2("a")), acts, rtol=1e-6)
    with pytest.raises(TypeError, match="batch must be None or an int"):
        _T_handle_batch(dict_T({}), batch="0")


def test_force_nhwc(graph):
    nchw = tf.nn.bias_add(tf.constant(RNG.randn(2, 3, 4, 5), tf.float32), [0.0, 0, 0], "NCHW")
    unknown = tf.placeholder(tf.float32)
    tensors = {"nchw": nchw, "dense": tf.constant(RNG.randn(2, 3)), "unknown": unknown}
    T = _T_force_NHWC(lambda name: ["x"] if name == "labels" else tensors[name])
    assert T("nchw").shape.as_list() == [2, 4, 5, 3]
    nchw_value, nhwc_value = graph.sess.run([nchw, T("nchw")])
    np.testing.assert_allclose(nhwc_value, nchw_value.transpose(0, 2, 3, 1))
    assert T("dense").shape.as_list() == [2, 1, 1, 3]
    assert T("unknown") is unknown
    assert T("labels") == ["x"]


def test_channel_on_nchw_layer_uses_the_channel_axis(graph):
    x = RNG.randn(1, 3, 2, 2).astype(np.float32)
    nchw = tf.nn.bias_add(tf.constant(x), [0.0, 0, 0], "NCHW")
    T = lambda name: nchw  # noqa: E731
    np.testing.assert_allclose(run(graph, objectives.channel("a", 2), T), x[0, 2].mean(), rtol=1e-5)


# --- as_objective ----------------------------------------------------------------------


def test_as_objective_passes_objectives_and_callables_through():
    obj = objectives.channel("a", 1)
    assert as_objective(obj) is obj
    func = functools.partial(tf.reduce_sum)
    assert as_objective(func) is func


@pytest.mark.parametrize(
    "spec, layer, n",
    [
        ("const_pre_relu:2", "const_pre_relu", 2),
        (" color : 1 ", "color", 1),
        ("Softmax:2", "Softmax", 2),
        ("Softmax:0", "Softmax", 0),
        ("logits:4", "logits", 4),
    ],
)
def test_as_objective_parses_layer_channel(graph, spec, layer, n):
    image = tf.constant(RNG.rand(1, 10, 10, 3).astype(np.float32))
    T = toy_T(image)
    obj = as_objective(spec)
    assert obj.name == "channel"
    assert obj.description == objectives.channel(layer, n).description
    expected = graph.sess.run(tf.reduce_mean(T(layer)[..., n]))
    np.testing.assert_allclose(run(graph, obj, T), expected, rtol=1e-6)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("mixed4a", "has no ':<channel>' part"),
        ("Softmax:0:3", r"has 2 ':'\. A TensorFlow tensor name such as 'Softmax:0' cannot be"),
        (":3", "has an empty layer name"),
        ("mixed4a:", "channel part '', which is not a non-negative integer"),
        ("mixed4a:x", "channel part 'x', which is not a non-negative integer"),
        ("mixed4a:-1", "channel -1, which is negative: channels count from 0"),
        ("mixed4a:1.5", "channel part '1.5'"),
        ("Softmax:cat", "objectives.class_logit"),
    ],
)
def test_as_objective_rejects_strings_outside_the_grammar(spec, message):
    with pytest.raises(ValueError, match=message) as info:
        as_objective(spec)
    assert "'<layer>:<channel>'" in str(info.value)
    assert "objectives.channel(layer, n)" in str(info.value)


@pytest.mark.parametrize("obj", [3, None, 1.5, ["mixed4a", 3]])
def test_as_objective_rejects_other_types(obj):
    with pytest.raises(TypeError, match="obj must be an Objective"):
        as_objective(obj)


def test_string_objective_out_of_range_explains_the_grammar(graph):
    T = toy_T(tf.zeros([1, 8, 8, 3]))
    with pytest.raises(ValueError) as info:
        as_objective("Softmax:7")(T)
    message = str(info.value)
    assert "channel 7 is out of range for layer 'Softmax' with depth 5; use 0..4" in message
    assert "not the tensor named 'Softmax:7'" in message
    assert "objectives.class_logit" in message


def test_string_objective_on_a_non_activation_tensor(graph):
    T = dict_T({"loss": 1.0})
    with pytest.raises(
        ValueError, match=r"(?s)channel needs layer 'loss' to be .*'loss:0' was read as"
    ):
        as_objective("loss:0")(T)


# --- other errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_obj",
    [
        lambda: objectives.channel("mixed4a_pre_relu", 600),
        lambda: objectives.neuron("mixed4a_pre_relu", 508),
        lambda: objectives.channel_interpolate("mixed4a_pre_relu", 0, "mixed4a_pre_relu", 999),
    ],
)
def test_channel_out_of_range(graph, make_obj):
    T = dict_T({"mixed4a_pre_relu": np.zeros([2, 2, 2, 508])})
    with pytest.raises(ValueError, match=r"layer 'mixed4a_pre_relu' with depth 508; use 0\.\.507"):
        make_obj()(T)


def test_class_logit_errors(graph):
    T = dict_T({"logits": np.zeros([1, 5]), "conv": np.zeros([1, 2, 2, 5])}, labels=LABELS)
    with pytest.raises(ValueError, match="class 5 is out of range for layer 'logits' with depth 5"):
        objectives.class_logit("logits", 5)(T)
    with pytest.raises(ValueError, match="label 'purple' is not among the model's labels"):
        objectives.class_logit("logits", "purple")(T)
    with pytest.raises(
        ValueError, match=r"class_logit needs layer 'conv' to be \[batch, classes\]"
    ):
        objectives.class_logit("conv", 0)(T)
    with pytest.raises(TypeError, match="label must be an int or a str"):
        objectives.class_logit("logits", 1.0)


def test_factory_argument_errors(graph):
    T = dict_T({"a": np.zeros([2, 3, 3, 4]), "input": np.zeros([1, 4, 4, 3])})
    with pytest.raises(TypeError, match="channel: n_channel must be an int; got str '3'"):
        objectives.channel("a", "3")
    with pytest.raises(ValueError, match="vec has 3 channels but layer 'a' has depth 4"):
        objectives.direction("a", np.ones(3))(T)
    with pytest.raises(
        ValueError, match=r"direction: vec must have a static rank of 1; got shape \(2, 4\)"
    ):
        objectives.direction("a", np.ones([2, 4]))
    with pytest.raises(ValueError, match="tensor_direction: vec must have a static rank of 3 or 4"):
        objectives.tensor_direction("a", np.ones(4))
    with pytest.raises(
        ValueError, match="direction: vec must have a static rank of 1; got shape <unknown>"
    ):
        objectives.direction("a", tf.placeholder(tf.float32))
    with pytest.raises(ValueError, match="larger than layer 'a'"):
        objectives.tensor_direction("a", np.ones([4, 4, 4]))(T)
    with pytest.raises(
        ValueError,
        match=r"x=3 is outside layer 'a', whose spatial size \(height, width\) is \(3, 3\)",
    ):
        objectives.neuron("a", 0, x=3)(T)
    with pytest.raises(ValueError, match="needs an RGBA input"):
        objectives.blur_alpha_each_step()(T)


def test_batch_objectives_need_a_static_batch(graph):
    T = lambda name: tf.placeholder(tf.float32, [None, 3, 3, 2])  # noqa: E731
    with pytest.raises(ValueError, match="alignment needs a static batch size"):
        objectives.alignment("a")(T)
    with pytest.raises(ValueError, match="channel_interpolate needs a static batch size"):
        objectives.channel_interpolate("a", 0, "a", 1)(T)
    with pytest.raises(ValueError, match="needs a batch of at least 2"):
        objectives.channel_interpolate("a", 0, "a", 1)(dict_T({"a": np.ones([1, 2, 2, 2])}))


def test_T_wrappers_handle_variables(graph):
    # ResourceVariables (TF2) are not tf.compat.v1.Variable instances; they must still be
    # reshaped and sliced like tensors.
    dense = tf.Variable(np.arange(10.0).reshape(2, 5))
    graph.sess.run(dense.initializer)
    assert _T_force_NHWC(lambda name: dense)("d").shape.as_list() == [2, 1, 1, 5]
    sliced = _T_handle_batch(lambda name: dense, batch=1)("d")
    np.testing.assert_array_equal(graph.sess.run(sliced), [[5, 6, 7, 8, 9]])
