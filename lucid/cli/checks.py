"""What the user typed, checked before TensorFlow is imported or a model is loaded.

Importing TensorFlow and loading a graph take seconds, so every mistake that can be seen
in the command line itself is reported first: an unknown model name, an output path that
can't be written, a number out of range. (An OBJECTIVE is read by the library's one
grammar, ``objectives.parse_layer_channel``, once TensorFlow is in, before the model
loads.) Nothing here imports TensorFlow (``tests/test_cli.py`` checks it in a fresh process); the zoo's
names are read from the source of ``lucid.modelzoo.vision_models`` without running it.
"""

import argparse
import ast
import difflib
import importlib.util
import os
import re
from typing import List

import lucid

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")
MAX_IMAGE_SIZE = 2048  # pixels a side; a 2048x2048 render of InceptionV1 already needs GBs
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UserError(Exception):
    """A mistake in the command line; reported as one ``lucid: error:`` line, no traceback."""


# -- numbers ------------------------------------------------------------------------------


def bounded_int(minimum: int, maximum: int = None, example: str = ""):
    """An argparse ``type`` accepting integers in ``minimum..maximum`` (no maximum if None)."""
    expected = f"at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(
                f"must be an integer {expected}; got {text!r}. Use {example}"
            )
        return value

    return parse


def non_negative_float(text: str) -> float:
    """An argparse ``type`` for ``--diversity``: a number of at least 0 (not nan)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also rejects nan
        raise argparse.ArgumentTypeError(
            f"must be a number of at least 0; got {text!r}. Use e.g. --diversity 0.3"
        )
    return value


# -- output paths -------------------------------------------------------------------------


def check_output_path(path: str, option: str = "--out", directory: bool = False) -> None:
    """Fails unless ``path`` can be written as a file (or created as a ``directory``).

    Missing parent directories are fine (the writers create them); what is refused is a
    wrong extension (files: one of ``IMAGE_EXTENSIONS``), a path that is a directory where a
    file is needed or a file where a directory is needed, a file on the way, and a directory
    without write permission.
    """
    if directory:
        if os.path.exists(path) and not os.path.isdir(path):
            raise UserError(
                f"{option} {path!r} is a file, but a directory is needed; remove the file or "
                f"choose another {option}, e.g. {option} atlas."
            )
    else:
        if os.path.splitext(path)[1].lower() not in IMAGE_EXTENSIONS:
            raise UserError(
                f"{option} {path!r} must end in one of {', '.join(IMAGE_EXTENSIONS)}, e.g. "
                f"{option} unit.png."
            )
        if os.path.isdir(path):
            raise UserError(
                f"{option} {path!r} is a directory; give a file name such as {path}/unit.png."
            )
    existing = os.path.abspath(
        path if directory and os.path.isdir(path) else os.path.dirname(path) or "."
    )
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UserError(
            f"cannot write {option} {path!r}: {existing!r} is a file, not a directory; choose "
            f"another {option}."
        )
    if not os.access(existing, os.W_OK):
        raise UserError(
            f"cannot write {option} {path!r}: no write permission in {existing!r}; choose "
            f"another {option}."
        )


# -- model names --------------------------------------------------------------------------


def zoo_model_names() -> List[str]:
    """The names of ``lucid.modelzoo.nets_factory.models_map``, ShapesNet first, without TensorFlow.

    Read from the literal ``__all__`` of ``lucid/modelzoo/vision_models.py``, less the names
    it takes from ``vision_base`` (as ``nets_factory`` does), so the source stays the one list.
    """
    path = os.path.join(os.path.dirname(lucid.__file__), "modelzoo", "vision_models.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    names, base_names = [], set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "lucid.modelzoo.vision_base":
            base_names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            names = ast.literal_eval(node.value)
    names = [name for name in names if name not in base_names]
    return sorted(names, key=lambda name: name != "ShapesNet")  # stable: the rest keep order


def check_model_spec(spec: str, names: List[str] = None) -> str:
    """The model ``spec`` as it will be loaded: a zoo name (any case) or ``module:ClassName``.

    A zoo name comes back spelt as in the zoo. For ``package.module:ClassName`` only the
    module is looked for (not run, so the class is checked when the model loads).

    Args:
      spec: what follows ``--model``.
      names: the zoo's names (default: :func:`zoo_model_names`).

    Raises:
      UserError: an unknown name (with close matches) or a module that can't be found.
    """
    if ":" in spec:
        return _check_class_spec(spec)
    names = zoo_model_names() if names is None else names
    if spec in names:
        return spec
    folded = [name for name in names if name.lower() == spec.lower()]
    if len(folded) == 1:
        return folded[0]
    lowered = {name.lower(): name for name in names}
    close = [lowered[key] for key in difflib.get_close_matches(spec.lower(), lowered, n=5)]
    containing = [name for name in names if spec.lower() in name.lower()]
    suggestions = list(dict.fromkeys(close + containing))[:5]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    raise UserError(
        f"unknown model {spec!r}.{hint} Run 'lucid models' to list all {len(names)}, or give "
        "your own as package.module:ClassName."
    )


def _check_class_spec(spec):
    module_name, _, class_name = spec.partition(":")
    if not module_name or not _IDENTIFIER.fullmatch(class_name):
        raise UserError(
            f"--model {spec!r} is neither a zoo name nor package.module:ClassName; write e.g. "
            "--model ShapesNet or --model my_models:MyNet."
        )
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise UserError(
            f"--model {spec!r}: no module {module_name!r} can be imported here; check its "
            "spelling and that it is installed or on PYTHONPATH (or run from its directory)."
        )
    return spec
