"""Makes ``import tensorflow as tf`` give Lucid 0.3.10 a TF1 API, in this process only.

Lucid 0.3.10 was written for TensorFlow 1.x: it uses ``tf.placeholder``, ``tf.Session``,
``tf.contrib.slim`` and ``tf.contrib.image.rotate``. :func:`install` puts a ``tensorflow``
module in ``sys.modules`` whose attributes are ``tensorflow.compat.v1``'s, plus a small
``tensorflow.contrib`` (``slim`` from ``tf_slim``, ``image.rotate`` from :mod:`.rotate`), and
disables v2 behaviour. Call it before importing Lucid 0.3.10, in a process of its own.
"""

import functools
import sys
import types


class _TF1Module(types.ModuleType):
    """``tensorflow`` with ``compat.v1``'s attributes; submodule imports use TF's own path."""

    def __init__(self, real, v1):
        super().__init__("tensorflow")
        self.__path__ = real.__path__
        self.__file__ = real.__file__
        self._v1 = v1

    def __getattr__(self, name):
        return getattr(self._v1, name)


def install(rotate_interpolation: str = "NEAREST") -> None:
    """Replaces ``sys.modules["tensorflow"]`` with a TF1-style module (idempotent).

    Args:
      rotate_interpolation: what ``tf.contrib.image.rotate`` uses by default: "NEAREST"
        (contrib's default, so Lucid 0.3.10's ``random_rotate``) or "BILINEAR" (the port's).
    """
    if isinstance(sys.modules.get("tensorflow"), _TF1Module):
        return
    import tensorflow as real
    import tensorflow.compat.v1 as v1
    import tf_slim

    from lucid_original.rotate import rotate

    v1.disable_v2_behavior()
    shim = _TF1Module(real, v1)
    contrib = types.ModuleType("tensorflow.contrib")
    contrib.slim = tf_slim
    contrib.image = types.ModuleType("tensorflow.contrib.image")
    contrib.image.rotate = functools.partial(rotate, interpolation=rotate_interpolation)
    shim.contrib = contrib
    sys.modules.update(
        {
            "tensorflow": shim,
            "tensorflow.contrib": contrib,
            "tensorflow.contrib.slim": tf_slim,
            "tensorflow.contrib.image": contrib.image,
            # `from tensorflow.io.gfile import GFile` (lucid.misc.io.reading)
            "tensorflow.io": v1.io,
            "tensorflow.io.gfile": v1.io.gfile,
        }
    )
