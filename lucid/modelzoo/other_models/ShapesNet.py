"""ShapesNet: a small CNN shipped inside the package, so Lucid works without the network."""

import os

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts

_DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


class ShapesNet(Model):
    """A 4-layer CNN trained on ``lucid.modelzoo.shapes_dataset`` (16 procedural classes).

    The classes are simple, unambiguous visual features (stripes at four orientations,
    checkerboard, grid, zigzag, concentric rings, polka dots, red/green/blue blobs, cross,
    and circle, square and triangle outlines), so its units and logits have features you can
    recognise in a visualization. The frozen graph (~250 KB) and labels are package data:
    nothing is downloaded.

    Input ``input``: `[batch, h, w, 3]` RGB floats in `[0, 1]`, any height and width
    (trained at 64x64; global average pooling before ``logits``). Graph::

        conv1 (3x3, 16) -> maxpool1 -> conv2 (3x3, 32) -> maxpool2 -> conv3 (3x3, 64)
        -> maxpool3 -> conv4 (3x3, 64) -> avgpool -> normalized -> logits (16) -> softmax

    Each ``convN`` (Relu) has its ``convN_pre_relu`` (BiasAdd). ``logits`` is a cosine
    classifier (32 times the cosine between the pooled features and each class vector), so
    rendering ``"logits:k"`` yields an image the model classifies as class k. 99.6% accurate
    on freshly generated images. The training recipe is ``modelzoo/shapesnet`` in the source
    repository.
    """

    model_path = os.path.join(_DATA_DIR, "ShapesNet.pb")
    labels_path = os.path.join(_DATA_DIR, "ShapesNet_labels.txt")
    dataset = "ShapesNet"
    image_shape = [64, 64, 3]
    image_value_range = (0, 1)
    input_name = "input"


# fmt: off
ShapesNet.layers = _layers_from_list_of_dicts(ShapesNet(), [
    {"tags": ["conv", "pre_relu"], "name": "conv1_pre_relu", "depth": 16},
    {"tags": ["conv"], "name": "conv1", "depth": 16},
    {"tags": ["conv", "pre_relu"], "name": "conv2_pre_relu", "depth": 32},
    {"tags": ["conv"], "name": "conv2", "depth": 32},
    {"tags": ["conv", "pre_relu"], "name": "conv3_pre_relu", "depth": 64},
    {"tags": ["conv"], "name": "conv3", "depth": 64},
    {"tags": ["conv", "pre_relu"], "name": "conv4_pre_relu", "depth": 64},
    {"tags": ["conv"], "name": "conv4", "depth": 64},
    {"tags": ["dense"], "name": "logits", "depth": 16},
    {"tags": ["dense"], "name": "softmax", "depth": 16},
])
# fmt: on
