"""Which precision a target is judged in: declared, else returned; and what it seems to use.

The harness judges a result in the target's declared ``PRECISION``, else in the dtype it
returned [tolerance.k-aware].  A target may compute in less than it returns (TF32 on a GPU
returning float32): it must say so, ``PRECISION = "tf32"``, and is then judged in that
precision.  :func:`detect` runs one fixed real-valued conv (K = 72) and measures its worst
error against the harness's bound for the returned dtype; when that bound is exceeded but a
coarser precision's bound holds, the report names that precision as an undeclared
downgrade.  The target is still judged as returned: a silent TF32 or bfloat16 rounding is a
failure of the checks (conv.def's integers beyond reduced precision catch it exactly).

A float64 result is never taken for a downgrade: float32 accumulation behind a float64
result is the classic bug the real-valued checks must catch
(conformance/mutants/conv_float32_accumulation).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..targets import Target

__all__ = ["detect", "ratio", "ORDER"]

#: From fine to coarse; tf32 before float16 (same u, but float32 accumulation).
ORDER = ("float64", "float32", "tf32", "float16", "bfloat16")


def ratio(y: np.ndarray, expected: np.ndarray, abs_sum: np.ndarray, terms: int, name: str,
          returned: str) -> float:
    """max |y - expected| / bound, with the bound of _harness.expect_close for precision
    ``name`` (accumulation in float32 for tf32) and a result rounded to ``returned``."""
    from ..tolerance import precision_bound

    bound = precision_bound(name, returned, abs_sum, terms)
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(y.astype(np.float64) - expected) / bound))


def detect(target: Target) -> tuple[str, str | None]:
    """(a label for the report, the precision the target seems to compute in when that is
    an undeclared downgrade, else None).  Reported only: the target is judged in its
    declared PRECISION, else the dtype it returns."""
    from .. import ref

    if target.precision:
        return f"{target.precision} (declared by PRECISION)", None
    if not target.has("conv") or target.unavailable:
        return "the dtype returned (no conv to probe)", None
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 8, 6, 6)), rng.standard_normal((4, 8, 3, 3))
    kw: dict[str, Any] = dict(stride=(1, 1), padding=((1, 1), (1, 1)), dilation=(1, 1), groups=1)
    try:
        y = target.op("conv")(x.copy(), w.copy(), None, **kw)
    except Exception as e:  # noqa: BLE001 - the checks report it; here only the precision
        return f"the dtype returned (probe raised {type(e).__name__})", None
    if not isinstance(y, np.ndarray) or y.dtype.kind != "f" or y.shape != (1, 4, 6, 6):
        return "the dtype returned (probe result unusable)", None
    returned = str(y.dtype)
    if returned not in ORDER:
        return f"{returned} (the dtype returned)", None
    expected = ref.conv(x, w, None, **kw)
    abs_sum = ref.conv(np.abs(x), np.abs(w), None, **kw)
    first = ratio(y, expected, abs_sum, 72, returned, returned)
    if first <= 1:
        return f"{returned} (the dtype returned; probe error {first:.3g} of its bound)", None
    if returned == "float64":
        return (f"float64 (the dtype returned; the probe's error is {first:.3g}x the float64 "
                f"bound: a float64 result must be float64-accurate, see the failures)"), None
    for name in ORDER[ORDER.index(returned) + 1:]:
        r = ratio(y, expected, abs_sum, 72, name, returned)
        if r <= 1:
            return (f"{returned}, judged as returned; the target seems to compute in {name}, "
                    f"undeclared (a real-valued conv's error is {first:.3g}x the {returned} "
                    f"bound and {r:.3g} of the {name} bound: declare PRECISION = {name!r} if "
                    f"that is meant)"), name
    return (f"{returned} (the dtype returned; the probe's error is {first:.3g}x its bound, "
            f"beyond every precision's: see the failures)"), None
