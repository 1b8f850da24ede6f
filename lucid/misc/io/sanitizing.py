"""Make strings safe to use as a single path component."""


def sanitize(string: str) -> str:
    """Replaces every ``/`` with ``_`` (e.g. a layer name ``"mixed4a/conv"`` in a file name)."""
    return string.replace("/", "_")
