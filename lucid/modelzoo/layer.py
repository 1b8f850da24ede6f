"""Layer: a named layer of a model, as declared in its ``layers`` list.

Importable from ``lucid.modelzoo.vision_base`` too, where Lucid defined it.
"""

import warnings


class LayerNotFoundError(KeyError, ValueError):
    """A layer or tensor name that the model does not have (both a KeyError and a ValueError)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class Layer:
    """A named layer of a model: ``name``, ``depth`` (channels) and ``tags`` (e.g. {"conv"})."""

    width = None
    height = None
    shape = None

    def __init__(self, model_instance, name, depth, tags):
        self._activations = None
        self.model_class = model_instance.__class__
        self.model_name = model_instance.name
        self.name = name
        self.depth = depth
        self.tags = set(tags)

    def __getitem__(self, name):
        if name == "type":
            warnings.warn(
                "layer['type'] is deprecated; use layer.tags instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            return next(iter(self.tags))
        if name in ("name", "depth", "tags", "model_class", "model_name"):
            return getattr(self, name)
        raise AttributeError(f"Layer has no key {name!r}; expected one of name, depth, tags.")

    @property
    def size(self):
        """Deprecated alias of ``depth``."""
        warnings.warn(
            "layer.size is deprecated; use layer.depth.", DeprecationWarning, stacklevel=2
        )
        return self.depth

    @property
    def activations(self):
        """`[100000, depth]` activations on Lucid's aligned dataset (downloaded on first use)."""
        if self._activations is None:
            from lucid.modelzoo.aligned_activations import get_aligned_activations

            self._activations = get_aligned_activations(self)
        return self._activations

    def to_json(self):
        return self.name

    def __repr__(self):
        return f"Layer (belonging to {self.model_name}) <{self.name}: {self.depth}> ({list(self.tags)})"


def layers_from_list_of_dicts(model_instance, list_of_dicts) -> tuple:
    """``Layer``s of ``model_instance`` from dicts with ``name``, ``depth`` and ``tags``."""
    return tuple(Layer(model_instance, d["name"], d["depth"], d["tags"]) for d in list_of_dicts)
