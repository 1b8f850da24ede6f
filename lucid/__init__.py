"""Lucid: feature visualization for TensorFlow 1.x-style graphs, on TensorFlow 2.

Import submodules explicitly, as with the original Lucid::

    import lucid.optvis.render as render
    import lucid.modelzoo.vision_models as models

Importing this package has no side effects: no logging configuration, no warning
filters, no network and no file writes.
"""

__version__ = "0.4.0"

seed = 0
