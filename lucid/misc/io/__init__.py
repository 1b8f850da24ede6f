"""Loading, saving and showing files and arrays, from local paths or URLs (Lucid's ``misc.io``)."""

from lucid.misc.io.loading import load
from lucid.misc.io.saving import CaptureSaveContext
from lucid.misc.io.saving import batch_save
from lucid.misc.io.saving import save
from lucid.misc.io.scoping import io_scope
from lucid.misc.io.scoping import scope_url
from lucid.misc.io.showing import show

__all__ = [
    "CaptureSaveContext",
    "batch_save",
    "io_scope",
    "load",
    "save",
    "scope_url",
    "show",
]
