"""The original AlexNet, with its grouped convolutions."""

from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class AlexNet(Model):
    """The original AlexNet weights (with its two-group convolutions), trained on ImageNet.

    Converted from the Caffe re-implementation by guerzhoy / huanzhang12 and hosted by
    Lucid. Layers are named after the raw TensorFlow ops: each grouped convolution
    appears as two ``Conv2D_k`` ops of half the depth.

    References: Krizhevsky et al. 2012, ImageNet Classification with Deep CNNs.
    """

    model_path = "gs://modelzoo/vision/other_models/AlexNet.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_standard.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_standard_synsets.txt"
    dataset = "ImageNet"
    image_shape = [227, 227, 3]
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    input_name = "Placeholder"
    is_BGR = True


# fmt: off
AlexNet.layers = _layers_from_list_of_dicts(AlexNet(), [
    {"tags": ["pre_relu", "conv"], "name": "Conv2D", "depth": 96},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_1", "depth": 128},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_2", "depth": 128},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_3", "depth": 384},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_4", "depth": 192},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_5", "depth": 192},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_6", "depth": 128},
    {"tags": ["pre_relu", "conv"], "name": "Conv2D_7", "depth": 128},
    {"tags": ["dense"], "name": "Relu", "depth": 4096},
    {"tags": ["dense"], "name": "Relu_1", "depth": 4096},
    {"tags": ["dense"], "name": "Softmax", "depth": 1000},
])
# fmt: on
