"""Conventions: where frameworks legitimately differ, which one a target follows.

Each :class:`Convention` names the spec's choice (``default``) and the known alternatives,
and has a ``probe``: a few fixed, hand-checkable calls whose outputs tell the conventions
apart (1-D; in 2-D for a target that takes 2-D only: cnnspec.conform.convention_probes).  A
probe that fails or crashes makes its own convention unknown, never the others.  The run
reports every key's value.

A failing check is a ``convention`` result only when its own minimal counterexample is a
case the convention affects (``affects``, on a strategies config or a wrapped call) and the
target follows a non-default value of it for that op, or when the check itself recognised the
convention's behaviour on data it built (a ConventionDifference: nan_times_zero).  The check
is then run again with the affected cases excluded (or the recognised difference accepted):

- if every remaining case passes, the result is ``convention``, naming only the
  conventions that explain the counterexample.  That still fails the run (the spec takes a
  side, and most such differences are shipped bugs: see conformance/mutants/), unless the
  user allows it, ``--allow-convention ceil_mode`` (or ``all``), or the convention is
  ``allowed`` (both values are correct arithmetic: nan_times_zero);
- if a remaining case fails, that counterexample is reported as an ordinary ``fail``.

So a convention never hides a bug outside the cases it explains, and a counterexample no
convention explains is always a failure.  A probe names a convention only when the target
gets a plain call of the same op right (``convention_probes._CONTROLS``) and, for a
refusal, computes the nearby call the convention does not touch (ceil_mode: the same call
in floor mode; stride_remainder: an input the stride divides); a value that is not a named
alternative (e.g. 'computes' for a kernel larger than the input) is reported but explains
nothing.
Values can differ per op ('conv: floor; max_pool: exact-division'): each op is judged by
its own.

Keys: ceil_mode, avg_divisor, max_pool_nan, kernel_larger_than_input, output_padding_bound,
stride_remainder (TOSA's exact division), nan_times_zero (allowed: both values are correct
arithmetic; its results are reported as conventions and do not fail the run), same_padding
(not observable through the target contract, which passes explicit padding), and precision
(the precision the target computes in: declared by PRECISION, else the returned dtype, else
detected from a real-valued conv).
"""

from __future__ import annotations

import fnmatch
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..targets import Target
from .convention_probes import (
    _divisor_label,
    _probe_avg_divisor,
    _probe_ceil_mode,
    _probe_kernel_larger,
    _probe_max_pool_nan,
    _probe_nan_times_zero,
    _probe_output_padding,
    _probe_stride_remainder,
)

__all__ = ["Convention", "CONVENTIONS", "probe_all", "deviations", "affected", "explains"]


@dataclass(frozen=True)
class Convention:
    """A point where frameworks differ: the spec's value and who follows the others."""

    key: str
    title: str
    default: str
    alternatives: dict[str, str]
    rules: tuple[str, ...] = ("*",)
    probe: Callable[[Target], str] | None = None
    affects: Callable[[Any], bool] | None = None
    #: both values are correct behaviour: a result it explains does not fail the run
    allowed: bool = False

    def deviates(self, value: str) -> bool:
        """Whether a probed value (or, for a per-op value 'conv: floor; max_pool:
        exact-division', any op's value) is a named alternative to the spec's."""
        return any(v in self.alternatives and v != self.default
                   for v in per_op(value).values())


def per_op(value: str) -> dict[str, str]:
    """{op: value} of a per-op value ('conv: raise; max_pool: computes'); {'*': value} for
    one value that holds for every op."""
    parts = [p.partition(": ") for p in value.split("; ")]
    if all(sep and op in ("conv", "conv_transpose", "max_pool", "avg_pool")
           for op, sep, _ in parts):
        return {op: v for op, _, v in parts}
    return {"*": value}


def value_for(value: str, op: str | None) -> str:
    """The value of a (possibly per-op) convention value for ``op``."""
    found = per_op(value)
    return found.get("*", found.get(op or "", ""))


# ---------------------------------------------------------------- which cases a convention affects


def _view(case: Any) -> Any:
    """The call a case makes, as attributes (x, kernel, stride, padding, dilation, ceil_mode,
    kind, output_padding): a strategies config as it is, or a wrapped call (an object with
    op, args and kwargs, as the config.* checks draw)."""
    if not all(hasattr(case, a) for a in ("op", "args", "kwargs")):
        return case
    kw, x = dict(case.kwargs), case.args[0]
    rank = np.ndim(x) - 2
    kernel = kw.get("kernel", np.shape(case.args[1])[2:] if len(case.args) > 1 else ())
    op = case.op.removesuffix("_backward")  # a backward call: its forward op's call
    kind = op.split("_")[0] if op.endswith("_pool") else None
    return types.SimpleNamespace(x=x, kernel=kernel, stride=kw["stride"],
                                 padding=kw["padding"],
                                 dilation=kw.get("dilation", (1,) * rank),
                                 ceil_mode=kw.get("ceil_mode", False), kind=kind,
                                 output_padding=kw.get("output_padding"))


def _axes(case: Any) -> list[tuple[int, int, int, int, int, int]]:
    """(i, k, s, pb, pa, d) per spatial axis of a conv or pooling call."""
    spatial = np.shape(case.x)[2:]
    dilation = getattr(case, "dilation", None) or (1,) * len(spatial)
    return [(int(i), int(k), int(s), int(pb), int(pa), int(d)) for i, k, s, (pb, pa), d in
            zip(spatial, case.kernel, case.stride, case.padding, dilation)]


def _ceil_affects(case: Any) -> bool:
    return bool(getattr(case, "ceil_mode", False)) and any(
        -((-(i + pb + pa - d * (k - 1) - 1)) // s) + 1 > (i + pb - 1) // s + 1
        for i, k, s, pb, pa, d in _axes(case))


def _divisor_affects(case: Any) -> bool:
    return getattr(case, "kind", None) == "avg" and (
        bool(case.ceil_mode) or any(any(p) for p in case.padding))


def _nan_affects(case: Any) -> bool:
    return bool(np.isnan(np.asarray(case.x, dtype=np.float64)).any())


def _kernel_affects(case: Any) -> bool:
    return any(d * (k - 1) + 1 > i + pb + pa for i, k, s, pb, pa, d in _axes(case))


def _output_padding_affects(case: Any) -> bool:
    op = getattr(case, "output_padding", None)
    return op is not None and any(o >= s for o, s in zip(op, case.stride))


def _remainder_affects(case: Any) -> bool:
    if getattr(case, "output_padding", None) is not None:
        return False
    return any((i + pb + pa - d * (k - 1) - 1) % s for i, k, s, pb, pa, d in _axes(case))


CONVENTIONS: dict[str, Convention] = {c.key: c for c in (
    Convention("ceil_mode", "ceil_mode: a last window that starts in the right padding",
               "drop-window-starting-in-padding",
               {"drop-window-starting-in-padding": "PyTorch, ONNX, the spec [pool.ceil-mode]",
                "keep-window-starting-in-padding": "ceil((i + p_b + p_a - k) / s) + 1 windows, "
                                                   "all kept (older Caffe)",
                "raise": "ceil_mode refused for this configuration"},
               ("*",), _probe_ceil_mode, _ceil_affects),
    Convention("avg_divisor", "The average-pooling divisor at borders and in the overhang",
               _divisor_label(True, False, False),
               {_divisor_label(True, False, False): "PyTorch, ONNX, the spec [pool.avg-divisor]",
                _divisor_label(False, False, False): "padding never counted (TensorFlow)",
                _divisor_label(True, True, False): "padding always counted",
                _divisor_label(True, False, True): "divisor = kernel size with "
                                                    "count_include_pad, overhang included",
                _divisor_label(True, True, True): "divisor = kernel size, always"},
               ("*",), _probe_avg_divisor, _divisor_affects),
    Convention("max_pool_nan", "NaN in a max-pooling window", "propagate",
               {"propagate": "PyTorch, NumPy maximum, the spec [pool.max-nan]",
                "ignore": "NaN skipped (numpy.fmax, IEEE maxNum; onnx.reference; TensorFlow, "
                          "whose window of NaN only gives the lowest float instead)",
                "order-dependent": "comparison-based max: the result depends on where the NaN is"},
               ("*",), _probe_max_pool_nan, _nan_affects),
    Convention("kernel_larger_than_input", "A kernel larger than the padded input", "raise",
               {"raise": "the spec [conv.kernel-fits] [pool.kernel-fits], PyTorch in floor "
                         "mode (in ceil mode it computes a window hanging past the input by up "
                         "to stride - 1 cells), ONNX Runtime",
                "empty": "an empty output (size 0 on that axis): JAX (lax)",
                "empty at size 0, else raise": "an empty output when the kernel is one cell "
                                               "larger, a refusal beyond: TensorFlow"},
               ("*",), _probe_kernel_larger,
               _kernel_affects),
    Convention("output_padding_bound", "The bound on output_padding", "< max(stride, dilation)",
               {"< max(stride, dilation)": "PyTorch, the spec [conv-transpose.output-padding]",
                "< stride": "ONNX Runtime, onnx.reference",
                "unchecked": "any output_padding accepted: Keras, MLX, tinygrad; JAX (lax has no "
                             "output_padding: an adapter adds it to the padding)"},
               ("*",), _probe_output_padding, _output_padding_affects),
    Convention("stride_remainder", "A stride that does not divide the padded extent", "floor",
               {"floor": "the trailing cells are dropped (PyTorch, ONNX, the spec [conv.out-size])",
                "exact-division": "refused unless the stride divides exactly (TOSA)"},
               ("*",), _probe_stride_remainder, _remainder_affects),
    Convention("nan_times_zero", "A NaN input under a zero weight (conv)", "propagate",
               {"propagate": "IEEE arithmetic: NaN * 0 is NaN (PyTorch, the spec [conv.def])",
                "zero-weight-skips-nan": "products with a zero weight are skipped (NumPy's "
                                         "BLAS-backed tensordot / dot, sparse kernels): "
                                         "NaN * 0 contributes 0"},
               ("conv.def",), _probe_nan_times_zero, None, allowed=True),
    Convention("same_padding", "'same' padding with an odd total", "extra-cell-after",
               {"extra-cell-after": "TensorFlow SAME, ONNX SAME_UPPER, the spec [pad.same]",
                "extra-cell-before": "ONNX SAME_LOWER"}),
)}
_NOT_PROBED = "not observable (the target contract passes explicit (before, after) padding)"


def probe_all(target: Target, *, detect_precision: Callable[[Target], tuple[str, str | None]]
              ) -> dict[str, dict[str, Any]]:
    """Every convention's value for ``target``, and the precision it computes in (an
    undeclared downgrade is reported, never applied: see precision.detect)."""
    out: dict[str, dict[str, Any]] = {}
    for c in CONVENTIONS.values():
        try:
            value = c.probe(target) if c.probe is not None else _NOT_PROBED
        except Exception as e:  # noqa: BLE001 - this convention only is unknown
            value = f"unknown (the probe raised {type(e).__name__}: {e})"
        out[c.key] = {"value": value, "spec": c.default, "follows_spec": value == c.default,
                      "deviates": c.deviates(value), "title": c.title,
                      "who": c.alternatives.get(value, "")}
    label, downgrade = detect_precision(target)
    out["precision"] = {"value": label, "spec": "the declared PRECISION, else the dtype returned",
                        "follows_spec": downgrade is None, "deviates": False,
                        "title": "The precision the target is judged in", "who": ""}
    return out


def deviations(conventions: dict[str, dict[str, Any]]) -> dict[str, str]:
    """{key: value} of the conventions the target follows that are not the spec's."""
    return {k: v["value"] for k, v in conventions.items() if v.get("deviates")}


def _op_of(case: Any) -> str | None:
    from .diagnose import basic_call

    call = basic_call(case)
    return None if call is None else call[0].removesuffix("_backward")  # as its forward op


def alternative(key: str) -> str:
    """The one non-default value of a convention that has exactly one (nan_times_zero)."""
    c = CONVENTIONS[key]
    others = [v for v in c.alternatives if v != c.default]
    return others[0] if len(others) == 1 else "non-default"


def explains(key: str, rule: str) -> bool:
    return any(fnmatch.fnmatchcase(rule, g) for g in CONVENTIONS[key].rules)


def affected(keys: list[str], case: Any, values: dict[str, str] | None = None) -> list[str]:
    """The keys whose convention affects this case (a case type without the fields: none).
    ``values``: the target's {key: value}; a per-op value counts only for the op the case
    calls, where it differs from the spec."""
    out = []
    for k in keys:
        c = CONVENTIONS[k]
        if values is not None and k in values and not c.deviates(value_for(values[k],
                                                                          _op_of(case))):
            continue
        fn = c.affects
        try:
            if fn is not None and fn(_view(case)):
                out.append(k)
        except (AttributeError, TypeError, ValueError, KeyError, IndexError):
            pass  # a malformed call (a negative check's): no convention explains it
    return out
