"""The error bounds of cnnspec.tolerance: they hold, they are not vacuous, they separate
precisions, and integer-valued data is exact.  [tolerance.k-aware] [tolerance.exact-integers]

Oracles: PyTorch's CPU float32 conv and pooling (a real implementation, not ours), and a
float16 accumulator simulated with NumPy float16 arithmetic (each NumPy float16 op rounds
once, correctly: float32 has 24 >= 2*11 + 2 bits, so computing in float32 and rounding back
is exact rounding).  Data comes from a NumPy seed that Hypothesis draws (faster than drawing arrays element by element).
torch is imported lazily, inside the tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import cites
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import ref
from cnnspec import tolerance as T
from cnnspec.asserts import assert_exact, assert_within, format_call
from cnnspec.errors import InvalidConfig

torch = pytest.importorskip("torch")
F = torch.nn.functional

#: A 1-D conv without stride, padding or dilation, in the target-contract form.
UNIT1 = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)

# ---------------------------------------------------------------- configurations and data


def _data(rng: np.random.Generator, shape: tuple[int, ...], dist: str) -> np.ndarray:
    """Real-valued float64 data: 'normal' (cancellation), 'uniform' in [0, 1) (none: S = |y|),
    'spread' (random signs, magnitudes e**U(-4, 4): terms of very different sizes)."""
    if dist == "normal":
        return rng.standard_normal(shape)
    if dist == "uniform":
        return rng.uniform(0.0, 1.0, shape)
    return rng.choice([-1.0, 1.0], shape) * np.exp(rng.uniform(-4.0, 4.0, shape))


@st.composite
def conv_cases(draw, *, max_rank: int = 3, max_cg: int = 16):
    """(x, w, b, kwargs) of a valid conv with explicit (before, after) padding pairs."""
    rank = draw(st.integers(1, max_rank), label="rank")
    groups = draw(st.sampled_from([1, 1, 2, 3]), label="groups")
    cg = draw(st.sampled_from([1, 2, 3, 4, 8, max_cg]), label="C_in/groups")
    og = draw(st.integers(1, 3), label="C_out/groups")
    kernel = tuple(draw(st.lists(st.integers(1, 4 - (rank == 3)), min_size=rank,
                                 max_size=rank), label="kernel"))
    stride = tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank), label="stride"))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank),
                          label="dilation"))
    padding = tuple(draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                  min_size=rank, max_size=rank), label="padding"))
    extra = tuple(draw(st.lists(st.integers(0, 5 - rank), min_size=rank, max_size=rank),
                       label="extra"))
    # input size so that the dilated kernel fits: i + pb + pa >= d(k-1) + 1
    spatial = tuple(max(1, d * (k - 1) + 1 - pb - pa) + e
                    for k, d, (pb, pa), e in zip(kernel, dilation, padding, extra))
    n = draw(st.integers(1, 2), label="N")
    bias = draw(st.booleans(), label="bias")
    dist = draw(st.sampled_from(["normal", "uniform", "spread"]), label="dist")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    x = _data(rng, (n, groups * cg, *spatial), dist)
    w = _data(rng, (groups * og, cg, *kernel), dist)
    b = _data(rng, (groups * og,), dist) if bias else None
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


def torch_conv(x, w, b, *, stride, padding, dilation, groups, dtype=None):
    """F.conv{1,2,3}d on x, w, b rounded to ``dtype`` (float32); asymmetric padding applied
    with np.pad first (zeros are exact in every dtype).  Returns float64."""
    dtype = dtype or torch.float32
    conv = (F.conv1d, F.conv2d, F.conv3d)[x.ndim - 3]
    xp = np.pad(x, [(0, 0), (0, 0), *padding])
    t = lambda a: None if a is None else torch.from_numpy(np.ascontiguousarray(a)).to(dtype)  # noqa: E731
    with torch.no_grad():
        y = conv(t(xp), t(w), t(b), stride=stride, padding=0, dilation=dilation, groups=groups)
    return y.double().numpy()


def _call(x, w, b, kw):
    return format_call("conv", x, w, b, **kw)


# ---------------------------------------------------------------- (a) the bounds hold


@cites("tolerance.k-aware", "conv.def")
@given(case=conv_cases())
def test_torch_float32_conv_is_within_the_gamma_bound(case):
    x, w, b, kw = case
    y = torch_conv(x, w, b, **kw)
    bound = T.conv_bound(x, w, b, u="float32", **kw)  # inputs rounded to float32, too
    assert_within(y, ref.conv(x, w, b, **kw), bound, rule="tolerance.k-aware",
                  call=_call(x, w, b, kw))


@cites("tolerance.k-aware", "conv.def")
@given(case=conv_cases())
def test_torch_float32_conv_is_within_the_sqrt_bound(case):
    x, w, b, kw = case
    y = torch_conv(x, w, b, **kw)
    bound = T.conv_bound(x, w, b, u="float32", mode="sqrt", **kw)
    assert_within(y, ref.conv(x, w, b, **kw), bound, rule="tolerance.k-aware",
                  call=_call(x, w, b, kw))


@cites("tolerance.k-aware")
@given(case=conv_cases(max_rank=2, max_cg=64))
def test_accumulation_error_alone_is_within_the_sqrt_bound_on_rounded_inputs(case):
    # Compared with the reference on the inputs torch really used, only the accumulation
    # error is left: input_u=0.  This is the regime performance.md measured.
    x, w, b, kw = case
    r32 = lambda a: None if a is None else a.astype(np.float32).astype(np.float64)  # noqa: E731
    x, w, b = r32(x), r32(w), r32(b)
    y = torch_conv(x, w, b, **kw)
    bound = T.conv_bound(x, w, b, u="float32", input_u=0, mode="sqrt", **kw)
    assert_within(y, ref.conv(x, w, b, **kw), bound, rule="tolerance.k-aware",
                  call=_call(x, w, b, kw))


@cites("tolerance.k-aware", "pool.avg-def")
@given(rank=st.integers(1, 3), k=st.integers(1, 4), s=st.integers(1, 3), data=st.data())
def test_torch_float32_avg_pool_is_within_its_bound(rank, k, s, data):
    p = data.draw(st.integers(0, k // 2), label="padding")  # torch: pad <= kernel/2
    include = data.draw(st.booleans(), label="count_include_pad")
    size = data.draw(st.integers(k if rank == 3 else max(1, k - 2 * p), 7), label="size")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    x = _data(rng, (2, 3) + (size,) * rank, data.draw(st.sampled_from(["normal", "spread"])))
    pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
    y = pool(torch.from_numpy(x).float(), k, s, p, count_include_pad=include).double().numpy()
    kw = dict(kernel=k, stride=s, padding=p, count_include_pad=include)
    assert_within(y, ref.avg_pool(x, **kw), T.avg_pool_bound(x, u="float32", **kw),
                  rule="tolerance.k-aware", call=format_call("avg_pool", x, **kw))


@cites("tolerance.max-exact", "pool.max-def")
@given(rank=st.integers(1, 3), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 2),
       data=st.data())
def test_torch_float32_max_pool_is_the_rounded_reference_max(rank, k, s, d, data):
    p = data.draw(st.integers(0, k // 2), label="padding")
    # size >= d as well: then every (dilated) window has a tap on the input
    size = data.draw(st.integers(max(d, d * (k - 1) + 1 - 2 * p), 8), label="size")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    x = _data(rng, (2, 2) + (size,) * rank, "spread")
    pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[rank - 1]
    y = pool(torch.from_numpy(x).float(), k, s, p, d).double().numpy()
    kw = dict(kernel=k, stride=s, padding=p, dilation=d)
    call = format_call("max_pool", x, **kw)
    # max never rounds: equal to the reference on the float32-rounded inputs ...
    assert_exact(y, ref.max_pool(x.astype(np.float32), **kw), rule="tolerance.max-exact",
                 call=call)
    # ... and within one rounding of the float64 reference.
    assert_within(y, ref.max_pool(x, **kw), T.max_pool_bound(x, input_u="float32", **kw),
                  rule="tolerance.max-exact", call=call)


# ---------------------------------------------------------------- (b) not vacuous


@cites("tolerance.k-aware")
@given(case=conv_cases(), pick=st.integers(0, 2**31), mode=st.sampled_from(["gamma", "sqrt"]))
def test_an_error_of_twice_the_bound_in_one_element_is_caught(case, pick, mode):
    x, w, b, kw = case
    y, y_ref = torch_conv(x, w, b, **kw), ref.conv(x, w, b, **kw)
    bound = T.conv_bound(x, w, b, u="float32", mode=mode, **kw)
    i = np.unravel_index(pick % y.size, y.shape)
    bad = y.copy()
    bad[i] += 2 * bound[i] * (1.0 if bad[i] >= y_ref[i] else -1.0)  # away from the reference
    with pytest.raises(AssertionError, match=r"outside the error bound \[tolerance\.k-aware\]"):
        assert_within(bad, y_ref, bound, rule="tolerance.k-aware", call=_call(x, w, b, kw))


@cites("tolerance.k-aware")
def test_the_gamma_bound_is_attained_at_one_term():
    # (1 + 2**-12)**2 = 1 + 2**-11 + 2**-24: a tie, rounded to even 1 + 2**-11 by float32,
    # an error of 2**-24 = u * 1.  gamma_1 * S = u/(1-u) * (1 + 2**-11 + 2**-24): the
    # correct float32 result uses 99.9 % of the bound, so c = 0.5 would reject it.
    v = 1 + 2.0**-12
    x, w = np.full((1, 1, 1), v), np.full((1, 1, 1), v)  # (N, C, W), (C_out, C_in, K)
    kw = dict(stride=(1,), padding=((0, 0),), dilation=(1,), groups=1)
    y, y_ref = torch_conv(x, w, None, **kw), ref.conv(x, w, **kw)
    assert y[0, 0, 0] == 1 + 2.0**-11 and y_ref[0, 0, 0] == 1 + 2.0**-11 + 2.0**-24
    bound = T.conv_bound(x, w, u="float32", input_u=0, **kw)  # the inputs are float32 already
    assert abs(y - y_ref)[0, 0, 0] / bound[0, 0, 0] > 0.999
    assert_within(y, y_ref, bound, rule="tolerance.k-aware")
    with pytest.raises(AssertionError):
        assert_within(y, y_ref, T.conv_bound(x, w, u="float32", input_u=0, c=0.5, **kw),
                      rule="tolerance.k-aware")


@cites("tolerance.k-aware")
def test_rounding_float64_inputs_to_float32_costs_up_to_2u_more_than_gamma_k():
    # One product (K = 1): x and w are rounded to float32 (2 roundings), then x*w (1 more).
    # torch's error is 2.73 u |x w|: gamma_1 * S alone (= 1.0 u S) would reject this
    # correct float32 result; the bound with input_u = u allows (1 + gamma_1)(1 + u)**2 - 1.
    x = np.array([[[1.0467866128865315]]])  # (N, C_in, W), not a float32
    w = np.array([[[1.000401318789593]]])  # (C_out, C_in, K), not a float32
    y, y_ref = torch_conv(x, w, None, **UNIT1), ref.conv(x, w, **UNIT1)
    err, s = abs(y - y_ref)[0, 0, 0], T.conv_abs_sum(x, w, **UNIT1)[0, 0, 0]
    assert err > 2.7 * T.U["float32"] * s > T.gamma(1, "float32") * s
    assert_within(y, y_ref, T.conv_bound(x, w, u="float32", **UNIT1), rule="tolerance.k-aware")
    with pytest.raises(AssertionError):
        assert_within(y, y_ref, T.conv_bound(x, w, u="float32", input_u=0, **UNIT1),
                      rule="tolerance.k-aware")


@cites("tolerance.k-aware", "pool.avg-def")
def test_the_avg_pool_bound_counts_the_division_and_a_rounded_reciprocal():
    # Three float32 values averaged as (x0 + x1 + x2) * fl(1/3), all in float32: four
    # roundings, an error of 2.6 u * mean|x|, more than the two additions' gamma_2 allows.
    # avg_pool_bound counts K - 1 additions + the division + the reciprocal: gamma_{K+1}.
    x = np.array([[[1.011771559715271, 1.002274513244629, 1.0540636777877808]]])  # (N, C, W)
    x32 = x.astype(np.float32)
    assert (x32 == x).all()  # float32 values: no input rounding
    y = ((x32[..., :1] + x32[..., 1:2]) + x32[..., 2:]) * np.float32(1 / 3)  # (1, 1, 1)
    y_ref = ref.avg_pool(x, kernel=3)
    err = abs(y.astype(np.float64) - y_ref)[0, 0, 0]
    assert err > T.gamma(2, "float32") * y_ref[0, 0, 0]
    assert_within(y, y_ref, T.avg_pool_bound(x, kernel=3, u="float32", input_u=0),
                  rule="tolerance.k-aware")


# ---------------------------------------------------------------- (c) precisions separate


def conv1d_float16(x, w, b=None):
    """Valid 1-D conv accumulated in float16: every product and every partial sum rounded to
    float16, one term at a time (channel-major, then kernel offset).  Returns float64."""
    x16, w16 = x.astype(np.float16), w.astype(np.float16)
    k = w.shape[2]
    length = x.shape[2] - k + 1
    y = np.zeros((x.shape[0], w.shape[0], length), dtype=np.float16)  # (N, C_out, L)
    if b is not None:
        y += b.astype(np.float16)[:, None]
    for c in range(x.shape[1]):
        for t in range(k):
            y += x16[:, None, c, t:t + length] * w16[None, :, c, t, None]  # float16 ops
    return y.astype(np.float64)



@cites("tolerance.k-aware")
def test_a_float16_accumulator_breaks_the_float32_bound_at_large_k():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 128, 20))  # (N, C_in, W): K = 128 * 5 = 640
    w = rng.standard_normal((2, 128, 5))
    y16, y_ref = conv1d_float16(x, w), ref.conv(x, w, **UNIT1)
    for mode in ("gamma", "sqrt"):
        with pytest.raises(AssertionError, match=r"tolerance\.k-aware"):
            assert_within(y16, y_ref, T.conv_bound(x, w, u="float32", mode=mode, **UNIT1),
                          rule="tolerance.k-aware")
        assert_within(y16, y_ref, T.conv_bound(x, w, u="float16", mode=mode, **UNIT1),
                      rule="tolerance.k-aware")
    # the float32 implementation passes the float32 bound on the same data
    assert_within(torch_conv(x, w, None, **UNIT1), y_ref, T.conv_bound(x, w, **UNIT1),
                  rule="tolerance.k-aware")


@cites("tolerance.k-aware")
@given(cin=st.integers(1, 96), k=st.integers(1, 5), bias=st.booleans(),
       seed=st.integers(0, 2**32 - 1), dist=st.sampled_from(["normal", "uniform"]))
def test_a_float16_accumulator_is_within_the_float16_bound(cin, k, bias, seed, dist):
    # not 'spread' data: its sums could pass float16's largest value, 65504 (overflow is
    # outside the model); 'uniform' has values among float16's subnormals (below 2**-14)
    rng = np.random.default_rng(seed)
    x, w = _data(rng, (2, cin, k + 6), dist), _data(rng, (2, cin, k), dist)
    b = _data(rng, (2,), dist) if bias else None
    for mode in ("gamma", "sqrt"):
        assert_within(conv1d_float16(x, w, b), ref.conv(x, w, b, **UNIT1),
                      T.conv_bound(x, w, b, u="float16", mode=mode, **UNIT1),
                      rule="tolerance.k-aware", call=_call(x, w, b, UNIT1))


@cites("tolerance.k-aware")
@given(case=conv_cases(max_rank=2, max_cg=64))
def test_float16_inputs_with_a_float32_accumulator_are_within_the_mixed_bound(case):
    # The GPU recipe: inputs rounded to float16, products and sums in float32.
    x, w, b, kw = case
    r16 = lambda a: None if a is None else a.astype(np.float16).astype(np.float64)  # noqa: E731
    y = torch_conv(r16(x), r16(w), r16(b), **kw)
    bound = T.conv_bound(x, w, b, u="float32", input_u="float16", **kw)
    assert_within(y, ref.conv(x, w, b, **kw), bound, rule="tolerance.k-aware",
                  call=_call(x, w, b, kw))


# ---------------------------------------------------------------- (d) exact integers


@st.composite
def integer_conv_cases(draw):
    """Integer-valued conv data whose largest sum S = sum|x||w| + |b| reaches up to 2**24."""
    x, w, b, kw = draw(conv_cases(max_rank=3, max_cg=16))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="int_seed"))
    n = T.conv_terms(w, b)
    room = 24 - math.ceil(math.log2(n))  # bits left for |x| * |w|
    bx = draw(st.integers(0, room), label="bits_x")
    bw = draw(st.integers(0, room - bx), label="bits_w")
    ints = lambda a, bits: None if a is None else rng.integers(  # noqa: E731
        -(2**bits), 2**bits + 1, a.shape).astype(np.float64)
    return ints(x, bx), ints(w, bw), ints(b, bx + bw), kw


@cites("tolerance.exact-integers", "conv.def")
@given(case=integer_conv_cases())
def test_integer_valued_data_below_2_24_is_exact_in_torch_float32(case):
    x, w, b, kw = case
    assert T.exact_in("float32", T.conv_abs_sum(x, w, b, **kw))
    assert_exact(torch_conv(x, w, b, **kw), ref.conv(x, w, b, **kw),
                 rule="tolerance.exact-integers", call=_call(x, w, b, kw))


@cites("tolerance.exact-integers")
def test_exactness_ends_one_past_2_24_in_float32():
    w = np.ones((1, 2, 1))  # (C_out, C_in, K): y = x[0] + x[1], K = 2
    last = np.array([[[2.0**24 - 1], [1.0]]])  # (N, C_in, W): sum 2**24, representable
    past = np.array([[[2.0**24], [1.0]]])  # sum 2**24 + 1: a tie, rounded to 2**24
    for x, exact in ((last, True), (past, False)):
        s = T.conv_abs_sum(x, w, **UNIT1)
        assert T.exact_in("float32", s) is exact
        assert (torch_conv(x, w, None, **UNIT1) == ref.conv(x, w, **UNIT1)).all() == exact


@cites("tolerance.exact-integers")
@pytest.mark.parametrize("name", ["float64", "float32", "float16", "bfloat16"])
def test_the_precision_table_matches_the_real_formats(name):
    p = T.PRECISIONS[name]
    dtype = getattr(torch, name)
    big = 2**p.p
    as_dtype = lambda v: torch.tensor(v, dtype=torch.float64).to(dtype).double().item()  # noqa: E731
    assert as_dtype(big) == big and as_dtype(big - 1) == big - 1  # 2**p: last exact integer
    assert as_dtype(big + 1) != big + 1  # ... and 2**p + 1 the first inexact one
    assert T.exact_in(name, big) and not T.exact_in(dtype, big + 1)
    info = torch.finfo(dtype)
    assert p.u == info.eps / 2  # eps = 2**(1-p): the spacing above 1
    assert p.eta == info.tiny * info.eps  # smallest subnormal = smallest normal * 2**(1-p)
    assert T.U["tf32"] == T.U["float16"] and T.ETA["tf32"] == 2.0**-136  # 10-bit mantissa


# ---------------------------------------------------------------- (e) no bound at K*u >= 1


@cites("tolerance.k-aware")
@pytest.mark.parametrize("name,p", [("float16", 11), ("bfloat16", 8), ("float32", 24)])
def test_gamma_exists_below_k_u_1_and_raises_at_it(name, p):
    k_last = 2**p - 1  # k*u = 1 - u < 1
    assert T.gamma(k_last, name) == pytest.approx(k_last / 1.0)  # (1-u)/u = 2**p - 1
    with pytest.raises(InvalidConfig, match=rf"k={2**p}.*should be < 1.*\[tolerance\.k-aware\]"):
        T.gamma(2**p, name)
    assert T.gamma(0, name) == 0.0


@cites("tolerance.k-aware")
def test_conv_bound_refuses_a_float16_sum_of_2048_terms():
    x = np.ones((1, 2048, 1))  # (N, C_in, W): K = 2048 = 1/u
    w = np.ones((1, 2048, 1))
    T.conv_bound(x[:, :2045], w[:, :2045], u="float16", input_u=0, **UNIT1)  # K = 2045
    with pytest.raises(InvalidConfig, match=r"\[tolerance\.k-aware\]"):
        T.conv_bound(x, w, u="float16", **UNIT1)
