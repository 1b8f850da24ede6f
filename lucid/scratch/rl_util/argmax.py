"""``argmax_nd``: an argmax over several axes that spreads its answers (used by ``nmf``)."""

from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np


def argmax_nd(
    x: np.ndarray,
    axes: Sequence[int],
    *,
    max_rep: float = np.inf,
    max_rep_strict: Optional[bool] = None,
) -> Tuple[np.ndarray, ...]:
    """Argmax of ``x`` over ``axes``, for every index of the other axes, with limited repeats.

    For example with ``x`` `[N, h, w]` and ``axes=[0]``, the result says which of the N items
    is largest at each ``(h, w)``. ``max_rep`` caps how often one answer (an item here) may be
    given: the largest values are served first, and a position whose best answer is used up
    gets its best remaining one.

    Args:
      x: the array.
      axes: the axes to take the argmax over.
      max_rep: the most times any one answer may be given (``np.inf``: no limit).
      max_rep_strict: required with a finite ``max_rep``. When the answers cannot cover every
        position within the cap, True raises ``ValueError`` and False lets the remaining
        positions take their plain argmax.

    Returns:
      One index array per axis in ``axes``, each shaped as the other axes of ``x``.
    """
    x = np.asarray(x)
    axes = [a % x.ndim for a in axes]
    if max_rep <= 0:
        raise ValueError(f"max_rep must be positive; got {max_rep}.")
    if np.isfinite(max_rep) and max_rep_strict is None:
        raise ValueError("With a finite max_rep, pass max_rep_strict=True or False.")
    rest = [a for a in range(x.ndim) if a not in axes]
    answer_shape = [x.shape[a] for a in axes]
    flat = x.transpose(axes + rest).reshape(int(np.prod(answer_shape)), -1)  # [answers, positions]
    result = np.argmax(flat, axis=0)
    if np.isfinite(max_rep):
        result = _capped_argmax(flat, int(max_rep), max_rep_strict, result)
    return np.unravel_index(result.reshape([x.shape[a] for a in rest]), answer_shape)


def _capped_argmax(flat, max_rep, strict, plain):
    num_answers, num_positions = flat.shape
    if strict and num_answers * max_rep < num_positions:
        raise ValueError(
            f"max_rep={max_rep} allows {num_answers} answers to cover {num_answers * max_rep} of "
            f"{num_positions} positions. Raise max_rep or pass max_rep_strict=False."
        )
    result = np.full(num_positions, -1)
    counts = np.zeros(num_answers, dtype=int)
    order = np.argsort(-flat, axis=None, kind="stable")
    for answer, position in zip(*np.unravel_index(order, flat.shape)):
        if result[position] < 0 and counts[answer] < max_rep:
            result[position] = answer
            counts[answer] += 1
    return np.where(result < 0, plain, result)
