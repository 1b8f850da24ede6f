"""Compiling and loading the port's own TensorFlow kernels (C++ custom ops), once per machine.

A few ops run far faster as one compiled kernel than as the TensorFlow ops that compose
them (``rewrites.fused_lrn``). Their sources ship with the package (``rewrites/kernels/*.cc``)
and are compiled at first use against the installed TensorFlow's headers
(``tf.sysconfig.get_compile_flags``) with the system's C++ compiler (``$CXX``, else ``c++``,
``g++`` or ``clang++`` on the ``PATH``), for this CPU (``-march=native``). The shared library is
cached in ``<cache_dir>/kernels`` (:func:`lucid.misc.io.caching.cache_dir`, i.e.
``$LUCID_CACHE_DIR``) under a name that hashes everything it depends on: the source, the
TensorFlow version and flags, the compiler and its flags, the CPU's feature flags. So a new
TensorFlow, compiler or CPU (a cache directory shared between machines) gets a build of its
own, and the compile (~10-30 s) happens once. Concurrent processes (Ray workers) take a
lock, so one compiles and the others load its result; a failed or interrupted compile leaves
no library behind.

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


def source_path(name: str) -> str:
    """The path of kernel ``name``'s C++ source, ``rewrites/kernels/<name>.cc``."""
    path = os.path.join(SOURCE_DIR, name + ".cc")
    if not os.path.isfile(path):
        known = sorted(f[:-3] for f in os.listdir(SOURCE_DIR) if f.endswith(".cc"))
        raise ValueError(f"No kernel source {name!r} in {SOURCE_DIR}; the kernels are {known}.")
    return path


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


def cache_key(name: str, cxx: str) -> str:
    """A hash of what kernel ``name``'s build depends on (module docstring), 16 hex digits."""
    digest = hashlib.sha256()
    with open(source_path(name), "rb") as source:
        digest.update(source.read())
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


def build(name: str, directory: Optional[str] = None) -> str:
    """Compiles kernel ``name`` unless a build for this setup is cached; returns its path.

    Args:
      name: the kernel's source name (``"lucid_lrn"``).
      directory: where the libraries are cached; default ``<cache_dir>/kernels``.

    A failed compile is remembered beside the library (``<name>-<key>.failed``, holding
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
    path = os.path.join(directory, f"{name}-{cache_key(name, cxx)}.so")
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
            _compile(name, cxx, path)
        except CompileError as error:
            with open(failed, "w") as record:
                record.write(str(error))
            raise
    return path


def _compile(name: str, cxx: str, path: str) -> None:
    print(
        f"lucid: compiling the {name} kernel for this TensorFlow and CPU (once; ~10-30 s) "
        f"into {path}",
        file=sys.stderr,
        flush=True,
    )
    handle, partial = tempfile.mkstemp(suffix=".so.partial", dir=os.path.dirname(path))
    os.close(handle)
    try:
        command = build_command(source_path(name), partial, cxx)
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise CompileError(f"Compiling {name} with {cxx!r} failed to run: {error}") from error
        if result.returncode != 0:
            output = (result.stderr + result.stdout).strip().splitlines()
            raise CompileError(
                f"Compiling {name} failed (exit status {result.returncode}); command: "
                f"{' '.join(command)}\n" + "\n".join(output[-30:])
            )
        os.replace(partial, path)  # atomic: a reader sees no library or a whole one
    finally:
        if os.path.exists(partial):
            os.remove(partial)


@functools.cache
def load(name: str):
    """Kernel ``name``'s op module (``tf.load_op_library``), built if needed; None if that fails.

    Loads once per process (TensorFlow registers the ops process-wide). On failure, warns
    once with the reason and returns None, so callers fall back to TensorFlow ops.
    """
    try:
        path = build(name)
        try:
            return tf.load_op_library(path)
        except (tf.errors.OpError, OSError) as error:
            raise CompileError(
                f"Loading the compiled {name} kernel {path} failed: {error}. Delete the "
                "file to rebuild it."
            ) from error
    except (CompileError, caching.CacheDirectoryError, OSError) as error:
        # OSError: the cache directory cannot be written (read-only, full disk).
        warnings.warn(
            f"lucid: the compiled {name} kernel is unavailable, so the ops it fuses run as "
            f"TensorFlow ops (slower, same results). {error}",
            RuntimeWarning,
            stacklevel=2,
        )
        return None


__all__ = [
    "SOURCE_DIR",
    "FLAGS",
    "CompileError",
    "compiler",
    "source_path",
    "build_command",
    "cache_key",
    "build",
    "load",
]
