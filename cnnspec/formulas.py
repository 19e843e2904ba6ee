"""Every size and count formula of cnnspec, each defined once.

Integer arithmetic only (``//``, never ``/``), so each function returns an ``int`` for int
arguments and a SymPy expression for symbolic ones::

    >>> conv_out_size(7, 3, stride=2, padding=1)
    4
    >>> import sympy; H = sympy.Symbol("H", integer=True, positive=True)
    >>> conv_out_size(H, 3, stride=2, padding=1)
    floor((H - 1)/2) + 1

For concrete ints the preconditions are checked and a broken one raises
:class:`~cnnspec.errors.InvalidConfig` naming the rule; for symbols the expression is
returned and the caller states the conditions (``conditions_conv`` and friends).

Per-axis functions take one spatial size; the ``*_shape`` functions map them over axes.
Padding arguments accept an int (both sides) or a ``(before, after)`` pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ._check import as_int, at_least, is_symbolic, pairs, per_axis, require
from .errors import InvalidConfig

__all__ = [
    "ceil_div", "effective_kernel", "conv_out_size", "conv_out_shape", "pool_out_size",
    "pool_out_shape", "conv_transpose_out_size", "conv_transpose_out_shape", "same_padding",
    "torch_same_padding", "valid_padding", "full_padding", "PADDING_WORDS", "named_padding",
    "pool_window_has_input",
    "conv_params", "conv_transpose_params", "dense_params", "depthwise_separable_params",
    "pool_params", "batch_norm_params", "batch_norm_buffers", "conv_macs",
    "conv_transpose_macs", "dense_macs", "RF", "receptive_field_step", "receptive_fields",
    "adaptive_pool_window", "flatten_size", "floor_dropped", "receptive_field_union",
    "causal_padding", "conv_flops", "conv_transpose_contributions",
    "conv_transpose_output_padding_for", "conv_transpose_same_padding", "avg_pool_dilated_count",
]

Int = Any  # an int or a SymPy integer expression


def _min(a: Int, b: Int) -> Int:
    if is_symbolic(a) or is_symbolic(b):
        import sympy

        return sympy.Min(a, b)
    return min(a, b)


def _max(a: Int, b: Int) -> Int:
    if is_symbolic(a) or is_symbolic(b):
        import sympy

        return sympy.Max(a, b)
    return max(a, b)


def _prod(values: Iterable[Int]) -> Int:
    out: Int = 1
    for v in values:
        out = out * v
    return out


def _pad_pair(padding: Any) -> tuple[Int, Int]:
    """An int (both sides) or a (before, after) pair, each >= 0.  [config.padding]"""
    if isinstance(padding, Sequence) and not isinstance(padding, str):
        items = tuple(padding)
        require(len(items) == 2, f"padding={items!r}, but should be a (before, after) pair",
                rule="config.rank")
        pb, pa = as_int("padding[0]", items[0]), as_int("padding[1]", items[1])
    else:
        pb = pa = as_int("padding", padding)
    for p in (pb, pa):
        if not is_symbolic(p):
            require(p >= 0, f"padding={padding!r}, but should be >= 0 before and after",
                    rule="config.padding")
    return pb, pa


def ceil_div(a: Int, b: Int) -> Int:
    """ceil(a / b) in integer arithmetic: ``-((-a) // b)``."""
    return -((-a) // b)


def effective_kernel(k: Int, dilation: Int = 1) -> Int:
    """Extent of a dilated kernel: d*(k - 1) + 1.  [conv.dilation]"""
    k = at_least("kernel", k, 1, rule="config.kernel")
    d = at_least("dilation", dilation, 1, rule="config.dilation")
    return d * (k - 1) + 1


def _axis(i: Int, k: Int, stride: Int, padding: Any, dilation: Int) -> tuple[Int, ...]:
    i = at_least("i", i, 1, rule="config.nonempty")
    s = at_least("stride", stride, 1, rule="config.stride")
    pb, pa = _pad_pair(padding)
    eff = effective_kernel(k, dilation)
    return i, s, pb, pa, eff


def _kernel_fits(i: Int, pb: Int, pa: Int, eff: Int, k: Int, d: Int, rule: str) -> None:
    if not any(is_symbolic(v) for v in (i, pb, pa, eff)):
        require(i + pb + pa >= eff,
                f"dilated kernel={eff}, but should be <= padded input={i + pb + pa}",
                rule=rule,
                detail=f"  {d}*({k}-1)+1 = {eff} > {i} + {pb} + {pa} = {i + pb + pa}")


def conv_out_size(i: Int, k: Int, *, stride: Int = 1, padding: Any = 0, dilation: Int = 1) -> Int:
    """o = floor((i + p_before + p_after - d*(k-1) - 1) / s) + 1.  [conv.out-size]

    Raises InvalidConfig [conv.kernel-fits] for ints when the dilated kernel is larger
    than the padded input (o would be < 1).
    """
    i, s, pb, pa, eff = _axis(i, k, stride, padding, dilation)
    _kernel_fits(i, pb, pa, eff, k, dilation, "conv.kernel-fits")
    return (i + pb + pa - eff) // s + 1


def _pool_size(i: Int, k: Int, s: Int, pb: Int, pa: Int, eff: Int, ceil_mode: bool) -> Int:
    if not ceil_mode:
        return (i + pb + pa - eff) // s + 1
    return _min(ceil_div(i + pb + pa - eff, s) + 1, (i + pb - 1) // s + 1)


def pool_out_size(i: Int, k: Int, *, stride: Int | None = None, padding: Any = 0,
                  dilation: Int = 1, ceil_mode: bool = False) -> Int:
    """Pooling output size.  [pool.out-size] [pool.ceil-mode]

    floor mode: as conv_out_size.  ceil mode: ceil(...) + 1, except that a window that
    would start in the right padding (or past it) is dropped, i.e.
    o = min(ceil((i + pb + pa - d(k-1) - 1) / s) + 1, floor((i + pb - 1) / s) + 1),
    the second term counting the window starts that lie before the right padding
    (PyTorch, ONNX).  stride defaults to the kernel size.

    For ints, also raises [pool.window-has-input] when a window has no tap on the input.
    """
    i, s, pb, pa, eff = _axis(i, k, k if stride is None else stride, padding, dilation)
    _kernel_fits(i, pb, pa, eff, k, dilation, "pool.kernel-fits")
    o = _pool_size(i, k, s, pb, pa, eff, _flag("ceil_mode", ceil_mode))
    if not any(is_symbolic(v) for v in (i, k, s, pb, pa, dilation)):
        j = _first_padding_only_window(i, k, s, pb, dilation, o)
        if j is not None:
            raise InvalidConfig(
                f"padding={padding!r}, but should leave every window at least one tap on the "
                f"input (window {j} has none)", rule="pool.window-has-input",
                detail=f"  i={i}, kernel={k}, stride={s}, dilation={dilation}, "
                       f"ceil_mode={ceil_mode}: window {j} taps padded positions "
                       f"{[j * s + t * dilation for t in range(k)]}, the input is at "
                       f"[{pb}, {pb + i})")
    return o


def pool_window_has_input(i: int, k: int, *, stride: int | None = None, padding: Any = 0,
                          dilation: int = 1, ceil_mode: bool = False) -> int | None:
    """Index of the first window with no tap on an input element, or None.  [pool.window-has-input]

    The predicate behind pool_out_size's check, for callers that want to ask rather than
    catch (strategies drawing only valid configurations).  Ints only.
    """
    i, s, pb, pa, eff = _axis(i, k, k if stride is None else stride, padding, dilation)
    _kernel_fits(i, pb, pa, eff, k, dilation, "pool.kernel-fits")
    return _first_padding_only_window(i, k, s, pb, dilation,
                                      _pool_size(i, k, s, pb, pa, eff, bool(ceil_mode)))


def _first_padding_only_window(i: int, k: int, s: int, pb: int, d: int, o: int) -> int | None:
    """Window j has taps at padded positions j*s + t*d (t = 0..k-1); the input occupies
    [pb, pb + i).  The first tap at or after pb is t0 = max(0, ceil((pb - j*s) / d)); the
    window touches the input iff t0 < k and j*s + t0*d < pb + i.

    With d <= i two taps in a row cannot step over the whole input, so a window misses it
    only if it ends before it (window 0 first) or starts after it (from the first j with
    j*s >= pb + i): two checks instead of o, for inputs of any size."""
    def misses(j: int) -> bool:
        t0 = max(0, ceil_div(pb - j * s, d))
        return not (t0 < k and j * s + t0 * d < pb + i)

    if d <= i:
        if o > 0 and misses(0):
            return 0
        after = ceil_div(pb + i, s)  # the first window starting past the input
        return after if after < o else None
    for j in range(o):
        t0 = max(0, ceil_div(pb - j * s, d))
        if not (t0 < k and j * s + t0 * d < pb + i):
            return j
    return None


def conv_transpose_out_size(i: Int, k: Int, *, stride: Int = 1, padding: Any = 0,
                            output_padding: Int = 0, dilation: Int = 1) -> Int:
    """o = (i - 1)*s - p_before - p_after + d*(k - 1) + output_padding + 1.  [conv-transpose.out-size]

    output_padding must be < max(stride, dilation) [conv-transpose.output-padding]; for ints
    o must be >= 1.
    """
    i, s, pb, pa, eff = _axis(i, k, stride, padding, dilation)
    op = at_least("output_padding", output_padding, 0, rule="conv-transpose.output-padding")
    d = as_int("dilation", dilation)
    if not any(is_symbolic(v) for v in (op, s, d)):
        require(op < max(s, d),
                f"output_padding={op}, but should be < max(stride={s}, dilation={d})={max(s, d)}",
                rule="conv-transpose.output-padding")
    o = (i - 1) * s - pb - pa + eff - 1 + op + 1
    if not is_symbolic(o):
        require(o >= 1, f"output size={o}, but should be >= 1", rule="conv-transpose.out-size",
                detail=f"  ({i}-1)*{s} - {pb} - {pa} + {eff - 1} + {op} + 1 = {o}")
    return o


def conv_transpose_output_padding_for(i: Int, k: Int, o: Int, *, stride: Int = 1,
                                      padding: Any = 0, dilation: Int = 1) -> Int:
    """The output_padding that makes a transposed convolution's output o cells long.
    [conv-transpose.output-size]

    o_min = (i-1)*s - p_before - p_after + d*(k-1) + 1 (the size with output_padding 0); o
    is reachable iff max(o_min, 1) <= o <= o_min + max(s, d) - 1, and then
    output_padding = o - o_min.  (PyTorch's ``output_size=`` accepts only o <= o_min + s - 1.)
    """
    i, s, pb, pa, eff = _axis(i, k, stride, padding, dilation)
    d = as_int("dilation", dilation)
    o = as_int("o", o)
    o_min = (i - 1) * s - pb - pa + eff
    if not any(is_symbolic(v) for v in (o, o_min, s, d)):
        arithmetic = f"  o_min = ({i}-1)*{s} - {pb} - {pa} + {eff - 1} + 1 = {o_min}"
        top = o_min + max(s, d) - 1
        require(o >= 1, f"o={o}, but should be >= 1", rule="conv-transpose.output-size")
        require(o >= o_min, f"o={o}, but should be >= o_min={o_min} (output_padding 0)",
                rule="conv-transpose.output-size", detail=arithmetic)
        require(o <= top, f"o={o}, but should be <= o_min + max(stride={s}, dilation={d}) - 1"
                f" = {top}", rule="conv-transpose.output-size", detail=arithmetic)
    return o - o_min


def conv_transpose_same_padding(k: Int, *, stride: Int = 1,
                                dilation: Int = 1) -> tuple[tuple[Int, Int], Int]:
    """((p_before, p_after), output_padding) of a 'same' transposed convolution: o = i*s.
    [conv-transpose.output-size]

    The adjoint of a SAME_UPPER convolution of an i*s input (which gives ceil(i*s/s) = i):
    it crops t = max(d*(k-1) + 1 - s, 0) cells, floor(t/2) before and the odd cell after,
    and adds output_padding = max(s - d*(k-1) - 1, 0) cells at the end.  Ints only.
    """
    s = at_least("stride", stride, 1, rule="config.stride")
    eff = effective_kernel(k, dilation)
    t = max(eff - s, 0)
    return (t // 2, t - t // 2), max(s - eff, 0)


def avg_pool_dilated_count(i: Int, k: Int, j: Int, *, stride: Int = 1, padding: Any = 0,
                           dilation: Int = 1, count_include_pad: bool = True) -> Int:
    """Taps of window j of a dilated average pooling that the divisor counts.  [pool.avg-dilation]

    Window j taps padded positions j*s + t*d, t = 0..k-1; counted: the taps inside the
    padded input [0, p_b + i + p_a) with count_include_pad, else those inside the input
    [p_b, p_b + i).  Ints only.
    """
    i, s, pb, pa, _ = _axis(i, k, stride, padding, dilation)
    lo, hi = (0, pb + i + pa) if _flag("count_include_pad", count_include_pad) else (pb, pb + i)
    return sum(1 for t in range(k) if lo <= j * s + t * dilation < hi)


def conv_transpose_contributions(k: Int, stride: Int, q: Int) -> Int:
    """Products a transposed convolution (d = 1) adds into output cell q, counted before any
    cropping, for an interior cell (k - 1 <= q <= (i - 1)*s): ceil((k - q mod s) / s), i.e.
    ceil(k/s) for k mod s of every s cells and floor(k/s) for the others.  [conv-transpose.overlap]"""
    k = at_least("kernel", k, 1, rule="config.kernel")
    s = at_least("stride", stride, 1, rule="config.stride")
    return ceil_div(k - q % s, s)


def _shape(fn: Any, spatial: Sequence[Int], kernel: Any, stride: Any, padding: Any,
           dilation: Any, **extra: Any) -> tuple[Int, ...]:
    r = len(spatial)
    ks = per_axis("kernel", kernel, r)
    ss = per_axis("stride", ks if stride is None else stride, r)
    ps = pairs("padding", padding, r)
    ds = per_axis("dilation", dilation, r)
    return tuple(fn(i, k, stride=s, padding=p, dilation=d, **extra)
                 for i, k, s, p, d in zip(spatial, ks, ss, ps, ds))


def conv_out_shape(spatial: Sequence[Int], kernel: Any, *, stride: Any = 1, padding: Any = 0,
                   dilation: Any = 1) -> tuple[Int, ...]:
    """conv_out_size on every spatial axis.  [conv.out-size]"""
    return _shape(conv_out_size, spatial, kernel, stride, padding, dilation)


def pool_out_shape(spatial: Sequence[Int], kernel: Any, *, stride: Any = None, padding: Any = 0,
                   dilation: Any = 1, ceil_mode: bool = False) -> tuple[Int, ...]:
    """pool_out_size on every spatial axis.  [pool.out-size]"""
    return _shape(pool_out_size, spatial, kernel, stride, padding, dilation, ceil_mode=ceil_mode)


def conv_transpose_out_shape(spatial: Sequence[Int], kernel: Any, *, stride: Any = 1,
                             padding: Any = 0, output_padding: Any = 0,
                             dilation: Any = 1) -> tuple[Int, ...]:
    """conv_transpose_out_size on every spatial axis.  [conv-transpose.out-size]"""
    r = len(spatial)
    ops = per_axis("output_padding", output_padding, r)
    ks = per_axis("kernel", kernel, r)
    ss = per_axis("stride", stride, r)
    ps = pairs("padding", padding, r)
    ds = per_axis("dilation", dilation, r)
    return tuple(conv_transpose_out_size(i, k, stride=s, padding=p, output_padding=op, dilation=d)
                 for i, k, s, p, op, d in zip(spatial, ks, ss, ps, ops, ds))


def same_padding(i: Int, k: Int, *, stride: Int = 1, dilation: Int = 1,
                 mode: str = "upper") -> tuple[Int, Int]:
    """(before, after) padding that makes o = ceil(i / s).  [pad.same]

    total = max((ceil(i/s) - 1)*s + d*(k-1) + 1 - i, 0).  An odd total puts the extra cell
    after (mode="upper": TensorFlow 'SAME', ONNX SAME_UPPER) or before ("lower": SAME_LOWER).
    """
    i = at_least("i", i, 1, rule="config.nonempty")
    s = at_least("stride", stride, 1, rule="config.stride")
    eff = effective_kernel(k, dilation)
    total = _max((ceil_div(i, s) - 1) * s + eff - i, 0)
    small, big = total // 2, total - total // 2
    if mode == "upper":
        return small, big
    if mode == "lower":
        return big, small
    raise InvalidConfig(f"mode={mode!r}, but should be 'upper' or 'lower'", rule="config.padding")


#: The padding words every API of cnnspec accepts in place of numbers.
PADDING_WORDS = ("valid", "same", "same_upper", "same_lower", "full")


def named_padding(word: str, spatial: Sequence[Int], kernel: Sequence[Int], stride: Sequence[Int],
                  dilation: Sequence[Int]) -> tuple[tuple[Int, Int], ...]:
    """(before, after) per axis for a padding word: 'valid', 'same' (= 'same_upper'),
    'same_lower', 'full'.  Ints or SymPy sizes.  [pad.valid] [pad.same] [pad.full]"""
    if word == "valid":
        return tuple(valid_padding() for _ in spatial)
    if word == "full":
        return tuple(full_padding(k, dilation=d) for k, d in zip(kernel, dilation))
    if word in ("same", "same_upper", "same_lower"):
        mode = "lower" if word == "same_lower" else "upper"
        return tuple(same_padding(i, k, stride=s, dilation=d, mode=mode)
                     for i, k, s, d in zip(spatial, kernel, stride, dilation))
    raise InvalidConfig(f"padding={word!r}, but should be one of {PADDING_WORDS} or ints",
                        rule="config.padding")


def torch_same_padding(k: Int, *, dilation: Int = 1) -> tuple[Int, Int]:
    """PyTorch padding='same' (stride 1 only): total d*(k-1), the extra cell after.  [pad.same]"""
    total = effective_kernel(k, dilation) - 1
    return total // 2, total - total // 2


def causal_padding(k: Int, *, dilation: Int = 1) -> tuple[Int, Int]:
    """'causal' padding (Keras Conv1D): d*(k-1) before, none after, so that at stride 1
    o = i and output t reads inputs 0..t only.  [pad.causal]"""
    return effective_kernel(k, dilation) - 1, 0


def valid_padding() -> tuple[int, int]:
    """'valid' padding: none.  [pad.valid]"""
    return 0, 0


def full_padding(k: Int, *, dilation: Int = 1) -> tuple[Int, Int]:
    """'full' padding: d*(k-1) on both sides, so every partial overlap is an output.  [pad.full]"""
    e = effective_kernel(k, dilation) - 1
    return e, e


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


def _flag(name: str, v: Any) -> bool:
    require(isinstance(v, bool) or type(v).__name__ == "bool_",
            f"{name}={v!r}, but should be a bool", rule="config.int")
    return bool(v)


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


# ---------------------------------------------------------------- receptive fields


@dataclass(frozen=True)
class RF:
    """Receptive field of one output unit on one axis, in input coordinates.

    size: how many input positions unit 0 sees (span, gaps of dilation included);
    jump: distance in the input between neighbouring output units;
    start: input index of the first position unit 0 sees (negative: in the padding).
    Unit j sees [start + j*jump, start + j*jump + size).
    """

    size: Any
    jump: Any
    start: Any


def receptive_field_step(rf: RF, k: Int, *, stride: Int = 1, padding: Int = 0,
                         dilation: Int = 1) -> RF:
    """One layer: size += (d(k-1)+1 - 1)*jump; jump *= s; start -= p_before*jump.  [rf.size] [rf.jump] [rf.start]"""
    s = at_least("stride", stride, 1, rule="config.stride")
    p = at_least("padding", padding, 0, rule="config.padding")
    eff = effective_kernel(k, dilation)
    return RF(size=rf.size + (eff - 1) * rf.jump, jump=rf.jump * s, start=rf.start - p * rf.jump)


def receptive_fields(layers: Iterable[Any]) -> list[RF]:
    """The receptive field after each layer of a stack (one axis).

    Each layer is a mapping or tuple (kernel, stride, padding_before, dilation); a layer
    that does not mix positions is (1, 1, 0, 1).  Starts from the input: RF(1, 1, 0).
    """
    rf = RF(1, 1, 0)
    out = []
    for layer in layers:
        if isinstance(layer, dict):
            k, s, p, d = (layer["kernel"], layer.get("stride", 1), layer.get("padding", 0),
                          layer.get("dilation", 1))
        else:
            k, s, p, d = (tuple(layer) + (1, 0, 1)[len(layer) - 1:])[:4]
        rf = receptive_field_step(rf, k, stride=s, padding=p, dilation=d)
        out.append(rf)
    return out


# ---------------------------------------------------------------- networks (cnnspec.summary)


def adaptive_pool_window(i: Int, o: Int, j: Int) -> tuple[Int, Int]:
    """Window j of adaptive pooling: [floor(j*i/o), ceil((j+1)*i/o)).  [net.adaptive-pool]

    PyTorch's AdaptiveAvgPool / AdaptiveMaxPool; when o divides i every window has
    kernel = stride = i/o, and o = 1 is global pooling (the window [0, i)).
    """
    i = at_least("i", i, 1, rule="config.nonempty")
    o = at_least("output_size", o, 1, rule="config.nonempty")
    return (j * i) // o, ceil_div((j + 1) * i, o)


def flatten_size(c: Int, spatial: Sequence[Int]) -> Int:
    """Features after flattening a (C, *spatial) map: C * prod(spatial).  [net.flatten]"""
    return c * _prod(spatial)


def floor_dropped(i: Int, o: Int, k: Int, *, stride: Int = 1, padding: Any = 0,
                  dilation: Int = 1) -> Int:
    """Input cells the floor of the output size leaves unread at an axis' end.  [net.remainder]

    = max(0, p_b + i - max((o-1)*s + d(k-1) + 1, o*s)), with o the layer's output size
    (conv_out_size, or pool_out_size with its ceil_mode). The last window ends at padded
    position (o-1)*s + d(k-1); the window the floor discarded would start at o*s. Input
    cells (at [p_b, p_b + i)) past both are read by no window only because of the floor.
    Cells skipped between windows when s > d(k-1) + 1 are the stride's gaps, not the
    floor's, and are not counted: a 1x1 stride-2 conv drops nothing here.
    """
    pb, _ = _pad_pair(padding)
    return _max(pb + i - _max((o - 1) * stride + effective_kernel(k, dilation), o * stride), 0)


def receptive_field_union(a: RF, b: RF) -> RF:
    """Receptive field of a sum of two branches (a residual add): the span of both.  [net.rf-union]

    start = min(starts); size = max(ends) - start; the jumps must agree (they do whenever
    both branches have the same output shape from the same input).
    """
    if not (is_symbolic(a.jump) or is_symbolic(b.jump)) and a.jump != b.jump:
        raise InvalidConfig(f"jump={a.jump} and jump={b.jump}, but should be equal",
                            rule="net.rf-union")
    start = _min(a.start, b.start)
    end = _max(a.start + a.size, b.start + b.size)
    return RF(size=end - start, jump=a.jump, start=start)
