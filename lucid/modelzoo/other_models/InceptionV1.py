"""InceptionV1 (GoogLeNet, inception5h) and its adversarially fine-tuned variant."""

import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts


class InceptionV1(Model):
    """InceptionV1 (GoogLeNet) trained on ImageNet: the TensorFlow ``inception5h`` release.

    The model of most Distill articles and Lucid tutorials. The graph has 1008 classes
    (``labels[0] == "dummy"``) and stores its ``mixed*`` blocks as the old axis-first
    ``Concat`` op after the ReLUs; :meth:`post_import` adds ``mixed*_pre_relu`` tensors.

    References: Szegedy et al. 2014, https://arxiv.org/abs/1409.4842
    """

    model_path = "gs://modelzoo/vision/other_models/InceptionV1.pb"
    labels_path = "gs://modelzoo/labels/ImageNet_alternate.txt"
    synsets_path = "gs://modelzoo/labels/ImageNet_alternate_synsets.txt"
    dataset = "ImageNet"
    image_shape = [224, 224, 3]
    image_value_range = (-117, 255 - 117)
    input_name = "input"

    def post_import(self, scope):
        """Adds ``scope/mixed*_pre_relu`` tensors (see ``_populate_inception_bottlenecks``)."""
        _populate_inception_bottlenecks(scope)


# fmt: off
InceptionV1.layers = _layers_from_list_of_dicts(InceptionV1(), [
    {"tags": ["conv"], "name": "conv2d0", "depth": 64},
    {"tags": ["conv"], "name": "conv2d1", "depth": 64},
    {"tags": ["conv"], "name": "conv2d2", "depth": 192},
    {"tags": ["conv"], "name": "mixed3a", "depth": 256},
    {"tags": ["conv"], "name": "mixed3b", "depth": 480},
    {"tags": ["conv"], "name": "mixed4a", "depth": 508},
    {"tags": ["conv"], "name": "mixed4b", "depth": 512},
    {"tags": ["conv"], "name": "mixed4c", "depth": 512},
    {"tags": ["conv"], "name": "mixed4d", "depth": 528},
    {"tags": ["conv"], "name": "mixed4e", "depth": 832},
    {"tags": ["conv"], "name": "mixed5a", "depth": 832},
    {"tags": ["conv"], "name": "mixed5b", "depth": 1024},
    {"tags": ["conv"], "name": "head0_bottleneck", "depth": 128},
    {"tags": ["dense"], "name": "nn0", "depth": 1024},
    {"tags": ["dense"], "name": "softmax0", "depth": 1008},
    {"tags": ["conv"], "name": "head1_bottleneck", "depth": 128},
    {"tags": ["dense"], "name": "nn1", "depth": 1024},
    {"tags": ["dense"], "name": "softmax1", "depth": 1008},
    {"tags": ["dense"], "name": "softmax2", "depth": 1008},
])
# fmt: on


class InceptionV1_adv_finetuned(InceptionV1):
    """InceptionV1 fine-tuned with adversarial training; same graph layout as InceptionV1."""

    model_path = "gs://modelzoo/vision/other_models/InceptionV1_adv_finetuned.pb"


def _populate_inception_bottlenecks(scope):
    """Adds ``<block>_pre_relu`` tensors for every ``Concat`` block imported under ``scope``.

    inception5h concatenates the towers of each ``mixed*`` block *after* their ReLUs, so the
    graph has no pre-ReLU version of a block. This rebuilds it by concatenating each tower's
    ReLU input instead (towers that are not ReLUs, such as pooling branches, are used as is).
    Handles the old axis-first ``Concat`` op and ``ConcatV2`` (axis last).
    """
    graph = tf.get_default_graph()
    prefix = scope + "/"
    for op in graph.get_operations():
        if not op.name.startswith(prefix) or "Concat" not in op.type:
            continue
        towers = list(op.inputs[1:]) if op.type == "Concat" else list(op.inputs[:-1])
        pre_relus = [t.op.inputs[0] if t.op.type == "Relu" else t for t in towers]
        tf.concat(pre_relus, -1, name=f"{op.name}_pre_relu")
