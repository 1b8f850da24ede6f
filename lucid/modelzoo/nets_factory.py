"""Look up zoo models by class name: ``get_model("InceptionV1")``."""

import difflib

from lucid.modelzoo import vision_base
from lucid.modelzoo import vision_models

models_map = {
    name: getattr(vision_models, name)
    for name in vision_models.__all__
    if not hasattr(vision_base, name)
}


def get_model(name):
    """Returns an instance of the zoo model called ``name``, e.g. ``get_model("AlexNet")``.

    Raises:
      ValueError: unknown name; the message lists similar names (all names: ``models_map``).
    """
    if name not in models_map:
        candidates = [key for key in models_map if str(name).lower() in key.lower()]
        if not candidates:
            candidates = difflib.get_close_matches(str(name), models_map)
        close = f" Did you mean one of {', '.join(candidates)}?" if candidates else ""
        raise ValueError(
            f"No network named {name!r}.{close} See the zoo with 'lucid models' or "
            "lucid.modelzoo.nets_factory.models_map."
        )
    return models_map[name]()
