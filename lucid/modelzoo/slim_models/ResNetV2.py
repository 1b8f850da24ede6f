"""ResNet-v2 models from TF-slim (50, 101, 152 layers)."""

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class ResnetV2_50_slim(Model):
    """ResNet-v2-50 trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/ResnetV2_50.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
ResnetV2_50_slim.layers = _layers_from_list_of_dicts(ResnetV2_50_slim(), [
    {"tags": ["conv"], "name": "resnet_v2_50/block1/unit_1/bottleneck_v2/preact/Relu", "depth": 64},
    {"tags": ["conv"], "name": "resnet_v2_50/block1/unit_1/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_50/block1/unit_2/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_50/block1/unit_3/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_50/block2/unit_1/bottleneck_v2/preact/Relu", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_50/block2/unit_1/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_50/block2/unit_2/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_50/block2/unit_3/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_50/block2/unit_4/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_1/bottleneck_v2/preact/Relu", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_1/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_2/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_3/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_4/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_5/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block3/unit_6/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block4/unit_1/bottleneck_v2/preact/Relu", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_50/block4/unit_1/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_50/block4/unit_2/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_50/block4/unit_3/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_50/postnorm/Relu", "depth": 2048},
    {"tags": ["dense"], "name": "resnet_v2_50/predictions/Softmax", "depth": 1001},
])
# fmt: on


class ResnetV2_101_slim(Model):
    """ResNet-v2-101 trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/ResnetV2_101.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
ResnetV2_101_slim.layers = _layers_from_list_of_dicts(ResnetV2_101_slim(), [
    {"tags": ["conv"], "name": "resnet_v2_101/block1/unit_1/bottleneck_v2/preact/Relu", "depth": 64},
    {"tags": ["conv"], "name": "resnet_v2_101/block1/unit_1/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_101/block1/unit_2/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_101/block1/unit_3/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_101/block2/unit_1/bottleneck_v2/preact/Relu", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_101/block2/unit_1/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_101/block2/unit_2/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_101/block2/unit_3/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_101/block2/unit_4/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_1/bottleneck_v2/preact/Relu", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_1/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_2/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_3/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_4/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_5/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_6/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_7/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_8/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_9/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_10/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_11/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_12/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_13/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_14/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_15/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_16/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_17/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_18/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_19/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_20/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_21/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_22/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block3/unit_23/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block4/unit_1/bottleneck_v2/preact/Relu", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_101/block4/unit_1/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_101/block4/unit_2/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_101/block4/unit_3/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_101/postnorm/Relu", "depth": 2048},
    {"tags": ["dense"], "name": "resnet_v2_101/predictions/Softmax", "depth": 1001},
])
# fmt: on


class ResnetV2_152_slim(Model):
    """ResNet-v2-152 trained on ImageNet, exported from TF-slim's image classification models (1001 classes, 0 is background)."""

    model_path = "gs://modelzoo/vision/slim_models/ResnetV2_152.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_with_dummy_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-1, 1)
    input_name = "input"


# fmt: off
ResnetV2_152_slim.layers = _layers_from_list_of_dicts(ResnetV2_152_slim(), [
    {"tags": ["conv"], "name": "resnet_v2_152/block1/unit_1/bottleneck_v2/preact/Relu", "depth": 64},
    {"tags": ["conv"], "name": "resnet_v2_152/block1/unit_1/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_152/block1/unit_2/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_152/block1/unit_3/bottleneck_v2/add", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_1/bottleneck_v2/preact/Relu", "depth": 256},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_1/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_2/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_3/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_4/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_5/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_6/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_7/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block2/unit_8/bottleneck_v2/add", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_1/bottleneck_v2/preact/Relu", "depth": 512},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_1/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_2/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_3/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_4/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_5/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_6/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_7/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_8/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_9/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_10/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_11/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_12/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_13/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_14/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_15/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_16/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_17/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_18/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_19/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_20/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_21/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_22/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_23/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_24/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_25/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_26/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_27/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_28/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_29/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_30/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_31/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_32/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_33/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_34/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_35/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block3/unit_36/bottleneck_v2/add", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block4/unit_1/bottleneck_v2/preact/Relu", "depth": 1024},
    {"tags": ["conv"], "name": "resnet_v2_152/block4/unit_1/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_152/block4/unit_2/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_152/block4/unit_3/bottleneck_v2/add", "depth": 2048},
    {"tags": ["conv"], "name": "resnet_v2_152/postnorm/Relu", "depth": 2048},
    {"tags": ["dense"], "name": "resnet_v2_152/predictions/Softmax", "depth": 1001},
])
# fmt: on
