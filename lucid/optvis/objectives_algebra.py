"""The Objective class, and the decorators that make factories of Objectives.

An :class:`Objective` wraps a function ``T -> scalar tensor`` (``T`` is the layer accessor
described in ``lucid.optvis.objectives``) with a name and a description. The algebra rests on
``__add__``, ``__mul__`` and ``__neg__``; ``-``, ``/``, the reflected operators and
:meth:`Objective.sum` are built on them. Operands that are neither Objectives nor real numbers
give ``NotImplemented``, so Python raises the usual TypeError.

:func:`wrap_objective` turns ``f(*args) -> (T -> tensor)`` into a factory of Objectives, and
:func:`handle_batch` restricts an inner ``T -> tensor`` function to one image of the batch.
Both are re-exported by ``lucid.optvis.objectives``, their public home.
"""

import functools
import inspect
import numbers

from lucid.optvis.objectives_util import T_force_NHWC
from lucid.optvis.objectives_util import _make_arg_str
from lucid.optvis.objectives_util import _T_handle_batch
from lucid.optvis.objectives_util import check_batch_index
from lucid.optvis.objectives_util import sum_to_scalar

_REQUIRE_FORMATS = (None, "NHWC")


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_operand(x):
    return isinstance(x, Objective) or _is_number(x)


class Objective:
    """A function ``T -> scalar tensor`` to maximize, with a name and a description.

    Args:
      objective_func: callable taking the layer accessor ``T`` and returning a scalar tensor.
      name: short name, e.g. ``"channel"``.
      description: readable summary, e.g. ``"Channel [mixed4a, 3, None]"``.
    """

    # Makes NumPy defer to our operators (so `objective * np.ones(3)` raises TypeError)
    # instead of building an object array of Objectives.
    __array_ufunc__ = None

    def __init__(self, objective_func, name="", description=""):
        self.objective_func = objective_func
        self.name = name
        self.description = description

    def __call__(self, T):
        """The objective's value on ``T``: a scalar tensor (or number).

        A non-scalar value (e.g. one per batch item) is summed, as Lucid's optimiser did
        implicitly; that is logged once, at INFO. Combinations such as ``a + b`` combine the
        raw values and sum only the result, so broadcasting works as in Lucid.
        """
        return sum_to_scalar(self.objective_func(T), self.description or self.name)

    def __add__(self, other):
        if _is_number(other):
            return Objective(lambda T: other + self.objective_func(T), self.name, self.description)
        if not isinstance(other, Objective):
            return NotImplemented
        name = ", ".join([self.name, other.name])
        description = "Sum(" + " +\n".join([self.description, other.description]) + ")"
        return Objective(
            lambda T: self.objective_func(T) + other.objective_func(T), name, description
        )

    def __mul__(self, other):
        if _is_number(other):
            return Objective(lambda T: other * self.objective_func(T), self.name, self.description)
        if not isinstance(other, Objective):
            return NotImplemented
        return Objective(
            lambda T: self.objective_func(T) * other.objective_func(T), self.name, self.description
        )

    def __neg__(self):
        return -1 * self

    def __sub__(self, other):
        return self + (-other) if _is_operand(other) else NotImplemented

    def __rsub__(self, other):
        return (-self).__add__(other)

    def __truediv__(self, other):
        return self * (1.0 / other) if _is_number(other) else NotImplemented

    __radd__ = __add__
    __rmul__ = __mul__

    @staticmethod
    def sum(objs):
        """Adds a list of Objectives into one, joining their names and descriptions."""
        objs = list(objs)
        if not objs:
            raise ValueError("Objective.sum expects a non-empty list of Objectives; got [].")
        if not all(isinstance(obj, Objective) for obj in objs):
            raise TypeError(f"Objective.sum expects a list of Objectives; got {objs!r}.")
        name = ", ".join(obj.name for obj in objs)
        description = "Sum(" + " +\n".join(obj.description for obj in objs) + ")"
        return Objective(lambda T: sum(obj.objective_func(T) for obj in objs), name, description)

    def __repr__(self):
        return f"Objective(name={self.name!r}, description={self.description!r})"


def wrap_objective(require_format=None, handle_batch=False):
    """Decorator: turns ``f(*args) -> (T -> tensor)`` into a factory of Objectives.

    Both of Lucid's forms work: ``@wrap_objective()`` (Lucid 0.3.10, with optional
    arguments) and the bare ``@wrap_objective`` (Lucid <= 0.3.9, used by Lucid's notebooks).
    The Objective is named ``f.__name__`` and described as
    ``f.__name__.title() + " [arg, ...]"``, listing every positional argument with defaults
    filled in; an argument longer than 15 characters or spanning lines shows as ``...``.

    Args:
      require_format: None, or ``"NHWC"`` to hand ``f``'s closure a ``T`` whose rank-4
        activations are NHWC and whose dense `[N, C]` activations are `[N, 1, 1, C]`.
        In the bare form this is the decorated function itself.
      handle_batch: accepted for compatibility and ignored, as in Lucid; factories handle
        their own ``batch`` argument with :func:`handle_batch`.

    Returns:
      The decorator, or, used bare, the decorated factory.
    """
    if callable(require_format):
        return _objective_factory(require_format, require_format=None)
    if require_format not in _REQUIRE_FORMATS:
        raise ValueError(
            f"require_format={require_format!r} is not supported; expected one of {_REQUIRE_FORMATS}."
        )
    return functools.partial(_objective_factory, require_format=require_format)


def _objective_factory(f, require_format):
    """``f(*args) -> (T -> tensor)`` made into ``factory(*args) -> Objective``."""
    signature = inspect.signature(f)

    @functools.wraps(f)
    def factory(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        objective_func = f(*args, **kwargs)
        arg_str = ", ".join(_make_arg_str(arg) for arg in bound.args)
        description = f"{f.__name__.title()} [{arg_str}]"
        if require_format == "NHWC":
            return Objective(lambda T: objective_func(T_force_NHWC(T)), f.__name__, description)
        return Objective(objective_func, f.__name__, description)

    return factory


def handle_batch(batch=None):
    """Decorator for an inner ``T -> tensor`` function: slices every ``T(name)`` to ``[batch]``.

    With ``batch=None`` the function sees the whole batch. A negative ``batch`` raises a
    ValueError now; one past the end of the batch when the objective is applied.
    """
    check_batch_index(batch)
    return lambda f: lambda T: f(_T_handle_batch(T, batch=batch))
