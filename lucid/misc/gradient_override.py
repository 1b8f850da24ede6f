"""Lucid's ``lucid.misc.gradient_override`` path; the implementation is in ``lucid.optvis.overrides``."""

from lucid.optvis.overrides.gradient_override import gradient_override_map
from lucid.optvis.overrides.gradient_override import register_to_random_name
from lucid.optvis.overrides.gradient_override import use_gradient

__all__ = ["gradient_override_map", "register_to_random_name", "use_gradient"]
