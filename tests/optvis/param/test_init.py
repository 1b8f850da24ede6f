"""The package surface of lucid.optvis.param matches Lucid's."""

import types

import lucid.optvis.param as param

EXPORTED = [
    "image",
    "grayscale_image_rgb",
    "lowres_tensor",
    "to_valid_rgb",
    "naive",
    "fft_image",
    "laplacian_pyramid",
    "image_sample",
    "cppn",
]
SUBMODULES = ["spatial", "color", "random", "lowres", "unit_balls", "resize_bilinear_nd", "images"]


def test_all_lists_exactly_lucids_names():
    assert sorted(param.__all__) == sorted(EXPORTED)
    for name in EXPORTED:
        assert callable(getattr(param, name)), name


def test_submodules_are_attributes():
    for name in SUBMODULES:
        assert isinstance(getattr(param, name), types.ModuleType), name


def test_cppn_attribute_is_the_function_as_in_lucid():
    from lucid.optvis.param.cppn import cppn

    assert param.cppn is cppn


def test_lower_level_names_stay_in_their_modules():
    for name in ["pixel_image", "laplacian_pyramid_image", "bilinearly_sampled_image"]:
        assert not hasattr(param, name), name
        assert callable(getattr(param.spatial, name)), name
    assert not [name for name in vars(param) if name.startswith("_") and not name.startswith("__")]
