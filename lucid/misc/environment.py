"""Where is this code running: a notebook (Jupyter, Colab) or a plain interpreter/terminal?"""

import sys

_NOTEBOOK_SHELLS = ("ZMQInteractiveShell", "Shell")  # Jupyter kernels; Colab's google.colab Shell


def is_notebook_environment() -> bool:
    """True inside a Jupyter or Colab kernel, which can render HTML output.

    False in a plain Python interpreter, a terminal IPython, or when IPython is not installed.
    IPython is never imported here: if it has not been imported yet, no IPython shell runs.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    if shell is None:
        return False
    return any(cls.__name__ in _NOTEBOOK_SHELLS for cls in type(shell).__mro__)
