"""Recipes that build the zoo's own artifacts (replica models, label files, mirrors).

Not part of the ``lucid`` package: used by the tests and benchmarks, and by anyone who needs a
``gs://modelzoo/`` mirror without network access. See ``modelzoo/README.md``.
"""
