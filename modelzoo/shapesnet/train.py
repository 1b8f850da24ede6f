"""Trains ShapesNet on the procedural Shapes dataset and freezes it to a GraphDef.

    python -m modelzoo.shapesnet.train --out lucid/modelzoo/data/ShapesNet.pb --seed 0

writes the frozen graph (weights as constants, Lucid metadata in ``lucid_metadata_json``) and,
next to it, ``ShapesNet_labels.txt`` (one class name per line). See README.md in this folder
for the recipe, the measured time and the accuracy.

The network (input ``input``: `[batch, height, width, 3]` RGB floats in `[0, 1]`, any height
and width; trained at 64x64)::

    conv1 (3x3, 16) -> maxpool1 (2x2/2) -> conv2 (3x3, 32) -> maxpool2 (2x2/2)
    -> conv3 (3x3, 64) -> maxpool3 (2x2/2) -> conv4 (3x3, 64)
    -> avgpool (global mean, [batch, 64]) -> normalized (unit L2 norm)
    -> logits (MatMul, [batch, 16]) -> softmax

Each convolution ``name`` is ``name_pre_relu/conv`` (Conv2D, SAME) -> ``name_pre_relu``
(BiasAdd) -> ``name`` (Relu), with weights ``name_w`` and ``name_b``, as in Lucid's
InceptionV1. Global average pooling before the dense layer lets the graph run at any size.

The classifier is a cosine classifier: ``logits[k] = LOGIT_SCALE * cos(features,
class_vector[k])`` (weights ``logits_w``, columns of norm ``LOGIT_SCALE``, no bias). With a
plain dense layer, maximizing one logit (``render_vis(model, "logits:k")``) mostly pumps up
features that several classes share (stripes, edges), and the image ends up classified as
another class; a logit that only depends on the direction of the feature vector can only
be raised by making the features look like class k.

References: Wang et al., "NormFace: L2 Hypersphere Embedding for Face Verification", 2017.

Training is deterministic for a seed: initial weights and every batch come from numpy
generators seeded by ``seed`` (batch ``step`` is ``shapes_dataset.generate(batch, [seed,
step])``, so the training images never coincide with the integer seeds used for evaluation),
and TensorFlow's deterministic kernels are enabled.
"""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import tensorflow
import tensorflow.compat.v1 as tf

from lucid.modelzoo import shapes_dataset
from lucid.modelzoo import util

INPUT_NAME = "input"
IMAGE_SHAPE = [shapes_dataset.IMAGE_SIZE, shapes_dataset.IMAGE_SIZE, 3]
# (name, kernel size, depth, followed by a 2x2 max pool)
CONV_LAYERS = (
    ("conv1", 3, 16, True),
    ("conv2", 3, 32, True),
    ("conv3", 3, 64, True),
    ("conv4", 3, 64, False),
)
# Held-out evaluation set: integer seed, disjoint from the [seed, step] training streams.
EVAL_SEED = 1_000_003
EVAL_SIZE = 2000
DEFAULT_STEPS = 1500
BATCH_SIZE = 64
LEARNING_RATE = 3e-3
# The logits are LOGIT_SCALE times the cosine between the pooled features and each class
# vector, so they range over [-LOGIT_SCALE, LOGIT_SCALE]; see the README.
LOGIT_SCALE = 32.0
# Training images are drawn this many batches at a time (chunk k uses seed [seed, k]).
CHUNK_BATCHES = 16


def layer_declarations(num_classes=len(shapes_dataset.CLASSES)):
    """The layers to declare on the Model class: ``[{"name", "depth", "tags"}, ...]``."""
    layers = []
    for name, _, depth, _ in CONV_LAYERS:
        layers.append({"name": f"{name}_pre_relu", "depth": depth, "tags": ["conv", "pre_relu"]})
        layers.append({"name": name, "depth": depth, "tags": ["conv"]})
    layers.append({"name": "logits", "depth": num_classes, "tags": ["dense"]})
    layers.append({"name": "softmax", "depth": num_classes, "tags": ["dense"]})
    return layers


def init_weights(rng, num_classes=len(shapes_dataset.CLASSES)):
    """He-normal initial weights (numpy float32) keyed by graph name (``conv1_w``, ...)."""
    weights = {}
    depth_in = 3
    for name, ksize, depth, _ in CONV_LAYERS:
        fan_in = ksize * ksize * depth_in
        shape = (ksize, ksize, depth_in, depth)
        weights[f"{name}_w"] = rng.normal(0, np.sqrt(2 / fan_in), shape).astype(np.float32)
        weights[f"{name}_b"] = np.zeros(depth, np.float32)
        depth_in = depth
    weights["logits_w"] = rng.normal(0, 1, (depth_in, num_classes)).astype(np.float32)
    return weights


def scaled_class_weights(t_weights):
    """``LOGIT_SCALE`` times ``t_weights`` (`[features, classes]`) with unit-norm columns."""
    return LOGIT_SCALE * tf.math.l2_normalize(t_weights, axis=0)


def build_network(t_input, weights):
    """Builds ShapesNet on ``t_input`` (`[batch, h, w, 3]`, `[0, 1]`) in the default graph.

    Args:
      t_input: the image tensor.
      weights: name -> tensor (variables while training, constants when freezing);
        ``logits_w`` must already have unit columns times ``LOGIT_SCALE`` (see
        :func:`scaled_class_weights`).

    Returns:
      The logits tensor `[batch, num_classes]` (the op is named ``logits``).
    """
    x = t_input
    for index, (name, _, _, pool) in enumerate(CONV_LAYERS, start=1):
        conv = tf.nn.conv2d(x, weights[f"{name}_w"], 1, "SAME", name=f"{name}_pre_relu/conv")
        pre_relu = tf.nn.bias_add(conv, weights[f"{name}_b"], name=f"{name}_pre_relu")
        x = tf.nn.relu(pre_relu, name=name)
        if pool:
            x = tf.nn.max_pool2d(x, 2, 2, "VALID", name=f"maxpool{index}")
    pooled = tf.reduce_mean(x, axis=[1, 2], name="avgpool")
    normalized = tf.math.l2_normalize(pooled, axis=1, name="normalized")
    return tf.matmul(normalized, weights["logits_w"], name="logits")


def train(seed=0, steps=DEFAULT_STEPS, batch_size=BATCH_SIZE, log_every=100):
    """Trains from scratch and returns the final weights (name -> numpy array)."""
    initial = init_weights(np.random.default_rng(seed))
    with tf.Graph().as_default(), tf.Session() as sess:
        variables = {name: tf.Variable(value, name=name) for name, value in initial.items()}
        weights = dict(variables, logits_w=scaled_class_weights(variables["logits_w"]))
        t_images = tf.placeholder(tf.float32, [None, *IMAGE_SHAPE], name=INPUT_NAME)
        t_labels = tf.placeholder(tf.int64, [None])
        logits = build_network(t_images, weights)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=t_labels, logits=logits)
        )
        global_step = tf.train.get_or_create_global_step()
        learning_rate = tf.train.cosine_decay(LEARNING_RATE, global_step, steps, alpha=0.02)
        train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
        correct = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), t_labels), tf.float32))
        sess.run(tf.global_variables_initializer())

        def chunk(index):
            # Drawing many images per call is cheaper per image than one batch at a time.
            return shapes_dataset.generate(CHUNK_BATCHES * batch_size, seed=[seed, index])

        def batches():
            with ThreadPoolExecutor(1) as pool:  # draws the next chunk while TF trains
                pending = pool.submit(chunk, 0)
                for index in range(1, steps // CHUNK_BATCHES + 2):
                    images, labels = pending.result()
                    pending = pool.submit(chunk, index)
                    for i in range(0, len(labels), batch_size):
                        yield images[i : i + batch_size], labels[i : i + batch_size]

        start = time.time()
        recent_loss, recent_accuracy = [], []
        for step, (images, labels) in zip(range(steps), batches()):
            _, loss_value, accuracy = sess.run(
                [train_op, loss, correct], {t_images: images, t_labels: labels}
            )
            recent_loss.append(loss_value)
            recent_accuracy.append(accuracy)
            if (step + 1) % log_every == 0 or step + 1 == steps:
                print(
                    f"step {step + 1:5d}/{steps}  loss {np.mean(recent_loss):.4f}  "
                    f"train accuracy {np.mean(recent_accuracy):.3f}  "
                    f"{time.time() - start:6.0f}s",
                    flush=True,
                )
                recent_loss, recent_accuracy = [], []
        return sess.run(weights)


def freeze(weights, metadata):
    """A GraphDef of the inference network with ``weights`` as constants, plus Lucid metadata."""
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3], name=INPUT_NAME)
        constants = {name: tf.constant(value, name=name) for name, value in weights.items()}
        tf.nn.softmax(build_network(t_input, constants), name="softmax")
        graph_def = graph.as_graph_def()
    util.infuse_metadata(graph_def, metadata)
    return graph_def


def evaluate(graph_def, n=EVAL_SIZE, seed=EVAL_SEED, batch_size=250):
    """Accuracy of a frozen ShapesNet on ``n`` freshly generated images."""
    images, labels = shapes_dataset.generate(n, seed=seed)
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.import_graph_def(graph_def, name="")
        probabilities = np.concatenate(
            [
                sess.run("softmax:0", {f"{INPUT_NAME}:0": images[i : i + batch_size]})
                for i in range(0, n, batch_size)
            ]
        )
    return float(np.mean(probabilities.argmax(-1) == labels))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="path of the frozen .pb to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)

    # A training script, not library code: it may switch TensorFlow to deterministic kernels.
    tensorflow.config.experimental.enable_op_determinism()
    start = time.time()
    weights = train(args.seed, args.steps, args.batch_size)
    train_seconds = time.time() - start
    metadata = {
        "input_name": INPUT_NAME,
        "image_shape": IMAGE_SHAPE,
        "image_value_range": [0, 1],
        "model_name": "ShapesNet",
        "dataset": "ShapesNet",
        "labels": list(shapes_dataset.CLASSES),
        "layers": layer_declarations(),
        "training": {"seed": args.seed, "steps": args.steps, "batch_size": args.batch_size},
    }
    graph_def = freeze(weights, metadata)
    accuracy = evaluate(graph_def)

    directory = os.path.dirname(args.out)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(graph_def.SerializeToString(deterministic=True))  # sorted attr maps
    labels_path = os.path.join(directory, "ShapesNet_labels.txt")
    with open(labels_path, "w") as f:
        f.write("\n".join(shapes_dataset.CLASSES) + "\n")
    summary = {
        "train_seconds": round(train_seconds, 1),
        "held_out_accuracy": accuracy,
        "held_out_images": EVAL_SIZE,
        "pb_bytes": os.path.getsize(args.out),
        "out": args.out,
        "labels": labels_path,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
