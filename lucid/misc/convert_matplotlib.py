"""Render a matplotlib figure to a NumPy image (matplotlib itself is optional)."""

import io

import numpy as np
import PIL.Image


def matplotlib_to_numpy(plt):
    """Renders a matplotlib figure to an array.

    Args:
      plt: ``matplotlib.pyplot`` (renders the current figure) or a ``Figure``: anything with
        ``savefig``.

    Returns:
      `[height, width, 4]` float array in `[0, 1]` (RGBA, as matplotlib writes PNGs; Lucid's
      docstring said `[W, H, 3]`).
    """
    if not hasattr(plt, "savefig"):
        raise TypeError(
            f"plt must be matplotlib.pyplot or a Figure (with savefig); got {type(plt).__name__}. "
            f"matplotlib is optional: pip install matplotlib."
        )
    buffer = io.BytesIO()
    plt.savefig(buffer, format="png")
    buffer.seek(0)
    return np.asarray(PIL.Image.open(buffer)) / 255.0
