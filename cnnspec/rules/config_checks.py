"""Checks of the configuration rules (declared in rules/config.py): boundary pairs.

Each rule has, for every op it applies to, a negative check (a valid configuration with one
argument moved across the rule's boundary must be refused) and a positive one (the valid
neighbour on the other side of that boundary computes the reference's values), test262
style.  A draw starts from a valid config of the op and changes one thing; the negative
check keeps only the calls the reference refuses for exactly that rule, the positive one
only those it accepts.  Every op has a negative check for every rule it falls under, except
config.kernel for conv and conv_transpose, whose kernel is w.shape[2:]: a size 0 there is
an empty array, checked as config.nonempty.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..asserts import assert_shape
from . import check, strategies
from ._harness import expect_raises, invoke
from ._oracle import Call, accepted, args_of, refused_for

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


#: Invalid draws of other rules that one change of a valid config makes, refused like the
#: config.* ones: rule -> (op, mover, why, slug); declared by the rule's checks module
#: (declare_other).  The base config is drawn in the target's form (capabilities).
OTHER_REFUSALS = {
    "conv.groups": ("conv", _groups_below_1, "groups is below 1", "groups_below_1"),
    "conv-transpose.groups": ("conv_transpose", _groups_below_1, "groups is below 1",
                              "groups_below_1"),
    "conv-transpose.output-padding": ("conv_transpose", _negative_output_padding,
                                      "output_padding is negative", "negative_output_padding"),
}


#: rule -> (ops, mover, why it is invalid, slug of the refused side, of the accepted side)
RULES = {
    "config.stride": (OPS, _at_least_one("stride", (0, -1, -2)), "a stride is < 1",
                      "a_stride_below_1", "stride_1"),
    "config.dilation": (("conv", "conv_transpose", "max_pool"),
                        _at_least_one("dilation", (0, -1)), "a dilation is < 1",
                        "a_dilation_below_1", "dilation_1"),
    "config.kernel": (("max_pool", "avg_pool"), _at_least_one("kernel", (0, -1)),
                      "a kernel size is < 1", "a_kernel_below_1", "kernel_1"),
    "config.padding": (OPS, _padding, "a padding is negative", "negative_padding",
                       "zero_padding"),
    "config.rank": (OPS, _rank, "the ranks of x, w and the per-axis parameters do not "
                    "match 1 to 3 spatial axes", "a_wrong_rank", "ranks_1_and_3"),
    "config.int": (OPS, _int, "a size parameter is not an int (or a flag not a bool)",
                   "a_float_or_bool_parameter", "numpy_ints"),
    "config.nonempty": (OPS, _nonempty, "a channel or spatial axis has size 0",
                        "an_empty_axis", "batch_0_and_size_1"),
    "config.dtype": (OPS, _dtype, "an array is complex or bool", "complex_and_bool",
                     "float64"),
}


def _calls(op: str, rule_id: str, valid: bool):
    """Calls of op with one change from a valid config (see RULES)."""
    from hypothesis import strategies as st

    move = RULES[rule_id][1]
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


def _declare(rule_id: str, op: str) -> None:
    _, _, why, refused_slug, accepted_slug = RULES[rule_id]

    def refuses(target, call):
        from hypothesis import assume

        assume(refused_for(op, call.args, call.kwargs, rule_id))
        expect_raises(target, op, *call.args, rule=rule_id, why=f"{call.change}: {why}",
                      call=call.call(), **call.kwargs)

    def accepts(target, call):
        """The valid neighbour computes, with the reference's shape; its values are the
        business of the rules about values, so a value bug is credited to those."""
        from hypothesis import assume

        expected = accepted(op, call.args, call.kwargs)
        assume(expected is not None)
        where = f"{call.change}: {call.call()}"
        y = invoke(target, op, *call.args, rule=rule_id, call=where, **call.kwargs)
        assert_shape(y.shape, expected.shape, rule=rule_id, call=where)

    refuses.__name__ = f"check_{op}_refuses_{refused_slug}"
    accepts.__name__ = f"check_{op}_accepts_{accepted_slug}"
    check(rule_id, ops=op, kind="negative", cases=lambda: _calls(op, rule_id, False),
          level="strict" if rule_id in HYGIENE else "refuse")(refuses)
    check(rule_id, ops=op, cases=lambda: _calls(op, rule_id, True))(accepts)


def declare_other(rule_id: str) -> None:
    """Declare the refusal check of OTHER_REFUSALS[rule_id] (called by that rule's checks
    module, once the rule is declared)."""
    op, move, why, slug = OTHER_REFUSALS[rule_id]

    def cases():
        from hypothesis import strategies as st

        @st.composite
        def strategy(draw):
            cfg = draw(_base(op, max_rank=2), label="valid config")
            axis = draw(st.integers(0, cfg.rank - 1), label="axis")
            args, kwargs, change = move(draw, op, args_of(cfg), dict(cfg.kwargs), axis, False)
            return Call(op, args, kwargs, change=change, base=cfg)

        return strategy()

    def refuses(target, call):
        from hypothesis import assume

        assume(refused_for(op, call.args, call.kwargs, rule_id))
        expect_raises(target, op, *call.args, rule=rule_id, why=f"{call.change}: {why}",
                      call=call.call(), **call.kwargs)

    refuses.__name__ = f"check_{op}_refuses_{slug}"
    check(rule_id, ops=op, kind="negative", cases=cases)(refuses)


for _rule, (_ops, *_) in RULES.items():
    for _op in _ops:
        _declare(_rule, _op)
