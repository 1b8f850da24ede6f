"""Models converted from Caffe (BGR input, per-channel mean subtraction)."""

from lucid.modelzoo.caffe_models.AlexNet import AlexNet_caffe_Places365
from lucid.modelzoo.caffe_models.InceptionV1 import InceptionV1_caffe
from lucid.modelzoo.caffe_models.InceptionV1 import InceptionV1_caffe_Places205
from lucid.modelzoo.caffe_models.InceptionV1 import InceptionV1_caffe_Places365
from lucid.modelzoo.caffe_models.others import CaffeNet_caffe
from lucid.modelzoo.caffe_models.others import VGG16_caffe
from lucid.modelzoo.caffe_models.others import VGG19_caffe

__all__ = [
    "AlexNet_caffe_Places365",
    "InceptionV1_caffe",
    "InceptionV1_caffe_Places205",
    "InceptionV1_caffe_Places365",
    "CaffeNet_caffe",
    "VGG16_caffe",
    "VGG19_caffe",
]
