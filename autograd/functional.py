"""Function transformations in the style of JAX and HIPS autograd: ``grad(f)(x)``."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from autograd.backward import gradients
from autograd.modes import enable_grad, state
from autograd.value import Value, _show, _type_name

__all__ = ["grad", "value_and_grad"]


def _positions(argnums: Any, where: str) -> tuple[int, ...]:
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple)):
        raise TypeError(
            f"{where}: argnums must be an int or a tuple of ints, got "
            f"{_type_name(argnums)}: {_show(argnums)}"
        )
    positions = (argnums,) if isinstance(argnums, int) else argnums
    if not positions:
        raise ValueError(f"{where}: argnums must name at least one argument")
    for i in positions:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(
                f"{where}: argnums must be an int or a tuple of ints, got "
                f"{_type_name(i)} {_show(i)} in {_show(argnums)}"
            )
    if len(set(positions)) != len(positions):
        raise ValueError(f"{where}: argnums {_show(argnums)} names an argument twice")
    return positions


def result_value(out: Any, where: str) -> Value:
    """``f``'s result as a Value: a number is a constant; anything else an error."""
    if isinstance(out, Value):
        return out
    if isinstance(out, numbers.Real) and not isinstance(out, bool):
        return Value(out)  # a constant function: every derivative is 0
    raise TypeError(
        f"{where}: the function f returned {_type_name(out)}, not a number or a "
        "Value (a scalar function is needed)"
    )


def value_and_grad(
    f: Callable[..., Any], argnums: int | tuple[int, ...] = 0
) -> Callable[..., tuple[Any, Any]]:
    """A function returning ``(f(*args), df/d(args[argnums]))``.

    ``f`` maps scalars to a scalar; every number argument reaches it as a Value
    (those not differentiated are constants). The derivative is taken with respect
    to the argument's position, as ``jax.grad`` does: each differentiated argument
    reaches ``f`` as a fresh node, so the same Value used elsewhere (another
    argument, a closure, an enclosing ``grad``) is a constant for it. Called with
    floats, the result is floats; called with Values, or inside another ``grad`` or
    ``jvp`` (whose Values ``f`` may close over), the result is Values that can be
    differentiated again, so ``grad(grad(f))`` is the second derivative. With a
    tuple ``argnums`` the gradient is a tuple.
    """
    return _transform(f, argnums, "value_and_grad")


def _transform(
    f: Callable[..., Any], argnums: Any, where: str
) -> Callable[..., tuple[Any, Any]]:
    """``value_and_grad(f, argnums)``, its errors naming ``where``."""
    if not callable(f):
        raise TypeError(f"{where}: f must be callable, got {_type_name(f)}")
    positions = _positions(argnums, where)

    def wrapped(*args: Any) -> tuple[Any, Any]:
        count = len(args)
        for i in positions:
            if not -count <= i < count:
                raise IndexError(
                    f"{where}: argnums {_show(i)} is out of range for "
                    f"{count} argument{'' if count == 1 else 's'}"
                )
        chosen = [i % count for i in positions]
        # Any Value argument (not only a differentiated one) may carry an outer
        # grad's graph: grad(grad(f, 0), 1) needs d/dy of df/dx, so keep Values.
        # So may f's closure, when this grad runs inside another grad or jvp.
        depth = state.transforms
        nested = depth > 0 or any(isinstance(a, Value) for a in args)
        state.transforms = depth + 1
        try:
            out, grads = _differentiate(f, args, chosen, nested, where)
        finally:
            state.transforms = depth
        if not nested:
            grads = [g.data if isinstance(g, Value) else float(g) for g in grads]
            result: Any = out.data
        else:
            result = out
        return result, grads[0] if isinstance(argnums, int) else tuple(grads)

    wrapped.__name__ = f"{where}({getattr(f, '__name__', 'f')})"
    wrapped.__doc__ = f"Value and gradient of {getattr(f, '__name__', 'f')}."
    return wrapped


def _differentiate(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    chosen: list[int],
    nested: bool,
    where: str,
) -> tuple[Value, list[Any]]:
    """``f``'s result at ``args`` and its gradients at the positions ``chosen``."""
    values = list(args)
    with enable_grad():  # a gradient needs the graph, even inside no_grad
        for i, arg in enumerate(args):
            if i in chosen:
                if isinstance(arg, Value):
                    # A fresh node (x * 1.0 is x, bit for bit) that only this
                    # argument reaches: no perturbation confusion.
                    values[i] = arg * 1.0
                elif isinstance(arg, numbers.Real) and not isinstance(arg, bool):
                    values[i] = _leaf(arg, i, where)
                else:
                    raise TypeError(
                        f"{where}: argument {i} is differentiated, so it must be a "
                        f"number or a Value, got {_type_name(arg)}"
                    )
            elif isinstance(arg, numbers.Real) and not isinstance(arg, bool):
                values[i] = _leaf(arg, i, where)  # a constant; f may call methods
        out = result_value(f(*values), where)
        wrt = [values[i] for i in chosen]
        return out, gradients(out, wrt, create_graph=nested)


def _leaf(x: Any, i: int, where: str) -> Value:
    try:
        return Value(x)
    except OverflowError:
        raise OverflowError(
            f"{where}: argument {i} ({_show(x)}) is too large for a float"
        ) from None


def grad(
    f: Callable[..., Any], argnums: int | tuple[int, ...] = 0
) -> Callable[..., Any]:
    """A function returning df/d(args[argnums]) (see ``value_and_grad``)."""
    both = _transform(f, argnums, "grad")

    def wrapped(*args: Any) -> Any:
        return both(*args)[1]

    wrapped.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    wrapped.__doc__ = f"Gradient of {getattr(f, '__name__', 'f')}."
    return wrapped
