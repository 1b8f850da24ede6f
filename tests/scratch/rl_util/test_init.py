"""Tests for the lucid.scratch.rl_util package surface and joblib_wrapper."""

import sys

import numpy as np
import pytest

import lucid.scratch.rl_util as rl_util
from lucid.scratch.rl_util import joblib_wrapper

DOCUMENTED = """np tf Model ChannelReducer param objectives render transform show save _image_url
    _display_html lucid_svelte load_joblib save_joblib clear_cnn gradient_override_map
    maxpool_override get_acts default_score_fn get_grad_or_attr get_attr get_grad get_paths
    get_multi_path_attr argmax_nd LayerNMF rescale_opacity zoom_to get_var get_shape
    concatenate_horizontally hue_to_rgb channels_to_rgb conv2d norm_filter
    brightness_to_opacity all_ reload""".split()


def test_star_import_gives_the_documented_names():
    namespace = {}
    exec("from lucid.scratch.rl_util import *", namespace)
    assert set(DOCUMENTED) <= set(namespace)
    assert sorted(rl_util.__all__) == sorted(DOCUMENTED)
    assert rl_util.all_() == rl_util.__all__
    assert namespace["tf"].__name__ == "tensorflow.compat.v1"
    assert namespace["lucid_svelte"] is None or hasattr(
        namespace["lucid_svelte"], "SvelteComponent"
    )


def test_reload_refreshes_the_callers_names():
    namespace = {"LayerNMF": None}
    rl_util.reload(namespace)
    assert namespace["LayerNMF"].__name__ == "LayerNMF"
    assert set(rl_util.__all__) <= set(namespace)


def test_joblib_round_trip(tmp_path):
    value = {"obs": np.arange(6).reshape(2, 3), "name": "coinrun"}
    path = str(tmp_path / "sub" / "value.jd")
    joblib_wrapper.save_joblib(value, path)
    loaded = joblib_wrapper.load_joblib(path)
    np.testing.assert_array_equal(loaded["obs"], value["obs"])
    assert loaded["name"] == "coinrun"
    with open(path, "rb") as handle:
        assert joblib_wrapper.load_joblib(handle)["name"] == "coinrun"


def test_joblib_missing_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "joblib", None)
    with pytest.raises(ImportError, match="pip install joblib"):
        joblib_wrapper.load_joblib(str(tmp_path / "x.jd"))
