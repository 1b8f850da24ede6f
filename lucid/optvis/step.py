"""The one step builder of every render: image, transforms, model, loss, optimiser step.

Placeholder of the options while the builder lands.
"""

from lucid.optvis import rewrites as rewrites_lib

# Until lucid.optvis.precision lands, float32 only.
_PRECISIONS = ("float32",)


def check_options(precision, rewrites):
    """Validates ``precision`` and ``rewrites``; returns ``(precision, frozenset of names)``."""
    if precision not in _PRECISIONS:
        raise ValueError(f"precision {precision!r} is not supported; use one of {_PRECISIONS}.")
    return precision, rewrites_lib.resolve(rewrites)
