"""Tests for lucid.scratch.rl_util.nmf: LayerNMF on ShapesNet with six observations."""

import numpy as np
import pytest

from lucid.modelzoo import shapes_dataset
from lucid.modelzoo.vision_models import ShapesNet
from lucid.scratch.rl_util.attribution import get_acts
from lucid.scratch.rl_util.nmf import LayerNMF
from lucid.scratch.rl_util.nmf import argmax_nd
from lucid.scratch.rl_util.nmf import rescale_opacity

LAYER = "conv3"  # 16x16x64 on 64x64 observations: patches of 4x4 pixels
N_OBS = 6


@pytest.fixture(scope="module")
def obses():
    classes = ["red_blob", "vertical_stripes", "cross"]
    return np.concatenate([shapes_dataset.generate_class(c, 2, seed=1) for c in classes])


@pytest.fixture(scope="module")
def layer_nmf(obses):
    return LayerNMF(ShapesNet(), LAYER, obses, features=3)


def test_layer_nmf_factorises_the_activations(layer_nmf, obses):
    acts = get_acts(ShapesNet(), LAYER, obses)
    assert layer_nmf.acts_reduced.shape == (N_OBS, 16, 16, 3)
    assert layer_nmf.channel_dirs.shape == (3, 64)
    assert layer_nmf.patch_h == layer_nmf.patch_w == 4.0
    reconstruction = layer_nmf.inverse_transform(layer_nmf.acts_reduced)
    # The NMF's own reconstruction error (Frobenius norm of X - WH): the inverse is exact.
    np.testing.assert_allclose(
        np.linalg.norm(acts - reconstruction), layer_nmf.reducer.reconstruction_err, rtol=1e-3
    )
    assert np.linalg.norm(acts - reconstruction) < np.linalg.norm(acts)
    np.testing.assert_allclose(
        layer_nmf.transform(acts), layer_nmf.acts_reduced, rtol=1e-4, atol=1e-5
    )


def test_layer_nmf_fitted_on_attributions(obses):
    nmf = LayerNMF(
        ShapesNet(),
        LAYER,
        obses,
        features=2,
        attr_layer_name="logits",
        attr_opts={"integrate_steps": 2},
    )
    assert nmf.channel_dirs.shape == (2, 64) and (nmf.channel_dirs >= 0).all()
    assert nmf.acts_reduced.shape == (N_OBS, 16, 16, 2)


def test_vis_traditional_partial_feature_list(layer_nmf):
    # Lucid put feature f in batch item f, so [2, 0] failed (a batch of 2 has no item 2).
    images = layer_nmf.vis_traditional([2, 0], transforms=[], thresholds=(48,))
    assert images.shape == (2, 64, 64, 3)
    assert images.min() >= 0 and images.max() <= 1
    # The objective: the centre activation's dot product with the feature's direction.
    scores = get_acts(ShapesNet(), LAYER, images)[:, 8, 8] @ layer_nmf.channel_dirs.T
    # Item 0 favours feature 2 over feature 0 more than item 1 does (features correlate, so
    # compare preferences, not raw scores).
    assert scores[0, 2] * scores[1, 0] > scores[1, 2] * scores[0, 0]
    assert layer_nmf.vis_traditional(1, thresholds=(1,)).shape == (1, 64, 64, 3)


def test_pad_obses_and_get_patch(layer_nmf, obses):
    layer_nmf.pad_obses(expand_mult=2)
    padded = layer_nmf.padded_obses
    assert padded.shape == (N_OBS, 64 + 16, 64 + 16, 3)
    assert padded[0, 0, 0, 0] == 0.75 and padded[0, 0, 1, 0] == 1.0  # the checkerboard
    np.testing.assert_array_equal(padded[:, 8:-8, 8:-8], obses)
    np.testing.assert_array_equal(layer_nmf.get_patch(1, 0.5, 1.5), obses[1, 0:4, 4:8])
    wide = layer_nmf.get_patch(0, 0.5, 0.5, expand_mult=2)  # 2 cells wide, half off the image
    assert wide.shape == (8, 8, 3)
    np.testing.assert_array_equal(wide[2:, 2:], obses[0, :6, :6])
    assert wide[0, 0, 0] == 0.75


def test_vis_dataset(layer_nmf, obses):
    mosaic, obs_indices = layer_nmf.vis_dataset(0, top_frac=1.0)
    assert mosaic.shape == (64, 64, 4)
    indices = np.array(obs_indices)
    assert indices.shape == (16, 16)
    assert np.bincount(indices.ravel()).max() <= np.ceil(256 / N_OBS)  # the top_frac cap
    i, j = 5, 9
    np.testing.assert_array_equal(
        mosaic[4 * i : 4 * i + 4, 4 * j : 4 * j + 4, :3],
        obses[indices[i, j], 4 * i : 4 * i + 4, 4 * j : 4 * j + 4],
    )
    acts = layer_nmf.acts_reduced[indices, np.arange(16)[:, None], np.arange(16), 0]
    np.testing.assert_allclose(mosaic[::4, ::4, 3], acts / acts.max(), rtol=1e-5)
    subdivided, sub_indices = layer_nmf.vis_dataset(0, subdiv_mult=2)
    assert subdivided.shape == (128, 128, 4) and np.array(sub_indices).shape == (32, 32)


def test_vis_dataset_thumbnail(layer_nmf):
    mosaic, obs_indices = layer_nmf.vis_dataset_thumbnail(1, num_mult=2, expand_mult=2)
    assert mosaic.shape == (16, 16, 4)
    indices = np.array(obs_indices)
    assert indices.shape == (2, 2) and len(set(indices.ravel())) == 4
    assert mosaic[..., 3].max() == 1.0
    with pytest.raises(ValueError, match="needs at least 9 observations"):
        layer_nmf.vis_dataset_thumbnail(1, num_mult=3)


def test_argmax_nd_caps_repeats():
    x = np.array([[9, 8, 7, 6], [1, 2, 3, 4], [0, 0, 0, 5]])
    (plain,) = argmax_nd(x, axes=[0])
    np.testing.assert_array_equal(plain, [0, 0, 0, 0])
    (capped,) = argmax_nd(x, axes=[0], max_rep=2, max_rep_strict=True)
    np.testing.assert_array_equal(capped, [0, 0, 1, 2])  # the largest values are served first
    (loose,) = argmax_nd(x, axes=[0], max_rep=1, max_rep_strict=False)
    np.testing.assert_array_equal(loose, [0, 0, 1, 2])  # position 1 falls back to its argmax
    with pytest.raises(ValueError, match="cover 3 of 4 positions"):
        argmax_nd(x, axes=[0], max_rep=1, max_rep_strict=True)
    with pytest.raises(ValueError, match="max_rep_strict"):
        argmax_nd(x, axes=[0], max_rep=1)


def test_argmax_nd_over_several_axes():
    x = np.zeros([2, 2, 3])
    x[0, 1, 2] = x[1, 0, 1] = 1
    rows, cols = argmax_nd(x, axes=[1, 2])
    np.testing.assert_array_equal(rows, [1, 0])
    np.testing.assert_array_equal(cols, [2, 1])


def test_rescale_opacity():
    images = np.zeros([1, 2, 5, 4])
    images[..., 3] = np.arange(10).reshape(2, 5) / 10  # 0.0 .. 0.9
    out = rescale_opacity(images, min_opacity=0.1)
    assert out[0, 1, 4, 3] == 1.0  # the top 10% are opaque
    assert out[0, 0, 0, 3] == pytest.approx(0.1)  # nothing fully transparent ...
    assert (
        rescale_opacity(images, min_opacity=0.1, keep_zeros=True)[0, 0, 0, 3] == 0
    )  # ... unless kept
    faint = np.full([1, 2, 2, 4], 0.01)
    assert rescale_opacity(faint, min_opacity=0.0)[0, 0, 0, 3] == pytest.approx(0.1)  # max_scale 10
    np.testing.assert_array_equal(out[..., :3], images[..., :3])
