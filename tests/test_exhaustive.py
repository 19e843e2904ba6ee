"""Every size formula against brute-force counting, on a whole bounded domain.

Domain, per axis: i <= 64, k <= 7, s <= 5, p_before and p_after <= 4 each, d <= 4 (224,000
configurations; x5 output_padding values for transposed convolutions; x2 modes for pooling
and 'same').  Two sides, neither calling the other:

- brute force: the counters the rules use (cnnspec/rules/_counting.py), called on every
  configuration of the grid, enumerating windows j = 0, 1, ... and taps t = 0 .. k-1 (window
  j reads j*s + t*d of the padded input) or the cells a scatter writes; no size formula is
  used;
- the formula: called ONCE with SymPy symbols, its expression evaluated over the grid
  (sympy.lambdify), i.e. the same `//` arithmetic the integer path runs; then the integer
  path itself on every configuration of the validity boundary (each configuration with a
  neighbour, one step along one axis, of the other validity): the invalid side must raise
  InvalidConfig naming the rule, the valid side must return the counted size.

tests/test_formulas.py runs the integer path's pool.window-has-input refusal on every
configuration of a smaller domain; tests/test_proofs.py proves the Dumoulin & Visin
relationships symbolically; the registry checks (cnnspec/rules/formula_checks.py, arith_checks.py) go far beyond this
domain with Hypothesis.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from helpers import cites

from cnnspec import formulas
from cnnspec.errors import InvalidConfig
from cnnspec.rules._counting import (
    full_overlaps,
    pool_windows,
    same_padding_by_search,
    scatter_length,
    tap_span,
    windows_in,
)

I_MAX, K_MAX, S_MAX, P_MAX, D_MAX, OP_MAX = 64, 7, 5, 4, 4, 4
AXES = ("i", "k", "s", "p_b", "p_a", "d")  # the grid's axes, in this order


def _grid(*ranges: range) -> list[np.ndarray]:
    """One array per range, broadcast to the full grid (ranges along successive axes); int16
    holds every position of the domain and halves the memory traffic of int32."""
    axes = np.ix_(*(np.arange(r.start, r.stop, dtype=np.int16) for r in ranges))
    return [np.ascontiguousarray(a) for a in np.broadcast_arrays(*axes)]


def _conv_grid() -> list[np.ndarray]:
    return _grid(range(1, I_MAX + 1), range(1, K_MAX + 1), range(1, S_MAX + 1),
                 range(P_MAX + 1), range(P_MAX + 1), range(1, D_MAX + 1))


def _symbols(names: tuple[str, ...]) -> list[sympy.Symbol]:
    return [sympy.Symbol(n, integer=True, **({"nonnegative": True} if n.startswith(("p_", "op"))
                                             else {"positive": True})) for n in names]


def _evaluate(expr, names: tuple[str, ...], grid: list[np.ndarray]) -> np.ndarray:
    """The formula's symbolic expression over the whole grid, as int64."""
    fn = sympy.lambdify(_symbols(names), expr, "numpy")
    return np.broadcast_to(np.asarray(fn(*grid)), grid[0].shape).astype(np.int64)


def _counted(counter, *axes: np.ndarray, nout: int = 1):
    """A brute-force counter of cnnspec/rules/_counting.py (the one the rules use) called on
    every configuration of the broadcast axes, one by one, as int64 (one array per value of
    a counter returning nout values); None (e.g. the kernel does not fit) becomes -1."""
    each = np.frompyfunc(lambda *a: counter(*(int(v) for v in a)), len(axes), nout)(*axes)
    as_int = np.vectorize(lambda n: -1 if n is None else n, otypes=[np.int64])
    return as_int(each) if nout == 1 else tuple(as_int(e) for e in each)


def _first_mismatch(bad: np.ndarray, grid: list[np.ndarray], names: tuple[str, ...]) -> str:
    at = tuple(int(a[0]) for a in np.nonzero(bad))
    return ", ".join(f"{n}={int(g[at])}" for n, g in zip(names, grid))


def _assert_grid(got: np.ndarray, want: np.ndarray, valid: np.ndarray, grid, names, *,
                 name: str, rule: str, how: str) -> None:
    bad = valid & (got != want)
    if bad.any():
        at = tuple(int(a[0]) for a in np.nonzero(bad))
        pytest.fail(f"{name}={got[at]}, but should be {want[at]} [{rule}] ({how}); "
                    f"{int(bad.sum())} of {int(valid.sum())} valid configurations differ, "
                    f"first: {_first_mismatch(bad, grid, names)}")


def _boundary(labels: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Configurations with a neighbour (one step along one of these axes) of another label."""
    edge = np.zeros(labels.shape, bool)
    for axis in axes:
        differs = np.diff(labels, axis=axis) != 0  # between index j and j + 1 along the axis
        for side in ((0, 1), (1, 0)):
            widths = [(0, 0)] * labels.ndim
            widths[axis] = side
            edge |= np.pad(differs, widths)
    return edge


def _integer_path(call, grid, names, labels, counted, *, rule: str, refusals: dict,
                  along: tuple[str, ...]) -> int:
    """The integer formula on every configuration of the boundary between labels, along the
    named axes: label 0 must return the counted size, label r must raise InvalidConfig naming
    refusals[r].  Returns how many configurations were called."""
    edge = _boundary(labels, tuple(names.index(n) for n in along))
    for at in zip(*np.nonzero(edge)):
        args = {n: int(g[at]) for n, g in zip(names, grid)}
        if labels[at] == 0:
            got = call(**args)
            assert got == counted[at], f"{got=}, but should be {counted[at]} [{rule}] {args}"
        else:
            with pytest.raises(InvalidConfig) as e:
                call(**args)
            want = refusals[int(labels[at])]
            assert e.value.rule == want, f"raised [{e.value.rule}], but should name [{want}] {args}"
    return int(edge.sum())


# ---------------------------------------------------------------- convolution, effective kernel


@cites("conv.out-size", "conv.kernel-fits", "arith.dilated")
def test_conv_out_size_on_the_whole_domain():
    grid = i, k, s, pb, pa, d = _conv_grid()
    lengths, ks, ss, ds = np.ix_(np.arange(1, I_MAX + 2 * P_MAX + 1), np.arange(1, K_MAX + 1),
                                 np.arange(1, S_MAX + 1), np.arange(1, D_MAX + 1))
    by_length = _counted(windows_in, lengths, ks, ss, ds)  # windows of every padded length
    counted = by_length[i + pb + pa - 1, k - 1, s - 1, d - 1]
    span = _counted(tap_span, *np.ix_(np.arange(1, K_MAX + 1), np.arange(1, D_MAX + 1)))
    valid = span[k - 1, d - 1] <= i + pb + pa  # window 0 fits
    expr = formulas.conv_out_size(*_symbols(("i", "k")), stride=_symbols(("s",))[0],
                                  padding=tuple(_symbols(("p_b", "p_a"))),
                                  dilation=_symbols(("d",))[0])
    _assert_grid(_evaluate(expr, AXES, grid), counted, valid, grid, AXES, name="conv_out_size",
                 rule="conv.out-size", how="windows counted one by one")
    n = _integer_path(lambda i, k, s, p_b, p_a, d: formulas.conv_out_size(
        i, k, stride=s, padding=(p_b, p_a), dilation=d), grid, AXES, np.where(valid, 0, 1),
        counted, rule="conv.out-size", refusals={1: "conv.kernel-fits"}, along=AXES)
    assert n > 1000


@cites("conv.dilation", "arith.dilated")
def test_effective_kernel_is_the_tap_span():
    k, d = _grid(range(1, K_MAX + 1), range(1, D_MAX + 1))
    span = _counted(tap_span, k, d)  # taps 0, d, ..., (k-1)*d
    expr = formulas.effective_kernel(*_symbols(("k", "d")))
    _assert_grid(_evaluate(expr, ("k", "d"), [k, d]), span, np.ones_like(k, bool), [k, d],
                 ("k", "d"), name="effective_kernel", rule="conv.dilation", how="tap span")
    for kk, dd in itertools.product(range(1, K_MAX + 1), range(1, D_MAX + 1)):
        assert formulas.effective_kernel(kk, dd) == span[kk - 1, dd - 1]


# ---------------------------------------------------------------- pooling, floor and ceil mode


def _pool_counted(grid, ceil: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(window count, the kernel fits, valid): windows enumerated by pool_windows as in
    pool_out_size's docstring; valid: the kernel fits and every window has a tap on the input."""
    counted, empty = _counted(lambda *a: pool_windows(*a, ceil), *grid, nout=2)  # empty: the
    # first window of padding only
    return counted, counted >= 0, (counted >= 0) & (empty < 0)


@pytest.mark.parametrize("ceil", [False, True], ids=["floor", "ceil"])
@cites("pool.out-size", "pool.ceil-mode", "pool.window-has-input", "pool.kernel-fits", "arith.pooling")
def test_pool_out_size_on_the_whole_domain(ceil):
    grid = _conv_grid()
    counted, fits, valid = _pool_counted(grid, ceil)
    i, k, s, pb, pa, d = _symbols(AXES)
    expr = formulas.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d, ceil_mode=ceil)
    rule = "pool.ceil-mode" if ceil else "pool.out-size"
    _assert_grid(_evaluate(expr, AXES, grid), counted, valid, grid, AXES, name="pool_out_size",
                 rule=rule, how="windows counted one by one")
    labels = np.where(valid, 0, np.where(fits, 2, 1))
    n = _integer_path(lambda i, k, s, p_b, p_a, d: formulas.pool_out_size(
        i, k, stride=s, padding=(p_b, p_a), dilation=d, ceil_mode=ceil), grid, AXES, labels,
        counted, rule=rule, refusals={1: "pool.kernel-fits", 2: "pool.window-has-input"},
        along=("i", "p_b", "p_a"))
    assert n > 1000 and {0, 1, 2} <= set(np.unique(labels))


# ---------------------------------------------------------------- transposed convolution


@cites("conv-transpose.out-size", "conv-transpose.output-padding", "arith.transposed-strided-remainder")
def test_conv_transpose_out_size_on_the_whole_domain():
    names = (*AXES, "op")
    grid = i, k, s, pb, pa, d, op = _grid(range(1, I_MAX + 1), range(1, K_MAX + 1),
                                         range(1, S_MAX + 1), range(P_MAX + 1), range(P_MAX + 1),
                                         range(1, D_MAX + 1), range(OP_MAX + 1))
    # every cell the scatter writes (j*s + t*d for j < i, t < k), enumerated per (i, k, s, d);
    # the crop and output_padding do not change what is written
    written = _counted(lambda *a: scatter_length(*a[:3], 0, 0, 0, a[3]), i[..., :1, :1, :, :1],
                       k[..., :1, :1, :, :1], s[..., :1, :1, :, :1], d[..., :1, :1, :, :1])
    counted = written - pb - pa + op
    op_ok = op < np.maximum(s, d)
    valid = op_ok & (counted >= 1)
    expr = formulas.conv_transpose_out_size(*_symbols(("i", "k")), stride=_symbols(("s",))[0],
                                            padding=tuple(_symbols(("p_b", "p_a"))),
                                            output_padding=_symbols(("op",))[0],
                                            dilation=_symbols(("d",))[0])
    _assert_grid(_evaluate(expr, names, grid), counted, valid, grid, names,
                 name="conv_transpose_out_size", rule="conv-transpose.out-size",
                 how="cells the scatter writes, cropped, plus output_padding")
    n = _integer_path(lambda i, k, s, p_b, p_a, d, op: formulas.conv_transpose_out_size(
        i, k, stride=s, padding=(p_b, p_a), output_padding=op, dilation=d), grid, names,
        np.where(valid, 0, np.where(op_ok, 2, 1)), counted, rule="conv-transpose.out-size",
        refusals={1: "conv-transpose.output-padding", 2: "conv-transpose.out-size"},
        along=("i", "k", "p_b", "p_a"))
    assert n > 1000
    for s_, d_ in itertools.product(range(1, S_MAX + 1), range(1, D_MAX + 1)):  # the op boundary
        top = max(s_, d_)
        assert formulas.conv_transpose_out_size(I_MAX, K_MAX, stride=s_, output_padding=top - 1,
                                                dilation=d_) == counted[-1, -1, s_ - 1, 0, 0,
                                                                        d_ - 1, top - 1]
        with pytest.raises(InvalidConfig, match=r"\[conv-transpose\.output-padding\]"):
            formulas.conv_transpose_out_size(I_MAX, K_MAX, stride=s_, output_padding=top,
                                             dilation=d_)


# ---------------------------------------------------------------- 'same' and 'full' padding


@pytest.mark.parametrize("mode", ["upper", "lower"])
@cites("pad.same", "arith.half-padding")
def test_same_padding_on_the_whole_domain(mode):
    names = ("i", "k", "s", "d")
    grid = i, k, s, d = _grid(range(1, I_MAX + 1), range(1, K_MAX + 1), range(1, S_MAX + 1),
                              range(1, D_MAX + 1))
    # the least total padding giving one output per stride step that starts inside the input
    total = _counted(lambda *a: same_padding_by_search(*a)[0], i, k, s, d)
    pb, pa = (_evaluate(e, names, grid) for e in formulas.same_padding(
        *_symbols(("i", "k")), stride=_symbols(("s",))[0], dilation=_symbols(("d",))[0], mode=mode))
    everywhere = np.ones_like(i, bool)
    _assert_grid(pb + pa, total, everywhere, grid, names, name="p_before + p_after",
                 rule="pad.same", how="the least total padding with ceil(i/s) windows, searched")
    extra = pa - pb if mode == "upper" else pb - pa
    _assert_grid(extra, total % 2, everywhere, grid, names, name="the extra cell",
                 rule="pad.same", how=f"mode={mode!r}")
    for args in itertools.product(range(1, I_MAX + 1), range(1, K_MAX + 1), range(1, S_MAX + 1),
                                  range(1, D_MAX + 1)):  # the integer path, everywhere
        at = tuple(a - 1 for a in args)
        assert formulas.same_padding(*args[:2], stride=args[2], dilation=args[3], mode=mode) \
            == (pb[at], pa[at])


@cites("pad.full", "arith.full-padding")
def test_full_padding_on_the_whole_domain():
    names = ("i", "k", "d")
    grid = i, k, d = _grid(range(1, I_MAX + 1), range(1, K_MAX + 1), range(1, D_MAX + 1))
    # placements u of the span [u, u + span) meeting [0, i), and the cells before the input
    # where the first starts
    overlaps, first = _counted(full_overlaps, i, k, d, nout=2)
    p = formulas.full_padding(_symbols(("k",))[0], dilation=_symbols(("d",))[0])
    _assert_grid(_evaluate(p[0], names, grid), first, np.ones_like(i, bool), grid, names,
                 name="full_padding", rule="pad.full", how="cells before the input where the first "
                 "overlapping placement starts")
    o = formulas.conv_out_size(_symbols(("i",))[0], _symbols(("k",))[0], padding=p,
                               dilation=_symbols(("d",))[0])
    _assert_grid(_evaluate(o, names, grid), overlaps, np.ones_like(i, bool), grid, names,
                 name="conv_out_size(padding=full)", rule="pad.full", how="overlapping placements")
