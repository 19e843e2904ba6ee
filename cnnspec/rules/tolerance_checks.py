"""Checks of the tolerance.* rules: spec-internal (ops=()), on the reference computing in
float32 (ref.*(dtype=float32)) against the float64 reference."""

from __future__ import annotations

import numpy as np

from .. import ref, tolerance
from ..asserts import assert_exact, assert_within
from . import check, strategies


def _f32(a):
    return None if a is None else a.astype(np.float32)


@check("tolerance.exact-integers", ops=(), cases=lambda: strategies().conv_configs())
def check_float32_conv_of_small_integers_is_exact(target, cfg):
    abs_sum = tolerance.conv_abs_sum(cfg.x, cfg.w, cfg.b, **cfg.kwargs)
    assert tolerance.exact_in("float32", abs_sum), "strategies keep integer sums far below 2**24"
    y32 = ref.conv(_f32(cfg.x), _f32(cfg.w), _f32(cfg.b), dtype=np.float32, **cfg.kwargs)
    assert_exact(y32, ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs), rule="tolerance.exact-integers",
                 call=cfg.call())


@check("tolerance.k-aware", ops=(), cases=lambda: strategies().conv_configs(integer_valued=False))
def check_float32_conv_is_within_the_k_aware_bound(target, cfg):
    y32 = ref.conv(_f32(cfg.x), _f32(cfg.w), _f32(cfg.b), dtype=np.float32, **cfg.kwargs)
    bound = tolerance.conv_bound(cfg.x, cfg.w, cfg.b, u="float32", **cfg.kwargs)
    assert_within(y32, ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs), bound, rule="tolerance.k-aware",
                  call=cfg.call())


@check("tolerance.max-exact", ops=(), cases=lambda: strategies().pool_configs(integer_valued=False))
def check_float32_max_pool_is_the_rounded_maximum(target, cfg):
    y32 = ref.max_pool(_f32(cfg.x), dtype=np.float32, **cfg.kwargs)
    assert_exact(y32, ref.max_pool(cfg.x, **cfg.kwargs).astype(np.float32), rule="tolerance.max-exact",
                 call=cfg.call())
