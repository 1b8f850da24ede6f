"""Compiling and loading the port's own TensorFlow kernels (C++ custom ops), once per machine.

A few ops run far faster as one compiled kernel than as the TensorFlow ops that compose
them (``rewrites.fused_lrn``, ``rewrites.image_kernels``). Their sources ship with the
package (``rewrites/kernels/*.cc``) and are compiled at first use, all of them as one
translation unit (TensorFlow's headers are parsed once: ~5 s instead of ~5 s per source),
into one library, against the installed TensorFlow's headers
(``tf.sysconfig.get_compile_flags``) with the system's C++ compiler (``$CXX``, else ``c++``,
``g++`` or ``clang++`` on the ``PATH``), for this CPU (``-march=native``). Each source keeps
its own names in a namespace of its own. The library is cached in ``<cache_dir>/kernels``
(:func:`lucid.misc.io.caching.cache_dir`, i.e. ``$LUCID_CACHE_DIR``) under a name that hashes
everything it depends on: the sources, the TensorFlow version and flags, the compiler and its
flags, the CPU's feature flags. So a new TensorFlow, compiler or CPU (a cache directory shared
between machines) gets a build of its own, and the compile happens once. Concurrent
processes (Ray workers) take a lock, so one compiles and the others load its result; a
failed or interrupted compile leaves no library behind.

Nothing here is required: :func:`load` returns None, after one warning saying why and how to
fix it, when there is no compiler or the build fails, and the rewrites that use a kernel
then leave the graph to the slower TensorFlow-op formulation. Nothing is compiled at import.
"""

import functools
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import warnings
from typing import Optional

import tensorflow.compat.v1 as tf

from lucid.misc.io import caching
from lucid.misc.io import transfer

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels")
LIBRARY = "lucid_kernels"  # the library's file name stem
# -march=native: the build is for this CPU (its feature flags are in the cache key);
# -ffp-contract=off: no fused multiply-adds the source does not write, so that a kernel doing
# TensorFlow's arithmetic rounds as TensorFlow's kernel does; -fno-math-errno lets sqrt and
# friends vectorise; -w: TensorFlow's headers warn a lot.
FLAGS = (
    "-std=c++17",
    "-O3",
    "-march=native",
    "-ffp-contract=off",
    "-fno-math-errno",
    "-shared",
    "-fPIC",
    "-w",
)
COMPILE_TIMEOUT_S = 600


class CompileError(RuntimeError):
    """A kernel could not be built or loaded; the message says why and how to fix it."""


def compiler() -> Optional[str]:
    """The C++ compiler to use: ``$CXX`` if set, else the first of c++, g++, clang++ found."""
    if os.environ.get("CXX"):
        return shutil.which(os.environ["CXX"]) or os.environ["CXX"]
    for name in ("c++", "g++", "clang++"):
        found = shutil.which(name)
        if found:
            return found
    return None


def source_paths() -> list:
    """The kernel sources, ``rewrites/kernels/*.cc``, sorted by name."""
    names = sorted(name for name in os.listdir(SOURCE_DIR) if name.endswith(".cc"))
    if not names:
        raise CompileError(f"No kernel sources (*.cc) in {SOURCE_DIR}: a broken installation?")
    return [os.path.join(SOURCE_DIR, name) for name in names]


def unity_source(paths) -> str:
    """One translation unit including every source in ``paths`` (absolute paths)."""
    return "".join(f'#include "{path}"\n' for path in paths)


def build_command(source: str, output: str, cxx: str) -> list:
    """The compiler command line that builds ``source`` into the shared library ``output``."""
    return [
        cxx,
        *FLAGS,
        *tf.sysconfig.get_compile_flags(),
        source,
        "-o",
        output,
        *tf.sysconfig.get_link_flags(),
    ]


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith(("flags", "Features")):
                    return line
    except OSError:
        pass
    return platform.machine() + " " + platform.processor()


def _compiler_version(cxx: str) -> str:
    try:
        result = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        raise CompileError(
            f"Cannot run the C++ compiler {cxx!r} ({error}). Install one (e.g. "
            "`apt-get install g++`) or point $CXX at it."
        ) from error
    return result.stdout


def cache_key(cxx: str) -> str:
    """A hash of what the library's build depends on (module docstring), 16 hex digits."""
    digest = hashlib.sha256()
    for path in source_paths():
        with open(path, "rb") as source:
            digest.update(os.path.basename(path).encode() + b"\0" + source.read())
    parts = [
        tf.__version__,
        *tf.sysconfig.get_compile_flags(),
        *tf.sysconfig.get_link_flags(),
        *FLAGS,
        cxx,
        _compiler_version(cxx),
        _cpu_flags(),
    ]
    digest.update("\0".join(parts).encode())
    return digest.hexdigest()[:16]


def build(directory: Optional[str] = None) -> str:
    """Compiles the kernels' library unless a build for this setup is cached; returns its path.

    Args:
      directory: where the libraries are cached; default ``<cache_dir>/kernels``.

    A failed compile is remembered beside the library (``<LIBRARY>-<key>.failed``, holding
    the error), so later processes with the same setup fail at once instead of compiling
    again; a new compiler, TensorFlow or source changes the key, and deleting the file retries.

    Raises:
      CompileError: no compiler, or the compiler failed (the message ends with its output).
    """
    cxx = compiler()
    if cxx is None:
        raise CompileError(
            "No C++ compiler found ($CXX is unset and none of c++, g++, clang++ is on the "
            "PATH). Install one (e.g. `apt-get install g++`) or set $CXX."
        )
    if directory is None:
        directory = os.path.join(caching.cache_dir(), "kernels")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{LIBRARY}-{cache_key(cxx)}.so")
    failed = path[: -len(".so")] + ".failed"
    with transfer.cache_lock(path):
        if os.path.isfile(path):
            return path
        if os.path.isfile(failed):
            with open(failed) as record:
                raise CompileError(
                    f"{record.read()}\n(An earlier compile with this setup failed; delete "
                    f"{failed} to try again.)"
                )
        try:
            _compile(cxx, path)
        except CompileError as error:
            with open(failed, "w") as record:
                record.write(str(error))
            raise
    return path


def _compile(cxx: str, path: str) -> None:
    print(
        f"lucid: compiling the port's kernels for this TensorFlow and CPU (once; ~5-20 s) "
        f"into {path}",
        file=sys.stderr,
        flush=True,
    )
    handle, partial = tempfile.mkstemp(suffix=".so.partial", dir=os.path.dirname(path))
    os.close(handle)
    unity = partial + ".cc"
    try:
        with open(unity, "w") as source:
            source.write(unity_source(source_paths()))
        command = build_command(unity, partial, cxx)
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise CompileError(
                f"Compiling the kernels with {cxx!r} failed to run: {error}"
            ) from error
        if result.returncode != 0:
            output = (result.stderr + result.stdout).strip().splitlines()
            raise CompileError(
                f"Compiling the kernels failed (exit status {result.returncode}); command: "
                f"{' '.join(command)}\n" + "\n".join(output[-30:])
            )
        os.replace(partial, path)  # atomic: a reader sees no library or a whole one
    finally:
        for leftover in (partial, unity):
            if os.path.exists(leftover):
                os.remove(leftover)


@functools.cache
def load():
    """The kernels' op module (``tf.load_op_library``), built if needed; None if that fails.

    Loads once per process (TensorFlow registers the ops process-wide). On failure, warns
    once with the reason and returns None, so callers fall back to TensorFlow ops.
    """
    try:
        path = build()
        try:
            return tf.load_op_library(path)
        except (tf.errors.OpError, OSError) as error:
            raise CompileError(
                f"Loading the compiled kernels {path} failed: {error}. Delete the file to "
                "rebuild it."
            ) from error
    except (CompileError, caching.CacheDirectoryError, OSError) as error:
        # OSError: the cache directory cannot be written (read-only, full disk).
        warnings.warn(
            "lucid: the compiled kernels are unavailable, so the ops they fuse run as "
            f"TensorFlow ops (slower, same results). {error}",
            RuntimeWarning,
            stacklevel=2,
        )
        return None


__all__ = [
    "SOURCE_DIR",
    "LIBRARY",
    "FLAGS",
    "CompileError",
    "compiler",
    "source_paths",
    "unity_source",
    "build_command",
    "cache_key",
    "build",
    "load",
]
