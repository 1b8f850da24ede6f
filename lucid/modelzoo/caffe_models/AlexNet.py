"""AlexNet trained on Places365, converted from Caffe."""

from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class AlexNet_caffe_Places365(Model):
    """AlexNet trained on Places365 (365 scene classes), converted from the MIT Places Caffe release."""

    model_path = "gs://modelzoo/vision/caffe_models/AlexNet_places365.pb"
    labels_path = "gs://modelzoo/labels/Places365.txt"
    dataset = "Places365"
    image_shape = [227, 227, 3]
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "input"
    is_BGR = True


# fmt: off
AlexNet_caffe_Places365.layers = _layers_from_list_of_dicts(AlexNet_caffe_Places365(), [
    {"tags": ["conv"], "name": "conv5/concat", "depth": 256},
    {"tags": ["conv"], "name": "conv5/conv5", "depth": 256},
    {"tags": ["dense"], "name": "fc6/fc6", "depth": 4096},
    {"tags": ["dense"], "name": "fc7/fc7", "depth": 4096},
    {"tags": ["dense"], "name": "prob", "depth": 365},
])
# fmt: on
