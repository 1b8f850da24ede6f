"""MobileNetV2 models from TF-slim (widths 1.0, 1.4)."""

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class MobilenetV2_10_slim(Model):
    """MobileNetV2 (width 1.0) trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV2_10.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
MobilenetV2_10_slim.layers = _layers_from_list_of_dicts(MobilenetV2_10_slim(), [
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_2/add", "depth": 24},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_4/add", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_5/add", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_7/add", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_8/add", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_9/add", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_11/add", "depth": 96},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_12/add", "depth": 96},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_14/add", "depth": 160},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_15/add", "depth": 160},
    {"tags": ["dense"], "name": "MobilenetV2/Predictions/Softmax", "depth": 1001},
])
# fmt: on


class MobilenetV2_14_slim(Model):
    """MobileNetV2 (width 1.4) trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV2_14.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
MobilenetV2_14_slim.layers = _layers_from_list_of_dicts(MobilenetV2_14_slim(), [
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_2/add", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_4/add", "depth": 48},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_5/add", "depth": 48},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_7/add", "depth": 88},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_8/add", "depth": 88},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_9/add", "depth": 88},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_11/add", "depth": 136},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_12/add", "depth": 136},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_14/add", "depth": 224},
    {"tags": ["conv"], "name": "MobilenetV2/expanded_conv_15/add", "depth": 224},
    {"tags": ["dense"], "name": "MobilenetV2/Predictions/Softmax", "depth": 1001},
])
# fmt: on
