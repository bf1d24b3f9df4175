"""Function transformations in the style of JAX and HIPS autograd: ``grad(f)(x)``."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from autograd.backward import gradients
from autograd.modes import enable_grad
from autograd.value import Value

__all__ = ["grad", "value_and_grad"]


def value_and_grad(
    f: Callable[..., Any], argnums: int | tuple[int, ...] = 0
) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), df/d(args[argnums]))``.

    ``f`` maps scalars to a scalar; every number argument reaches it as a Value
    (those not differentiated are constants). Called with floats, the result is
    floats; called with Values (as inside another ``grad``), the result is Values
    that can be differentiated again, so ``grad(grad(f))`` is the second
    derivative. With a tuple ``argnums`` the gradient is a tuple, one per argument.
    """
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not positions:
        raise ValueError("value_and_grad: argnums must name at least one argument")

    def wrapped(*args: Any) -> tuple[Any, Any]:
        for i in positions:
            if not -len(args) <= i < len(args):
                raise IndexError(
                    f"value_and_grad: argnums {i} is out of range for "
                    f"{len(args)} positional arguments"
                )
        values = list(args)
        # Any Value argument (not only a differentiated one) may carry an outer
        # grad's graph: grad(grad(f, 0), 1) needs d/dy of df/dx, so keep Values.
        nested = any(isinstance(a, Value) for a in args)
        for i, arg in enumerate(args):
            # Numbers become Values (constants where not differentiated), so f may
            # call Value methods on any argument; other objects pass through.
            if i in positions or (-len(args) + i) in positions:
                if not isinstance(arg, Value):
                    values[i] = Value(arg)
            elif isinstance(arg, numbers.Real):
                values[i] = Value(arg)
        with enable_grad():  # a gradient needs the graph, even inside no_grad
            out = f(*values)
            if not isinstance(out, Value):
                out = Value(out)  # a constant function: every derivative is 0
            wrt = [values[i] for i in positions]
            grads = gradients(out, wrt, create_graph=nested)
        if not nested:
            grads = [g.data if isinstance(g, Value) else float(g) for g in grads]
            result: Any = out.data
        else:
            result = out
        return result, grads[0] if isinstance(argnums, int) else tuple(grads)

    wrapped.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    wrapped.__doc__ = f"Value and gradient of {getattr(f, '__name__', 'f')}."
    return wrapped


def grad(
    f: Callable[..., Any], argnums: int | tuple[int, ...] = 0
) -> Callable[..., Any]:
    """A function returning df/d(args[argnums]) (see ``value_and_grad``)."""
    both = value_and_grad(f, argnums)

    def wrapped(*args: Any) -> Any:
        return both(*args)[1]

    wrapped.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    wrapped.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')}."
    return wrapped
