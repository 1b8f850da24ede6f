"""_normalize_array, serialize_array and array_to_jsbuffer: exact values."""

import base64
import io
import re

import numpy as np
import PIL.Image
import pytest

from lucid.misc.io.serialize_array import JS_ARRAY_TYPES
from lucid.misc.io.serialize_array import _normalize_array
from lucid.misc.io.serialize_array import array_to_jsbuffer
from lucid.misc.io.serialize_array import serialize_array


def test_float_domain_maps_linearly_and_rounds():
    x = np.array([[0.0, 0.25, 0.5, 1.0]])
    np.testing.assert_array_equal(_normalize_array(x), [[0, 64, 128, 255]])
    y = np.array([[-1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(_normalize_array(y, domain=(-1, 1)), [[0, 128, 255]])


def test_k_over_255_is_exact():
    k = np.arange(256, dtype=np.float32).reshape(16, 16) / 255
    np.testing.assert_array_equal(_normalize_array(k), np.arange(256).reshape(16, 16))


def test_values_outside_domain_are_clipped():
    np.testing.assert_array_equal(_normalize_array(np.array([[-3.0, 0.5, 7.0]])), [[0, 128, 255]])


def test_domain_none_uses_min_and_max():
    np.testing.assert_array_equal(
        _normalize_array(np.array([[10.0, 15.0, 20.0]]), None), [[0, 128, 255]]
    )


def test_integers_are_clipped_not_rescaled():
    ints = np.array([[0, 100, 300]], dtype=np.int32)
    np.testing.assert_array_equal(_normalize_array(ints, domain=None), [[0, 100, 255]])
    np.testing.assert_array_equal(_normalize_array(ints, domain=(0, 1)), [[0, 1, 1]])


def test_drops_batch_and_single_channel_axes_and_never_mutates_input():
    x = np.full((1, 2, 2, 1), 0.5)
    out = _normalize_array(x, domain=(0, 1))
    assert out.shape == (2, 2) and out.dtype == np.uint8
    np.testing.assert_array_equal(x, 0.5)
    assert _normalize_array(np.zeros((1, 1, 5, 3))).shape == (1, 5, 3)  # a one-row RGB image


@pytest.mark.parametrize("bad", [np.zeros((2, 2, 2, 2)), np.zeros(5)])
def test_wrong_rank_raises(bad):
    with pytest.raises(ValueError, match="shape"):
        _normalize_array(bad)


def test_nan_and_non_numeric_raise():
    with pytest.raises(ValueError, match="NaN"):
        _normalize_array(np.array([[np.nan, 1.0]]))
    with pytest.raises(TypeError, match="numeric"):
        _normalize_array(np.array([["a", "b"]]))


def test_serialize_array_png_decodes_to_normalized_pixels():
    x = np.array([[[0.0, 0.5, 1.0], [1.0, 1.0, 1.0]]])
    data = serialize_array(x)
    assert data.startswith(b"\x89PNG")
    decoded = np.asarray(PIL.Image.open(io.BytesIO(data)))
    np.testing.assert_array_equal(decoded, [[[0, 128, 255], [255, 255, 255]]])


def test_serialize_array_jpeg_drops_alpha():
    data = serialize_array(np.ones((4, 4, 4)), fmt="jpeg")
    assert PIL.Image.open(io.BytesIO(data)).mode == "RGB"


def test_array_to_jsbuffer_encodes_bytes_and_type():
    array = np.array([1.5, -2.0], dtype=np.float32)
    code = array_to_jsbuffer(array)
    payload = re.search(r'atob\("([^"]*)"\)', code).group(1)
    assert base64.b64decode(payload) == array.tobytes()
    assert "new Float32Array(buf.buffer)" in code
    assert "float32" in JS_ARRAY_TYPES


def test_array_to_jsbuffer_rejects_bad_input():
    with pytest.raises(TypeError, match="1-D"):
        array_to_jsbuffer(np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="int64"):
        array_to_jsbuffer(np.zeros(2, np.int64))
