"""activation_atlas.main: binning and canvas (exact), combining layers (exact, with stub
layers), and the atlas end to end on ShapesNet with activations of the shapes dataset.

Fails on Lucid 0.3.10: activation_atlas could never run (``layout, = aligned_umap(...)``),
``_combine_activations`` rejected arrays, and the two generators of
``aligned_activation_atlas`` both rendered the second model once collected.
"""

import numpy as np
import pytest

from lucid.modelzoo import shapes_dataset
from lucid.modelzoo.vision_models import ShapesNet
from lucid.recipes.activation_atlas import activation_atlas
from lucid.recipes.activation_atlas import aligned_activation_atlas
from lucid.recipes.activation_atlas import main
from lucid.recipes.activation_atlas.layout import normalize_layout
from lucid.recipes.activation_atlas.main import ActivationTranslation
from lucid.recipes.activation_atlas.main import EmptyAtlasError
from lucid.recipes.activation_atlas.main import _combine_activations
from lucid.recipes.activation_atlas.main import bin_laid_out_activations
from lucid.recipes.activation_atlas.main import make_canvas


class StubLayer:
    """A Layer whose "aligned activations" are given (no download)."""

    def __init__(self, name, activations):
        self.name = name
        self.activations = np.asarray(activations, np.float64)


# --- binning ---------------------------------------------------------------------------

LAYOUT = np.array([[0.1, 0.1], [0.2, 0.3], [0.4, 0.0], [0.9, 0.2], [1.0, 0.4], [0.3, 0.8]])
ACTS = np.arange(12, dtype=np.float64).reshape(6, 2)


def test_bins_average_their_points_x_fastest():
    means, coordinates, counts = bin_laid_out_activations(LAYOUT, ACTS, 2, threshold=0)
    assert [tuple(c) for c in coordinates] == [(0, 0), (1, 0), (0, 1)]  # (1, 1) is empty
    assert counts == [3, 2, 1]  # x == 1.0 falls in the last cell
    np.testing.assert_allclose(means, [[2, 3], [7, 8], [10, 11]])


def test_cells_need_more_points_than_the_threshold():
    _, coordinates, counts = bin_laid_out_activations(LAYOUT, ACTS, 2, threshold=2)
    assert [tuple(c) for c in coordinates] == [(0, 0)] and counts == [3]


def test_no_cell_over_the_threshold_is_both_value_and_runtime_error():
    with pytest.raises(EmptyAtlasError, match="more than 5 of the 6 points") as info:
        bin_laid_out_activations(LAYOUT, ACTS, 2)
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


@pytest.mark.parametrize(
    "layout, acts, match",
    [
        (LAYOUT * 2, ACTS, r"layout must lie in \[0, 1\]"),
        (LAYOUT[:5], ACTS, "one row per activation"),
        (LAYOUT[:, :1], ACTS, r"layout must be \[N, 2\]"),
    ],
)
def test_binning_bad_input(layout, acts, match):
    with pytest.raises(ValueError, match=match):
        bin_laid_out_activations(layout, acts, 2)


# --- canvas ----------------------------------------------------------------------------

RED, BLUE = np.array([1.0, 0, 0]), np.array([0, 0, 1.0])


def test_canvas_puts_x_down_the_rows_and_y_across_the_columns():
    icons = [np.ones((2, 3, 3)) * RED, np.ones((2, 3, 3)) * BLUE]  # icons 2 high, 3 wide
    canvas = make_canvas(icons, [(1, 0), (0, 1)], 2)
    assert canvas.shape == (4, 6, 3)
    np.testing.assert_array_equal(canvas[2:4, 0:3], icons[0])  # x = 1: second row block
    np.testing.assert_array_equal(canvas[0:2, 3:6], icons[1])  # y = 1: second column block
    np.testing.assert_array_equal(canvas[0:2, 0:3], 1)  # empty cells are white
    np.testing.assert_array_equal(canvas[2:4, 3:6], 1)
    # np.rot90 gives the notebooks' view: x to the right, y upward.
    view = np.rot90(canvas)
    np.testing.assert_array_equal(view[3:6, 2:4], np.ones((3, 2, 3)) * RED)  # bottom right
    np.testing.assert_array_equal(view[0:3, 0:2], np.ones((3, 2, 3)) * BLUE)  # top left


@pytest.mark.parametrize(
    "icons, coordinates, match",
    [
        ([], [], "at least one icon"),
        ([np.ones((2, 2, 3))], [(0, 0), (1, 1)], "one \\(x, y\\) coordinate per icon"),
        ([np.ones((2, 2, 3))], [(2, 0)], "outside the 2x2 grid"),
    ],
)
def test_canvas_bad_input(icons, coordinates, match):
    with pytest.raises(ValueError, match=match):
        make_canvas(icons, coordinates, 2)


# --- combining two layers --------------------------------------------------------------

# Layer 1's aligned activations have identity covariance and layer 2's are layer 1's times
# M, so pushing maps x -> x @ M one way and y -> y @ inv(M) the other.
M = np.array([[1.0, 2.0], [0.0, 1.0]])
ALIGNED_1 = 2 * np.eye(4)[:, :2]


def stub_layers():
    return StubLayer("one", ALIGNED_1), StubLayer("two", ALIGNED_1 @ M)


def test_combine_activations_given_as_arrays():
    layer1, layer2 = stub_layers()
    x, y = np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([[3.0, 1.0], [0.0, 1.0]])
    one_to_two = _combine_activations(layer1, layer2, x, y, ActivationTranslation.ONE_TO_TWO)
    np.testing.assert_allclose(one_to_two[0], x @ M)
    np.testing.assert_array_equal(one_to_two[1], y)
    model1, model2 = _combine_activations(layer1, layer2, x, y)
    np.testing.assert_allclose(model1, np.hstack([x, x @ M]))
    np.testing.assert_allclose(model2, np.hstack([y @ np.linalg.inv(M), y]), atol=1e-12)


def test_combine_activations_defaults_to_the_aligned_ones():
    layer1, layer2 = stub_layers()
    model1, model2 = _combine_activations(layer1, layer2, number_activations=3)
    assert model1.shape == model2.shape == (3, 4)
    np.testing.assert_allclose(model2[:, 2:], layer2.activations[:3])


def test_combine_activations_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode must be an ActivationTranslation"):
        _combine_activations(*stub_layers(), mode="both")


# --- the atlas end to end on ShapesNet -------------------------------------------------

GRID = 3
ICON = 24


@pytest.fixture(scope="module")
def conv3_activations():
    images, _ = shapes_dataset.generate(96, seed=5)
    return ShapesNet().get_activations("conv3", images, center_only=True)  # [96, 64]


ONE_POINT_PER_CELL = np.stack(np.meshgrid(range(GRID), range(GRID)), -1).reshape(-1, 2)


def pca_layout(acts):
    centred = acts - acts.mean(axis=0)
    return centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T


def test_activation_atlas_offline(conv3_activations):
    layout = pca_layout(conv3_activations)
    canvas = activation_atlas(
        ShapesNet(),
        "conv3",
        grid_size=GRID,
        icon_size=ICON,
        icon_batch_size=2,
        activations=conv3_activations,
        layout=layout,
        n_steps=4,
    )
    assert canvas.shape == (GRID * ICON, GRID * ICON, 3)
    assert 0 <= canvas.min() and canvas.max() <= 1
    _, coordinates, _ = bin_laid_out_activations(normalize_layout(layout), conv3_activations, GRID)
    kept = {tuple(c) for c in coordinates}
    assert 0 < len(kept) < GRID * GRID
    for x in range(GRID):
        for y in range(GRID):
            cell = canvas[x * ICON : (x + 1) * ICON, y * ICON : (y + 1) * ICON]
            assert np.all(cell == 1) == ((x, y) not in kept), (x, y)


@pytest.mark.parametrize(
    "rows, kwargs, error, match",
    [
        (8, {}, ValueError, r"8 activations for a 3x3 grid \(9 cells\); pass at least 9"),
        (96, {"number_activations": 5}, ValueError, "5 activations for a 3x3 grid"),
        (9, {"layout": ONE_POINT_PER_CELL}, EmptyAtlasError, "more than 5 of the 9 points"),
        (96, {"layout": np.zeros((95, 2))}, ValueError, r"layout must be \[N, 2\]"),
        (96, {"grid_size": 0}, ValueError, "grid_size must be an int of at least 1"),
    ],
)
def test_atlas_with_too_little_data(conv3_activations, rows, kwargs, error, match):
    arguments = {"grid_size": GRID, "layout": pca_layout(conv3_activations)[:rows], **kwargs}
    with pytest.raises(error, match=match):
        activation_atlas(ShapesNet(), "conv3", activations=conv3_activations[:rows], **arguments)


def test_number_activations_cuts_activations_and_layout_alike(conv3_activations, monkeypatch):
    binned = []
    monkeypatch.setattr(main, "_progressive_canvases", lambda *args, **kwargs: iter([binned]))
    real_bin = main.bin_laid_out_activations
    monkeypatch.setattr(
        main, "bin_laid_out_activations", lambda *args: binned.append(args) or real_bin(*args)
    )
    layout = pca_layout(conv3_activations)
    activation_atlas(
        ShapesNet(),
        "conv3",
        grid_size=2,
        number_activations=40,
        activations=conv3_activations,
        layout=layout,
    )
    ((binned_layout, binned_acts, _),) = binned
    np.testing.assert_array_equal(binned_acts, conv3_activations[:40])
    np.testing.assert_allclose(binned_layout, normalize_layout(layout[:40]))


def test_activations_must_be_vectors():
    with pytest.raises(ValueError, match="center_only=True"):
        activation_atlas(ShapesNet(), "conv3", activations=np.zeros((20, 4, 4, 64)))


@pytest.mark.slow  # UMAP's numba compilation: ~25 s on first use in a process
@pytest.mark.filterwarnings("ignore:n_jobs value:UserWarning")
def test_activation_atlas_with_umap(conv3_activations):
    pytest.importorskip("umap")
    canvas = activation_atlas(
        ShapesNet(), "conv3", grid_size=2, icon_size=ICON, activations=conv3_activations, n_steps=2
    )
    assert canvas.shape == (2 * ICON, 2 * ICON, 3)
    assert not np.all(canvas == 1)


# --- aligned atlases -------------------------------------------------------------------


def fake_render_icons(calls):
    def render_icons(directions, model, layer, **kwargs):
        calls.append((model, layer, len(directions), kwargs["S"]))
        return [np.zeros((ICON, ICON, 3)) for _ in directions], [0.0] * len(directions)

    return render_icons


def test_aligned_generators_render_their_own_model(monkeypatch):
    calls = []
    monkeypatch.setattr(main, "render_icons", fake_render_icons(calls))
    rng = np.random.RandomState(0)
    acts1, acts2 = rng.rand(200, 3), rng.rand(200, 5)
    layout = rng.rand(200, 2)
    model1, model2 = ShapesNet(), ShapesNet()
    generators = list(
        aligned_activation_atlas(
            model1,
            StubLayer("one", acts1),
            model2,
            StubLayer("two", acts2),
            grid_size=2,
            icon_size=ICON,
            whiten_layers=False,
            icon_batch_size=3,
            activations1=acts1,
            activations2=acts2,
            layouts=(layout, 1 - layout),
        )
    )
    assert len(generators) == 2
    first = list(generators[0])  # consumed after both were made: Lucid rendered model 2 here
    assert {(id(model), layer) for model, layer, _, _ in calls} == {(id(model1), "one")}
    assert [n for _, _, n, _ in calls] == [3, 1]  # 4 cells in batches of 3
    assert len(first) == 2 and first[-1].shape == (2 * ICON, 2 * ICON, 3)
    assert np.all(first[0] == 1, axis=-1).sum() == ICON * ICON  # one cell still empty
    list(generators[1])
    assert calls[-1][:2] == (model2, "two")


def test_aligned_checks_matching_inputs():
    with pytest.raises(ValueError, match="same inputs; got 10 and 12 rows"):
        aligned_activation_atlas(
            ShapesNet(),
            StubLayer("one", np.zeros((10, 3))),
            ShapesNet(),
            StubLayer("two", np.zeros((12, 3))),
            grid_size=2,
        )


@pytest.mark.slow  # UMAP's numba compilation on first use
@pytest.mark.filterwarnings("ignore:n_jobs value:UserWarning")
def test_aligned_atlas_with_umap_and_whitening(monkeypatch):
    pytest.importorskip("umap")
    calls = []
    monkeypatch.setattr(main, "render_icons", fake_render_icons(calls))
    rng = np.random.RandomState(1)
    aligned1 = rng.standard_normal((300, 3))
    aligned2 = aligned1 @ rng.standard_normal((3, 4)) + 0.1 * rng.standard_normal((300, 4))
    layer1, layer2 = StubLayer("one", aligned1), StubLayer("two", aligned2)
    for canvases in aligned_activation_atlas(
        ShapesNet(), layer1, ShapesNet(), layer2, grid_size=2, icon_size=ICON
    ):
        *_, canvas = canvases
        assert canvas.shape == (2 * ICON, 2 * ICON, 3)
    whitening = [S for _, _, _, S in calls]
    np.testing.assert_allclose(whitening[0], np.linalg.inv(aligned1.T @ aligned1 / 300))
    assert whitening[-1].shape == (4, 4)
