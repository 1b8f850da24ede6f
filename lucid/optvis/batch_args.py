"""Argument checks of ``lucid.optvis.batch.render_units``: units, layers, sizes, callables."""

import numbers

import numpy as np


def layer_name(layer) -> str:
    """The name of ``layer`` (a str, or a ``Layer`` with ``.name``)."""
    name = getattr(layer, "name", layer)
    if not isinstance(name, str):
        raise TypeError(f"layer must be a layer name (str) or a Layer; got layer={layer!r}.")
    return name


def is_int(value) -> bool:
    """Whether ``value`` is an int (Python or NumPy), not a bool."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)


def check_positive_int(name: str, value) -> int:
    """``value`` as an int; ValueError naming ``name`` unless it is an int >= 1."""
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {name}={value!r}.")
    return int(value)


def check_callables(**functions) -> None:
    """TypeError for any keyword argument that is neither None nor callable."""
    for name, f in functions.items():
        if f is None or callable(f):
            continue
        if name == "param_f":
            example = "param_f(batch, size, seeds) -> image tensor, such as batch.image"
            raise TypeError(
                f"render_units: param_f must be a function {example}, or None for the "
                f"default; got {type(f).__name__}. Pass the function, not its result."
            )
        raise TypeError(f"render_units: {name} must be callable or None; got {f!r:.80}.")


def check_units(units) -> list:
    """``units`` as a list of non-negative ints (channel indices); TypeError/ValueError else."""
    if isinstance(units, (str, bytes)) or not hasattr(units, "__iter__"):
        raise TypeError(f"units must be a sequence of channel indices; got units={units!r}.")
    units = list(units)
    bad = [u for u in units if not is_int(u)]
    if bad:
        raise TypeError(f"units must be ints (channel indices); got {bad[:5]!r} in units.")
    negative = [int(u) for u in units if u < 0]
    if negative:
        # Python's unit -1 would be the last channel; here channels count from 0 only.
        raise ValueError(
            f"units {negative[:10]} are negative; channels count from 0, not back from the "
            "end as in Python. Pass units in 0..depth-1."
        )
    return [int(u) for u in units]


def check_unit_range(units: list, depth, layer: str) -> None:
    """ValueError for units outside ``0..depth-1`` of ``layer`` (``depth`` None: unknown)."""
    bad = [u for u in units if u < 0 or (depth is not None and u >= depth)]
    if bad:
        valid = "non-negative" if depth is None else f"in 0..{depth - 1}"
        raise ValueError(
            f"units {bad[:10]} are out of range for layer {layer!r} with depth {depth}; "
            f"units must be {valid}."
        )
