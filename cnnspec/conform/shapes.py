"""Few shapes for targets that pay per new shape (a JIT compile cache: JAX, tinygrad, ...).

Every example of a check is a new configuration, and a library that compiles each new
(shape, parameters) combination spends nearly all of a run compiling.  When the probe finds
such a target (:func:`compiles_per_shape`: the first call of a shape much slower than its
repeat), each check keeps at most :data:`SHAPES_PER_CHECK` skeletons (the shapes and
parameters of a config, without its data): a case with a new skeleton beyond that is
rebuilt on one of the skeletons already drawn, with its own data seed
(:class:`ShapeBudget`); a wrapped call (the config.* checks) beyond that is replaced by one
of the calls already made.  Data still varies; the number of compiles per check is bounded.
Other cases (pairs of configs, worked examples: every record must run as written) pass
unchanged.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..targets import Target

__all__ = ["SHAPES_PER_CHECK", "ShapeBudget", "skeleton", "compiles_per_shape"]

#: Distinct skeletons (shapes and parameters) a check draws on a per-shape-cost target.
SHAPES_PER_CHECK = 4


def skeleton(case: Any) -> tuple[Any, ...] | None:
    """The shapes and parameters of a strategies config (everything but its data seed), or
    None for another kind of case."""
    kind = type(case).__name__
    if kind in ("ConvConfig", "ConvTransposeConfig"):
        return (kind, case.x.shape, case.w.shape, None if case.b is None else case.b.shape,
                tuple(case.kwargs.items()), case.integer_valued)
    if kind == "PoolConfig":
        return (kind, case.kind, case.x.shape, tuple(case.kwargs.items()),
                case.integer_valued, case.nans)
    if kind == "CallExample":  # a worked example runs as written
        return None
    if all(hasattr(case, a) for a in ("op", "args", "kwargs")):  # a wrapped call (config.*)
        return ("call", case.op, tuple(getattr(a, "shape", repr(a)) for a in case.args),
                repr(sorted(case.kwargs.items())))
    return None


def _rebuild(source: Any, seed: int) -> Any:
    """``source``'s skeleton with the data of ``seed``."""
    if type(source).__name__ == "PoolConfig":
        return type(source).build(kind=source.kind, x_shape=source.x.shape,
                                  kernel=source.kernel, stride=source.stride,
                                  padding=source.padding, dilation=source.dilation,
                                  ceil_mode=source.ceil_mode,
                                  count_include_pad=source.count_include_pad, seed=seed,
                                  integer_valued=source.integer_valued, nans=source.nans)
    return type(source).build(x_shape=source.x.shape, w_shape=source.w.shape,
                              b_shape=None if source.b is None else source.b.shape, seed=seed,
                              integer_valued=source.integer_valued, **source.kwargs)


class ShapeBudget:
    """At most ``n`` skeletons for one check; later cases are mapped onto them."""

    def __init__(self, n: int = SHAPES_PER_CHECK) -> None:
        self.n = n
        self.seen: dict[tuple[Any, ...], Any] = {}

    def map(self, case: Any) -> Any:
        key = skeleton(case)
        if key is None or key in self.seen:
            return case
        if len(self.seen) < self.n:
            self.seen[key] = case
            return case
        sources = list(self.seen.values())
        seed = getattr(case, "seed", None)
        if seed is None:  # a wrapped call: one of the calls already made, as it was
            return sources[hash(key) % len(sources)]
        return _rebuild(sources[seed % len(sources)], seed)


def _calls(target: Target) -> list[tuple[str, Any, Any]]:
    """Two plain calls of different kernel shapes (the capability probes' base call), of the
    first op the target defines, in 1-D, 2-D and 3-D: (op, call A, call B)."""
    from .capabilities import plain_call

    op = next((o for o in ("conv", "conv_transpose", "max_pool", "avg_pool") if target.has(o)),
              None)
    if op is None:
        return []
    other = 2 if op.startswith("conv") else 3  # the base kernel is 3 for convs, 2 for pools
    return [(op, plain_call(rank, op), plain_call(rank, op, kernel=(other,) * rank))
            for rank in (1, 2, 3)]


def compiles_per_shape(target: Target) -> str | None:
    """A description when the target's first call of a shape is much slower than its repeat
    (>= 20 ms, and 8x the repeat, on two shapes); None otherwise."""
    for op, (args_a, kw_a), (args_b, kw_b) in _calls(target):
        fn = target.op(op)

        def timed(args: Any, kwargs: Any, fn: Any = fn) -> float:
            start = time.perf_counter()
            fn(*(a.copy() if isinstance(a, np.ndarray) else a for a in args), **kwargs)
            return time.perf_counter() - start

        try:
            first_a = timed(args_a, kw_a)
            repeat = min(timed(args_a, kw_a), timed(args_a, kw_a))
            first_b = timed(args_b, kw_b)
        except Exception:  # noqa: BLE001 - unsupported or refused here: try another rank
            continue
        if min(first_a, first_b) >= 0.02 and min(first_a, first_b) >= 8 * repeat:
            return (f"the first call of a shape takes {min(first_a, first_b) * 1e3:.0f} ms, a "
                    f"repeat {repeat * 1e3:.1f} ms ({op}): each check draws at most "
                    f"{SHAPES_PER_CHECK} shapes")
        return None
    return None
