"""Checks of the array-valued rules declared in rules/net.py: values computed cell by cell
here (adaptive pooling, the dilated average, layout conversions, max pooling's indices) against
cnnspec.ref, cnnspec.layouts and cnnspec.formulas, and a target's op on a batch against the op
on each sample.  The size and network rules of rules/net.py are checked in net_checks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .. import formulas
from ..errors import InvalidConfig
from . import check
from ._harness import fail

# ---------------------------------------------------------------- net.batch-independence


def _op_configs(op: str) -> Any:
    from . import strategies

    s = strategies()
    return {"conv": s.conv_configs, "conv_transpose": s.conv_transpose_configs,
            "max_pool": lambda: s.pool_configs(kind="max"),
            "avg_pool": lambda: s.pool_configs(kind="avg")}[op]()


def _declare_batch_independence(op: str, name: str) -> None:
    """op on a batch equals op on each of its samples alone: exact where the integer sums
    fit the target's precision (conv, conv_transpose; max_pool always), within the K-aware
    bound for avg_pool (an average divides, so it is never compared exactly)."""
    import numpy as np

    from . import strategies
    from ._harness import Call, abs_reference, args_of, expect_close, invoke

    rule = "net.batch-independence"

    def fn(target: Any, cfg: Any) -> None:
        args = args_of(cfg)
        x, rest = args[0], args[1:]
        extra = strategies().make_array(np.random.default_rng(cfg.seed + 7),
                                        (2, *x.shape[1:]), True)  # (2, C, *S)
        batch = np.concatenate([x, extra])  # (N + 2, C, *S): at least 3 samples
        whole_call = Call(op, (batch, *rest), cfg.kwargs, change="2 samples appended").call()
        whole = invoke(target, op, batch, *rest, rule=rule, call=whole_call, **cfg.kwargs)
        for n in range(batch.shape[0]):
            one = (batch[n:n + 1], *rest)
            call = f"sample {n} of {whole_call} vs {Call(op, one, cfg.kwargs).call()}"
            alone = invoke(target, op, *one, rule=rule, call=call, **cfg.kwargs)
            abs_sum, terms = abs_reference(op, one, cfg.kwargs)
            expect_close(target, whole[n:n + 1], alone, rule=rule, call=call,
                         abs_sum=None if abs_sum is None else 2 * abs_sum, terms=terms,
                         integer_valued=op != "avg_pool")

    check(rule, ops=op, cases=lambda: _op_configs(op), name=name)(fn)


# one call per check, its name written out in full: grep finds every report ID
_declare_batch_independence("conv", "conv_of_a_batch_is_per_sample")
_declare_batch_independence("conv_transpose", "conv_transpose_of_a_batch_is_per_sample")
_declare_batch_independence("max_pool", "max_pool_of_a_batch_is_per_sample")
_declare_batch_independence("avg_pool", "avg_pool_of_a_batch_is_per_sample")


# ---------------------------------------------------------------- net.adaptive-pool-values


def _adaptive_cases() -> Any:
    """(x, output_size): integer x of rank 1-3 (sides 1-6), output sizes 1-8 (o > i too)."""
    import numpy as np

    @st.composite
    def strategy(draw: Any) -> tuple[Any, tuple[int, ...]]:
        rank = draw(st.integers(1, 3), label="rank")
        shape = (draw(st.integers(1, 2), label="N"), draw(st.integers(1, 2), label="C"),
                 *(draw(st.integers(1, 6), label=f"i[{a}]") for a in range(rank)))
        out = tuple(draw(st.integers(1, 8), label=f"o[{a}]") for a in range(rank))
        seed = draw(st.integers(0, 2**16), label="seed")
        x = np.random.default_rng(seed).integers(-9, 10, shape).astype(float)  # (N, C, *S)
        return x, out

    return strategy()


def _window_by_fractions(i: int, o: int, j: int) -> slice:
    import math
    from fractions import Fraction

    return slice(math.floor(Fraction(j * i, o)), math.ceil(Fraction((j + 1) * i, o)))


@check("net.adaptive-pool-values", ops=(), cases=_adaptive_cases)
def check_adaptive_values_by_hand(target, case):
    """ref.adaptive_avg_pool / adaptive_max_pool equal the mean / max of each output cell's
    box, listed here cell by cell with windows from exact fractions; exact on integer data
    (an exact sum, one division)."""
    import itertools

    import numpy as np

    from .. import ref
    from ..asserts import assert_exact

    rule = "net.adaptive-pool-values"
    x, out = case
    avg = np.empty((*x.shape[:2], *out))  # (N, C, *out)
    top = np.empty((*x.shape[:2], *out))  # (N, C, *out)
    for index in itertools.product(*(range(o) for o in out)):
        box = x[(slice(None), slice(None), *(_window_by_fractions(i, o, j)
                                             for i, o, j in zip(x.shape[2:], out, index)))]
        flat = box.reshape(*x.shape[:2], -1)  # (N, C, cells)
        avg[(slice(None), slice(None), *index)] = flat.sum(axis=2) / flat.shape[2]
        top[(slice(None), slice(None), *index)] = flat.max(axis=2)
    call = f"adaptive pooling of x: {x.shape} to output_size={out}"
    assert_exact(ref.adaptive_avg_pool(x, out), avg, rule=rule, call=f"{call} (average)")
    assert_exact(ref.adaptive_max_pool(x, out), top, rule=rule, call=f"{call} (max)")


@check("net.adaptive-pool-values", ops=(), cases=_adaptive_cases)
def check_divisible_sizes_are_plain_pooling(target, case):
    """Where o divides i on every axis, adaptive pooling is ref.avg_pool / ref.max_pool with
    kernel = stride = i/o and no padding."""
    from .. import ref
    from ..asserts import assert_exact, assert_within

    rule = "net.adaptive-pool-values"
    x, out = case
    spatial = x.shape[2:]
    out = tuple(o if i % o == 0 else 1 for i, o in zip(spatial, out))  # a divisor of i
    kernel = tuple(i // o for i, o in zip(spatial, out))
    kw = dict(kernel=kernel, stride=kernel, padding=0)
    call = f"adaptive pooling of x: {x.shape} to output_size={out} vs pooling {kw}"
    assert_exact(ref.adaptive_max_pool(x, out), ref.max_pool(x, **kw), rule=rule, call=call)
    expected = ref.avg_pool(x, **kw)
    assert_within(ref.adaptive_avg_pool(x, out), expected, 1e-12 * (1 + abs(expected)),
                  rule=rule, call=call)


# ---------------------------------------------------------------- pool.avg-dilation


def _dilated_rows() -> Any:
    """(i, k, s, p_b, p_a, d, count_include_pad) with every window touching the input."""
    return st.tuples(st.integers(1, 12), st.integers(1, 4), st.integers(1, 3), st.integers(0, 3),
                     st.integers(0, 3), st.integers(1, 3), st.booleans())


def _dilated_windows(row: tuple) -> Any:
    """Output size of the row (None where the spec refuses it), by pool.out-size."""
    i, k, s, pb, pa, d, _ = row
    try:
        return formulas.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
    except InvalidConfig:
        return None


@check("pool.avg-dilation", ops=(), cases=_dilated_rows)
def check_dilated_divisor_counts_taps(target, row):
    """avg_pool_dilated_count equals the taps of window j listed one by one (inside the
    padded input, or on the input without count_include_pad); with d = 1, the dilated
    average built on it equals ref.avg_pool (pool.avg-divisor)."""
    import numpy as np

    from .. import ref

    rule = "pool.avg-dilation"
    i, k, s, pb, pa, d, cip = row
    o = _dilated_windows(row)
    if o is None:
        return
    lo, hi = (0, pb + i + pa) if cip else (pb, pb + i)
    x = np.arange(1.0, i + 1).reshape(1, 1, i) * 10  # (1, 1, i): 10, 20, ...
    xpad = np.concatenate([np.zeros(pb), x[0, 0], np.zeros(pa)])  # (pb + i + pa,)
    y = []
    for j in range(o):
        taps = [j * s + t * d for t in range(k)]
        want = sum(1 for q in taps if lo <= q < hi)
        got = formulas.avg_pool_dilated_count(i, k, j, stride=s, padding=(pb, pa), dilation=d,
                                              count_include_pad=cip)
        if got != want:
            fail(f"avg_pool_dilated_count={got} for window {j}, but should be {want}: taps "
                 f"{taps}, counted in [{lo}, {hi})", rule,
                 f"i={i}, k={k}, stride={s}, padding=({pb}, {pa}), dilation={d}, "
                 f"count_include_pad={cip}")
        y.append(sum(xpad[q] for q in taps if q < len(xpad)) / got)
    if d == 1:
        expected = ref.avg_pool(x, kernel=k, stride=s, padding=((pb, pa),),
                                count_include_pad=cip)[0, 0]
        if not np.allclose(y, expected, rtol=1e-12, atol=0):
            fail(f"dilated average with d=1 is {y}, but should be avg_pool's {expected.tolist()}",
                 rule, f"avg_pool(x=10*arange(1, {i + 1}), kernel={k}, stride={s}, "
                       f"padding=({pb}, {pa}), count_include_pad={cip})")


# ---------------------------------------------------------------- net.layouts


def _layout_cases() -> Any:
    """A small grouped convolution of rank 1-3 on integer data: (x, w, stride, padding,
    dilation, groups), every spatial axis with at least one output cell."""
    import numpy as np

    @st.composite
    def strategy(draw: Any) -> tuple:
        rank = draw(st.integers(1, 3), label="rank")
        groups = draw(st.integers(1, 3), label="groups")
        c_in = groups * draw(st.integers(1, 2), label="C_in/groups")
        c_out = groups * draw(st.integers(1, 2), label="C_out/groups")
        kernel = tuple(draw(st.integers(1, 3), label=f"k[{a}]") for a in range(rank))
        stride = tuple(draw(st.integers(1, 2), label=f"s[{a}]") for a in range(rank))
        dilation = tuple(draw(st.integers(1, 2), label=f"d[{a}]") for a in range(rank))
        padding = tuple((draw(st.integers(0, 2), label=f"p_b[{a}]"),
                         draw(st.integers(0, 2), label=f"p_a[{a}]")) for a in range(rank))
        sides = tuple(max(draw(st.integers(1, 6), label=f"i[{a}]"), d * (k - 1) + 1 - pb - pa, 1)
                      for a, (k, d, (pb, pa)) in enumerate(zip(kernel, dilation, padding)))
        rng = np.random.default_rng(draw(st.integers(0, 2**16), label="seed"))
        x = rng.integers(-9, 10, (draw(st.integers(1, 2), label="N"), c_in, *sides))  # (N, C_in, *S)
        w = rng.integers(-9, 10, (c_out, c_in // groups, *kernel))  # (C_out, C_in/groups, *K)
        return x.astype(float), w.astype(float), stride, padding, dilation, groups

    return strategy()


@check("net.layouts", ops=(), cases=_layout_cases)
def check_conversions_move_axes_only(target, case):
    """cnnspec.layouts: each conversion puts every element at its permuted index (checked
    element by element here with np.ndindex), and each round trip is the identity."""
    import numpy as np

    from .. import layouts
    from ..asserts import assert_exact

    rule = "net.layouts"
    x, w, *_ = case
    r = x.ndim - 2
    pairs = (("to_channels_last", "x", layouts.to_channels_last, x,
              lambda i: (i[0], *i[2:], i[1])),  # x[n, c, *s] -> [n, *s, c]
             ("weights_to_hwio", "w", layouts.weights_to_hwio, w,
              lambda i: (*i[2:], i[1], i[0])),  # w[o, c, *t] -> [*t, c, o]
             ("conv_transpose_weights_to_tf", "w", layouts.conv_transpose_weights_to_tf, w,
              lambda i: (*i[2:], i[1], i[0])))  # w[i, o, *t] -> [*t, o, i]
    for fn_name, arg, convert, a, moved in pairs:
        name = f"{fn_name}({arg})"
        got = np.asarray(convert(a))
        want_shape = moved(a.shape)
        if got.shape != want_shape:
            fail(f"{name}.shape={got.shape}, but should be {want_shape}", rule,
                 f"{name} with {arg}: {a.shape} (rank {r})")
        for index in np.ndindex(*a.shape):
            if got[moved(index)] != a[index]:
                fail(f"{name}[{moved(index)}]={got[moved(index)]}, but should be "
                     f"{arg}[{index}]={a[index]}", rule, f"{name} with shape {a.shape}")
    trips = (("to_channels_first(to_channels_last(x))",
              layouts.to_channels_first(layouts.to_channels_last(x)), x),
             ("to_channels_last(to_channels_first(y))", layouts.to_channels_last(
                 layouts.to_channels_first(np.moveaxis(x, 1, -1))), np.moveaxis(x, 1, -1)),
             ("weights_from_hwio(weights_to_hwio(w))",
              layouts.weights_from_hwio(layouts.weights_to_hwio(w)), w),
             ("conv_transpose_weights_from_tf(conv_transpose_weights_to_tf(w))",
              layouts.conv_transpose_weights_from_tf(layouts.conv_transpose_weights_to_tf(w)), w))
    for name, got, want in trips:
        assert_exact(got, want, rule=rule, call=f"{name} with shape {want.shape}")


@check("net.layouts", ops=(), cases=_layout_cases)
def check_channels_last_conv_equals_channels_first(target, case):
    """A grouped convolution computed channels-last, written here with np.tensordot on the
    HWIO kernel from cnnspec.layouts, moved back to channels-first, equals ref.conv exactly
    (integer data: exact sums)."""
    import itertools

    import numpy as np

    from .. import layouts, ref
    from ..asserts import assert_exact

    rule = "net.layouts"
    x, w, stride, padding, dilation, groups = case
    r = x.ndim - 2
    xl = layouts.to_channels_last(x)  # (N, *S, C_in)
    wl = layouts.weights_to_hwio(w)  # (*K, C_in/groups, C_out)
    kernel, cg, c_out = wl.shape[:r], wl.shape[r], wl.shape[r + 1]
    og = c_out // groups
    xpad = np.pad(xl, ((0, 0), *padding, (0, 0)))  # (N, *S_padded, C_in)
    out = tuple((xpad.shape[1 + a] - dilation[a] * (kernel[a] - 1) - 1) // stride[a] + 1
                for a in range(r))
    y = np.zeros((x.shape[0], *out, c_out))  # (N, *O, C_out)
    for p in itertools.product(*(range(o) for o in out)):
        taps = tuple(slice(p[a] * stride[a], p[a] * stride[a] + dilation[a] * (kernel[a] - 1) + 1,
                           dilation[a]) for a in range(r))
        for g in range(groups):
            window = xpad[(slice(None), *taps, slice(g * cg, (g + 1) * cg))]  # (N, *K, C_in/groups)
            kg = wl[..., g * og:(g + 1) * og]  # (*K, C_in/groups, C_out/groups)
            y[(slice(None), *p, slice(g * og, (g + 1) * og))] = np.tensordot(
                window, kg, axes=(list(range(1, r + 2)), list(range(r + 1))))
    expected = ref.conv(x, w, stride=stride, padding=padding, dilation=dilation, groups=groups)
    call = (f"conv(x: {x.shape}, w: {w.shape}, stride={stride}, padding={padding}, "
            f"dilation={dilation}, groups={groups}) channels-last vs channels-first")
    assert_exact(layouts.to_channels_first(y), expected, rule=rule, call=call)


# ---------------------------------------------------------------- pool.max-indices


def _indices_cases() -> Any:
    """(x, kwargs): integer x in [-2, 2] (many ties) of rank 1-3, kernel 1-3, stride 1-3,
    dilation 1-2, padding up to k//2 per side, ceil_mode either way."""
    import numpy as np

    @st.composite
    def strategy(draw: Any) -> tuple:
        rank = draw(st.integers(1, 3), label="rank")
        kernel = tuple(draw(st.integers(1, 3), label=f"k[{a}]") for a in range(rank))
        kw = dict(kernel=kernel,
                  stride=tuple(draw(st.integers(1, 3), label=f"s[{a}]") for a in range(rank)),
                  dilation=tuple(draw(st.integers(1, 2), label=f"d[{a}]") for a in range(rank)),
                  padding=tuple((p, p) for p in (draw(st.integers(0, k // 2), label=f"p[{a}]")
                                                 for a, k in enumerate(kernel))),
                  ceil_mode=draw(st.booleans(), label="ceil_mode"))
        shape = (draw(st.integers(1, 2), label="N"), draw(st.integers(1, 2), label="C"),
                 *(draw(st.integers(1, 6), label=f"i[{a}]") for a in range(rank)))
        seed = draw(st.integers(0, 2**16), label="seed")
        x = np.random.default_rng(seed).integers(-2, 3, shape).astype(float)  # (N, C, *S)
        return x, kw

    return strategy()


@check("pool.max-indices", ops=(), cases=_indices_cases)
def check_indices_are_the_first_maximum(target, case):
    """ref.pool_indices.max_pool_with_indices: values equal ref.max_pool; each index is the
    first input cell of its window (taps listed here one by one, row-major) holding the
    maximum; ONNX's indices are the per-plane ones plus (n*C + c)*prod(S), and index the
    flattened x to the pooled values."""
    import itertools
    import math

    import numpy as np

    from .. import ref
    from ..asserts import assert_exact
    from ..ref import pool_indices

    rule = "pool.max-indices"
    x, kw = case
    call = f"max_pool_with_indices(x: {x.shape}, {kw})"
    try:
        expected = ref.max_pool(x, **kw)
    except InvalidConfig:
        return  # refused configurations: pool.kernel-fits, pool.window-has-input
    y, index = pool_indices.max_pool_with_indices(x, **kw)
    assert_exact(y, expected, rule=rule, call=call)
    spatial = x.shape[2:]
    out = expected.shape[2:]
    want = np.empty(index.shape, dtype=np.int64)
    for p in itertools.product(*(range(o) for o in out)):
        cells = []  # input positions of the window's taps on the input, in window order
        for t in itertools.product(*(range(k) for k in kw["kernel"])):
            q = tuple(pa * s + ta * d - pb for pa, ta, s, d, (pb, _) in
                      zip(p, t, kw["stride"], kw["dilation"], kw["padding"]))
            if all(0 <= qa < i for qa, i in zip(q, spatial)):
                cells.append(q)
        for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
            values = [x[(n, c, *q)] for q in cells]
            first = cells[values.index(max(values))]
            want[(n, c, *p)] = int(np.ravel_multi_index(first, spatial))
    assert_exact(index, want, rule=rule, call=call, name="indices")
    onnx = pool_indices.onnx_indices(index, x.shape)
    plane = math.prod(spatial)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        assert_exact(onnx[n, c], want[n, c] + (n * x.shape[1] + c) * plane, rule=rule,
                     call=f"onnx_indices of {call}, plane (n={n}, c={c})", name="onnx indices")
    assert_exact(x.ravel()[onnx], expected, rule=rule, call=f"x.ravel()[onnx_indices] of {call}")
