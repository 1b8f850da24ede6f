"""Gradient overrides for feature visualisation.

Use the context managers around model import::

    with overrides.relu_overrides():
        T = render.import_model(model, t_image, t_image)
"""

from lucid.optvis.overrides.gradient_override import gradient_override_map
from lucid.optvis.overrides.gradient_override import use_gradient
from lucid.optvis.overrides.identity_grad import identity_grad
from lucid.optvis.overrides.redirected_relu_grad import redirected_relu6_grad
from lucid.optvis.overrides.redirected_relu_grad import redirected_relu_grad
from lucid.optvis.overrides.redirected_relu_grad import scheduled_relu6_grad
from lucid.optvis.overrides.redirected_relu_grad import scheduled_relu_grad
from lucid.optvis.overrides.smoothed_maxpool_grad import avg_smoothed_maxpool_grad

pooling_overrides_map = {"MaxPool": avg_smoothed_maxpool_grad}
relu_overrides_map = {"Relu": redirected_relu_grad, "Relu6": redirected_relu6_grad}
# The same gradients, the redirected one computed only while it can differ (relu_schedule).
scheduled_relu_overrides_map = {"Relu": scheduled_relu_grad, "Relu6": scheduled_relu6_grad}
default_overrides_map = {**pooling_overrides_map, **relu_overrides_map}
linearization_overrides_map = {"Relu": identity_grad, **pooling_overrides_map}


def relu_overrides():
    """Context manager: redirected gradients for Relu and Relu6."""
    return gradient_override_map(relu_overrides_map)


def pooling_overrides():
    """Context manager: average-smoothed gradients for MaxPool."""
    return gradient_override_map(pooling_overrides_map)


def default_overrides():
    """Context manager: the ReLU and pooling overrides together."""
    return gradient_override_map(default_overrides_map)


def linearization_overrides():
    """Context manager: ReLUs pass gradients through unchanged; MaxPool is smoothed."""
    return gradient_override_map(linearization_overrides_map)


__all__ = [
    "gradient_override_map",
    "use_gradient",
    "identity_grad",
    "redirected_relu_grad",
    "redirected_relu6_grad",
    "scheduled_relu_grad",
    "scheduled_relu6_grad",
    "avg_smoothed_maxpool_grad",
    "pooling_overrides_map",
    "relu_overrides_map",
    "scheduled_relu_overrides_map",
    "default_overrides_map",
    "linearization_overrides_map",
    "relu_overrides",
    "pooling_overrides",
    "default_overrides",
    "linearization_overrides",
]
