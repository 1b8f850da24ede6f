"""``lucid models`` and ``lucid layers``, and loading a model by the name given on the command line."""

import importlib
import os

from lucid.cli import checks


def add_models(subparsers) -> None:
    """Registers ``lucid models``."""
    models = subparsers.add_parser(
        "models",
        help="list the model zoo",
        description="List every model by name, with its training dataset, input size, "
        "whether its graph is already on this machine (cached, in a mirror, or bundled) and "
        "where the cached copy came from.",
    )
    models.set_defaults(func=run_models)


def add_layers(subparsers) -> None:
    """Registers ``lucid layers MODEL``."""
    layers = subparsers.add_parser(
        "layers",
        help="list a model's layers",
        description="List the declared layers of a model with their depth (channels) and tags; "
        "use them as LAYER:CHANNEL in 'lucid render'.",
    )
    layers.add_argument(
        "model", metavar="MODEL", help="model name from 'lucid models', or package.module:Class"
    )
    layers.set_defaults(check=check_layers, func=run_layers)


def run_models(args) -> int:
    """``lucid models``: one row per model; needs no usable cache directory."""
    from lucid.misc.io import reading

    rows = [
        (name, cls.dataset or "-", _input_size(cls), *_cached_status(cls, reading))
        for name, cls in model_classes().items()
    ]
    print_table(("NAME", "DATASET", "INPUT", "CACHED", "SOURCE"), rows)
    if any(row[3] == "yes*" for row in rows):
        print(
            "\n* cached from another source than the one configured now (SOURCE unknown: "
            "cached without a record); downloaded again from the configured source on next "
            "use, or used with a warning when LUCID_OFFLINE is set."
        )
    directory = reading.cache_dir(create=False)
    note = ""
    if os.path.exists(directory) and not os.path.isdir(directory):
        note = "; it is a file, so nothing can be downloaded: point LUCID_CACHE_DIR at a directory"
    print(f"\nCache directory: {directory} (set LUCID_CACHE_DIR to change it){note}")
    return 0


def _input_size(cls):
    shape = getattr(cls, "image_shape", None)
    if not shape:
        return "-"
    return "x".join("?" if dim is None else str(dim) for dim in shape)


def _cached_status(cls, reading):
    """``(CACHED, SOURCE)``: ``bundled``, ``mirror``, ``yes``/``yes*`` (another or unknown
    source than the configured one) or ``no``, and where the file is or came from."""
    url = cls.model_path
    if not url:
        return "-", "-"
    if "://" not in url:
        return ("bundled" if os.path.isfile(url) else "missing"), "-"
    source = reading.configured_source(url)
    if "://" not in source:  # LUCID_MODELZOO_MIRROR is a local directory
        return ("mirror", source) if os.path.isfile(source) else ("no", "-")
    if not os.path.isfile(reading.local_cache_path(url)):
        return "no", "-"
    record = reading.cache_record(url)
    if record is None:
        return "yes*", "unknown"
    return ("yes" if record.source == source else "yes*"), record.source


def check_layers(args) -> None:
    """Checks ``lucid layers``' MODEL before TensorFlow is imported."""
    args.model = checks.check_model_spec(args.model)


def run_layers(args) -> int:
    """``lucid layers MODEL``: one row per declared layer."""
    model = load_model(args.model)
    rows = [
        (layer.name, "?" if layer.depth is None else str(layer.depth), ",".join(sorted(layer.tags)))
        for layer in model.layers
    ]
    if not rows:
        print(
            f"{model.name} declares no layers; any tensor of its graph can still be rendered "
            "by name (LAYER:CHANNEL)."
        )
        return 0
    print_table(("LAYER", "DEPTH", "TAGS"), rows)
    return 0


def print_table(header, rows) -> None:
    """Prints ``rows`` under ``header`` in left-aligned columns two spaces apart."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def model_classes() -> dict:
    """``{name: Model subclass}``: ShapesNet (bundled) first, then every zoo model."""
    from lucid.modelzoo import nets_factory

    classes = {"ShapesNet": nets_factory.models_map["ShapesNet"]}
    classes.update(nets_factory.models_map)
    return classes


def load_model(spec: str):
    """An instance of the model ``spec``: a zoo name (any case) or ``package.module:ClassName``."""
    spec = checks.check_model_spec(spec)
    if ":" not in spec:
        return model_classes()[spec]()
    module_name, _, class_name = spec.partition(":")
    model_class = getattr(importlib.import_module(module_name), class_name, None)
    if model_class is None:
        raise checks.UserError(
            f"--model {spec!r}: module {module_name!r} has no {class_name!r}; give "
            "package.module:ClassName of a lucid Model."
        )
    return model_class()
