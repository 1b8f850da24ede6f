"""The model of an atlas, from what the user gave: a zoo name, ``module:Class`` or a Model.

Used by ``build`` (the driver) and ``engines`` (which rebuild the model on Ray workers from
its name). Importing this module imports nothing heavy; TensorFlow comes with the model.
"""

import difflib
import importlib


def resolve_model(spec):
    """A model from a zoo name (``"ShapesNet"``) or ``"package.module:ClassName"``.

    A ``Model`` instance is returned unchanged.

    Raises:
      ValueError: an unknown zoo name (with close matches and where to see the zoo), or a
        module or class that can't be found.
      TypeError: ``spec`` is neither a string nor a Model.
    """
    if not isinstance(spec, str):
        if not hasattr(spec, "import_graph") or not hasattr(spec, "layers"):
            raise TypeError(
                f"model must be a zoo model name, 'module:ClassName' or a lucid Model; got {spec!r}."
            )
        return spec
    if ":" in spec:
        module_name, _, class_name = spec.partition(":")
        try:
            model_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as e:
            raise ValueError(
                f"model={spec!r}: can't load class {class_name!r} from module {module_name!r} "
                f"({e}). Give 'package.module:ClassName' of a lucid Model importable here."
            ) from None
        return model_class()
    from lucid.modelzoo import nets_factory

    if spec not in nets_factory.models_map:
        close = difflib.get_close_matches(spec, list(nets_factory.models_map), n=5, cutoff=0.5)
        hint = f" Close matches: {', '.join(close)}." if close else ""
        raise ValueError(
            f"model={spec!r} is not a zoo model.{hint} List the zoo with 'lucid models' (or "
            "lucid.modelzoo.nets_factory.models_map), or give your own model as "
            "'package.module:ClassName'."
        )
    return nets_factory.models_map[spec]()
