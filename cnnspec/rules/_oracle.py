"""The reference as the oracle of a check: call it in the contract form, compare with it.

Shared by the checks of the pool, pad, config and conv-transpose families:

- :func:`reference_call`: the reference op (cnnspec.targets.reference, the contract form)
  on the same arguments as the target;
- :func:`expect_reference`: invoke the target, then compare its result with the reference
  by the tolerance of the op: exact for max pooling and integer sums [tolerance.exact-integers],
  the K-aware bound otherwise [tolerance.k-aware] (an average divides, so it is never
  compared exactly);
- :func:`refused_for`: whether the reference refuses the call for exactly one rule (negative
  checks keep those draws); :func:`accepted`: its result where it accepts (positive checks
  on boundary configurations keep those);
- :class:`Call`: a call that is not a strategy's config (a config with one argument
  changed), with the same ``call()`` / ``repr`` services as the configs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..asserts import assert_within, format_call
from ._harness import expect_close, invoke, refused_by_reference

__all__ = ["Call", "reference_call", "accepted", "abs_reference", "expect_reference",
           "compare_reference", "refused_for", "args_of", "op_of"]


@dataclass(frozen=True, eq=False)
class Call:
    """One call of a contract op: positional arrays, keywords, and where it came from."""

    op: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    change: str = ""
    base: Any = field(default=None, repr=False)
    expected: Any = field(default=None, repr=False)  # a worked example's known result

    def call(self, op: str | None = None) -> str:
        return format_call(op or self.op, *self.args, **self.kwargs)

    def __str__(self) -> str:
        return self.call()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # Hypothesis' falsifying examples
        p.text(repr(self))

    def __repr__(self) -> str:
        where = f"{self.base!r}, then " if self.base is not None else ""
        return f"<{where}{self.change or self.call()}: {self.call()}>"


def args_of(cfg: Any) -> tuple[Any, ...]:
    """The positional arguments of a strategy's config: (x, w, b) or (x,) for pooling."""
    return (cfg.x,) if hasattr(cfg, "kind") else (cfg.x, cfg.w, cfg.b)


def op_of(cfg: Any) -> str:
    if hasattr(cfg, "kind"):
        return f"{cfg.kind}_pool"
    return "conv_transpose" if hasattr(cfg, "output_padding") else "conv"


def reference_call(op: str, *args: Any, **kwargs: Any) -> np.ndarray:
    """The reference op in the contract form (raises InvalidConfig on invalid calls)."""
    from ..targets import reference

    return getattr(reference, op)(*args, **kwargs)


def refused_for(op: str, args: tuple[Any, ...], kwargs: dict[str, Any], rule: str) -> bool:
    """Whether the reference refuses ``op(*args, **kwargs)`` for ``rule`` (and no other)."""
    return refused_by_reference(lambda: reference_call(op, *args, **kwargs), rule)


def abs_reference(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
                  ) -> tuple[np.ndarray | None, int]:
    """The reference on |inputs| (per output, the sum the error bound scales with) and the
    number of terms summed into one output; (None, 1) for max pooling (exact)."""
    if op == "max_pool":
        return None, 1
    absd = tuple(None if a is None else np.abs(a) for a in args)
    if op == "avg_pool":  # K - 1 additions and a division (or a rounded 1/D): K + 1
        return reference_call(op, *absd, **kwargs), math.prod(kwargs["kernel"]) + 1
    x, w, b = args
    per_output = int(np.prod(w.shape[1:])) if op == "conv" else \
        w.shape[0] // kwargs["groups"] * int(np.prod(w.shape[2:]))
    return reference_call(op, *absd, **kwargs), per_output + (b is not None)


def accepted(op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> np.ndarray | None:
    """The reference's result, or None where it refuses the call (positive checks on
    boundary configurations keep the accepted side)."""
    from ..errors import InvalidConfig

    try:
        return reference_call(op, *args, **kwargs)
    except InvalidConfig:
        return None


def expect_reference(target: Any, op: str, args: tuple[Any, ...], kwargs: dict[str, Any], *,
                     rule: str, call: str, integer_valued: bool = True,
                     expected: np.ndarray | None = None) -> np.ndarray:
    """The target's ``op`` equals the reference on this valid call (``expected``: the
    reference's result, when the caller has it); returns the target's result."""
    y = invoke(target, op, *args, rule=rule, call=call, **kwargs)
    if expected is None:
        expected = reference_call(op, *args, **kwargs)
    compare_reference(target, op, y, expected, args, kwargs, rule=rule, call=call,
                      integer_valued=integer_valued)
    return y


def compare_reference(target: Any, op: str, y: np.ndarray, expected: np.ndarray,
                      args: tuple[Any, ...], kwargs: dict[str, Any], *, rule: str, call: str,
                      integer_valued: bool = True) -> None:
    """y (the target's op on args) equals the reference's ``expected``, by the op's
    tolerance: max pooling exactly (rounded once on real data), sums exactly on integer data
    that fits, the K-aware bound otherwise."""
    if op == "max_pool" and not integer_valued:  # a max is exact; a rounded input is not
        from .. import tolerance

        bound = tolerance.max_pool_bound(args[0], input_u=target.precision or y.dtype,
                                         **kwargs)
        assert_within(y, expected, bound, rule=rule, call=call)
        return
    abs_sum, terms = abs_reference(op, args, kwargs)
    expect_close(target, y, expected, rule=rule, call=call, abs_sum=abs_sum, terms=terms,
                 integer_valued=integer_valued and op != "avg_pool")
