"""Checks of the padding rules (declared in rules/pad.py).

'same', 'valid' and 'full' are checked on the target: the (before, after) pairs that
cnnspec.formulas gives for them must produce the promised output size and the values of the
reference called with the padding's name.  The padding modes are the reference's own
(the target contract pads with zeros only), so their checks are spec-internal (ops=()):
ref.pad against a naive index map, and ref.pad refusing the sizes the modes cannot pad.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import formulas
from ..asserts import assert_exact, assert_shape
from . import check, strategies
from ._harness import Call, accepted, args_of, compare_reference, fail, invoke

MODES = ("zeros", "reflect", "replicate", "circular")


def _cases(op: str, **kwargs):
    """Valid configs of op (pooling in floor mode: a named padding is about the padding)."""
    s = strategies()
    if op == "conv":
        return s.conv_configs(**kwargs)
    cfgs = s.pool_configs(kind=op.removesuffix("_pool"), **kwargs)
    return cfgs.map(lambda c: dataclasses.replace(c, ceil_mode=False))


def _named_padding(cfg, name: str) -> tuple[tuple[int, int], ...]:
    """The (before, after) pairs cnnspec.formulas gives for a named padding of this config."""
    spatial = cfg.x.shape[2:]
    if name == "valid":
        return tuple(formulas.valid_padding() for _ in spatial)
    if name == "full":
        return tuple(formulas.full_padding(k, dilation=d) for k, d in zip(cfg.kernel, cfg.dilation))
    mode = "lower" if name == "same_lower" else "upper"
    return tuple(formulas.same_padding(i, k, stride=s, dilation=d, mode=mode)
                 for i, k, s, d in zip(spatial, cfg.kernel, cfg.stride, cfg.dilation))


def _expected_spatial(cfg, name: str, stride) -> tuple[int, ...]:
    """What the rule promises: ceil(i/s) for 'same', i + d(k-1) for 'full' (stride 1),
    floor((i - d(k-1) - 1)/s) + 1 for 'valid'."""
    spatial = cfg.x.shape[2:]
    if name in ("same", "same_lower"):
        return tuple(formulas.ceil_div(i, s) for i, s in zip(spatial, stride))
    if name == "full":
        return tuple(i + d * (k - 1) for i, k, d in zip(spatial, cfg.kernel, cfg.dilation))
    return tuple((i - d * (k - 1) - 1) // s + 1
                 for i, k, s, d in zip(spatial, cfg.kernel, stride, cfg.dilation))


def _declare_named(rule_id: str, check_name: str, op: str, name: str, **strategy_kwargs) -> None:
    """The check ``check_name``: target.op with the pairs of a named padding: the promised
    size, and the values of the reference called with the name itself ('same',
    'same_lower', 'valid', 'full')."""

    def fn(target, cfg):
        from hypothesis import assume

        from .. import ref

        args = args_of(cfg)
        kwargs = {**cfg.kwargs, "padding": _named_padding(cfg, name)}
        if name == "full":
            kwargs["stride"] = (1,) * cfg.rank
        # 'valid': the kernel must fit the input itself; pooling: every window has input
        assume(accepted(op, args, kwargs) is not None)
        call = f"{Call(op, args, kwargs).call()}  (padding={name!r})"
        spatial = _expected_spatial(cfg, name, kwargs["stride"])
        named = {k: v for k, v in kwargs.items() if k != "padding"}
        expected = getattr(ref, op)(*args, padding=name, **named)
        assert_shape(expected.shape[2:], spatial, rule=rule_id, name="ref.y.shape[2:]",
                     call=f"ref.{op}(padding={name!r})")
        y = invoke(target, op, *args, rule=rule_id, call=call, **kwargs)
        assert_shape(y.shape[2:], spatial, rule=rule_id, call=call, name="y.shape[2:]")
        compare_reference(target, op, y, expected, args, kwargs, rule=rule_id, call=call)

    check(rule_id, ops=op, cases=lambda: _cases(op, **strategy_kwargs), name=check_name)(fn)


_declare_named("pad.same", "conv_same", "conv", "same")
_declare_named("pad.same", "conv_same_lower", "conv", "same_lower")
_declare_named("pad.valid", "conv_valid", "conv", "valid")
_declare_named("pad.same", "max_pool_same", "max_pool", "same")
_declare_named("pad.same", "max_pool_same_lower", "max_pool", "same_lower")
_declare_named("pad.valid", "max_pool_valid", "max_pool", "valid")
_declare_named("pad.same", "avg_pool_same", "avg_pool", "same")
_declare_named("pad.same", "avg_pool_same_lower", "avg_pool", "same_lower")
_declare_named("pad.valid", "avg_pool_valid", "avg_pool", "valid")
_declare_named("pad.full", "conv_full", "conv", "full", max_rank=2, max_kernel=3, max_dilation=2)


# ---------------------------------------------------------------- the modes (ref.pad)


def source_index(j: int, n: int, mode: str) -> int | None:
    """The input cell that padded cell j copies (j counted from the first input cell), or
    None for a zero.  [pad.modes]"""
    if 0 <= j < n:
        return j
    if mode == "zeros":
        return None
    if mode == "replicate":
        return min(max(j, 0), n - 1)
    if mode == "circular":
        return j % n
    period = 2 * (n - 1)  # reflect: mirror at both edges without repeating them
    r = j % period if period else 0
    return r if r < n else period - r


def naive_pad(x: np.ndarray, padding, mode: str) -> np.ndarray:
    """x padded by the index map of each axis, cell by cell (no np.pad)."""
    maps = [[source_index(j - pb, n, mode) for j in range(pb + n + pa)]
            for n, (pb, pa) in zip(x.shape[2:], padding)]
    out = np.zeros((*x.shape[:2], *(len(m) for m in maps)))  # (N, C, *padded)
    for pos in np.ndindex(*out.shape[2:]):
        src = tuple(m[p] for m, p in zip(maps, pos))
        if None not in src:
            out[(slice(None), slice(None), *pos)] = x[(slice(None), slice(None), *src)]
    return out


def _pad_cases(mode_choices=MODES, *, edge: str | None = None):
    """pad calls: a mode, x (N, C, *S) and (before, after) pairs the mode can pad; with
    ``edge`` ('reflect' or 'circular') one side of one axis moves across that mode's size
    limit instead (STEPS: the last valid pad, the first invalid one, one inside, two out)."""
    from hypothesis import strategies as st

    s_ = strategies()

    @st.composite
    def strategy(draw):
        mode = edge or draw(st.sampled_from(mode_choices), label="mode")
        rank = draw(st.integers(1, 3), label="rank")
        sides = [draw(st.integers(1, 4 if rank < 3 else 3)) for _ in range(rank)]
        moved = draw(st.integers(0, rank - 1), label="axis")
        padding = []
        for a, n in enumerate(sides):
            top = {"reflect": n - 1, "circular": n}.get(mode, 3)
            pair = [draw(st.integers(0, top)), draw(st.integers(0, top))]
            if edge and a == moved:
                pair[draw(st.integers(0, 1), label="side")] = max(0, top + draw(s_.STEPS))
            padding.append(tuple(pair))
        x = s_.make_array(np.random.default_rng(draw(s_.SEEDS)),
                          (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *sides), True)
        return Call("pad", (x,), {"padding": tuple(padding), "mode": mode})

    return strategy()


def _limit(mode: str, n: int) -> int:
    return n - 1 if mode == "reflect" else n


@check("pad.modes", ops=(), cases=_pad_cases)
def check_ref_pad_is_the_index_map(target, case):
    from .. import ref

    x, (padding, mode) = case.args[0], (case.kwargs["padding"], case.kwargs["mode"])
    y = ref.pad(x, padding, mode=mode)
    assert_exact(y, naive_pad(x, padding, mode), rule="pad.modes", call=f"ref.{case.call()}",
                 name="ref.pad(x)")


@check("pad.modes", ops=(), cases=lambda: strategies().conv_configs(max_rank=2, max_pad=2))
def check_conv_with_a_mode_is_conv_of_the_padded_input(target, cfg):
    """ref.conv(padding_mode=m) = ref.conv of ref.pad(x, mode=m), without padding."""
    from hypothesis import assume

    from .. import ref

    mode = MODES[cfg.seed % 4]
    pad_ok = all(max(p) <= _limit(mode, n) for n, p in zip(cfg.x.shape[2:], cfg.padding))
    assume(mode in ("zeros", "replicate") or pad_ok)
    kw = {**cfg.kwargs, "padding": 0}
    y = ref.conv(cfg.x, cfg.w, cfg.b, padding_mode=mode, **cfg.kwargs)
    expected = ref.conv(ref.pad(cfg.x, cfg.padding, mode=mode), cfg.w, cfg.b, **kw)
    assert_exact(y, expected, rule="pad.modes", name=f"ref.conv(padding_mode={mode!r})",
                 call=cfg.call())


def _declare_size_limit(rule_id: str, names: tuple[str, str], mode: str, relation: str) -> None:
    """``names``: the two checks' names, (refuses, pads)."""

    def within(case) -> bool:
        return all(max(p) <= _limit(mode, n)
                   for n, p in zip(case.args[0].shape[2:], case.kwargs["padding"]))

    def refuses(target, case):
        from hypothesis import assume

        from .. import ref
        from ..errors import InvalidConfig

        assume(not within(case))
        x, padding = case.args[0], case.kwargs["padding"]
        try:
            y = ref.pad(x, padding, mode=mode)
        except InvalidConfig as e:
            if e.rule != rule_id:
                fail(f"ref.pad raised [{e.rule}], but should cite this rule: {e}", rule_id,
                     f"ref.{case.call()}")
            return
        fail(f"ref.pad returned y.shape={y.shape}, but should raise: {mode} padding needs "
             f"{relation}", rule_id, f"ref.{case.call()}")

    def pads(target, case):
        from hypothesis import assume

        from .. import ref

        assume(within(case))
        x, padding = case.args[0], case.kwargs["padding"]
        assert_exact(ref.pad(x, padding, mode=mode), naive_pad(x, padding, mode), rule=rule_id,
                     call=f"ref.{case.call()}", name="ref.pad(x)")

    def cases():
        return _pad_cases(edge=mode)

    check(rule_id, ops=(), kind="negative", cases=cases, name=names[0])(refuses)
    check(rule_id, ops=(), cases=cases, name=names[1])(pads)


_declare_size_limit("pad.reflect-size",
                    ("ref_pad_refuses_reflect", "ref_pad_accepts_the_last_valid_reflect"),
                    "reflect", "pad < input size on every axis")
_declare_size_limit("pad.circular-size",
                    ("ref_pad_refuses_circular", "ref_pad_accepts_the_last_valid_circular"),
                    "circular", "pad <= input size on every axis")


# ---------------------------------------------------------------- 'causal'


@check("pad.causal", ops="conv", cases=lambda: _cases("conv", max_rank=1, max_kernel=4, max_dilation=3))
def check_conv_causal(target, cfg):
    """1-D conv at stride 1 with formulas.causal_padding: o = i, the reference's values, and
    changing the last input cell changes only the last output."""
    from hypothesis import assume

    args = args_of(cfg)
    kwargs = {**cfg.kwargs, "stride": (1,),
              "padding": (formulas.causal_padding(cfg.kernel[0], dilation=cfg.dilation[0]),)}
    expected = accepted("conv", args, kwargs)
    assume(expected is not None)
    call = f"{Call('conv', args, kwargs).call()}  (padding='causal')"
    y = invoke(target, "conv", *args, rule="pad.causal", call=call, **kwargs)
    assert_shape(y.shape[2:], cfg.x.shape[2:], rule="pad.causal", call=call, name="y.shape[2:]")
    compare_reference(target, "conv", y, expected, args, kwargs, rule="pad.causal", call=call)
    later = args[0].copy()
    later[..., -1] += 1.0  # the future of every output but the last
    y2 = invoke(target, "conv", later, *args[1:], rule="pad.causal", call=call, **kwargs)
    if not np.array_equal(y[..., :-1], y2[..., :-1]):
        fail("changing x[..., -1] changed y[..., :-1], but should change the last output only",
             "pad.causal", call)
