"""activation_atlas.layout: normalize_layout's exact values, and UMAP (optional extra)."""

import sys

import numpy as np
import pytest

from lucid.recipes.activation_atlas.layout import aligned_umap
from lucid.recipes.activation_atlas.layout import normalize_layout


def test_normalize_layout_clips_outliers_with_lucids_margins():
    # x: 0..9 and an outlier at 1000. The 90th percentile of the 11 values is 9; the range
    # [0, 9] widens to [-0.9, 9 + 0.1 * 9.9] (the upper margin is measured after the lower
    # one moved, as in Lucid), the outlier is clipped to 9.99, and the result is x / 9.99.
    x = np.array(list(range(10)) + [1000], np.float64)
    y = np.array(list(range(10)) + [9], np.float64)  # within the margins: just y / 9
    layout = normalize_layout(np.stack([x, y], 1), min_percentile=0, max_percentile=90)
    np.testing.assert_allclose(layout[:, 0], list(np.arange(10) / 9.99) + [1.0])
    np.testing.assert_allclose(layout[:, 1], y / 9)


def test_normalize_layout_default_percentiles_span_unit_square():
    layout = normalize_layout(np.random.RandomState(0).standard_cauchy((500, 2)))
    np.testing.assert_allclose(layout.min(axis=0), 0)
    np.testing.assert_allclose(layout.max(axis=0), 1)


@pytest.mark.parametrize(
    "layout, match",
    [
        (np.zeros(5), r"non-empty \[N, D\]"),
        (np.stack([np.arange(5.0), np.ones(5)], 1), "no extent along axis 1"),
    ],
)
def test_normalize_layout_rejects_degenerate_layouts(layout, match):
    # Lucid divided by zero and returned NaN, which then fell into no grid cell.
    with pytest.raises(ValueError, match=match):
        normalize_layout(layout)


def test_missing_umap_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "umap", None)  # makes `import umap` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'lucid\[atlas\]'"):
        aligned_umap(np.zeros((10, 3)))


def test_rejects_non_matrix_groups():
    with pytest.raises(ValueError, match=r"group 1 has shape \(4,\)"):
        aligned_umap([np.zeros((4, 3)), np.zeros(4)])


def clusters(rng, n, centre):
    return (centre + 0.1 * rng.standard_normal((n, len(centre)))).astype(np.float32)


@pytest.mark.slow  # numba compiles UMAP on first use: ~25 s
@pytest.mark.filterwarnings("ignore:n_jobs value:UserWarning")  # UMAP: seeding is serial
def test_aligned_umap_keeps_clusters_apart_and_splits_unequal_groups():
    pytest.importorskip("umap")
    rng = np.random.RandomState(0)
    a = np.concatenate([clusters(rng, 60, [1, 0, 0, 0]), clusters(rng, 60, [0, 0, 1, 0])])
    layout = aligned_umap(a, umap_options={"random_state": 0, "n_neighbors": 15})
    assert isinstance(layout, np.ndarray) and layout.shape == (120, 2)  # not a 1-tuple
    assert layout.min() >= 0 and layout.max() <= 1
    gap = np.linalg.norm(layout[:60].mean(0) - layout[60:].mean(0))
    spread = max(layout[:60].std(0).max(), layout[60:].std(0).max())
    assert gap > 3 * spread, (gap, spread)

    # Groups of different sizes (Lucid's np.split needed equal ones) come back in order.
    groups = aligned_umap((a[:50], a[50:]), umap_options={"random_state": 0, "n_neighbors": 15})
    assert [g.shape for g in groups] == [(50, 2), (70, 2)]
