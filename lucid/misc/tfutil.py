"""TensorFlow session helpers."""

import tensorflow.compat.v1 as tf


def create_session(target: str = "", timeout_sec: float = 10) -> tf.InteractiveSession:
    """Creates an interactive session on a new graph, with GPU memory growth enabled.

    As in Lucid, the session installs itself (and its graph) as the default, so ops created
    afterwards go into its graph and ``t.eval()`` works. This also holds when called from
    TF2 eager code: until ``sess.close()`` the calling thread builds graph ops, and after it
    the thread is back in eager mode.

    Args:
      target: execution engine to connect to ('' for in-process).
      timeout_sec: timeout for each blocking operation, in seconds.

    Returns:
      A ``tf.InteractiveSession``; call ``close()`` when done.
    """
    config = tf.ConfigProto()
    config.gpu_options.allow_growth = True
    config.operation_timeout_in_ms = int(timeout_sec * 1000)
    return tf.InteractiveSession(target=target, graph=tf.Graph(), config=config)
