"""nets_factory: the 31 zoo names plus the bundled ShapesNet, and get_model's errors."""

import pytest

import lucid.modelzoo.vision_models as models
from lucid.modelzoo import nets_factory


def test_models_map_has_the_31_zoo_classes_and_shapesnet_only():
    assert len(nets_factory.models_map) == 32
    assert nets_factory.models_map["ShapesNet"] is models.ShapesNet
    assert set(nets_factory.models_map) == set(models.__all__) - {"Model"}
    for excluded in ("Model", "Layer", "SerializedModel", "FrozenGraphModel"):
        assert excluded not in nets_factory.models_map
    assert nets_factory.models_map["AlexNet"] is models.AlexNet


def test_get_model_returns_a_fresh_instance():
    model = nets_factory.get_model("ResnetV1_50_slim")
    assert isinstance(model, models.ResnetV1_50_slim)
    assert model is not nets_factory.get_model("ResnetV1_50_slim")


def test_get_model_unknown_name_suggests_candidates():
    with pytest.raises(ValueError, match="No network named 'ResnetV1'") as info:
        nets_factory.get_model("ResnetV1")
    message = str(info.value)
    assert "ResnetV1_50_slim, ResnetV1_101_slim, ResnetV1_152_slim" in message
    assert "ResnetV2" not in message
    with pytest.raises(ValueError, match="InceptionV1_slim"):
        nets_factory.get_model("inceptionv1_slm")
    with pytest.raises(ValueError) as info:
        nets_factory.get_model("zzzzzz")
    message = str(info.value)
    assert "Did you mean" not in message and "nothing close" not in message
    assert "lucid models" in message
