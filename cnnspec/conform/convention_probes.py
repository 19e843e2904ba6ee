"""The probes: which value of each convention a target follows.

A probe is a few fixed, hand-checkable calls whose outputs tell a convention's values apart
(1-D; the same question in 2-D for a target that takes 2-D only: :func:`_in_2d`), one per key
of :data:`cnnspec.conform.conventions.CONVENTIONS`, which names them.  A probe names a value
only when the target gets a plain call of the same op right (``_CONTROLS``) and, for a
refusal, computes the nearby call the convention does not touch (ceil_mode: the same call in
floor mode; stride_remainder: an input the stride divides); anything else is reported as
'n/a (...)' or 'unknown (...)'.  A probe never raises on a target's behalf: a target's
exception is a value ('raise'), and a probe that crashes is caught by ``probe_all``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..targets import OpMissing, Target, Unsupported


def _call(target: Target, op: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """("ok", y) | ("raise", text) | ("unsupported", text) | ("missing", text).

    The probes are 1-D; a target that does not support 1-D (NotImplementedError) is asked
    the same question in 2-D (:func:`_in_2d`), so a 2-D-only target gets its conventions
    probed too."""
    status, y = _call_as_is(target, op, *args, **kwargs)
    if status == "unsupported" and np.ndim(args[0]) == 3:
        args2, kwargs2 = _in_2d(args, kwargs)
        status2, y2 = _call_as_is(target, op, *args2, **kwargs2)
        if status2 != "unsupported":
            return (status2, y2[..., 0]) if status2 == "ok" and y2.ndim == 4 else (status2, y2)
    return status, y


def _call_as_is(target: Target, op: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        y = target.op(op)(*args, **kwargs)
    except OpMissing as e:
        return "missing", str(e)
    except (Unsupported, NotImplementedError) as e:
        return "unsupported", f"{type(e).__name__}: {e}"
    except Exception as e:  # noqa: BLE001 - a refusal; which exception is the target's choice
        return "raise", f"{type(e).__name__}: {e}"
    if not isinstance(y, np.ndarray):
        return "bad", f"returned {type(y).__name__}"
    return "ok", np.asarray(y, dtype=np.float64)


def _in_2d(args: tuple[Any, ...], kwargs: dict[str, Any]
           ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A 1-D call as a 2-D one whose column 0 is the 1-D answer: x[n, c, i, j] = x[n, c, i]
    (square, the same on every column), the weights w[..., a, b] = w[..., a] at b = 0 and
    0 elsewhere, every parameter repeated on the second axis (square kernels, equal strides,
    the same padding on all four sides: what restricted targets take).  Max pooling reads
    the same values on every column; conv and conv_transpose (without padding) read column
    0 of the weights only."""
    x = args[0]
    length = x.shape[-1]
    x2 = np.repeat(x[..., None], length, axis=-1)  # (N, C, L, L)
    rest = []
    for a in args[1:]:
        if isinstance(a, np.ndarray) and a.ndim == 3:  # w: (O, C, k) -> (O, C, k, k)
            w2 = np.zeros((*a.shape, a.shape[-1]))
            w2[..., 0] = a
            rest.append(w2)
        else:
            rest.append(a)
    kw = {k: (v * 2 if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    return (x2, *rest), kw


def _other(status: str, got: Any) -> str:
    return {"missing": "n/a (op not implemented)", "unsupported": f"n/a (unsupported: {got})",
            "bad": f"unknown ({got})"}.get(status, f"unknown ({got})")


def _row(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64).reshape(1, 1, -1)  # (N=1, C=1, L)


#: A plain valid call per op and its exact result: a target that gets it wrong (or raises,
#: or returns garbage) has no convention to report, only failures.
_CONTROLS: dict[str, tuple[tuple[Any, ...], dict[str, Any], list[float]]] = {
    "conv": ((_row(1, 2, 3, 4), np.ones((1, 1, 2)), None),
             dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1), [3, 5, 7]),
    "conv_transpose": ((_row(1, 2), np.ones((1, 1, 2)), None),
                       dict(stride=(1,), padding=((0, 0),), output_padding=(0,), dilation=(1,),
                            groups=1), [1, 3, 2]),
    "max_pool": ((_row(1, 4, 3, 2),), dict(kernel=(2,), stride=(2,), padding=((0, 0),),
                                           dilation=(1,), ceil_mode=False), [4, 3]),
    "avg_pool": ((_row(1, 4, 3, 2),), dict(kernel=(2,), stride=(2,), padding=((0, 0),),
                                           ceil_mode=False, count_include_pad=True), [2.5, 2.5]),
}


def _control(target: Target, op: str) -> str | None:
    """None when ``op`` computes a plain valid call right; else why not (a value for the
    report, never a convention)."""
    args, kwargs, expected = _CONTROLS[op]
    status, y = _call(target, op, *args, **kwargs)
    if status != "ok":
        return _other(status, y)
    if y.shape != (1, 1, len(expected)) or not np.array_equal(y.reshape(-1), expected):
        return f"unknown ({op} gets a plain call wrong)"
    return None


def _starts_with(y: np.ndarray, values: list[float]) -> bool:
    flat = y.reshape(-1)
    return flat.size >= len(values) and np.array_equal(flat[:len(values)], values)


def _pool_op(target: Target) -> str | None:
    return next((op for op in ("max_pool", "avg_pool") if target.has(op)), None)


def _pool_kwargs(op: str, **kw: Any) -> dict[str, Any]:
    extra = {"dilation": (1,)} if op == "max_pool" else {"count_include_pad": True}
    return {**kw, **extra}


# ---------------------------------------------------------------- probes


def _probe_ceil_mode(target: Target) -> str:
    """i=5, k=2, s=2, p=(1, 1), ceil: windows start at 0, 2, 4 and 6; 6 is right padding."""
    op = _pool_op(target)
    if op is None:
        return "n/a (op not implemented)"
    if (bad := _control(target, op)) is not None:
        return bad
    status, y = _call(target, op, _row(1, 2, 3, 4, 5), **_pool_kwargs(
        op, kernel=(2,), stride=(2,), padding=((1, 1),), ceil_mode=True))
    if status == "raise":  # ceil_mode refused, or the padding? the same call in floor mode
        floor, got = _call(target, op, _row(1, 2, 3, 4, 5), **_pool_kwargs(
            op, kernel=(2,), stride=(2,), padding=((1, 1),), ceil_mode=False))
        return "raise" if floor == "ok" else f"unknown (the floor-mode control: {floor} {got})"
    if status != "ok":
        return _other(status, y)
    if not _starts_with(y, [1, 3, 5] if op == "max_pool" else [0.5, 2.5, 4.5]):
        return "unknown (wrong values)"
    return {3: "drop-window-starting-in-padding", 4: "keep-window-starting-in-padding"}.get(
        y.shape[-1], f"unknown (output size {y.shape[-1]})")


def _probe_avg_divisor(target: Target) -> str:
    """x = [1, 2, 3], k=2, s=2 (symmetric padding, at most k/2: what frameworks take).
    With padding (1, 1) the first window is [pad, 1]: 0.5 when the padding cell counts, 1.0
    when not.  In ceil_mode without padding the last window is [3, overhang]: 3.0 when the
    overhang does not count, 1.5 when it does."""
    if not target.has("avg_pool"):
        return "n/a (op not implemented)"
    if (bad := _control(target, "avg_pool")) is not None:
        return bad
    counted = []
    for padding, ceil_mode, include, at, then in (((1, 1), False, True, 0, (1, 2.5)),
                                                  ((1, 1), False, False, 0, (1, 2.5)),
                                                  ((0, 0), True, True, 1, (0, 1.5))):
        status, y = _call(target, "avg_pool", _row(1, 2, 3), kernel=(2,), stride=(2,),
                          padding=(padding,), ceil_mode=ceil_mode, count_include_pad=include)
        if status != "ok":
            return _other(status, y)
        flat = y.reshape(-1)
        if y.shape != (1, 1, 2) or flat[then[0]] != then[1] or flat[at] not in (0.5, 1.0, 1.5,
                                                                               3.0):
            return f"unknown (wrong values {flat.tolist()})"
        counted.append(bool(flat[at] in (0.5, 1.5)))
    return _divisor_label(*counted)


def _divisor_label(pad_with_include: bool, pad_without: bool, overhang: bool) -> str:
    return (f"count_include_pad=True: padding {'counted' if pad_with_include else 'not counted'}"
            f"; count_include_pad=False: padding {'counted' if pad_without else 'not counted'}"
            f"; ceil_mode overhang: {'counted' if overhang else 'not counted'}")


def _probe_max_pool_nan(target: Target) -> str:
    """x = [nan, 1, 2, nan], k=2: windows [nan, 1] and [2, nan]."""
    if not target.has("max_pool"):
        return "n/a (op not implemented)"
    if (bad := _control(target, "max_pool")) is not None:
        return bad
    status, y = _call(target, "max_pool", _row(np.nan, 1, 2, np.nan), kernel=(2,), stride=(2,),
                      padding=((0, 0),), dilation=(1,), ceil_mode=False)
    if status != "ok":
        return _other(status, y)
    flat = y.reshape(-1)
    if y.shape != (1, 1, 2) or not all(np.isnan(v) or v == e for v, e in zip(flat, (1, 2))):
        return "unknown (wrong values)"
    nan = np.isnan(flat)
    return "propagate" if nan.all() else "ignore" if not nan.any() else "order-dependent"


def _probe_kernel_larger(target: Target) -> str:
    """Kernels of 4 and 5 on an input of 3, no padding (outputs of size 0 and -1): invalid
    for the spec.  A library can refuse one and not the other (an empty output for size 0)."""
    found = {}
    x = _row(1, 2, 3)
    for op in ("conv", "max_pool", "avg_pool"):
        if not target.has(op):
            continue
        if (bad := _control(target, op)) is not None:
            found[op] = bad
            continue
        seen = []
        for k in (4, 5):
            if op == "conv":
                status, y = _call(target, op, x, np.ones((1, 1, k)), None, stride=(1,),
                                  padding=((0, 0),), dilation=(1,), groups=1)
            else:
                status, y = _call(target, op, x, **_pool_kwargs(
                    op, kernel=(k,), stride=(1,), padding=((0, 0),), ceil_mode=False))
            if status in ("raise", "unsupported"):
                seen.append("raise")
            elif status == "ok":
                seen.append("empty" if y.size == 0 else "computes")
            else:
                seen.append(_other(status, y))
        found[op] = seen[0] if seen[0] == seen[1] else \
            "empty at size 0, else raise" if seen == ["empty", "raise"] else \
            f"mixed (kernel 4 -> {seen[0]}, kernel 5 -> {seen[1]})".replace(": ", " ")
    if not found:
        return "n/a (op not implemented)"
    values = set(found.values())
    if len(values) == 1:
        return values.pop()
    return "; ".join(f"{k}: {v}" for k, v in found.items())  # per op: see conventions.per_op()


def _probe_output_padding(target: Target) -> str:
    """output_padding=1 with stride 1, dilation 2 (valid: 1 < max(1, 2)); output_padding=2
    with stride 2, dilation 1 (invalid: 2 >= max(2, 1))."""
    if not target.has("conv_transpose"):
        return "n/a (op not implemented)"
    if (bad := _control(target, "conv_transpose")) is not None:
        return bad
    x, w = _row(1, 2, 3), np.ones((1, 1, 2))
    s_lt, y1 = _call(target, "conv_transpose", x, w, None, stride=(1,), padding=((0, 0),),
                     output_padding=(1,), dilation=(2,), groups=1)
    s_ge, y2 = _call(target, "conv_transpose", x, w, None, stride=(2,), padding=((0, 0),),
                     output_padding=(2,), dilation=(1,), groups=1)
    if s_ge == "ok":
        return "unchecked"
    if s_lt == "ok":
        return "< max(stride, dilation)"
    if s_lt == "raise":
        # the same call without output_padding: a target that refuses it too refuses the
        # dilation (or the call), which says nothing of its bound
        s_0, _ = _call(target, "conv_transpose", x, w, None, stride=(1,), padding=((0, 0),),
                       output_padding=(0,), dilation=(2,), groups=1)
        return "< stride" if s_0 == "ok" else "unknown (the dilated call is refused too)"
    return _other(s_lt, y1)


def _probe_stride_remainder(target: Target) -> str:
    """i=5, k=2, s=2: (5 - 2) / 2 is not exact; the spec floors it (2 outputs).  Each op
    separately (a conv can floor while the pooling of the same target refuses)."""
    found = {op: _remainder_of(target, op) for op in ("conv", "max_pool", "avg_pool")
             if target.has(op)}
    if not found:
        return "n/a (op not implemented)"
    values = set(found.values())
    return values.pop() if len(values) == 1 else "; ".join(f"{k}: {v}" for k, v in found.items())


def _remainder_of(target: Target, op: str) -> str:
    if (bad := _control(target, op)) is not None:
        return bad

    def call(*row: float) -> tuple[str, Any]:
        if op == "conv":
            return _call(target, "conv", _row(*row), np.ones((1, 1, 2)), None, stride=(2,),
                         padding=((0, 0),), dilation=(1,), groups=1)
        return _call(target, op, _row(*row), **_pool_kwargs(op, kernel=(2,), stride=(2,),
                                                           padding=((0, 0),), ceil_mode=False))

    status, y = call(1, 2, 3, 4, 5)
    if status == "raise":  # i=6 divides exactly: a target refusing it too refuses something else
        exact, _ = call(1, 2, 3, 4, 5, 6)
        return "exact-division" if exact == "ok" else f"unknown (the exact control: {exact})"
    return "floor" if status == "ok" else _other(status, y)


def _probe_nan_times_zero(target: Target) -> str:
    """x = [NaN, 1, 2], w = [0, 1]: outputs NaN*0 + 1*1 and 1*0 + 2*1.  IEEE arithmetic gives
    [NaN, 2]; a sum that skips zero weights (sparse kernels, and BLAS kernels that skip a zero
    multiplicand, as NumPy's tensordot can) gives [1, 2]."""
    if not target.has("conv"):
        return "n/a (op not implemented)"
    if (bad := _control(target, "conv")) is not None:
        return bad
    status, y = _call(target, "conv", _row(np.nan, 1, 2), _row(0, 1), None, stride=(1,),
                      padding=((0, 0),), dilation=(1,), groups=1)
    if status != "ok":
        return _other(status, y)
    flat = y.reshape(-1)
    if y.shape != (1, 1, 2) or flat[1] != 2:
        return f"unknown (wrong values {flat.tolist()})"
    if np.isnan(flat[0]):
        return "propagate"
    return "zero-weight-skips-nan" if flat[0] == 1 else f"unknown (x[0]*0 gave {flat[0]})"
