"""The ``lucid`` entry point: the parser, the two phases of a command, and error reporting.

A command registers ``check`` (optional) and ``func`` through ``set_defaults``:
``check(args)`` looks at what the user typed without importing TensorFlow (it may
normalise ``args``); then TensorFlow is imported (unless ``needs_tensorflow=False``) and
``func(args)`` runs, returning the exit status (None means 0).

Errors in what the user typed (unknown model, layer or channel, an output path that can't
be written, a failed download) end the program with status 1 and one line on stderr,
``lucid: error: ...``, saying what to do; argument syntax errors (an unknown command or
option, a number out of range) exit with status 2 the same way, and Ctrl-C with 130.
Anything else is a bug and shows its traceback.

Hook for ``lucid microscope``: the sub-command lives in ``lucid/microscope/cli.py``, which
exposes ``add_arguments(subparsers)``. That function registers the ``microscope`` parser on
the ``subparsers`` object of ``lucid`` (with its own ``build`` / ``serve`` sub-commands) and
sets ``check`` and ``func`` as above; its errors are reported like every other command's.
The module is imported lazily when the parser is built; if it cannot be imported,
``microscope`` is simply absent and asking for it says why.
"""

import argparse
import contextlib
import os
import sys
import tempfile
from typing import List
from typing import Optional

from lucid.cli import checks
from lucid.cli import models
from lucid.cli import render

PROG = "lucid"

_EXAMPLES = """examples:
  lucid render                                  a showcase unit of ShapesNet (bundled, offline)
  lucid render conv3:20 --steps 256 --batch 4   four diverse images of one channel, as a grid
  lucid render mixed4a_pre_relu:476 --model InceptionV1
  lucid models                                  the zoo: dataset, input size, cached or not
  lucid layers InceptionV1                      declared layers with depths and tags

'lucid COMMAND --help' describes each command. Mistakes exit with status 1 (2 for a usage
error such as an unknown option or a number out of range); Ctrl-C exits with 130."""

# Errors the library raises for bad input (``DownloadError`` is an ``OSError``).
_USER_ERRORS = (checks.UserError, ValueError, KeyError, TypeError, OSError, FloatingPointError)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one ``lucid: error:`` line."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help').\n")


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # TensorFlow's C++ info, warning and error log lines (e.g. "failed call to cuInit" on
    # machines without a GPU driver) would bury this program's output; real failures still
    # raise Python exceptions. Set TF_CPP_MIN_LOG_LEVEL yourself to see them.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser, microscope_problem = build_parser()
    if argv[:1] == ["microscope"] and microscope_problem:
        return report(
            f"the 'microscope' command is not available: lucid.microscope.cli could not be "
            f"imported ({microscope_problem}). Reinstall lucid to get it."
        )
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        if getattr(args, "check", None) is not None:
            args.check(args)
        if getattr(args, "needs_tensorflow", True):
            with quiet_native_stderr():
                import tensorflow  # noqa: F401 (import it without its banner)
        status = args.func(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return render.INTERRUPTED
    except _USER_ERRORS as e:
        return report(first_line(e))
    return 0 if status is None else status


def build_parser():
    """Returns ``(parser, microscope_problem)``; the problem is None when microscope loaded."""
    from lucid import __version__

    parser = _Parser(
        prog=PROG,
        description="Feature visualization for neural networks (Lucid on TensorFlow 2).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lucid {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    render.add_render(subparsers)
    models.add_models(subparsers)
    models.add_layers(subparsers)
    return parser, _add_microscope(subparsers)


def _add_microscope(subparsers):
    """Registers ``lucid microscope`` from lucid/microscope/cli.py (see the module docstring)."""
    try:
        from lucid.microscope import cli as microscope_cli
    except ImportError as e:
        return str(e) or type(e).__name__
    microscope_cli.add_arguments(subparsers)
    return None


def report(message: str) -> int:
    """Prints ``lucid: error: message`` on stderr; returns 1."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (the library puts details for Python users after it)."""
    if isinstance(error, KeyError) and not isinstance(error, checks.UserError) and error.args:
        text = str(error.args[0])  # str(KeyError) would quote the message
    else:
        text = str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


@contextlib.contextmanager
def quiet_native_stderr():
    """Hides what native code writes to file descriptor 2 (TensorFlow's start-up banner).

    TensorFlow's C++ logs some lines before ``TF_CPP_MIN_LOG_LEVEL`` takes effect; they
    would bury the one-line errors of this program. The captured text is replayed if the
    block raises, so nothing is lost when an import fails.
    """
    if "tensorflow" in sys.modules:  # the banner is printed once, at TensorFlow's import
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (pytest capsys, notebooks)
        fd = 2
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        except BaseException:
            os.dup2(saved, fd)
            capture.seek(0)
            sys.stderr.write(capture.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)
