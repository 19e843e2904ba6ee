"""What the conv checks (rules/conv_checks.py, rules/conv_property_checks.py) share: the
target's conv called through the harness with unit defaults, extra data seeded by the case,
and the comparison of one target result with others of the same target.  Declares no check.
"""

from __future__ import annotations

import numpy as np

from .. import tolerance
from ..asserts import format_call
from . import strategies
from ._harness import expect_close, invoke


def _rng(cfg, salt: int) -> np.random.Generator:
    """Extra data for one check: seeded by the case's seed and the check's salt."""
    return np.random.default_rng([cfg.seed, salt])


def _ints(rng: np.random.Generator, shape) -> np.ndarray:
    """Small integers as float64, like the cases' data."""
    return strategies().make_array(rng, tuple(shape), True)


def _kw(rank: int, **given):
    """Contract keywords with unit defaults (stride 1, no padding, dilation 1, groups 1)."""
    return {"stride": (1,) * rank, "padding": ((0, 0),) * rank, "dilation": (1,) * rank,
            "groups": 1, **given}


def _conv(target, rule: str, x, w, b=None, **kw) -> np.ndarray:
    """target.conv through the harness (invoke), with unit defaults for missing keywords.
    b=None becomes a bias of zeros (the same sum) where the capabilities drawn under say the
    target lacks ``bias_none`` (:func:`cnnspec.strategies.set_capabilities`)."""
    kw = _kw(x.ndim - 2, **kw)
    if b is None and ((strategies().current_capabilities() or {}).get("conv") or {}).get(
            "bias_none", True) is False:
        b = np.zeros(w.shape[0])
    return invoke(target, "conv", x, w, b, rule=rule, call=format_call("conv", x, w, b, **kw), **kw)


def _abs(x, w, b=None, **kw) -> np.ndarray:
    """sum |x||w| + |b| per output (the reference on absolute values)."""
    return tolerance.conv_abs_sum(x, w, b, **_kw(x.ndim - 2, **kw))


def _same(target, y, expected, *, abs_sum, terms, rule, call) -> None:
    """y (a target result) equals expected (made of other results of the same target):
    exactly on integer data the precision holds; else within the bound of abs_sum, the sum
    of |terms| of both sides."""
    expect_close(target, y, np.asarray(expected, dtype=np.float64), rule=rule, call=call,
                 abs_sum=abs_sum, terms=terms)


def _spatial(a: np.ndarray) -> tuple[int, ...]:
    return tuple(range(2, a.ndim))
