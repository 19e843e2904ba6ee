"""Checks of the configuration rules (declared in rules/config.py): boundary pairs.

Each rule has, for every op it applies to, a negative check (a valid configuration with one
argument moved across the rule's boundary must be refused) and a positive one (the valid
neighbour on the other side of that boundary computes the reference's values), test262
style.  A draw starts from a valid config of the op and changes one thing; the negative
check keeps only the calls the reference refuses for exactly that rule, the positive one
only those it accepts.  Every op has a negative check for every rule it falls under, except
config.kernel for conv and conv_transpose, whose kernel is w.shape[2:]: a size 0 there is
an empty array, checked as config.nonempty.  Three rules of other families whose invalid
draws are one such change away get their refusal checks here too: conv.groups,
conv-transpose.groups (groups below 1) and conv-transpose.output-padding (a negative one).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..asserts import assert_shape
from . import check, strategies
from ._harness import Call, accepted, args_of, expect_raises, invoke, refused_for

OPS = ("conv", "conv_transpose", "max_pool", "avg_pool")


def _base(op: str, **kwargs: Any):
    s = strategies()
    if op == "conv":
        return s.conv_configs(**kwargs)
    if op == "conv_transpose":
        return s.conv_transpose_configs(**kwargs)
    return s.pool_configs(kind=op.removesuffix("_pool"), **kwargs)


def _set(t: tuple, a: int, v: Any) -> tuple:
    return (*t[:a], v, *t[a + 1:])


def _spatial_slice(arr: np.ndarray, a: int, n: int) -> np.ndarray:
    """arr with spatial axis a cut to its first n cells (a copy)."""
    index = [slice(None)] * arr.ndim
    index[2 + a] = slice(0, n)
    return arr[tuple(index)].copy()


# ---------------------------------------------------------------- one change per draw
# Each mover takes (draw, op, args, kwargs, axis, valid) and returns (args, kwargs, change):
# valid=False moves across the rule's boundary, valid=True to its last valid value.


def _at_least_one(name: str, bad: tuple[int, ...]):
    def move(draw, op, args, kwargs, a, valid):
        from hypothesis import strategies as st

        v = 1 if valid else draw(st.sampled_from(bad), label=name)
        kwargs = {**kwargs, name: _set(kwargs[name], a, v)}
        if name == "kernel" and valid:  # a window of 1 on padding only is another rule
            kwargs["padding"] = _set(kwargs["padding"], a, (0, 0))
            return args, kwargs, f"kernel[{a}]=1, padding[{a}]=(0, 0)"
        return args, kwargs, f"{name}[{a}]={v}"

    return move


def _padding(draw, op, args, kwargs, a, valid):
    from hypothesis import strategies as st

    side = draw(st.integers(0, 1), label="side")
    v = 0 if valid else -draw(st.integers(1, 2), label="minus")
    pair = _set(kwargs["padding"][a], side, v)
    return args, {**kwargs, "padding": _set(kwargs["padding"], a, pair)}, f"padding[{a}]={pair}"


#: The integer parameters and flags of each op (config.int).
INT_PARAMS = {"conv": ("stride", "dilation", "padding", "groups"),
              "conv_transpose": ("stride", "dilation", "padding", "output_padding", "groups"),
              "max_pool": ("kernel", "stride", "dilation", "padding", "ceil_mode"),
              "avg_pool": ("kernel", "stride", "padding", "ceil_mode", "count_include_pad")}


def _int(draw, op, args, kwargs, a, valid):
    """Replace one entry of one parameter: by a float (v + 0.5, or v itself as a float) or
    True when invalid, by the same value as a NumPy int when valid; a flag by 0 / 1
    (invalid only: a NumPy bool flag is not something every framework takes)."""
    from hypothesis import strategies as st

    names = INT_PARAMS[op] if not valid else tuple(
        n for n in INT_PARAMS[op] if n not in ("ceil_mode", "count_include_pad"))
    name = draw(st.sampled_from(names), label="parameter")
    old = kwargs[name]
    if name in ("ceil_mode", "count_include_pad"):
        new: Any = int(old)
        return args, {**kwargs, name: new}, f"{name}={new!r}"
    entry = old if name == "groups" else old[a]
    path = f"{name}" if name == "groups" else f"{name}[{a}]"
    if name == "padding":  # one side of the pair
        side = draw(st.integers(0, 1), label="side")
        entry, path = entry[side], f"padding[{a}][{side}]"
    if valid:
        v: Any = np.int64(entry)
    else:
        v = draw(st.sampled_from((entry + 0.5, float(entry), True)), label="value")
    if name == "groups":
        new = v
    elif name == "padding":
        new = _set(old, a, _set(old[a], side, v))
    else:
        new = _set(old, a, v)
    return args, {**kwargs, name: new}, f"{path}={v!r}"


def _extend(arr: np.ndarray, extra: int) -> np.ndarray:
    return arr.reshape(*arr.shape, *(1,) * extra)


def _rank(draw, op, args, kwargs, a, valid):
    """x with no spatial axis (w made to match), a per-axis parameter with one entry too many
    or too few, or w of another rank than x.  (4 spatial axes are valid [config.rank]; the
    contract passes 1 to 3, so no check demands them.)"""
    from hypothesis import strategies as st

    if valid:  # the base draws ranks 1 and 3 only: the last valid ranks
        return args, kwargs, f"x.ndim={args[0].ndim}"
    r = args[0].ndim - 2
    per_axis = [k for k in ("kernel", "stride", "dilation", "output_padding", "padding")
                if k in kwargs]
    how = draw(st.sampled_from(("x.ndim=2", "long", "short")
                               + (("w.ndim",) if op.startswith("conv") else ())), label="how")
    if how == "x.ndim=2":
        new_args = []
        for i, arr in enumerate(args):
            if arr is None or (i == 2):  # b keeps its shape
                new_args.append(arr)
            else:
                new_args.append(arr[(slice(None), slice(None), *(0,) * r)].copy())  # (N, C)
        return tuple(new_args), {**kwargs, **{k: () for k in per_axis}}, how
    if how == "w.ndim":
        x, w, b = args
        return (x, _extend(w, 1), b), kwargs, f"w.ndim={w.ndim + 1}"
    name = draw(st.sampled_from(per_axis), label="parameter")
    if how == "short":
        new = kwargs[name][:-1]
    else:
        new = (*kwargs[name], kwargs[name][-1])
    return args, {**kwargs, name: new}, f"{name} with {len(new)} entries for {r} axes"


def _nonempty(draw, op, args, kwargs, a, valid):
    """Invalid: one axis of x (channels or spatial a) or of w emptied.  Valid: a batch of 0
    (the defined answer: a batch of 0), or x spatial / w spatial cut to size 1."""
    from hypothesis import strategies as st

    whats = ["x.batch", "x.spatial"] if valid else ["x.spatial", "x.channels"]
    if op.startswith("conv"):
        whats += ["w.spatial"] if valid else ["w.spatial", "w.out"]
    what = draw(st.sampled_from(whats), label="axis")
    n = 1 if valid else 0
    if what == "x.batch":  # valid only: N = 0
        n = 0
    args = list(args)
    if what == "x.batch":
        args[0] = args[0][:n].copy()
    elif what == "x.channels":
        args[0] = args[0][:, :0].copy()
    elif what == "x.spatial":
        args[0] = _spatial_slice(args[0], a, n)
    elif what == "w.spatial":
        args[1] = _spatial_slice(args[1], a, n)
    else:
        args[1] = args[1][:0].copy()
    shapes = f"x.shape={args[0].shape}" + (f", w.shape={args[1].shape}" if len(args) > 1 else "")
    return tuple(args), kwargs, shapes


def _dtype(draw, op, args, kwargs, a, valid):
    """x (or w) as complex128 with zero imaginary parts, or as bool; valid: float64."""
    from hypothesis import strategies as st

    if valid:
        return args, kwargs, "x.dtype=float64"
    which = draw(st.sampled_from((0, 1) if len(args) > 1 else (0,)), label="array")
    dtype = draw(st.sampled_from((np.complex128, np.bool_)), label="dtype")
    args = tuple(arr.astype(dtype) if i == which else arr for i, arr in enumerate(args))
    return args, kwargs, f"{'xw'[which]}.dtype={np.dtype(dtype)}"


def _groups_below_1(draw, op, args, kwargs, a, valid):
    """groups of 0 or -1 (one library dies with SIGFPE on groups=0)."""
    from hypothesis import strategies as st

    g = draw(st.sampled_from((0, -1)), label="groups")
    return args, {**kwargs, "groups": g}, f"groups={g}"


def _negative_output_padding(draw, op, args, kwargs, a, valid):
    """output_padding of -1 or -2 on one axis (four libraries accept it)."""
    from hypothesis import strategies as st

    v = -draw(st.integers(1, 2), label="minus")
    return args, {**kwargs, "output_padding": _set(kwargs["output_padding"], a, v)}, \
        f"output_padding[{a}]={v}"


#: rule -> (mover, why a moved call is invalid): the config.* rules, and the rules of other
#: families whose invalid draws one change of a valid config makes (refused like these)
RULES = {
    "config.stride": (_at_least_one("stride", (0, -1, -2)), "a stride is < 1"),
    "config.dilation": (_at_least_one("dilation", (0, -1)), "a dilation is < 1"),
    "config.kernel": (_at_least_one("kernel", (0, -1)), "a kernel size is < 1"),
    "config.padding": (_padding, "a padding is negative"),
    "config.rank": (_rank, "the ranks of x, w and the per-axis parameters do not match 1 to 3 "
                           "spatial axes"),
    "config.int": (_int, "a size parameter is not an int (or a flag not a bool)"),
    "config.nonempty": (_nonempty, "a channel or spatial axis has size 0"),
    "config.dtype": (_dtype, "an array is complex or bool"),
    "conv.groups": (_groups_below_1, "groups is below 1"),
    "conv-transpose.groups": (_groups_below_1, "groups is below 1"),
    "conv-transpose.output-padding": (_negative_output_padding, "output_padding is negative"),
}


def _calls(op: str, rule_id: str, valid: bool):
    """Calls of op with one change from a valid config (see RULES)."""
    from hypothesis import strategies as st

    move = RULES[rule_id][0]
    if rule_id == "config.rank" and valid:
        base = st.one_of(_base(op, max_rank=1), _base(op, min_rank=3))
    else:
        base = _base(op, max_rank=2)

    @st.composite
    def strategy(draw):
        cfg = draw(base, label="valid config")
        axis = draw(st.integers(0, cfg.rank - 1), label="axis")
        args, kwargs, change = move(draw, op, args_of(cfg), dict(cfg.kwargs), axis, valid)
        return Call(op, args, kwargs, change=change, base=cfg)

    return strategy()


#: Refusals that are input hygiene, checked at the strict level only (see rules/config.py).
HYGIENE = ("config.int", "config.dtype")


def _refuses(rule_id: str, op: str, name: str) -> None:
    """Declare check ``name``: ``op`` refuses a valid config moved across rule_id's boundary
    (only the draws the reference refuses for exactly that rule)."""
    why = RULES[rule_id][1]

    def refuses(target, call):
        from hypothesis import assume

        assume(refused_for(op, call.args, call.kwargs, rule_id))
        expect_raises(target, op, *call.args, rule=rule_id, why=f"{call.change}: {why}",
                      call=call.call(), **call.kwargs)

    check(rule_id, ops=op, kind="negative", cases=lambda: _calls(op, rule_id, False), name=name,
          level="strict" if rule_id in HYGIENE else "refuse")(refuses)


def _accepts(rule_id: str, op: str, name: str) -> None:
    """Declare check ``name``: the valid neighbour on the other side of rule_id's boundary
    computes, with the reference's shape (its values are the business of the rules about
    values, so a value bug is credited to those)."""

    def accepts(target, call):
        from hypothesis import assume

        expected = accepted(op, call.args, call.kwargs)
        assume(expected is not None)
        where = f"{call.change}: {call.call()}"
        y = invoke(target, op, *call.args, rule=rule_id, call=where, **call.kwargs)
        assert_shape(y.shape, expected.shape, rule=rule_id, call=where)

    check(rule_id, ops=op, cases=lambda: _calls(op, rule_id, True), name=name,
          oracle="reference")(accepts)


# one call per check, its name written out in full: grep finds every report ID
_refuses("config.stride", "conv", "conv_refuses_a_stride_below_1")
_accepts("config.stride", "conv", "conv_accepts_stride_1")
_refuses("config.stride", "conv_transpose", "conv_transpose_refuses_a_stride_below_1")
_accepts("config.stride", "conv_transpose", "conv_transpose_accepts_stride_1")
_refuses("config.stride", "max_pool", "max_pool_refuses_a_stride_below_1")
_accepts("config.stride", "max_pool", "max_pool_accepts_stride_1")
_refuses("config.stride", "avg_pool", "avg_pool_refuses_a_stride_below_1")
_accepts("config.stride", "avg_pool", "avg_pool_accepts_stride_1")
_refuses("config.dilation", "conv", "conv_refuses_a_dilation_below_1")
_accepts("config.dilation", "conv", "conv_accepts_dilation_1")
_refuses("config.dilation", "conv_transpose", "conv_transpose_refuses_a_dilation_below_1")
_accepts("config.dilation", "conv_transpose", "conv_transpose_accepts_dilation_1")
_refuses("config.dilation", "max_pool", "max_pool_refuses_a_dilation_below_1")
_accepts("config.dilation", "max_pool", "max_pool_accepts_dilation_1")
_refuses("config.kernel", "max_pool", "max_pool_refuses_a_kernel_below_1")
_accepts("config.kernel", "max_pool", "max_pool_accepts_kernel_1")
_refuses("config.kernel", "avg_pool", "avg_pool_refuses_a_kernel_below_1")
_accepts("config.kernel", "avg_pool", "avg_pool_accepts_kernel_1")
_refuses("config.padding", "conv", "conv_refuses_negative_padding")
_accepts("config.padding", "conv", "conv_accepts_zero_padding")
_refuses("config.padding", "conv_transpose", "conv_transpose_refuses_negative_padding")
_accepts("config.padding", "conv_transpose", "conv_transpose_accepts_zero_padding")
_refuses("config.padding", "max_pool", "max_pool_refuses_negative_padding")
_accepts("config.padding", "max_pool", "max_pool_accepts_zero_padding")
_refuses("config.padding", "avg_pool", "avg_pool_refuses_negative_padding")
_accepts("config.padding", "avg_pool", "avg_pool_accepts_zero_padding")
_refuses("config.rank", "conv", "conv_refuses_a_wrong_rank")
_accepts("config.rank", "conv", "conv_accepts_ranks_1_and_3")
_refuses("config.rank", "conv_transpose", "conv_transpose_refuses_a_wrong_rank")
_accepts("config.rank", "conv_transpose", "conv_transpose_accepts_ranks_1_and_3")
_refuses("config.rank", "max_pool", "max_pool_refuses_a_wrong_rank")
_accepts("config.rank", "max_pool", "max_pool_accepts_ranks_1_and_3")
_refuses("config.rank", "avg_pool", "avg_pool_refuses_a_wrong_rank")
_accepts("config.rank", "avg_pool", "avg_pool_accepts_ranks_1_and_3")
_refuses("config.int", "conv", "conv_refuses_a_float_or_bool_parameter")
_accepts("config.int", "conv", "conv_accepts_numpy_ints")
_refuses("config.int", "conv_transpose", "conv_transpose_refuses_a_float_or_bool_parameter")
_accepts("config.int", "conv_transpose", "conv_transpose_accepts_numpy_ints")
_refuses("config.int", "max_pool", "max_pool_refuses_a_float_or_bool_parameter")
_accepts("config.int", "max_pool", "max_pool_accepts_numpy_ints")
_refuses("config.int", "avg_pool", "avg_pool_refuses_a_float_or_bool_parameter")
_accepts("config.int", "avg_pool", "avg_pool_accepts_numpy_ints")
_refuses("config.nonempty", "conv", "conv_refuses_an_empty_axis")
_accepts("config.nonempty", "conv", "conv_accepts_batch_0_and_size_1")
_refuses("config.nonempty", "conv_transpose", "conv_transpose_refuses_an_empty_axis")
_accepts("config.nonempty", "conv_transpose", "conv_transpose_accepts_batch_0_and_size_1")
_refuses("config.nonempty", "max_pool", "max_pool_refuses_an_empty_axis")
_accepts("config.nonempty", "max_pool", "max_pool_accepts_batch_0_and_size_1")
_refuses("config.nonempty", "avg_pool", "avg_pool_refuses_an_empty_axis")
_accepts("config.nonempty", "avg_pool", "avg_pool_accepts_batch_0_and_size_1")
_refuses("config.dtype", "conv", "conv_refuses_complex_and_bool")
_accepts("config.dtype", "conv", "conv_accepts_float64")
_refuses("config.dtype", "conv_transpose", "conv_transpose_refuses_complex_and_bool")
_accepts("config.dtype", "conv_transpose", "conv_transpose_accepts_float64")
_refuses("config.dtype", "max_pool", "max_pool_refuses_complex_and_bool")
_accepts("config.dtype", "max_pool", "max_pool_accepts_float64")
_refuses("config.dtype", "avg_pool", "avg_pool_refuses_complex_and_bool")
_accepts("config.dtype", "avg_pool", "avg_pool_accepts_float64")
_refuses("conv.groups", "conv", "conv_refuses_groups_below_1")
_refuses("conv-transpose.groups", "conv_transpose", "conv_transpose_refuses_groups_below_1")
_refuses("conv-transpose.output-padding", "conv_transpose",
         "conv_transpose_refuses_negative_output_padding")
