"""Output sizes of convolution, pooling and transposed convolution, the checks that a
kernel fits, and the padding that the padding words ('valid', 'same', 'full', ...) name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._check import as_int, at_least, is_symbolic, pairs, per_axis, require
from ..errors import InvalidConfig
from ._common import Int, _flag, _max, _min, _pad_pair, ceil_div


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


# ---------------------------------------------------------------- padding


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
