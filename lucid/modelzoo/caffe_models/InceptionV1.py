"""InceptionV1 (GoogLeNet) models converted from Caffe: ImageNet, Places205, Places365."""

from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class InceptionV1_caffe(Model):
    """InceptionV1 (GoogLeNet) trained on ImageNet, converted from the BVLC Caffe model zoo."""

    model_path = "gs://modelzoo/vision/caffe_models/InceptionV1.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "data"
    is_BGR = True


def _caffe_inception_v1_layers(model, n_classes):
    """The declared layers shared by the three Caffe InceptionV1s; only ``prob``'s depth differs."""
    # fmt: off
    return _layers_from_list_of_dicts(model, [
        {"tags": ["conv"], "name": "conv1_7x7_s2/conv1_7x7_s2", "depth": 64},
        {"tags": ["conv"], "name": "conv2_3x3_reduce/conv2_3x3_reduce", "depth": 64},
        {"tags": ["conv"], "name": "conv2_3x3/conv2_3x3", "depth": 192},
        {"tags": ["conv"], "name": "inception_3a_output", "depth": 256},
        {"tags": ["conv"], "name": "inception_3b_output", "depth": 480},
        {"tags": ["conv"], "name": "inception_4a_output", "depth": 512},
        {"tags": ["conv"], "name": "inception_4b_output", "depth": 512},
        {"tags": ["conv"], "name": "inception_4c_output", "depth": 512},
        {"tags": ["conv"], "name": "inception_4d_output", "depth": 528},
        {"tags": ["conv"], "name": "inception_4e_output", "depth": 832},
        {"tags": ["conv"], "name": "inception_5a_output", "depth": 832},
        {"tags": ["conv"], "name": "inception_5b_output", "depth": 1024},
        {"tags": ["dense"], "name": "prob", "depth": n_classes},
    ])
    # fmt: on


InceptionV1_caffe.layers = _caffe_inception_v1_layers(InceptionV1_caffe(), 1000)


class InceptionV1_caffe_Places205(Model):
    """InceptionV1 (GoogLeNet) trained on Places205, converted from the MIT Places Caffe release."""

    model_path = "gs://modelzoo/vision/caffe_models/InceptionV1_places205.pb"
    labels_path = "gs://modelzoo/labels/Places205.txt"
    dataset = "Places205"
    image_shape = [224, 224, 3]
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "data"
    is_BGR = True


InceptionV1_caffe_Places205.layers = _caffe_inception_v1_layers(InceptionV1_caffe_Places205(), 205)


class InceptionV1_caffe_Places365(Model):
    """InceptionV1 (GoogLeNet) trained on Places365, converted from the MIT Places Caffe release."""

    model_path = "gs://modelzoo/vision/caffe_models/InceptionV1_places365.pb"
    labels_path = "gs://modelzoo/labels/Places365.txt"
    dataset = "Places365"
    image_shape = [224, 224, 3]
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "data"
    is_BGR = True


InceptionV1_caffe_Places365.layers = _caffe_inception_v1_layers(InceptionV1_caffe_Places365(), 365)
