"""One objective run with some rewrites recorded in its graph (shared by the rewrite tests)."""

import tensorflow.compat.v1 as tf

from lucid.optvis import rewrites


def run_objective(build_T, objective, names, image_value):
    """The objective's value, its gradient and the names of the ops the two need.

    Args:
      build_T: image tensor -> ``T`` (layer name -> tensor).
      objective: a ``lucid.optvis.objectives`` objective.
      names: the rewrites recorded in the graph before it is built, as by the step builder.
      image_value: the image, a float32 array.
    """
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        rewrites.enable_in_graph(names)
        image = tf.constant(image_value)
        T = build_T(image)
        value = objective(T)
        (gradient,) = tf.gradients(value, [image])
        fetches = [value.op.name, gradient.op.name]
        needed = tf.graph_util.extract_sub_graph(graph.as_graph_def(), fetches)
        return sess.run([value, gradient]), {node.name for node in needed.node}
