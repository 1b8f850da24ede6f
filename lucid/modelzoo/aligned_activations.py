"""Activations of zoo layers on a shared ("aligned") set of 100,000 images.

Lucid recorded, for many zoo layers, the activations at one random position of each of the
same 100k ImageNet images, stored as 10 pages of `[10000, depth]` ``.npy`` files. Because the
images are shared, layers of *different* models can be related through their covariance
(:func:`push_activations`). Every function here downloads on first use (then caches).
"""

from functools import lru_cache

import numpy as np

from lucid.misc.io.sanitizing import sanitize

PATH_TEMPLATE = "gs://modelzoo/aligned-activations/{model}/{layer}-{page:05d}-of-01000.npy"
PAGE_SIZE = 10000
NUMBER_OF_AVAILABLE_SAMPLES = 100000
NUMBER_OF_PAGES = NUMBER_OF_AVAILABLE_SAMPLES // PAGE_SIZE


@lru_cache
def get_aligned_activations(layer) -> np.ndarray:
    """`[100000, depth]` activations of ``layer`` (a ``Layer``); downloads 10 pages once."""
    from lucid.misc.io import load

    paths = [
        PATH_TEMPLATE.format(
            model=sanitize(layer.model_name), layer=sanitize(layer.name), page=page
        )
        for page in range(NUMBER_OF_PAGES)
    ]
    activations = np.vstack([load(path) for path in paths])
    if not np.all(np.isfinite(activations)):
        raise ValueError(
            f"The aligned activations of {layer.model_name}/{layer.name} contain NaN or inf; "
            f"the downloaded files ({paths[0]} ...) are damaged. Clear them from the cache."
        )
    return activations


@lru_cache
def layer_covariance(layer1, layer2=None):
    """`[depth1, depth2]` covariance (uncentred) between two layers' aligned activations.

    With one layer, its symmetric `[depth, depth]` covariance.
    """
    layer2 = layer2 or layer1
    act1, act2 = layer1.activations, layer2.activations
    return np.matmul(act1.T, act2) / float(act1.shape[0])


@lru_cache
def layer_inverse_covariance(layer):
    """Inverse of :func:`layer_covariance` of ``layer`` (cached)."""
    return np.linalg.inv(layer_covariance(layer))


def push_activations(activations, from_layer, to_layer):
    """Maps `[n, depth_from]` activations of ``from_layer`` to `[n, depth_to]` of ``to_layer``.

    Decorrelates with ``from_layer``'s inverse covariance, then applies the cross-covariance
    between the two layers (a linear regression over the aligned images).
    """
    inverse_covariance = layer_inverse_covariance(from_layer)
    decorrelated = np.dot(inverse_covariance, activations.T).T
    return np.dot(decorrelated, layer_covariance(from_layer, to_layer))
