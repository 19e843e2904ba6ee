"""Parameter counts and multiply-accumulates of convolution, transposed convolution, dense
and batch-norm layers."""

from __future__ import annotations

from collections.abc import Sequence

from .._check import at_least, is_symbolic, require
from ._common import Int, _flag, _prod, ceil_div

# ---------------------------------------------------------------- parameter counts


def _groups(c_in: Int, c_out: Int, groups: Int, family: str) -> tuple[Int, Int, Int]:
    c_in = at_least("C_in", c_in, 1, rule="config.nonempty")
    c_out = at_least("C_out", c_out, 1, rule="config.nonempty")
    g = at_least("groups", groups, 1, rule=f"{family}.groups")
    if not is_symbolic(g):
        for name, c in (("C_in", c_in), ("C_out", c_out)):
            if not is_symbolic(c):
                require(c % g == 0, f"groups={g} does not divide {name}={c}",
                        rule=f"{family}.groups")
    return c_in, c_out, g


def _sizes(name: str, values: Sequence[Int] | Int, *, low: int = 1,
           rule: str = "config.kernel") -> tuple[Int, ...]:
    """An int or a sequence of ints (kernel, spatial sizes), each >= low."""
    if isinstance(values, Sequence) and not isinstance(values, str):
        return tuple(at_least(f"{name}[{a}]", v, low, rule=rule) for a, v in enumerate(values))
    return (at_least(name, values, low, rule=rule),)


def conv_params(c_in: Int, c_out: Int, kernel: Sequence[Int] | Int, *, groups: Int = 1,
                bias: bool = True) -> Int:
    """C_out * (C_in / groups) * prod(kernel) + (C_out if bias).  [params.conv]"""
    c_in, c_out, g = _groups(c_in, c_out, groups, "conv")
    ks = _sizes("kernel", kernel)
    return c_out * (c_in // g) * _prod(ks) + (c_out if _flag("bias", bias) else 0)


def conv_transpose_params(c_in: Int, c_out: Int, kernel: Sequence[Int] | Int, *,
                          groups: Int = 1, bias: bool = True) -> Int:
    """C_in * (C_out / groups) * prod(kernel) + (C_out if bias).  [params.conv-transpose]"""
    c_in, c_out, g = _groups(c_in, c_out, groups, "conv-transpose")
    ks = _sizes("kernel", kernel)
    return c_in * (c_out // g) * _prod(ks) + (c_out if _flag("bias", bias) else 0)


def dense_params(n_in: Int, n_out: Int, *, bias: bool = True) -> Int:
    """n_in * n_out + (n_out if bias).  [params.dense]"""
    n_in = at_least("n_in", n_in, 1, rule="config.nonempty")
    n_out = at_least("n_out", n_out, 1, rule="config.nonempty")
    return n_in * n_out + (n_out if _flag("bias", bias) else 0)


def depthwise_separable_params(c_in: Int, c_out: Int, kernel: Sequence[Int] | Int, *,
                               depth_multiplier: Int = 1, bias: bool = True) -> Int:
    """Depthwise (groups=C_in, C_in*m filters) then pointwise 1x1.  [params.separable]

    = C_in*m*prod(kernel) + C_in*m*C_out (+ C_in*m + C_out with bias on both).
    """
    m = at_least("depth_multiplier", depth_multiplier, 1, rule="config.nonempty")
    depthwise = conv_params(c_in, c_in * m, kernel, groups=c_in, bias=bias)
    ks = _sizes("kernel", kernel)
    pointwise = conv_params(c_in * m, c_out, (1,) * len(ks), bias=bias)
    return depthwise + pointwise


def pool_params() -> int:
    """Pooling has no parameters.  [params.pool]"""
    return 0


def batch_norm_params(c: Int, *, affine: bool = True) -> Int:
    """Learned parameters of batch norm: a scale and a shift per channel (2C).  [params.batch-norm]"""
    c = at_least("C", c, 1, rule="config.nonempty")
    return 2 * c if _flag("affine", affine) else 0


def batch_norm_buffers(c: Int) -> Int:
    """Running mean and variance of batch norm: 2C non-trained values.  [params.batch-norm]"""
    c = at_least("C", c, 1, rule="config.nonempty")
    return 2 * c


# ---------------------------------------------------------------- multiply-accumulates


def conv_macs(c_in: Int, c_out: Int, kernel: Sequence[Int], out_spatial: Sequence[Int], *,
              groups: Int = 1, batch: Int = 1) -> Int:
    """N * C_out * prod(out) * (C_in / groups) * prod(kernel).  [macs.conv]"""
    c_in, c_out, g = _groups(c_in, c_out, groups, "conv")
    ks, out = _sizes("kernel", kernel), _sizes("out_spatial", out_spatial, rule="config.nonempty")
    n = at_least("batch", batch, 1, rule="config.nonempty")
    return n * c_out * _prod(out) * (c_in // g) * _prod(ks)


def conv_transpose_macs(c_in: Int, c_out: Int, kernel: Sequence[Int], in_spatial: Sequence[Int],
                        *, groups: Int = 1, batch: Int = 1) -> Int:
    """N * C_in * prod(in) * (C_out / groups) * prod(kernel): each input scatters a kernel.  [macs.conv-transpose]"""
    c_in, c_out, g = _groups(c_in, c_out, groups, "conv-transpose")
    ks, ins = _sizes("kernel", kernel), _sizes("in_spatial", in_spatial, rule="config.nonempty")
    n = at_least("batch", batch, 1, rule="config.nonempty")
    return n * c_in * _prod(ins) * (c_out // g) * _prod(ks)


def conv_flops(c_in: Int, c_out: Int, kernel: Sequence[Int], out_spatial: Sequence[Int], *,
               groups: Int = 1, batch: Int = 1, bias: bool = False) -> Int:
    """2 * conv_macs (a multiply and an add per multiply-accumulate, the accumulator starting
    at 0), plus one add per output element for a bias: N * C_out * prod(out).  [macs.flops]"""
    macs = conv_macs(c_in, c_out, kernel, out_spatial, groups=groups, batch=batch)
    outputs = batch * c_out * _prod(_sizes("out_spatial", out_spatial, rule="config.nonempty"))
    return 2 * macs + (outputs if _flag("bias", bias) else 0)


def dense_macs(n_in: Int, n_out: Int, *, batch: Int = 1) -> Int:
    """N * n_in * n_out.  [macs.dense]"""
    n_in = at_least("n_in", n_in, 1, rule="config.nonempty")
    n_out = at_least("n_out", n_out, 1, rule="config.nonempty")
    return at_least("batch", batch, 1, rule="config.nonempty") * n_in * n_out


def conv_transpose_contributions(k: Int, stride: Int, q: Int) -> Int:
    """Products a transposed convolution (d = 1) adds into output cell q, counted before any
    cropping, for an interior cell (k - 1 <= q <= (i - 1)*s): ceil((k - q mod s) / s), i.e.
    ceil(k/s) for k mod s of every s cells and floor(k/s) for the others.  [conv-transpose.overlap]"""
    k = at_least("kernel", k, 1, rule="config.kernel")
    s = at_least("stride", stride, 1, rule="config.stride")
    return ceil_div(k - q % s, s)
