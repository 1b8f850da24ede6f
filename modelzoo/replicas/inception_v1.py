"""Replica of Lucid's InceptionV1 graph (``gs://modelzoo/vision/other_models/InceptionV1.pb``).

The real file is the "inception5h" GoogLeNet (``tensorflow_inception_graph.pb`` from the
DeepDream tutorial): a frozen GraphDef whose weights are ``Const`` nodes. This module builds a
GraphDef with the same node names, op types, kernel sizes, strides and channel counts, but with
random weights (He-scaled normals drawn from a fixed numpy seed), so Lucid's loader, import,
``post_import``, layer shapes and rendering can be tested offline.

Structure (input ``input``: `[batch, height, width, 3]` float32, any height and width; the
value range ``(-117, 138)`` is applied by ``lucid.modelzoo.vision_models.InceptionV1``, not by
the graph)::

    conv2d0 (7x7/2, 64) -> maxpool0 (3x3/2) -> localresponsenorm0
    -> conv2d1 (1x1, 64) -> conv2d2 (3x3, 192) -> localresponsenorm1 -> maxpool1 (3x3/2)
    -> mixed3a, mixed3b -> maxpool4 (3x3/2)
    -> mixed4a [-> head0] -> mixed4b, mixed4c, mixed4d [-> head1] -> mixed4e
    -> maxpool10 (3x3/2) -> mixed5a, mixed5b -> avgpool0 (7x7, VALID) -> softmax2 (1008)

Each convolution ``name`` is three nodes: ``name_pre_relu/conv`` (Conv2D, SAME),
``name_pre_relu`` (BiasAdd) and ``name`` (Relu), with weights ``name_w`` and ``name_b``. Each
``mixedX`` is the old axis-first ``Concat`` op (axis constant ``mixedX/concat_dim``) of its
four branch Relus; there is no ``mixedX_pre_relu`` node (``InceptionV1.post_import`` builds it).

References: Szegedy et al., "Going Deeper with Convolutions", CVPR 2015.
"""

import numpy as np
import tensorflow.compat.v1 as tf

INPUT_NAME = "input"
NUM_CLASSES = 1008

# Channels of each mixed block's branches:
# (1x1, 3x3_bottleneck, 3x3, 5x5_bottleneck, 5x5, pool_reduce). The inception5h graph differs
# from the paper's table in mixed4a (3x3: 204, not 208) and mixed5a (5x5_bottleneck: 48).
MIXED_BRANCHES = {
    "mixed3a": (64, 96, 128, 16, 32, 32),
    "mixed3b": (128, 128, 192, 32, 96, 64),
    "mixed4a": (192, 96, 204, 16, 48, 64),
    "mixed4b": (160, 112, 224, 24, 64, 64),
    "mixed4c": (128, 128, 256, 24, 64, 64),
    "mixed4d": (112, 144, 288, 32, 64, 64),
    "mixed4e": (256, 160, 320, 32, 128, 128),
    "mixed5a": (256, 160, 320, 48, 128, 128),
    "mixed5b": (384, 192, 384, 48, 128, 128),
}

# Stride-2 max pools between stages, named by their position in the original net.
_POOL_BEFORE = {"mixed4a": "maxpool4", "mixed5a": "maxpool10"}
# Auxiliary classifiers: the mixed block each reads -> the head's index.
_HEADS = {"mixed4a": "0", "mixed4d": "1"}
_HEAD_BOTTLENECK = 128
_HEAD_HIDDEN = 1024
# head_pool (5x5/3 VALID) of a 14x14 map is 4x4, so the flattened head is 4 * 4 * 128.
_HEAD_FLAT = 4 * 4 * _HEAD_BOTTLENECK
# He gain of the softmax layers (2.0 for the ReLU layers); see _Builder.classifier.
_CLASSIFIER_GAIN = 1e-3
# Caffe's GoogLeNet LRN (local_size 5, alpha 1e-4, beta 0.75) in TensorFlow's convention.
_LRN = {"depth_radius": 2, "alpha": 1e-4 / 5, "beta": 0.75, "bias": 1.0}


class _Builder:
    """Adds inception5h-style layers to the default graph, drawing weights from ``rng``."""

    def __init__(self, rng):
        self.rng = rng

    def weight(self, name, shape, fan_in, gain=2.0):
        std = np.sqrt(gain / fan_in)
        values = self.rng.standard_normal(shape, dtype=np.float32) * np.float32(std)
        return tf.constant(values, name=name)

    def bias(self, name, depth):
        values = self.rng.uniform(0.0, 0.05, depth).astype(np.float32)
        return tf.constant(values, name=name)

    def conv(self, x, name, ksize, depth, stride=1):
        """``name_pre_relu/conv`` -> ``name_pre_relu`` -> ``name`` (Relu)."""
        in_depth = int(x.shape[-1])
        w = self.weight(f"{name}_w", [ksize, ksize, in_depth, depth], ksize * ksize * in_depth)
        b = self.bias(f"{name}_b", depth)
        conv = tf.nn.conv2d(x, w, [1, stride, stride, 1], "SAME", name=f"{name}_pre_relu/conv")
        pre_relu = tf.nn.bias_add(conv, b, name=f"{name}_pre_relu")
        return tf.nn.relu(pre_relu, name=name)

    def dense(self, x, base, suffix, depth, gain=2.0):
        """``base+suffix/matmul`` (MatMul) -> ``base+suffix`` (BiasAdd); weights ``base_w``."""
        name = base + suffix
        in_depth = int(x.shape[-1])
        w = self.weight(f"{base}_w", [in_depth, depth], in_depth, gain)
        b = self.bias(f"{base}_b", depth)
        matmul = tf.matmul(x, w, name=f"{name}/matmul")
        return tf.nn.bias_add(matmul, b, name=name)

    def mixed(self, x, name):
        d1, d3b, d3, d5b, d5, dpool = MIXED_BRANCHES[name]
        b1 = self.conv(x, f"{name}_1x1", 1, d1)
        b3 = self.conv(self.conv(x, f"{name}_3x3_bottleneck", 1, d3b), f"{name}_3x3", 3, d3)
        b5 = self.conv(self.conv(x, f"{name}_5x5_bottleneck", 1, d5b), f"{name}_5x5", 5, d5)
        pool = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME", name=f"{name}_pool")
        bpool = self.conv(pool, f"{name}_pool_reduce", 1, dpool)
        axis = tf.constant(3, name=f"{name}/concat_dim")
        return tf.raw_ops.Concat(concat_dim=axis, values=[b1, b3, b5, bpool], name=name)

    def head(self, x, index):
        """Auxiliary classifier ``head{i}_*`` -> ``nn{i}`` -> ``softmax{i}``."""
        pool = tf.nn.avg_pool(x, [1, 5, 5, 1], [1, 3, 3, 1], "VALID", name=f"head{index}_pool")
        bottleneck = self.conv(pool, f"head{index}_bottleneck", 1, _HEAD_BOTTLENECK)
        flat = self.reshape(bottleneck, f"head{index}_bottleneck/reshape", _HEAD_FLAT)
        hidden = tf.nn.relu(
            self.dense(flat, f"nn{index}", "_pre_relu", _HEAD_HIDDEN), name=f"nn{index}"
        )
        hidden = self.reshape(hidden, f"nn{index}/reshape", _HEAD_HIDDEN)
        return self.classifier(hidden, f"softmax{index}")

    def classifier(self, x, name):
        # Activations reach tens to hundreds for inputs in (-117, 138); a small gain keeps the
        # logits within a few units, so the softmax is not one-hot for every input.
        logits = self.dense(x, name, "_pre_activation", NUM_CLASSES, gain=_CLASSIFIER_GAIN)
        return tf.nn.softmax(logits, name=name)

    @staticmethod
    def reshape(x, name, depth):
        shape = tf.constant([-1, depth], name=f"{name}/shape")
        return tf.reshape(x, shape, name=name)


def build_inception_v1(seed: int = 0) -> tf.GraphDef:
    """Builds the InceptionV1 (inception5h) replica.

    Args:
      seed: numpy seed of the random weights; the same seed (and numpy version) gives
        byte-identical output.

    Returns:
      A frozen ``tf.GraphDef`` (about 54 MB serialized, like the real file). Feed ``input``
      with `[batch, h, w, 3]` float32 in ``(-117, 138)``; every conv layer accepts any
      ``h, w``, while ``softmax0/1/2`` need 224x224 (their reshapes are fixed, as in the
      real graph).
    """
    build = _Builder(np.random.default_rng(seed))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, None, None, 3], name=INPUT_NAME)
        x = build.conv(x, "conv2d0", 7, 64, stride=2)
        x = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME", name="maxpool0")
        x = tf.nn.local_response_normalization(x, name="localresponsenorm0", **_LRN)
        x = build.conv(x, "conv2d1", 1, 64)
        x = build.conv(x, "conv2d2", 3, 192)
        x = tf.nn.local_response_normalization(x, name="localresponsenorm1", **_LRN)
        x = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME", name="maxpool1")
        heads = {}
        for name in MIXED_BRANCHES:
            if name in _POOL_BEFORE:
                x = tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME", name=_POOL_BEFORE[name])
            x = build.mixed(x, name)
            if name in _HEADS:
                heads[_HEADS[name]] = build.head(x, _HEADS[name])
        x = tf.nn.avg_pool(x, [1, 7, 7, 1], [1, 1, 1, 1], "VALID", name="avgpool0")
        x = build.reshape(x, "avgpool0/reshape", int(x.shape[-1]))
        softmax2 = build.classifier(x, "softmax2")
        # Named outputs of the original export; see modelzoo/README.md on which head each reads.
        tf.identity(softmax2, name="output")
        tf.identity(heads["1"], name="output1")
        tf.identity(heads["0"], name="output2")
    return graph.as_graph_def()
