"""Load and save joblib files through ``lucid.misc.io`` (local paths, URLs, ``gs://``).

``joblib`` is imported only when a function is called; install it with ``pip install joblib``.
Loading a joblib file unpickles it: only load files you trust.
"""

from typing import Any

from lucid.misc.io.reading import read_handle
from lucid.misc.io.writing import write_handle


def _joblib():
    try:
        import joblib
    except ImportError as error:
        raise ImportError(
            "lucid.scratch.rl_util.load_joblib/save_joblib need joblib, which is not installed. "
            "Install it with: pip install joblib"
        ) from error
    return joblib


def load_joblib(url_or_handle, *, cache=None, **kwargs) -> Any:
    """Loads a joblib file from a path, URL or open binary handle (URLs may be cached)."""
    joblib = _joblib()
    if hasattr(url_or_handle, "read"):
        return joblib.load(url_or_handle, **kwargs)
    with read_handle(url_or_handle, cache=cache) as handle:
        return joblib.load(handle, **kwargs)


def save_joblib(value: Any, url_or_handle, **kwargs) -> None:
    """Saves ``value`` with joblib to a path or an open binary handle."""
    joblib = _joblib()
    if hasattr(url_or_handle, "write"):
        joblib.dump(value, url_or_handle, **kwargs)
        return
    with write_handle(url_or_handle) as handle:
        joblib.dump(value, handle, **kwargs)
