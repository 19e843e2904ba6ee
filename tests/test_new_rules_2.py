"""The worked examples of the second batch of issue 10's rules (conv-transpose.output-size,
net.batch-independence, net.adaptive-pool-values, pool.avg-dilation), recomputed by brute
force, and the same numbers from PyTorch where it has the operation."""

from __future__ import annotations

import itertools
import types

import numpy as np
import pytest

from cnnspec import formulas as F
from cnnspec import ref
from cnnspec.errors import InvalidConfig

# ------------------------------------------------------------ conv-transpose.output-size


def _reachable_by_brute_force(i, k, s, p, d):
    """Every output size ref.conv_transpose produces for some output_padding it accepts,
    with that output_padding: {o: op}."""
    x, w = np.ones((1, 1, i)), np.ones((1, 1, k))  # (1, 1, i), (1, 1, k)
    sizes = {}
    for op in range(0, 8):
        try:
            y = ref.conv_transpose(x, w, stride=s, padding=((p, p),), output_padding=op,
                                   dilation=d)
        except InvalidConfig:
            continue
        sizes[y.shape[-1]] = op
    return sizes


ROWS = [(i, k, s, p, d) for i, k, s, p, d in itertools.product(
    (1, 2, 3, 5), (1, 2, 3), (1, 2, 3), (0, 1, 2), (1, 2, 3))]


@pytest.mark.parametrize("i, k, s, p, d", ROWS,
                         ids=[f"convT(i={i}, k={k}, s={s}, p={p}, d={d})" for i, k, s, p, d in ROWS])
def test_output_padding_for_matches_every_reachable_size(i, k, s, p, d):  # [conv-transpose.output-size]
    reachable = _reachable_by_brute_force(i, k, s, p, d)
    for o in range(-1, 40):
        if o in reachable:
            assert F.conv_transpose_output_padding_for(i, k, o, stride=s, padding=p,
                                                       dilation=d) == reachable[o]
        else:
            with pytest.raises(InvalidConfig, match=r"\[conv-transpose\.output-size\]"):
                F.conv_transpose_output_padding_for(i, k, o, stride=s, padding=p, dilation=d)


def test_output_size_worked_examples():  # [conv-transpose.output-size]
    assert F.conv_transpose_output_padding_for(3, 3, 5, stride=2, padding=1) == 0  # o_min = 5
    assert F.conv_transpose_output_padding_for(3, 3, 6, stride=2, padding=1) == 1  # last valid
    with pytest.raises(InvalidConfig, match=r"o=7, but should be <= o_min \+ max\(stride=2, "
                                            r"dilation=1\) - 1 = 6 \[conv-transpose\.output-size\]"):
        F.conv_transpose_output_padding_for(3, 3, 7, stride=2, padding=1)
    with pytest.raises(InvalidConfig, match=r"o=4, but should be >= o_min=5"):
        F.conv_transpose_output_padding_for(3, 3, 4, stride=2, padding=1)
    # d > s: 8, 9, 10 reachable (output_padding < max(2, 3))
    assert [F.conv_transpose_output_padding_for(3, 2, o, stride=2, dilation=3)
            for o in (8, 9, 10)] == [0, 1, 2]
    y = ref.conv_transpose(np.ones((1, 1, 3)), np.ones((1, 1, 2)), stride=2, dilation=3,
                           output_padding=2)
    assert y.shape == (1, 1, 10)


def test_output_size_is_symbolic():  # [conv-transpose.output-size]
    import sympy

    i, o = sympy.symbols("i o", integer=True, positive=True)
    assert F.conv_transpose_output_padding_for(i, 3, o, stride=2, padding=1) == o - 2 * i + 1


TORCH_ROWS = [(3, 3, 2, 1, 1), (4, 2, 3, 0, 1), (2, 3, 1, 1, 2), (3, 2, 2, 0, 3), (5, 4, 3, 2, 2)]


@pytest.mark.parametrize("i, k, s, p, d", TORCH_ROWS)
def test_torch_output_size_matches_the_derived_output_padding(i, k, s, p, d):  # [conv-transpose.output-size]
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(i * 100 + k * 10 + s)
    x = rng.integers(-5, 6, (2, 2, i)).astype(float)  # (N, C_in, i)
    m = torch.nn.ConvTranspose1d(2, 3, k, stride=s, padding=p, dilation=d, bias=False).double()
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(rng.integers(-5, 6, (2, 3, k)).astype(float)))
    o_min = (i - 1) * s - 2 * p + d * (k - 1) + 1
    for o in range(max(o_min, 1), o_min + s):  # PyTorch's range: up to o_min + s - 1
        op = F.conv_transpose_output_padding_for(i, k, o, stride=s, padding=p, dilation=d)
        with torch.no_grad():
            y = m(torch.from_numpy(x), output_size=[o]).numpy()
        expected = ref.conv_transpose(x, m.weight.detach().numpy(), stride=s, padding=((p, p),),
                                      output_padding=op, dilation=d)
        assert y.shape[-1] == o
        assert np.array_equal(y, expected)
    for o in (o_min - 1, o_min + s):  # one past each end of PyTorch's range
        with pytest.raises(ValueError, match="requested an output size"):
            m(torch.from_numpy(x), output_size=[o])


def test_torch_output_size_range_is_narrower_when_dilation_exceeds_stride():  # [conv-transpose.output-size]
    torch = pytest.importorskip("torch")
    m = torch.nn.ConvTranspose1d(1, 1, 2, stride=2, dilation=3, bias=False)
    x = torch.zeros(1, 1, 3)
    assert m(x, output_size=[9]).shape[-1] == 9
    with pytest.raises(ValueError, match=r"valid sizes range from \[8\] to \[9\]"):
        m(x, output_size=[10])
    assert F.conv_transpose_output_padding_for(3, 2, 10, stride=2, dilation=3) == 2
    assert m(x).shape[-1] == 8  # without output_size: o_min
    # ... while output_padding itself reaches 10 (< max(stride, dilation) = 3)
    y = torch.nn.functional.conv_transpose1d(x, m.weight, stride=2, dilation=3, output_padding=2)
    assert y.shape[-1] == 10


def test_same_transposed_worked_example():  # [conv-transpose.output-size]
    assert F.conv_transpose_same_padding(3, stride=2) == ((0, 1), 0)  # t = 3 - 2 = 1
    assert F.conv_transpose_same_padding(1, stride=3) == ((0, 0), 2)  # 1x1: 2 cells added
    x = np.array([[[1.0, 2, 3, 4]]])  # (1, 1, 4)
    w = np.array([[[1.0, 10, 100]]])  # (1, 1, 3)
    y = ref.conv_transpose(x, w, stride=2, padding=((0, 1),))
    # scatter: 1*[1, 10, 100] at 0, 2*[...] at 2, 3*[...] at 4, 4*[...] at 6 -> 9 cells
    full = [1, 10, 102, 20, 203, 30, 304, 40, 400]
    assert y.tolist() == [[full[:8]]]  # the odd cell cropped after: o = 4*2 = 8


SAME_ROWS = [(3, 2, 1, 4), (4, 2, 1, 3), (1, 3, 1, 4), (2, 3, 2, 3), (5, 2, 1, 5), (3, 4, 1, 2),
             (2, 2, 1, 3), (5, 3, 2, 2)]


@pytest.mark.parametrize("k, s, d, i", SAME_ROWS)
def test_same_transposed_is_the_gradient_of_a_same_upper_conv(k, s, d, i):  # [conv-transpose.output-size]
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(k * 100 + s * 10 + d)
    n = i * s
    u = torch.tensor(rng.integers(-5, 6, (1, 2, n)).astype(float), requires_grad=True)
    w = torch.tensor(rng.integers(-5, 6, (3, 2, k)).astype(float))  # conv: (C_out, C_in, k)
    eff = d * (k - 1) + 1
    total = max((-(-n // s) - 1) * s + eff - n, 0)  # SAME_UPPER: the odd cell after
    y = torch.nn.functional.conv1d(torch.nn.functional.pad(u, (total // 2, total - total // 2)),
                                   w, stride=s, dilation=d)
    assert y.shape[-1] == i
    g = torch.tensor(rng.integers(-5, 6, tuple(y.shape)).astype(float))
    y.backward(g)
    pads, op = F.conv_transpose_same_padding(k, stride=s, dilation=d)
    t = ref.conv_transpose(g.numpy(), w.numpy(), stride=s, padding=(pads,), output_padding=op,
                           dilation=d)  # w read as (C_in', C_out'/groups, k)
    assert t.shape[-1] == n
    assert np.array_equal(t, u.grad.numpy())


# ------------------------------------------------------------ net.batch-independence


def test_batch_independence_worked_example():  # [net.batch-independence]
    x = np.array([[[1.0, 2, 3]], [[10, 20, 30]]])  # (2, 1, 3)
    w = np.array([[[1.0, 1]]])  # (1, 1, 2)
    assert ref.conv(x, w).tolist() == [[[3, 5]], [[30, 50]]]
    assert ref.conv(x[1:], w).tolist() == [[[30, 50]]]


def test_a_batch_of_zero_gives_a_batch_of_zero():  # [net.batch-independence] [config.nonempty]
    x = np.zeros((0, 2, 5))  # (0, C, 5)
    assert ref.conv(x, np.ones((3, 2, 2))).shape == (0, 3, 4)
    assert ref.conv_transpose(x, np.ones((2, 3, 2))).shape == (0, 3, 6)
    assert ref.max_pool(x, kernel=2).shape == (0, 2, 2)
    assert ref.avg_pool(x, kernel=2).shape == (0, 2, 2)


def test_batch_independence_catches_batch_statistics():  # [net.batch-independence]
    """A target that normalises by the batch mean fails the check, citing the rule."""
    from cnnspec import rules
    from cnnspec.strategies import ConvConfig
    from cnnspec.targets import load_target
    from cnnspec.targets import reference as R

    def conv(x, w, b, **kw):  # subtracts the batch mean, as batch norm in training does
        y = R.conv(x, w, b, **kw)  # (N, C_out, *O)
        return y - y.mean(axis=0, keepdims=True)

    leaky = types.ModuleType("leaky")
    leaky.conv = conv
    check = next(c for c in rules.checks_for("net.batch-independence") if c.ops == ("conv",))
    cfg = ConvConfig.build(x_shape=(1, 1, 4), w_shape=(1, 1, 2), b_shape=None, stride=(1,),
                           padding=((0, 0),), dilation=(1,), groups=1, seed=3)
    with pytest.raises(AssertionError, match=r"\[net\.batch-independence\]"):
        check.fn(load_target(leaky), cfg)


# ------------------------------------------------------------ net.adaptive-pool-values


def test_adaptive_refuses_an_output_size_of_zero():  # [net.adaptive-pool-values]
    ref.adaptive_avg_pool(np.ones((1, 1, 3)), 1)
    with pytest.raises(InvalidConfig, match=r"output_size\[0\]=0.*\[config\.nonempty\]"):
        ref.adaptive_avg_pool(np.ones((1, 1, 3)), 0)


ADAPTIVE_ROWS = [((2, 3, 7), (3,)), ((1, 2, 3), (5,)), ((1, 1, 4), (9,)), ((2, 2, 5, 7), (3, 9)),
                 ((1, 3, 6, 2), (4, 5)), ((1, 2, 3, 4, 5), (5, 2, 7)), ((2, 1, 4, 4, 4), (4, 3, 8))]


@pytest.mark.parametrize("shape, out", ADAPTIVE_ROWS,
                         ids=[f"adaptive(x: {s}, output_size={o})" for s, o in ADAPTIVE_ROWS])
def test_adaptive_pooling_matches_torch(shape, out):  # [net.adaptive-pool-values]
    torch = pytest.importorskip("torch")
    r = len(out)
    x = np.random.default_rng(sum(shape)).integers(-9, 10, shape).astype(float)
    t = torch.from_numpy(x)
    avg = getattr(torch.nn.functional, f"adaptive_avg_pool{r}d")(t, out).numpy()
    top = getattr(torch.nn.functional, f"adaptive_max_pool{r}d")(t, out).numpy()
    assert np.array_equal(ref.adaptive_avg_pool(x, out), avg)  # integer data: one rounding
    assert np.array_equal(ref.adaptive_max_pool(x, out), top)


# ------------------------------------------------------------ pool.avg-dilation


def _dilated_avg_by_loops(x, k, s, d, pb, pa, include_pad):
    """1-D dilated average, one window at a time, over a list."""
    xpad = [None] * pb + list(x) + [None] * pa
    out = []
    j = 0
    while j * s + d * (k - 1) < len(xpad):
        taps = [xpad[j * s + t * d] for t in range(k)]
        values = [v for v in taps if v is not None]
        out.append(sum(values) / (len(taps) if include_pad else len(values)))
        j += 1
    return out


def test_dilated_average_worked_examples():  # [pool.avg-dilation]
    assert _dilated_avg_by_loops([0, 1, 2, 3, 4, 5], 2, 1, 2, 0, 0, True) == [1, 2, 3, 4]
    assert _dilated_avg_by_loops([0, 1, 2, 3, 4], 3, 1, 2, 2, 0, False) == [1, 2, 2]
    assert _dilated_avg_by_loops([0, 1, 2, 3, 4], 3, 1, 2, 2, 0, True) == [2 / 3, 4 / 3, 2]  # (pad + 1 + 3) / 3
    assert [F.avg_pool_dilated_count(5, 3, j, padding=(2, 0), dilation=2,
                                     count_include_pad=False) for j in range(3)] == [2, 2, 3]
    assert [F.avg_pool_dilated_count(5, 3, j, padding=(2, 0), dilation=2)
            for j in range(3)] == [3, 3, 3]
    assert F.pool_out_size(5, 3, stride=1, padding=(2, 0), dilation=2) == 3


@pytest.mark.parametrize("i, k, s, d, pb, pa", [(7, 3, 2, 2, 1, 2), (9, 2, 1, 3, 3, 0),
                                                 (6, 4, 3, 1, 2, 2), (5, 2, 2, 4, 2, 1)])
def test_dilated_average_by_loops_uses_the_count(i, k, s, d, pb, pa):  # [pool.avg-dilation]
    x = list(range(10, 10 * (i + 1), 10))
    xpad = [0] * pb + x + [0] * pa
    for include_pad in (True, False):
        got = _dilated_avg_by_loops(x, k, s, d, pb, pa, include_pad)
        assert len(got) == F.pool_out_size(i, k, stride=s, padding=(pb, pa), dilation=d)
        for j, value in enumerate(got):
            total = sum(xpad[j * s + t * d] for t in range(k))
            count = F.avg_pool_dilated_count(i, k, j, stride=s, padding=(pb, pa), dilation=d,
                                             count_include_pad=include_pad)
            assert value == total / count
