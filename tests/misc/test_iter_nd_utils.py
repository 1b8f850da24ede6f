"""recursive_enumerate_nd, dict_to_ndarray, batch_iter."""

import numpy as np
import pytest

from lucid.misc.iter_nd_utils import batch_iter
from lucid.misc.iter_nd_utils import dict_to_ndarray
from lucid.misc.iter_nd_utils import recursive_enumerate_nd


def test_enumerates_nested_generators():
    nested = ((x + y for y in range(3)) for x in range(2))
    assert list(recursive_enumerate_nd(nested)) == [
        ((0, 0), 0),
        ((0, 1), 1),
        ((0, 2), 2),
        ((1, 0), 1),
        ((1, 1), 2),
        ((1, 2), 3),
    ]


def test_stop_iter_and_strings_are_leaves():
    images = [np.zeros((2, 2, 3)), np.ones((2, 2, 3))]
    stop = lambda x: isinstance(x, np.ndarray) and x.ndim <= 3  # noqa: E731
    indices = [index for index, _ in recursive_enumerate_nd([images, images], stop_iter=stop)]
    assert indices == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert list(recursive_enumerate_nd(["ab", [b"c"]])) == [((0,), "ab"), ((1, 0), b"c")]


def test_dict_to_ndarray():
    np.testing.assert_array_equal(dict_to_ndarray({(0, 0): 3, (1, 1): 7}), [[3, 0], [0, 7]])
    out = dict_to_ndarray({(1,): np.array([1, 2], np.int8)})
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [[0, 0], [1, 2]])
    with pytest.raises(ValueError, match="non-empty"):
        dict_to_ndarray({})
    with pytest.raises(ValueError, match="same length"):
        dict_to_ndarray({(0,): 1, (0, 1): 2})


def test_batch_iter_on_lists_and_generators():
    assert list(batch_iter([1, 2, 3, 4, 5], batch_size=2)) == [[1, 2], [3, 4], [5]]
    assert list(batch_iter((i for i in range(3)), batch_size=3)) == [[0, 1, 2]]
    assert list(batch_iter([], batch_size=3)) == []
