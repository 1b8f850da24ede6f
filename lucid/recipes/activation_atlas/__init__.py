"""Activation atlases (Carter et al., Distill 2019): ``activation_atlas`` and ``aligned_activation_atlas``.

UMAP layouts need the optional ``umap-learn`` (``pip install 'lucid[atlas]'``); it is
imported only when a layout is computed.
"""

from lucid.recipes.activation_atlas.main import activation_atlas
from lucid.recipes.activation_atlas.main import aligned_activation_atlas

__all__ = [
    "activation_atlas",
    "aligned_activation_atlas",
]
