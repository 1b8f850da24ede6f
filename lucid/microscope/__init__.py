"""Lucid Microscope: a browsable atlas of every unit of a model, built resumably, on one
machine or a Ray cluster.

    lucid microscope build --model ShapesNet --images builtin:shapes --out atlas
    lucid microscope serve atlas

or from Python::

    from lucid.microscope import build
    build.build("ShapesNet", "atlas", images="builtin:shapes")

Modules: ``build`` (orchestration), ``jobs`` (what a render job does), ``engines`` (local
and Ray), ``dataset_examples``, ``results`` (atomic, resumable files), ``layout`` (file
names), ``site`` (the static pages), ``serve`` and ``cli``. This package imports none of
them (so ``lucid --help`` stays fast without TensorFlow); import the one you need.
"""

__all__ = []
