"""Tests for lucid.optvis.batch: many units of a layer rendered in batches."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.optvis import batch
from lucid.optvis import batch_memory
from lucid.optvis import batch_transforms
from lucid.optvis import objectives
from tests.toy_models import toy_model as _toy_model

SIZE = 16
STEPS = 20  # past the 16 steps of redirected ReLU gradients


def random_conv_graph_def(seed=0):
    """input -> conv1 (3x3, 8 channels) -> conv2 (3x3 stride 2, 64 channels) -> logits (10)."""
    rng = np.random.default_rng(seed)

    def weights(shape):
        fan_in = np.prod(shape[:-1])
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    def bias(depth):
        return rng.uniform(0.0, 0.1, depth).astype(np.float32)

    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
        h = tf.nn.conv2d(x, weights([3, 3, 3, 8]), 1, "SAME")
        h = tf.nn.relu(tf.nn.bias_add(h, bias(8), name="conv1_pre_relu"), name="conv1")
        h = tf.nn.conv2d(h, weights([3, 3, 8, 64]), 2, "SAME")
        h = tf.nn.relu(tf.nn.bias_add(h, bias(64), name="conv2_pre_relu"), name="conv2")
        tf.matmul(tf.reduce_mean(h, [1, 2]), weights([64, 10]), name="logits")
    return graph.as_graph_def()


class RandomConvNet(Model):
    """A small random-weight conv net (in memory), with a 64-channel layer ``conv2``."""

    model_path = "random_conv_net.pb"
    image_shape = [32, 32, 3]
    image_value_range = (-1, 1)
    input_name = "input"

    def __init__(self):
        self._graph_def = random_conv_graph_def()
        self.layers = _layers_from_list_of_dicts(
            self,
            [
                {"name": "conv1", "depth": 8, "tags": ["conv"]},
                {"name": "conv2", "depth": 64, "tags": ["conv"]},
                {"name": "logits", "depth": 10, "tags": ["dense"]},
            ],
        )


@pytest.fixture(scope="module")
def conv_net():
    return RandomConvNet()


def render(model, layer, units, **kwargs):
    kwargs = {"size": SIZE, "steps": STEPS, "progress": False, **kwargs}
    return batch.render_units(model, layer, units, **kwargs)


def redness(images):
    """Per image: mean red minus the mean of green and blue."""
    return images[..., 0].mean((1, 2)) - images[..., 1:].mean((1, 2, 3))


UNITS = [2, 0, 1, 0, 1]


@pytest.fixture(scope="module")
def toy_render():
    """Channels of the toy model's `color` layer, 2 per batch: (images, on_batch calls)."""
    calls = []
    images = render(_toy_model(), "color", UNITS, batch_size=2, on_batch=lambda *a: calls.append(a))
    return images, calls


def test_shapes_order_and_duplicates(toy_render):
    images, _ = toy_render
    assert images.shape == (5, SIZE, SIZE, 3) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    # Same unit, same seed: the same image, in whichever batch and slot it is rendered.
    np.testing.assert_array_equal(images[1], images[3])
    np.testing.assert_array_equal(images[2], images[4])
    # In the order of `units`: channel 0 of `color` is the red detector, 1 and 2 are not.
    red = redness(images)
    assert red[1] > 0.005 and red[0] < 0 and red[2] < 0


def test_on_batch_gets_each_batch_in_order(toy_render):
    images, calls = toy_render
    # 5 units at most 2 per batch: 3 batches of 2 (the last topped up and trimmed).
    assert [c[0] for c in calls] == [[2, 0], [1, 0], [1]]
    np.testing.assert_array_equal(np.concatenate([c[1] for c in calls]), images)


def test_unit_gives_same_image_alone_or_in_a_batch_of_64(conv_net):
    in_batch = render(conv_net, "conv2", range(64), batch_size=64)
    alone = render(conv_net, "conv2", [0, 31, 63], batch_size=1)
    # Every random draw of an item is keyed by its own seed, so only the rounding of batched
    # kernels could differ. Measured max abs difference: 0.0 on CPU (TF 2.21, oneDNN), also
    # after 512 steps at 32 px. GPU convolutions may pick other algorithms per batch size
    # (~1e-6 per step); 1e-3 leaves room for that while staying far below the difference
    # between two units (checked below).
    np.testing.assert_allclose(in_batch[[0, 31, 63]], alone, rtol=0, atol=1e-3)
    assert np.abs(in_batch[0] - in_batch[1]).max() > 0.1


def test_seed_changes_the_image_and_no_progress_bar_when_off(toy_model, toy_render, capsys):
    other_seed = render(toy_model, "color", [0], seed=1, progress=False)
    assert np.abs(other_seed[0] - toy_render[0][1]).max() > 0.01
    assert capsys.readouterr().err == ""


def test_neuron_kind_grows_the_unit_at_the_centre(toy_model, toy_render):
    images = render(toy_model, "color", [0], kind="neuron")
    red = images[0, ..., 0] - images[0, ..., 1:].mean(-1)
    border = np.concatenate([red[:2].ravel(), red[-2:].ravel(), red[:, :2].ravel()])
    assert red[5:11, 5:11].mean() > border.mean() + 0.02
    assert np.abs(images[0] - toy_render[0][1]).max() > 0.05  # not the channel's image


def test_custom_objective_f_matches_the_channel_kind(toy_model, toy_render):
    def objective_f(layer, unit, batch_index):
        return objectives.channel(layer, unit, batch=batch_index)

    custom = render(toy_model, "color", [2, 0], batch_size=2, objective_f=objective_f)
    np.testing.assert_allclose(custom, toy_render[0][:2], atol=1e-4)


def test_custom_param_f_and_no_transforms(toy_model):
    def pixels(n, size, seeds):
        return batch.image(n, size, seeds, fft=False)

    images = render(toy_model, "color", [0, 1], param_f=pixels, transforms=[])
    assert images.shape == (2, SIZE, SIZE, 3)
    assert redness(images)[0] > redness(images)[1]
    with pytest.raises(ValueError, match=r"\[2, 16, 16, 3\]"):
        render(toy_model, "color", [1, 2], param_f=lambda n, size, seeds: tf.zeros([n, 8, 8, 3]))


def test_batch_size_from_memory_budget(toy_model):
    budgets = [0.01, 1, 4, 16, 4096]
    sizes = [batch.estimate_batch_size(toy_model, "const", 20, mb) for mb in budgets]
    assert sizes == sorted(sizes) and sizes[0] == 1 and sizes[-1] == 128
    assert len(set(sizes)) == len(sizes)
    # Per-item memory grows with the pixels: a 2x wider canvas (20 + 12 -> 52 + 12 pixels)
    # fits about a quarter as many items.
    large = batch.estimate_batch_size(toy_model, "const", 52, 16)
    assert abs(large - sizes[3] / 4) <= 1 and sizes[3] > 8
    # render_units uses the estimate when batch_size is None.
    calls = []
    render(
        toy_model, "const", range(2), size=20, steps=1, memory_budget_mb=0.01,
        on_batch=lambda units, images: calls.append(units),
    )  # fmt: skip
    assert calls == [[0], [1]]


@pytest.mark.parametrize("budget", [0, -5, float("nan"), float("inf"), "big", True, None])
def test_nonsense_budget_is_a_clear_error(toy_model, budget):
    with pytest.raises(ValueError, match="memory_budget_mb must be a positive number"):
        batch.estimate_batch_size(toy_model, "const", 20, budget)


def test_argument_errors(toy_model):
    with pytest.raises(ValueError, match=r"units \[3\] are out of range .* 0\.\.2"):
        render(toy_model, "color", [0, 3])
    with pytest.raises(ValueError, match="negative"):
        render(toy_model, "color", [-1])
    with pytest.raises(TypeError, match="units must be ints"):
        render(toy_model, "color", [0, 1.5])
    with pytest.raises(ValueError, match="kind='bogus'"):
        render(toy_model, "color", [0], kind="bogus")
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        render(toy_model, "color", [0], batch_size=0)
    with pytest.raises(ValueError, match="memory_budget_mb"):
        render(toy_model, "color", [0], memory_budget_mb=-1)
    with pytest.raises(ValueError, match="Close matches: color"):
        render(toy_model, "colour", [0])
    with pytest.raises(ValueError, match="precision 'float16' is not supported"):
        render(toy_model, "color", [0], precision="float16")
    with pytest.raises(ValueError, match="unknown name.*split_spectrum"):
        render(toy_model, "color", [0], rewrites=["nope"])
    assert render(toy_model, "color", []).shape == (0, SIZE, SIZE, 3)


def test_layer_that_cannot_be_computed_at_this_size(toy_model, monkeypatch):
    monkeypatch.setattr(batch_memory, "CANVAS_GROWTH", 0)  # so that the canvas can be tiny
    with pytest.raises(ValueError, match="cannot be computed on the 4x4 .* larger size"):
        render(toy_model, "stripes", [0], size=4)  # an 8x8 VALID convolution


def test_progress_bar_counts_units(toy_model, capsys):
    render(toy_model, "color", [0, 1, 2], steps=1, batch_size=2, progress=True)
    err = capsys.readouterr().err
    assert "render_units" in err and "3/3" in err and "unit" in err


def test_unit_seed_is_stable_and_keyed_by_every_argument():
    base = batch.unit_seed("InceptionV1", "mixed4a_pre_relu", 476, "channel")
    assert base == 449090074  # fixed forever: seeds must not change between releases
    others = [
        batch.unit_seed("InceptionV2", "mixed4a_pre_relu", 476, "channel"),
        batch.unit_seed("InceptionV1", "mixed4b_pre_relu", 476, "channel"),
        batch.unit_seed("InceptionV1", "mixed4a_pre_relu", 477, "channel"),
        batch.unit_seed("InceptionV1", "mixed4a_pre_relu", 476, "neuron"),
        batch.unit_seed("InceptionV1", "mixed4a_pre_relu", 476, "channel", seed=1),
    ]
    assert len({base, *others}) == 6 and all(0 <= s < 2**31 for s in others)
    with pytest.raises(TypeError, match="unit must be an int"):
        batch.unit_seed("InceptionV1", "mixed4a", "476", "channel")


def test_per_item_draws_depend_only_on_the_seed_and_step():
    both = batch_transforms.per_item_uniforms([7, 8], 10)
    np.testing.assert_array_equal(both[1], batch_transforms.per_item_uniforms([8], 10)[0])
    np.testing.assert_array_equal(both[:, :4], batch_transforms.per_item_uniforms([7, 8], 4))
    many = batch_transforms.per_item_uniforms(range(200), 50)
    assert many.min() >= 0 and many.max() < 1 and abs(many.mean() - 0.5) < 0.01


def test_graph_is_finalized_and_gpu_ready(toy_model):
    graph = batch._BatchGraph(
        toy_model, "color", 2, SIZE, "channel", None, None, None, None, None, True, 0,
        "float32", frozenset(),
    )  # fmt: skip
    try:
        assert graph.graph.finalized
        assert not [op for op in graph.graph.get_operations() if "PyFunc" in op.type]
        assert graph.sess._config.gpu_options.allow_growth
    finally:
        graph.close()
