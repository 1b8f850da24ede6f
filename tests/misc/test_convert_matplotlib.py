"""matplotlib_to_numpy on a solid-colour figure (needs matplotlib)."""

import numpy as np
import pytest

from lucid.misc.convert_matplotlib import matplotlib_to_numpy


def test_solid_red_figure():
    figure_module = pytest.importorskip("matplotlib.figure")
    figure = figure_module.Figure(figsize=(1, 0.5), dpi=20, facecolor=(1, 0, 0))
    array = matplotlib_to_numpy(figure)
    assert array.shape == (10, 20, 4)
    np.testing.assert_array_equal(array, np.broadcast_to([1.0, 0.0, 0.0, 1.0], (10, 20, 4)))


def test_rejects_objects_without_savefig():
    with pytest.raises(TypeError, match="savefig"):
        matplotlib_to_numpy(object())
