"""The ``"<layer>:<channel>"`` shorthand for objectives: its grammar and its errors.

``lucid.optvis.objectives.as_objective`` is the one public entry point that reads these
strings; :func:`parse_layer_channel` (re-exported there) checks the grammar and
:func:`channel_from_string` builds the channel objective, restating how the string was read
when the objective later fails on the model.
"""

import re

from lucid.optvis.objectives_algebra import Objective

_LAYER_CHANNEL_GRAMMAR = (
    "expected '<layer>:<channel>' with a non-negative integer channel, "
    "e.g. 'mixed4a_pre_relu:476' (= objectives.channel('mixed4a_pre_relu', 476))"
)
_OTHER_OBJECTIVES = (
    "For anything else build an Objective: objectives.channel(layer, n), "
    "objectives.neuron(layer, n) or objectives.class_logit(layer, label)."
)


def parse_layer_channel(spec: str) -> tuple:
    """Reads the ``"<layer>:<channel>"`` shorthand (grammar in :func:`as_objective`).

    Args:
      spec: e.g. ``"mixed4a_pre_relu:476"``.

    Returns:
      ``(layer, channel)``: a non-empty str and a non-negative int.

    Raises:
      ValueError: ``spec`` is outside the grammar; the message names the problem.
    """
    parts = [part.strip() for part in spec.split(":")]
    if len(parts) == 1:
        problem = "has no ':<channel>' part"
    elif len(parts) > 2:
        tensor_name = ":".join(parts[:2])
        problem = (
            f"has {len(parts) - 1} ':'. A TensorFlow tensor name such as {tensor_name!r} "
            f"cannot be the layer part: write '{parts[0]}:<channel>'"
        )
    elif not parts[0]:
        problem = "has an empty layer name"
    elif re.fullmatch(r"-[0-9]+", parts[1]):
        problem = (
            f"has channel {parts[1]}, which is negative: channels count from 0, not back from "
            "the end as in Python"
        )
    elif not re.fullmatch(r"[0-9]+", parts[1]):
        problem = f"has channel part {parts[1]!r}, which is not a non-negative integer"
    else:
        return parts[0], int(parts[1])
    raise ValueError(
        f"Objective string {spec!r} {problem}; {_LAYER_CHANNEL_GRAMMAR}. {_OTHER_OBJECTIVES}"
    )


def channel_from_string(spec, channel_f):
    """``channel_f(layer, n)`` for ``spec``; errors on the model restate how ``spec`` was read."""
    layer, n = parse_layer_channel(spec)
    obj = channel_f(layer, n)

    def objective_func(T):
        try:
            return obj(T)
        except ValueError as e:
            raise ValueError(
                f"{e}\nThe objective string {spec!r} was read as objectives.channel({layer!r}, {n}): "
                f"the number after ':' is a channel index, not TensorFlow's output index, so "
                f"{spec!r} is channel {n} of layer {layer!r}, not the tensor named {spec!r}. "
                f"{_OTHER_OBJECTIVES}"
            ) from e

    return Objective(objective_func, obj.name, obj.description)
