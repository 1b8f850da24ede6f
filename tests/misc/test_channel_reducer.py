"""ChannelReducer over [..., channels] arrays (needs scikit-learn, except the import error)."""

import sys

import numpy as np
import pytest

from lucid.misc.channel_reducer import ChannelReducer


def test_missing_sklearn_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        ChannelReducer(2, "PCA")


@pytest.fixture
def acts():
    return np.random.RandomState(0).rand(2, 3, 4, 6)


def test_pca_matches_sklearn_on_flattened_activations(acts):
    decomposition = pytest.importorskip("sklearn.decomposition")
    reducer = ChannelReducer(2, "PCA")
    reduced = reducer.fit_transform(acts)
    assert reduced.shape == (2, 3, 4, 2)
    expected = decomposition.PCA(n_components=2).fit_transform(acts.reshape(-1, 6))
    np.testing.assert_allclose(reduced.reshape(-1, 2), expected, atol=1e-10)
    np.testing.assert_allclose(reducer.components, reducer._reducer.components_)
    assert "components" in dir(reducer)


def test_default_is_nmf_and_call_fits_once(acts):
    pytest.importorskip("sklearn")
    reducer = ChannelReducer(3, max_iter=500)
    assert type(reducer._reducer).__name__ == "NMF"
    first = reducer(acts)
    components = reducer.components.copy()
    second = reducer(acts[:1])  # transform only: components unchanged
    np.testing.assert_array_equal(reducer.components, components)
    np.testing.assert_allclose(second, reducer.transform(acts[:1]))
    assert first.shape == (2, 3, 4, 3) and second.shape == (1, 3, 4, 3)
    assert (first >= 0).all()


def test_fit_returns_the_estimator_and_accepts_a_class(acts):
    decomposition = pytest.importorskip("sklearn.decomposition")
    reducer = ChannelReducer(2, decomposition.PCA)
    assert reducer.fit(acts) is reducer._reducer
    assert reducer.transform(acts).shape == (2, 3, 4, 2)


def test_bad_arguments_and_unknown_attributes():
    pytest.importorskip("sklearn")
    with pytest.raises(ValueError, match="n_components must be an int; got 2.5"):
        ChannelReducer(2.5)
    with pytest.raises(ValueError, match="'Nope'.*PCA"):
        ChannelReducer(2, "Nope")
    reducer = ChannelReducer(np.int64(2), "PCA")
    assert reducer.n_components == 2
    with pytest.raises(AttributeError, match="no attribute 'components'"):
        _ = reducer.components  # not fitted yet
    assert not hasattr(reducer, "anything")
