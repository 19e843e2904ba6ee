"""The reference against SciPy, wherever SciPy can express the case.  Exact: integer-valued
float64 data in [-4, 4], SciPy's direct (non-FFT) methods, sums far below 2**53.

How each SciPy function maps onto the reference (single channel; channels are summed in
the oracle, y[n, o] = b[o] + sum_c f(x[n, g(o)*Cg + c], w[o, c])):

    signal.correlate(x, w, 'valid')[::s]         conv(stride=s, padding='valid')
    signal.correlate(np.pad(x, P), w, 'valid')   conv(padding=P)
    signal.correlate(x, w, 'full')               conv(padding='full')
    signal.correlate(x, w, 'same')               conv(padding='same_lower')      (!)
    signal.convolve(x, w, mode)                  convolve(...), the same three modes
    w zero-stuffed (w_d[::d] = w)                dilation=d, in every row above
    ndimage.correlate(x, w, mode=M)              conv(padding='same_lower', padding_mode=m)
        M: 'constant' (cval=0) = 'zeros', 'mirror' = 'reflect', 'nearest' = 'replicate',
           'wrap' = 'circular'; ndimage's own 'reflect' repeats the edge (np.pad
           'symmetric'), a mode the reference does not have
    ndimage.maximum_filter(x, k, mode='constant', cval=-inf)[::s]
                                                 max_pool(k, stride=s, padding=same_lower)
    ndimage.uniform_filter(x, k, mode='constant')[::s]
                                                 avg_pool(k, stride=s, padding=same_lower,
                                                          count_include_pad=True)

'same' (E = d*(K-1) + 1, the dilated kernel's extent; full = the 'full' output, which
starts with E-1 cells of left padding):
    scipy.signal 'same' = full[(E-1)//2 : (E-1)//2 + n]   (scipy's _centered: start
        = (len(full) - n) // 2), i.e. E//2 cells of padding before, (E-1)//2 after;
    ref 'same' (= 'same_upper', TF, PyTorch)  = full[E//2 : E//2 + n]: (E-1)//2 before;
    ref 'same_lower' = full[(E-1)//2 : ...]: E//2 before.
So scipy 'same' is ref 'same_lower', for correlate and convolve alike (scipy correlates by
convolving with the reversed kernel and centres that); for odd E all three agree, for even
E scipy's output is ref 'same' shifted one cell later: scipy[p] = ref_same[p - 1].
ndimage centres a window of size E at E//2 (origin=0): the same E//2 cells before.

SciPy is imported inside the tests (lazily), never when cnnspec is imported.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import cites
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import ref
from cnnspec.asserts import assert_exact, format_call

signal = pytest.importorskip("scipy.signal")
ndimage = pytest.importorskip("scipy.ndimage")

#: The reference's padding_mode -> scipy.ndimage's mode of the same padded values.
NDIMAGE_MODE = {"zeros": "constant", "reflect": "mirror", "replicate": "nearest",
                "circular": "wrap"}
#: scipy.signal's mode -> the reference's padding string (stride 1).
SIGNAL_PADDING = {"valid": "valid", "full": "full", "same": "same_lower"}


# ---------------------------------------------------------------- oracle pieces


def stuffed(w: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """Zero-stuffed kernel of a dilated one: w_d[*(t*d)] = w[*t], zeros between; shape
    d*(K-1) + 1 per axis (the last len(dilation) axes)."""
    r = len(dilation)
    lead, kernel = w.shape[:-r], w.shape[-r:]
    out = np.zeros((*lead, *(d * (k - 1) + 1 for k, d in zip(kernel, dilation))))
    out[(..., *(slice(None, None, d) for d in dilation))] = w
    return out


def channel_sum(f, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, groups: int) -> np.ndarray:
    """y[n, o] = b[o] + sum_{c < Cg} f(x[n, g(o)*Cg + c], w[o, c]), f a single-channel op."""
    c_out, cg = w.shape[:2]
    og = c_out // groups
    rows = []
    for n, o in itertools.product(range(x.shape[0]), range(c_out)):
        g = o // og
        acc = sum(f(x[n, g * cg + c], w[o, c]) for c in range(cg))
        rows.append(acc + (0.0 if b is None else b[o]))
    return np.stack(rows).reshape(x.shape[0], c_out, *rows[0].shape)


# ---------------------------------------------------------------- configurations


@st.composite
def cases(draw, *, kind: str, max_rank: int = 3):
    """Integer-valued conv data and parameters.

    kind='explicit': padding pairs, stride, dilation (the padded input fits the kernel);
    kind='string': stride 1, no padding drawn, any sizes (the kernel may exceed the input);
    kind='fits': stride 1, no padding drawn, sizes >= E (for 'valid');
    kind='ndimage': stride 1, input size > E//2 (reflect padding needs pad < size).
    """
    rank = draw(st.integers(1, max_rank), label="rank")
    kernel = tuple(draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank),
                        label="kernel"))
    dilation = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank),
                          label="dilation"))
    ext = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    stride, padding = (1,) * rank, ((0, 0),) * rank
    if kind == "explicit":
        stride = tuple(draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank),
                            label="stride"))
        padding = tuple(draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                      min_size=rank, max_size=rank), label="padding"))
        low = [max(1, e - pb - pa) for e, (pb, pa) in zip(ext, padding)]
    elif kind == "string":
        low = [1] * rank
    elif kind == "fits":
        low = ext
    else:
        low = [e // 2 + 1 for e in ext]
    spatial = tuple(draw(st.integers(lo, lo + 5 - rank), label=f"size[{a}]")
                    for a, lo in enumerate(low))
    groups = draw(st.sampled_from([1, 1, 2]), label="groups")
    cg, og = draw(st.integers(1, 2), label="C_in/groups"), draw(st.integers(1, 2), label="og")
    n = draw(st.integers(1, 2), label="N")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    ints = lambda *shape: rng.integers(-4, 5, shape).astype(np.float64)  # noqa: E731
    x, w = ints(n, groups * cg, *spatial), ints(groups * og, cg, *kernel)
    b = ints(groups * og) if draw(st.booleans(), label="bias") else None
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


# ---------------------------------------------------------------- signal.correlate / convolve


@cites("conv.def", "conv.dilation", "pad.valid")
@given(case=cases(kind="explicit"))
def test_conv_is_scipy_correlate_valid_on_the_padded_input_subsampled_by_stride(case):
    x, w, b, kw = case
    s, d = kw["stride"], kw["dilation"]
    xpad = np.pad(x, [(0, 0), (0, 0), *kw["padding"]])
    step = tuple(slice(None, None, si) for si in s)
    f = lambda xc, wc: signal.correlate(xc, stuffed(wc, d), mode="valid", method="direct")[step]  # noqa: E731
    assert_exact(ref.conv(x, w, b, **kw), channel_sum(f, xpad, w, b, kw["groups"]),
                 rule="conv.def", call=format_call("conv", x, w, **kw))


@cites("conv.def", "conv.dilation", "pad.valid", "pad.full", "pad.same")
@pytest.mark.parametrize("mode", ["valid", "full", "same"])
@given(data=st.data())
def test_conv_padding_strings_are_scipy_correlate_modes(mode, data):
    # 'valid' needs the kernel to fit (else scipy swaps the operands, or raises)
    x, w, b, kw = data.draw(cases(kind="fits" if mode == "valid" else "string"), label="case")
    d = kw["dilation"]
    kw = dict(kw, padding=SIGNAL_PADDING[mode])
    f = lambda xc, wc: signal.correlate(xc, stuffed(wc, d), mode=mode, method="direct")  # noqa: E731
    assert_exact(ref.conv(x, w, b, **kw), channel_sum(f, x, w, b, kw["groups"]),
                 rule=f"pad.{mode}", call=format_call("conv", x, w, **kw))


@cites("conv.convolve", "conv.dilation", "pad.valid", "pad.full", "pad.same")
@pytest.mark.parametrize("mode", ["valid", "full", "same"])
@given(data=st.data(), method=st.sampled_from(["direct", "auto"]))
def test_convolve_is_scipy_convolve_in_every_mode(mode, data, method):
    x, w, b, kw = data.draw(cases(kind="fits" if mode == "valid" else "string"), label="case")
    d = kw["dilation"]
    kw = dict(kw, padding=SIGNAL_PADDING[mode])

    def f(xc, wc):
        y = signal.convolve(xc, stuffed(wc, d), mode=mode, method=method)
        return np.round(y) if method == "auto" else y  # 'auto' may pick FFT: round to the ints

    assert_exact(ref.convolve(x, w, b, **kw), channel_sum(f, x, w, b, kw["groups"]),
                 rule="conv.convolve", call=format_call("convolve", x, w, **kw))


@cites("pad.same", "pad.full")
@pytest.mark.parametrize("op", ["correlate", "convolve"])
@given(case=cases(kind="string"))
def test_scipy_same_is_full_cropped_at_e_minus_1_over_2_and_ref_same_at_e_over_2(case, op):
    x, w, _, kw = case
    x, w, d = x[:1, :1], w[:1, :1], kw["dilation"]  # one channel: the docstring's statement
    conv = ref.conv if op == "correlate" else ref.convolve
    full = conv(x, w, padding="full", dilation=d)[0, 0]
    ext = [di * (k - 1) + 1 for k, di in zip(w.shape[2:], d)]
    crop = lambda starts: full[tuple(slice(a, a + n) for a, n in zip(starts, x.shape[2:]))]  # noqa: E731
    lower, upper = crop([(e - 1) // 2 for e in ext]), crop([e // 2 for e in ext])
    call = format_call(op, x, w, dilation=d)
    scipy_same = getattr(signal, op)(x[0, 0], stuffed(w[0, 0], d), mode="same", method="direct")
    assert_exact(scipy_same, lower, rule="pad.same", call=call, name="scipy 'same'")
    assert_exact(conv(x, w, padding="same_lower", dilation=d)[0, 0], lower, rule="pad.same",
                 call=call, name="ref 'same_lower'")
    assert_exact(conv(x, w, padding="same", dilation=d)[0, 0], upper, rule="pad.same",
                 call=call, name="ref 'same'")


@cites("pad.same")
def test_scipy_same_puts_the_extra_cell_before_for_an_even_kernel():
    x = np.array([[[1.0, 2.0, 3.0, 4.0, 5.0]]])  # (N, C, W)
    w = np.array([[[1.0, 10.0]]])  # (C_out, C_in, K): y[p] = xpad[p] + 10*xpad[p+1]
    # ref 'same' (upper): padding (0, 1): x[p] + 10*x[p+1]
    np.testing.assert_array_equal(ref.conv(x, w, padding="same")[0, 0], [21, 32, 43, 54, 5])
    # scipy 'same' = ref 'same_lower': padding (1, 0): x[p-1] + 10*x[p], one cell later
    expected = [10, 21, 32, 43, 54]
    np.testing.assert_array_equal(signal.correlate(x[0, 0], w[0, 0], mode="same"), expected)
    np.testing.assert_array_equal(ref.conv(x, w, padding="same_lower")[0, 0], expected)
    np.testing.assert_array_equal(ndimage.correlate(x[0, 0], w[0, 0], mode="constant"), expected)


# ---------------------------------------------------------------- ndimage


@cites("pad.modes", "pad.same", "conv.def", "conv.dilation")
@pytest.mark.parametrize("padding_mode", sorted(NDIMAGE_MODE))
@given(case=cases(kind="ndimage"))
def test_conv_padding_modes_are_ndimage_correlate_modes(case, padding_mode):
    x, w, b, kw = case
    kw = dict(kw, padding="same_lower", padding_mode=padding_mode)
    d, mode = kw["dilation"], NDIMAGE_MODE[padding_mode]
    f = lambda xc, wc: ndimage.correlate(xc, stuffed(wc, d), mode=mode, cval=0.0)  # noqa: E731
    assert_exact(ref.conv(x, w, b, **kw), channel_sum(f, x, w, b, kw["groups"]),
                 rule="pad.modes", call=format_call("conv", x, w, **kw))


@cites("pad.modes")
def test_ndimage_reflect_repeats_the_edge_and_is_not_ref_reflect():
    x = np.array([[[1.0, 2.0, 3.0, 4.0]]])  # (N, C, W)
    w = np.array([[[1.0, 0.0, 0.0]]])  # picks xpad[p]: shows the left padding cell
    # ref 'reflect' (torch, np.pad 'reflect', ndimage 'mirror'): x[-1] = x[1] = 2
    np.testing.assert_array_equal(ref.conv(x, w, padding="same", padding_mode="reflect")[0, 0],
                                  [2, 1, 2, 3])
    np.testing.assert_array_equal(ndimage.correlate(x[0, 0], w[0, 0], mode="mirror"),
                                  [2, 1, 2, 3])
    # ndimage 'reflect' (= 'grid-mirror', np.pad 'symmetric'): x[-1] = x[0] = 1
    np.testing.assert_array_equal(ndimage.correlate(x[0, 0], w[0, 0], mode="reflect"),
                                  [1, 1, 2, 3])


@cites("pool.max-def", "pad.same")
@given(case=cases(kind="ndimage"), s=st.integers(1, 3))
def test_max_pool_is_ndimage_maximum_filter_subsampled_by_stride(case, s):
    x, w, _, kw = case
    kernel, d = w.shape[2:], kw["dilation"]
    ext = tuple(di * (k - 1) + 1 for k, di in zip(kernel, d))
    # sizes > E//2 >= d - 1 (k >= 2) leave every dilated window a tap on the input
    pads = tuple((e // 2, (e - 1) // 2) for e in ext)
    footprint = stuffed(np.ones(kernel), d).astype(bool)
    step = tuple(slice(None, None, s) for _ in kernel)
    expected = np.stack([[ndimage.maximum_filter(xc, footprint=footprint, mode="constant",
                                                 cval=-np.inf)[step] for xc in xn] for xn in x])
    kw = dict(kernel=kernel, stride=s, padding=pads, dilation=d)
    assert_exact(ref.max_pool(x, **kw), expected, rule="pool.max-def",
                 call=format_call("max_pool", x, **kw))


@cites("pool.avg-def", "pad.same")
@given(case=cases(kind="ndimage"), s=st.integers(1, 3))
def test_avg_pool_is_ndimage_uniform_filter_subsampled_by_stride(case, s):
    x, w, _, _ = case
    kernel = w.shape[2:]
    # uniform_filter divides each 1-D running sum by k on its axis, one axis at a time, so
    # it is exact when x is a multiple of prod(kernel); the reference divides once.
    x = x * np.prod(kernel)
    pads = tuple((k // 2, (k - 1) // 2) for k in kernel)
    step = tuple(slice(None, None, s) for _ in kernel)
    expected = np.stack([[ndimage.uniform_filter(xc, size=kernel, mode="constant", cval=0.0)[step]
                          for xc in xn] for xn in x])
    # every window (a subset of the stride-1 ones) divides by prod(kernel): padding counts
    kw = dict(kernel=kernel, stride=s, padding=pads, count_include_pad=True)
    assert_exact(ref.avg_pool(x, **kw), expected, rule="pool.avg-def",
                 call=format_call("avg_pool", x, **kw))
