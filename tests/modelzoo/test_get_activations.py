"""get_activations on the toy model: const_pre_relu = 1 + 0.1 * (r + g + b), color_pre_relu = r - g - b, ..."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.get_activations import get_activations
from lucid.modelzoo.get_activations import get_activations_iter


def grey(value, size=4):
    return np.full([size, size, 3], value, np.float32)


def test_batched_activations_are_exact_and_in_order(toy_model):
    values = np.arange(5) / 10
    images = np.stack([grey(v) for v in values])
    acts = get_activations(toy_model, "const_pre_relu", images, batch_size=2)
    assert acts.shape == (5, 4, 4, 4)
    expected = (1 + 0.3 * values)[:, None, None, None] * np.ones([5, 4, 4, 4])
    np.testing.assert_allclose(acts, expected, rtol=1e-6)
    np.testing.assert_allclose(
        toy_model.get_activations("const_pre_relu", images, batch_size=3), acts
    )


def test_center_only_and_layer_objects(toy_model):
    images = np.stack([grey(0.5), grey(1.0)])
    acts = get_activations(
        toy_model, toy_model.get_layer("color_pre_relu"), images, center_only=True
    )
    np.testing.assert_allclose(acts, [[-0.5, -0.5, -0.5], [-1.0, -1.0, -1.0]], rtol=1e-6)


def test_nested_lists_keep_their_shape(toy_model):
    examples = [[grey(0.0), grey(0.1)], [grey(0.2), grey(0.3)]]
    acts = get_activations(toy_model, "const_pre_relu", examples, batch_size=3, center_only=True)
    assert acts.shape == (2, 2, 4)
    np.testing.assert_allclose(acts[:, :, 0], [[1.0, 1.03], [1.06, 1.09]], rtol=1e-6)


@pytest.mark.parametrize(
    "reducer, expected",
    [
        ("mean", [-0.2, -0.5]),
        ("rms", [np.sqrt((0.1**2 + 0.3**2) / 2), 0.5]),
        ("max", [-0.1, -0.5]),  # Lucid's max started from 0 and lost negative activations
    ],
)
def test_reducers_combine_repeated_indices(toy_model, reducer, expected):
    pairs = [(0, grey(0.1)), (1, grey(0.5)), (0, grey(0.3))]
    for ind_shape in (None, [2]):
        acts = get_activations_iter(
            toy_model,
            "color_pre_relu",
            pairs,
            reducer=reducer,
            batch_size=2,
            ind_shape=ind_shape,
            center_only=True,
        )
        np.testing.assert_allclose(acts[:, 0], expected, rtol=1e-5)


def test_unseen_indices_are_zero_and_dtype_is_applied(toy_model):
    pairs = [((1, 0), grey(0.0))]
    acts = get_activations_iter(
        toy_model, "const_pre_relu", pairs, ind_shape=[2, 2], dtype=np.float16, center_only=True
    )
    assert acts.dtype == np.float16 and acts.shape == (2, 2, 4)
    np.testing.assert_array_equal(acts[1, 0], np.ones(4))
    np.testing.assert_array_equal(acts[0, 0], np.zeros(4))


def test_errors_say_what_was_wrong(toy_model):
    with pytest.raises(ValueError, match="reducer must be one of"):
        get_activations_iter(toy_model, "const", [], reducer="median")
    with pytest.raises(ValueError, match="same shape"):
        get_activations(toy_model, "const", [grey(0.0, size=4), grey(0.0, size=5)])
    with pytest.raises(TypeError, match="found a str at index \\(1,\\)"):
        get_activations(toy_model, "const", [grey(0.0), "cat.png"])
    with pytest.raises(ValueError, match="no \\(index, image\\) pairs"):
        get_activations_iter(toy_model, "const", [])


# -- integer, non-finite and empty inputs --------------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_integer_images_in_0_255_are_converted_to_0_1(toy_model, dtype):
    images = np.full([2, 4, 4, 3], 51, dtype)  # 51 / 255 = 0.2, so 1 + 0.1 * 0.6 = 1.06
    acts = get_activations(toy_model, "const_pre_relu", images, center_only=True)
    np.testing.assert_allclose(acts, np.full([2, 4], 1.06), rtol=1e-6)
    nested = get_activations(toy_model, "const_pre_relu", [images[0]], center_only=True)
    np.testing.assert_allclose(nested, np.full([1, 4], 1.06), rtol=1e-6)


def test_integer_images_outside_0_255_are_an_error(toy_model):
    images = np.full([2, 4, 4, 3], 256, np.int64)
    with pytest.raises(ValueError, match=r"integer images must hold values in 0\.\.255.*256"):
        get_activations(toy_model, "const_pre_relu", images)


def test_non_numeric_images_are_an_error(toy_model):
    with pytest.raises(TypeError, match="bool"):
        get_activations(toy_model, "const_pre_relu", np.ones([1, 4, 4, 3], bool))


def test_nan_or_infinite_images_are_an_error_naming_them(toy_model):
    images = np.zeros([5, 4, 4, 3], np.float32)
    images[1, 0, 0, 0] = np.nan
    images[3, 2, 1, 0] = np.inf
    with pytest.raises(ValueError, match=r"2 of 5 images.*NaN or infinite.*\[\(1,\), \(3,\)\]"):
        get_activations(toy_model, "const_pre_relu", images, batch_size=2)
    pairs = [(7, images[0]), (8, images[1])]
    with pytest.raises(ValueError, match=r"1 of 2 images.*\[\(8,\)\]"):
        get_activations_iter(toy_model, "const_pre_relu", pairs)


def test_an_empty_batch_gives_an_empty_result_without_running_the_model(toy_model, monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("the model was run on an empty batch")

    monkeypatch.setattr(tf.Session, "run", no_run)
    empty = np.zeros([0, 8, 8, 3], np.float32)
    acts = get_activations(toy_model, "stripes_pre_relu", empty)
    assert acts.shape == (0, 1, 1, 2) and acts.dtype == np.float32
    assert get_activations(toy_model, "const", empty, center_only=True).shape == (0, 4)
    assert get_activations(toy_model, "logits", np.zeros([2, 0, 8, 8, 3])).shape == (2, 0, 5)
    assert get_activations(toy_model, "const", []).shape == (0, 32, 32, 4)  # image_shape
