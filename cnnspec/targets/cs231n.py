"""A course assignment as a target: Stanford CS231n's layers.py (assignment 2).

``cnnspec conform cs231n:path/to/layers.py`` loads the file (or a dotted module,
``cs231n:cs231n.layers``) and checks the student's functions, called with the assignment's
own signatures::

    out, cache = conv_forward_naive(x, w, b, {'stride': s, 'pad': p})
    dx, dw, db = conv_backward_naive(dout, cache)
    out, cache = max_pool_forward_naive(x, {'pool_height': kh, 'pool_width': kw, 'stride': s})
    dx = max_pool_backward_naive(dout, cache)
    out, cache = avg_pool_forward_naive(x, pool_param)      # when the file has them
    dx = avg_pool_backward_naive(dout, cache)

x is (N, C, H, W), w is (F, C, HH, WW), b is (F,), float64.  :func:`adapt` maps them onto
the target contract (docs/contract.md): ``conv``, ``conv_backward``, ``max_pool``,
``max_pool_backward``, ``avg_pool``, ``avg_pool_backward``; a backward op runs the student's
forward function for its cache, then the backward function on the upstream gradient.  An op
is defined when its functions are: a file without ``avg_pool_*`` is not checked for it.

Naive or fast: ``cs231n:`` checks the ``*_naive`` functions only; ``cs231n-fast:``
(:func:`adapt_fast`) the ``*_fast`` ones only (``conv_forward_fast`` ... of fast_layers.py:
``PYTHONPATH=. cnnspec conform cs231n-fast:cs231n.fast_layers`` from the assignment's root,
so that its own imports resolve).  One run never mixes the two, so a finding is always
about the functions it names.

What the signatures cannot express raises NotImplementedError (the run then draws around
it and lists it): other than 2-D; a stride or (conv) a padding that differs between axes or
sides; dilation; groups; a conv without a bias (the assignment always has one); padding or
ceil_mode in pooling.  Nothing else is checked here: what the student's code does with a
configuration is what the run measures.  The one thing enforced is the assignment's calling
convention (forward returns ``(out, cache)``, conv backward ``(dx, dw, db)``): anything else
raises TypeError naming the function and what it returned.

The adapted module names the student's functions: ``FUNCTIONS`` (op -> the functions it
calls) and ``LIBRARY`` (shown in every report).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

__all__ = ["adapt", "adapt_fast", "FORWARD", "BACKWARD"]

#: contract op -> the assignment's function stem (``conv_forward`` -> ``conv_forward_naive``)
FORWARD = {"conv": "conv_forward", "max_pool": "max_pool_forward",
           "avg_pool": "avg_pool_forward"}
#: backward op of the contract -> (its forward op, the assignment's backward stem)
BACKWARD = {"conv_backward": ("conv", "conv_backward"),
            "max_pool_backward": ("max_pool", "max_pool_backward"),
            "avg_pool_backward": ("avg_pool", "avg_pool_backward")}
_VARIANTS = {"naive": "cs231n", "fast": "cs231n-fast"}


def _what(value: Any) -> str:
    """What a function returned, in a few words: ``ndarray of shape (2, 3)``, ``a tuple of 2``."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {tuple(shape)}" if shape is not None else \
        type(value).__name__


def _unpack(name: str, value: Any, parts: str) -> tuple[Any, ...]:
    """``value`` as the tuple ``parts`` names ('out, cache'), TypeError naming ``name``."""
    count = parts.count(",") + 1
    if not isinstance(value, (tuple, list)) or len(value) != count:
        raise TypeError(f"{name} returned {_what(value)}, but should return ({parts}) as the "
                        f"assignment says")
    return tuple(value)


def _two_d(x: Any, **per_axis: Any) -> None:
    if getattr(x, "ndim", None) != 4 or any(len(v) != 2 for v in per_axis.values()):
        shape = tuple(getattr(x, "shape", ()))
        raise NotImplementedError(f"x.shape={shape}: the assignment's layers are 2-D only, x "
                                  f"is (N, C, H, W)")


def _one(name: str, values: Any, where: str) -> Any:
    """The single value of a parameter the assignment has once for both axes."""
    if values[0] != values[1]:
        raise NotImplementedError(f"{name}={tuple(values)}: {where} has one '{name}' for both "
                                  f"axes")
    return values[0]


def _conv_param(stride: Any, padding: Any, dilation: Any, groups: Any, b: Any,
                ) -> dict[str, Any]:
    if any(d != 1 for d in dilation):
        raise NotImplementedError(f"dilation={tuple(dilation)}: the assignment has no dilation")
    if groups != 1:
        raise NotImplementedError(f"groups={groups}: the assignment has no groups")
    if b is None:
        raise NotImplementedError("b=None: the assignment's conv always has a bias")
    pads = {p for pair in padding for p in pair}
    if len(pads) != 1:
        raise NotImplementedError(f"padding={tuple(tuple(p) for p in padding)}: conv_param has "
                                  f"one 'pad' for all four sides")
    return {"stride": _one("stride", stride, "conv_param"), "pad": padding[0][0]}


def _pool_param(kernel: Any, stride: Any, padding: Any, ceil_mode: Any,
                dilation: Any = (1, 1)) -> dict[str, Any]:
    if any(p != 0 for pair in padding for p in pair):
        raise NotImplementedError(f"padding={tuple(tuple(p) for p in padding)}: the "
                                  f"assignment's pooling has no padding")
    if ceil_mode:
        raise NotImplementedError("ceil_mode=True: the assignment's pooling is floor mode only")
    if any(d != 1 for d in dilation):
        raise NotImplementedError(f"dilation={tuple(dilation)}: the assignment's pooling has "
                                  f"no dilation")
    return {"pool_height": kernel[0], "pool_width": kernel[1],
            "stride": _one("stride", stride, "pool_param")}


def _ops(fwd: dict[str, tuple[str, Callable[..., Any]]],
         bwd: dict[str, tuple[str, Callable[..., Any]]]) -> dict[str, Callable[..., Any]]:
    """The contract's ops over the student's functions (name, function) found."""
    def forward(op: str, *args: Any) -> tuple[Any, Any]:
        name, fn = fwd[op]
        return _unpack(name, fn(*args), "out, cache")  # type: ignore[return-value]

    def conv(x, w, b, *, stride, padding, dilation, groups):
        _two_d(x, stride=stride, padding=padding, dilation=dilation)
        return forward("conv", x, w, b, _conv_param(stride, padding, dilation, groups, b))[0]

    def conv_backward(x, w, b, dy, *, stride, padding, dilation, groups):
        _two_d(x, stride=stride, padding=padding, dilation=dilation)
        _, cache = forward("conv", x, w, b, _conv_param(stride, padding, dilation, groups, b))
        name, fn = bwd["conv_backward"]
        return _unpack(name, fn(dy, cache), "dx, dw, db")

    def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
        _two_d(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
        return forward("max_pool", x, _pool_param(kernel, stride, padding, ceil_mode,
                                                  dilation))[0]

    def max_pool_backward(x, dy, *, kernel, stride, padding, dilation, ceil_mode):
        _two_d(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
        _, cache = forward("max_pool", x, _pool_param(kernel, stride, padding, ceil_mode,
                                                      dilation))
        return bwd["max_pool_backward"][1](dy, cache)

    def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
        # no padding, so count_include_pad changes nothing: both values are computed
        _two_d(x, kernel=kernel, stride=stride, padding=padding)
        return forward("avg_pool", x, _pool_param(kernel, stride, padding, ceil_mode))[0]

    def avg_pool_backward(x, dy, *, kernel, stride, padding, ceil_mode, count_include_pad):
        _two_d(x, kernel=kernel, stride=stride, padding=padding)
        _, cache = forward("avg_pool", x, _pool_param(kernel, stride, padding, ceil_mode))
        return bwd["avg_pool_backward"][1](dy, cache)

    every = {f.__name__: f for f in (conv, conv_backward, max_pool, max_pool_backward,
                                     avg_pool, avg_pool_backward)}
    return {op: fn for op, fn in every.items()
            if op in fwd or (op in bwd and BACKWARD[op][0] in fwd)}


def adapt(module: types.ModuleType, variant: str = "naive") -> types.ModuleType:
    """A target module over ``module``'s ``*_naive`` functions (``variant="fast"``: its
    ``*_fast`` ones).  ImportError when it has none of them, naming what it does have."""
    if variant not in _VARIANTS:
        raise ValueError(f"variant={variant!r}, but should be one of {', '.join(_VARIANTS)}")
    def found(stem: str) -> tuple[str, Callable[..., Any]] | None:
        fn = getattr(module, f"{stem}_{variant}", None)
        return (f"{stem}_{variant}", fn) if callable(fn) else None

    fwd = {op: f for op, stem in FORWARD.items() if (f := found(stem))}
    bwd = {op: f for op, (_, stem) in BACKWARD.items() if (f := found(stem))}
    source = getattr(module, "__file__", None) or module.__name__
    if not fwd:
        other = "fast" if variant == "naive" else "naive"
        theirs = [f"{stem}_{other}" for stem in [*FORWARD.values(),
                                                  *(s for _, s in BACKWARD.values())]
                  if callable(getattr(module, f"{stem}_{other}", None))]
        hint = (f"; it defines {', '.join(theirs)}: run {_VARIANTS[other]}:{source}"
                if theirs else "")
        raise ImportError(f"{source} defines none of "
                          f"{', '.join(f'{s}_{variant}' for s in FORWARD.values())}{hint}")
    ops = _ops(fwd, bwd)
    functions = {op: fwd[op][0] if op in fwd else f"{fwd[BACKWARD[op][0]][0]} + {bwd[op][0]}"
                 for op in ops}
    if module.__name__.startswith("cnnspec_target_"):  # loaded from a path: name the path
        name = f"{_VARIANTS[variant]}:{source}"
    else:
        name = f"{_VARIANTS[variant]}:{module.__name__}"
    adapted = types.ModuleType(name, f"{name}: the cs231n-style functions of {source} as a "
                                     f"cnnspec target (cnnspec.targets.cs231n)")
    adapted.__dict__.update(ops)
    adapted.FUNCTIONS = functions  # type: ignore[attr-defined]
    used = dict.fromkeys(n for called in functions.values() for n in called.split(" + "))
    adapted.LIBRARY = f"cs231n-style {variant} functions: {', '.join(used)}"  # type: ignore[attr-defined]
    return adapted


def adapt_fast(module: types.ModuleType) -> types.ModuleType:
    """:func:`adapt` over the ``*_fast`` functions (the ``cs231n-fast:`` style)."""
    return adapt(module, "fast")
