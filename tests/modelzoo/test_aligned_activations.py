"""aligned_activations: covariance algebra on preset activations (no download)."""

import numpy as np

from lucid.modelzoo import aligned_activations as aa
from lucid.modelzoo.vision_base import Layer
from tests.toy_models import ToyModel


def _layer(name, activations):
    layer = Layer(ToyModel(), name, activations.shape[1], ["conv"])
    layer._activations = activations
    return layer


def test_constants_and_path_template():
    assert (aa.PAGE_SIZE, aa.NUMBER_OF_AVAILABLE_SAMPLES, aa.NUMBER_OF_PAGES) == (10000, 100000, 10)
    path = aa.PATH_TEMPLATE.format(model="InceptionV1", layer="mixed4a", page=3)
    assert path == "gs://modelzoo/aligned-activations/InceptionV1/mixed4a-00003-of-01000.npy"


def test_covariances_and_push_activations():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 3))
    b = a @ np.array([[1.0, 0.0], [2.0, 1.0], [0.0, -1.0]]) + 0.01 * rng.normal(size=(50, 2))
    layer_a, layer_b = _layer("a", a), _layer("b", b)
    np.testing.assert_allclose(aa.layer_covariance(layer_a), a.T @ a / 50)
    np.testing.assert_allclose(aa.layer_covariance(layer_a, layer_b), a.T @ b / 50)
    np.testing.assert_allclose(
        aa.layer_inverse_covariance(layer_a) @ (a.T @ a / 50), np.eye(3), atol=1e-10
    )
    pushed = aa.push_activations(a[:5], layer_a, layer_b)
    least_squares = np.linalg.lstsq(a, b, rcond=None)[0]
    np.testing.assert_allclose(pushed, a[:5] @ least_squares, atol=1e-10)


def test_get_aligned_activations_stacks_ten_pages(monkeypatch):
    import lucid.misc.io

    requested = []

    def fake_load(path):
        requested.append(path)
        return np.full((2, 3), len(requested), np.float32)

    monkeypatch.setattr(lucid.misc.io, "load", fake_load)
    layer = _layer("block1/unit_1", np.zeros((1, 3)))
    activations = aa.get_aligned_activations(layer)
    assert activations.shape == (20, 3)
    np.testing.assert_array_equal(activations[::2, 0], np.arange(1, 11))
    assert (
        requested[0]
        == "gs://modelzoo/aligned-activations/ToyModel/block1_unit_1-00000-of-01000.npy"
    )
    assert requested[-1].endswith("block1_unit_1-00009-of-01000.npy")
