"""Lucid Microscope: a browsable atlas of every unit of a model, built resumably, on one
machine or a Ray cluster.

    lucid microscope build --model ShapesNet --images builtin:shapes --out atlas
    lucid microscope serve atlas

or from Python::

    from lucid.microscope import build
    build.build("ShapesNet", "atlas", images="builtin:shapes")

Modules: ``build`` (orchestration) and ``stages`` (its views and switches), ``jobs`` and
``renderers`` (what a render job does, per kind), ``engines`` (local and Ray),
``dataset_examples``, ``caricatures``, ``quality`` (the per-unit scores), ``tuning`` and
``charts`` (tuning curves), ``upstream``, ``upstream_walk`` and ``graph_weights`` (upstream
weights), ``architecture``, ``dag_layout`` and ``svg_drawing`` (the model diagram),
``image_tours``, ``results`` (atomic, resumable files), ``layout`` (file names), ``site``,
``api`` and ``pages_*`` (the static pages, the JSON API and the search index), ``svg_inline``,
``screenshot``, ``serve`` and ``cli``. This package imports none of them (so ``lucid --help``
stays fast without TensorFlow); import the one you need.
"""

__all__ = []
