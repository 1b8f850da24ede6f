"""Lucid's ``lucid.misc.redirected_relu_grad`` path; the implementation is in ``lucid.optvis.overrides``."""

from lucid.optvis.overrides.redirected_relu_grad import redirected_relu6_grad
from lucid.optvis.overrides.redirected_relu_grad import redirected_relu_grad

__all__ = ["redirected_relu_grad", "redirected_relu6_grad"]
