"""MobileNetV1 models from TF-slim (widths 1.0, 0.5, 0.25)."""

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class MobilenetV1_slim(Model):
    """MobileNetV1 (width 1.0) trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV1.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
MobilenetV1_slim.layers = _layers_from_list_of_dicts(MobilenetV1_slim(), [
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_2_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_4_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_6_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_7_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_8_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_9_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_10_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_12_pointwise/Relu6", "depth": 1024},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "depth": 1024},
    {"tags": ["dense"], "name": "MobilenetV1/Predictions/Softmax", "depth": 1001},
])
# fmt: on


class MobilenetV1_050_slim(Model):
    """MobileNetV1 (width 0.5) trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV1050.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
MobilenetV1_050_slim.layers = _layers_from_list_of_dicts(MobilenetV1_050_slim(), [
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "depth": 16},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_2_pointwise/Relu6", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_4_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_6_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_7_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_8_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_9_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_10_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_12_pointwise/Relu6", "depth": 512},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "depth": 512},
    {"tags": ["dense"], "name": "MobilenetV1/Predictions/Softmax", "depth": 1001},
])
# fmt: on


class MobilenetV1_025_slim(Model):
    """MobileNetV1 (width 0.25) trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/MobilenetV1025.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
MobilenetV1_025_slim.layers = _layers_from_list_of_dicts(MobilenetV1_025_slim(), [
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", "depth": 8},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_1_pointwise/Relu6", "depth": 16},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_2_pointwise/Relu6", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6", "depth": 32},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_4_pointwise/Relu6", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_5_pointwise/Relu6", "depth": 64},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_6_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_7_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_8_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_9_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_10_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6", "depth": 128},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_12_pointwise/Relu6", "depth": 256},
    {"tags": ["conv"], "name": "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6", "depth": 256},
    {"tags": ["dense"], "name": "MobilenetV1/Predictions/Softmax", "depth": 1001},
])
# fmt: on
