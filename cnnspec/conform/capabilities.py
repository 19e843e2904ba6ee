"""What a target computes: the configurations it refuses with NotImplementedError.

A course-assignment conv takes one stride and one symmetric padding for both axes of a 2-D
input, and raises NotImplementedError for the rest.  Drawn from the whole space, nearly
every case is 'unsupported' for it and most checks reach its code once in 50 examples.
:func:`probe` calls each op of the target on small fixed cases, one feature changed at a
time from a plain base call, and returns what it supports as a JSON-able dict;
``cnnspec.strategies.capabilities(caps)`` then draws only inside that subspace::

    caps = probe(target)               # {"conv": {"ranks": [2], "groups": False, ...}, ...}
    with strategies.capabilities(caps):
        run_check(target, check, ...)  # every drawn case is one the target takes

A feature is unsupported only when the target raises NotImplementedError for it (the
target contract's word for "not supported").  Any other exception, a wrong value or a
wrong shape counts as supported: the checks then draw the feature and report the failure
with its rule.  The probe never compares results.

The flags, per op (:data:`cnnspec.strategies.CAPABILITIES`): ``ranks`` (spatial ranks whose
plain base call is not refused); ``batch`` (N > 1); ``bias_none``; ``groups`` (> 1);
``dilation`` (> 1); ``padding`` (> 0); ``asymmetric_padding`` (before != after);
``output_padding`` (> 0, conv_transpose); ``ceil_mode`` (pools); ``count_include_pad_false``
/ ``count_include_pad_true`` (avg_pool); ``kernel_per_axis``, ``stride_per_axis``,
``padding_per_axis``, ``dilation_per_axis`` (values that differ between axes; True where
there is nothing to share: a target of one rank only, or padding / dilation refused).  The features are probed at
rank 2 where the target takes it (else at its highest supported rank), each on the base
call of that rank.

A backward op (``conv_backward`` ...) is probed like its forward op, on the same calls with
dy appended (small integers of the shape the reference's forward output has), and gets
its own flags: a target may take in backward less than in forward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..targets import ALL_OPS, FORWARD_OF, OpMissing, Target, Unsupported

__all__ = ["probe", "restrictions", "plain_call", "PROBE_SIDE"]

#: The side of every spatial axis of the probes' inputs (a 3-tap kernel dilated by 2 fits).
PROBE_SIDE = 6

Call = tuple[tuple[Any, ...], dict[str, Any]]


def _ints(shape: tuple[int, ...]) -> np.ndarray:
    """Small integers as float64, 10*i + j style, so no probe input is all zeros."""
    return (np.arange(int(np.prod(shape)), dtype=np.float64) % 7 - 3).reshape(shape)


def _per_axis(rank: int, first: Any, rest: Any) -> tuple[Any, ...]:
    """(first, rest, rest, ...): the value of axis 0 differs from the others."""
    return (first, *(rest,) * (rank - 1))


def _conv_call(rank: int, op: str, **change: Any) -> Call:
    """A plain conv or conv_transpose call (2 channels in and out, kernel 3, stride 1, no
    padding, bias), with the keywords in ``change`` replaced (``n``: the batch, ``bias``:
    False for None, ``kernel``: the kernel's spatial shape)."""
    kernel = change.pop("kernel", (3,) * rank)
    groups = change.get("groups", 1)
    n = change.pop("n", 1)
    bias = change.pop("bias", True)
    x = _ints((n, 2, *(PROBE_SIDE,) * rank))  # (N, C_in, *S)
    shape = (2, 2 // groups, *kernel)  # conv: (C_out, C_in/g, *K); transpose: (C_in, C_out/g, *K)
    kw: dict[str, Any] = dict(stride=(1,) * rank, padding=((0, 0),) * rank,
                              dilation=(1,) * rank, groups=1)
    if op == "conv_transpose":
        kw = dict(kw, output_padding=(0,) * rank)
        kw = {k: kw[k] for k in ("stride", "padding", "output_padding", "dilation", "groups")}
    kw.update(change)
    return (x, _ints(shape), _ints((2,)) if bias else None), kw


def _pool_call(rank: int, op: str, **change: Any) -> Call:
    """A plain pooling call (kernel 2, stride 2, no padding, floor mode; avg_pool with
    count_include_pad ``base_cip``), with the keywords in ``change`` replaced."""
    n = change.pop("n", 1)
    cip = change.pop("base_cip", True)
    kw: dict[str, Any] = dict(kernel=(2,) * rank, stride=(2,) * rank, padding=((0, 0),) * rank)
    if op == "max_pool":
        kw.update(dilation=(1,) * rank, ceil_mode=False)
    else:
        kw.update(ceil_mode=False, count_include_pad=cip)
    kw.update(change)
    return (_ints((n, 2, *(PROBE_SIDE,) * rank)),), kw


def plain_call(rank: int, op: str, **change: Any) -> Call:
    """The probes' plain call of ``op`` at ``rank`` ((args, kwargs)), keywords in ``change``
    replaced: what every probe of a target starts from (a backward op: its forward op's
    call with dy appended)."""
    fwd = FORWARD_OF.get(op, op)
    call = (_conv_call if fwd.startswith("conv") else _pool_call)(rank, fwd, **change)
    return _with_dy(call, fwd) if fwd != op else call


def _with_dy(call: Call, fwd: str) -> Call:
    """The call with dy appended: small integers of the reference forward output's shape
    (the call unchanged where the reference refuses it: the target is asked as it is)."""
    from ..errors import InvalidConfig
    from ..targets import reference

    args, kwargs = call
    try:
        shape = getattr(reference, fwd)(*args, **kwargs).shape
    except InvalidConfig:
        return call
    return (*args, _ints(shape)), kwargs


def _features(op: str, rank: int, padded: bool) -> dict[str, dict[str, Any]]:
    """Flag -> the keywords that change the base call to use that feature."""
    pad1, asym = ((1, 1),) * rank, ((0, 1),) * rank
    out: dict[str, dict[str, Any]] = {"batch": {"n": 2}, "padding": {"padding": pad1},
                                      "asymmetric_padding": {"padding": asym}}
    if op in ("conv", "conv_transpose"):
        out.update(bias_none={"bias": False}, groups={"groups": 2},
                   dilation={"dilation": (2,) * rank})
        if op == "conv_transpose":
            out["output_padding"] = {"stride": (2,) * rank, "output_padding": (1,) * rank}
    else:
        out["ceil_mode"] = {"ceil_mode": True}
        if op == "max_pool":
            out["dilation"] = {"dilation": (2,) * rank}
        else:
            for flag in (False, True):  # with padding, where count_include_pad matters
                out[f"count_include_pad_{str(flag).lower()}"] = dict(
                    count_include_pad=flag, **({"padding": pad1} if padded else {}))
    if rank > 1:
        out.update(kernel_per_axis={"kernel": _per_axis(rank, 3, 2) if op.startswith("conv")
                                    else _per_axis(rank, 2, 3)},
                   stride_per_axis={"stride": _per_axis(rank, 1, 2)},
                   padding_per_axis={"padding": _per_axis(rank, (1, 1), (0, 0))},
                   dilation_per_axis={"dilation": _per_axis(rank, 1, 2)})
        if op == "avg_pool":
            del out["dilation_per_axis"]
    return out


def _refuses(fn: Callable[..., Any], call: Call) -> bool:
    """Whether fn raises NotImplementedError on the call (anything else: it takes it)."""
    args, kwargs = call
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - a failure, not a restriction: the checks report it
        return False
    return False


def _probe_op(fn: Callable[..., Any], name: str) -> dict[str, Any]:
    op = FORWARD_OF.get(name, name)  # the forward op whose calls the probes make

    def build(rank: int, **change: Any) -> Call:
        if op.startswith("conv"):
            call = _conv_call(rank, op, **change)
        else:
            call = _pool_call(rank, op, base_cip=cip, **change)
        return _with_dy(call, op) if name != op else call

    cip = True
    if op == "avg_pool" and all(_refuses(fn, build(r)) for r in (1, 2, 3)):
        cip = False  # a target that only averages over the input cells

    ranks = [r for r in (1, 2, 3) if not _refuses(fn, build(r))]
    caps: dict[str, Any] = {"ranks": ranks}
    if not ranks:
        return caps
    rank = 2 if 2 in ranks else max(ranks)
    padded = not _refuses(fn, build(rank, padding=((1, 1),) * rank))
    for flag, change in _features(op, rank, padded).items():
        caps[flag] = not _refuses(fn, build(rank, **change))
    for flag in ("kernel", "stride", "padding", "dilation"):
        if op == "avg_pool" and flag == "dilation":
            continue
        if rank == 1 or caps.get(flag) is False:
            caps[f"{flag}_per_axis"] = True  # one axis, or the feature refused: nothing to share
    return caps


def probe(target: Target) -> dict[str, Any]:
    """{op: {flag: value}} for each op the target defines (see the module docstring);
    ops it lacks, and every op of a target that cannot run here, are left out."""
    out: dict[str, Any] = {}
    for op in ALL_OPS:
        try:
            fn = target.op(op)
        except (OpMissing, Unsupported):
            continue
        out[op] = _probe_op(fn, op)
    return out


def restrictions(caps: dict[str, Any]) -> list[str]:
    """One line per op that refuses something: ``conv: ranks [2] only; no groups, ...``,
    for a report (the target's restrictions, reported once)."""
    lines = []
    for op, flags in caps.items():
        if not isinstance(flags, dict):
            continue
        parts = []
        if flags.get("ranks") is not None and flags["ranks"] != [1, 2, 3]:
            parts.append(f"ranks {flags['ranks']} only" if flags["ranks"] else "no rank")
        missing = [name for name, value in flags.items() if name != "ranks" and value is False]
        if missing:
            parts.append("NotImplementedError for " + ", ".join(missing))
        if parts:
            lines.append(f"{op}: " + "; ".join(parts))
    return lines
