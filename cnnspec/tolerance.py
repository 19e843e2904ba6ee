"""Error bounds for comparing a result computed in floating point with the float64 reference.

Where to look: this module decides exact-vs-bound and computes every bound
(:func:`is_exact`, :func:`precision_bound`, :func:`error_factor` for a target's result);
cnnspec.rules._harness calls a target and judges its result with them,
cnnspec.rules._grad_oracle does so for the backward ops, cnnspec.asserts raises the failures.

Two regimes (docs/contract.md, "How each call is judged"):

- **Integer-valued data** (small integers stored as floats): every correct result is exact as
  long as every partial sum is an integer the dtype represents, i.e. ``|partial sum| <= 2**p``
  (p = the dtype's significand bits): compare with equality.  [tolerance.exact-integers]
  See :func:`exact_in`.
- **Real-valued data**: a per-element, K-aware bound  [tolerance.k-aware]

      |y - y_ref| <= factor * S,   S = sum_{c,t} |xpad| |w| + |b|   (per output element)

  where S comes from running the reference conv on |x|, |w|, |b| (no cancellation: exact
  to 1e-16 relative), and factor grows with K, the number of terms summed into one output.
  A fixed rtol is never an answer: the error scales with S, not with |y| (outputs near
  zero have large relative error and are still correct).

Rounding model (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., 2.2 and
3.1): with round-to-nearest, fl(a op b) = (a op b)(1 + delta) + eta, |delta| <= u, and
|eta| <= ETA (a result in the subnormal range; eta = 0 for + and -, whose underflow is exact).
A sum of n terms, each term going through at most n roundings, gives per term
prod(1 + delta_i) = 1 + theta_n with |theta_n| <= gamma_n = n u / (1 - n u) (Higham Lemma 3.1),
for any summation order (recursive, pairwise, blocked, with or without FMA).  The bound does
NOT cover Winograd or FFT convolution, whose errors are not componentwise bounded this way
(NNPACK on CPUs, algorithms cuDNN may choose on GPUs): both regimes assume direct summation.
Overflow is not modelled: choose data whose sums stay far below the dtype's largest value.

Three precisions can differ (this is how GPUs compute):
    input_u   the inputs x, w, b are rounded to it before the arithmetic (the harness passes
              float64; a float32 target rounds them: 2 roundings per product x*w);
    u         the products and the sums are computed in it (the accumulator);
    output_u  the result is rounded to it at the end (0: kept in the accumulator).
e.g. TF32 on a GPU rounds inputs to TF32 and accumulates in float32:
``conv_bound(..., u="float32", input_u="tf32")``; float16 conv with float32 accumulation:
``u="float32", input_u="float16", output_u="float16"``.

Pure NumPy; imports nothing heavier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import ref
from ._check import per_axis
from .errors import InvalidConfig

__all__ = ["Precision", "PRECISIONS", "U", "ETA", "precision", "gamma", "conv_terms",
           "conv_abs_sum", "product_factor", "conv_bound", "avg_pool_bound", "max_pool_bound",
           "exact_in", "result_precision", "is_exact", "precision_factor", "precision_bound",
           "error_factor"]


@dataclass(frozen=True)
class Precision:
    """A binary floating-point format: p significand bits (implicit bit included), emin.

    u = 2**-p is the unit roundoff of round-to-nearest; eta = 2**(emin - p + 1) is the
    smallest positive subnormal, an upper bound (twice the real one, 2**-1075 not being a
    float64) on the absolute error of a rounding that lands in the subnormal range.
    """

    name: str
    p: int
    emin: int
    source: str

    @property
    def u(self) -> float:
        return 2.0 ** -self.p

    @property
    def eta(self) -> float:
        return 2.0 ** (self.emin - self.p + 1)

    @property
    def max_exact_int(self) -> int:
        """Every integer n with |n| <= 2**p is representable; 2**p + 1 is not."""
        return 2 ** self.p


PRECISIONS: dict[str, Precision] = {p.name: p for p in (
    Precision("float64", 53, -1022, "IEEE 754 binary64: 52 stored + 1 implicit significand bits"),
    Precision("float32", 24, -126, "IEEE 754 binary32: 23 stored + 1 implicit significand bits"),
    Precision("float16", 11, -14, "IEEE 754 binary16: 10 stored + 1 implicit significand bits"),
    Precision("bfloat16", 8, -126, "bfloat16 (Google Brain): float32's 8-bit exponent, 7 stored "
                                   "+ 1 implicit significand bits"),
    Precision("tf32", 11, -126, "NVIDIA TensorFloat-32: float32's 8-bit exponent, a 10-bit "
                                "mantissa (as float16), stored in 32 bits; inputs rounded to it, "
                                "products accumulated in float32"),
)}

#: Unit roundoff u = 2**-p of each format (round to nearest): the bound on |delta|.
U: dict[str, float] = {name: p.u for name, p in PRECISIONS.items()}
#: Smallest positive subnormal of each format: bounds the absolute error of an underflow.
ETA: dict[str, float] = {name: p.eta for name, p in PRECISIONS.items()}


def precision(p: Any) -> tuple[float, float]:
    """(u, eta) of a precision given by name ('float32', 'tf32', ...), a NumPy or torch dtype,
    a :class:`Precision`, or a bare unit roundoff u (a float; then eta = 0: no underflow)."""
    if isinstance(p, Precision):
        return p.u, p.eta
    if isinstance(p, (int, float)) and not isinstance(p, bool):
        u = float(p)
        if not 0 <= u < 1:
            raise ValueError(f"u={u!r}, but should be a unit roundoff in [0, 1)")
        return u, 0.0
    name = _name(p)
    return PRECISIONS[name].u, PRECISIONS[name].eta


def _name(dtype: Any) -> str:
    """The PRECISIONS key of a name, a NumPy dtype or a torch dtype ('torch.float32')."""
    name = str(dtype).removeprefix("torch.")
    if name not in PRECISIONS:
        try:
            name = np.dtype(dtype).name
        except (TypeError, ValueError):
            pass
    if name not in PRECISIONS:
        raise ValueError(f"precision={dtype!r}, but should be one of {tuple(PRECISIONS)}, a "
                         f"NumPy or torch dtype, or a unit roundoff")
    return name


def gamma(k: int, u: Any) -> float:
    """gamma_k = k*u / (1 - k*u): |theta_k| <= gamma_k for k roundings.  [tolerance.k-aware]

    Raises InvalidConfig (a ValueError) when k*u >= 1: then k roundings can lose every
    significant bit and no relative bound exists (e.g. k = 2048 terms in float16).
    """
    u, _ = precision(u)
    if isinstance(k, bool) or int(k) != k or k < 0:
        raise ValueError(f"k={k!r}, but should be an int >= 0")
    ku = k * u
    if ku >= 1:
        raise InvalidConfig(f"k*u={ku!r} (k={k}, u=2**{math.log2(u):g}), but should be < 1: no "
                            f"gamma_k bound exists", rule="tolerance.k-aware")
    return ku / (1 - ku)


def conv_terms(w: Any, b: Any = None) -> int:
    """n = K (+1 with a bias): the terms summed into one conv output.  [tolerance.k-aware]

    K = C_in/groups * prod(kernel) = prod(w.shape[1:]): every output reads the same number
    of products whatever the stride, dilation or padding (a tap in zero padding adds an exact
    0, so K is an upper bound there).  The bias is one more term of the sum: |b| is part of S
    and it counts in n.
    """
    return math.prod(np.shape(w)[1:]) + (b is not None)


def conv_abs_sum(x: Any, w: Any, b: Any = None, **conv_kwargs: Any) -> np.ndarray:
    """S = sum_{c,t} |xpad| |w| + |b| per output element: ref.conv on |x|, |w|, |b|.

    Padding modes copy values, so pad(|x|) = |pad(x)| for all of them.  Every term is >= 0,
    so float64 computes S to within a relative gamma_n(2**-53) (no cancellation).
    """
    absb = None if b is None else np.abs(np.asarray(b, dtype=np.float64))
    return ref.conv(np.abs(np.asarray(x, dtype=np.float64)),
                    np.abs(np.asarray(w, dtype=np.float64)), absb, **conv_kwargs)


def _reference_term(n: int, s: np.ndarray) -> tuple[np.ndarray, float]:
    """The reference is itself float64: its error and S's are at most gamma_n(2**-53) * S.

    Returns (an upper bound on the exact S, the reference's own relative error), so that the
    bound compares with the computed reference, not the exact value.  The computed S is
    S(1 + theta_n) (non-negative terms), so S <= S_computed / (1 - gamma_n); the factor
    (1 + 4u) covers the rounding of the bound's own arithmetic.
    """
    g64 = gamma(n, U["float64"])
    return s / (1 - g64) * (1 + 4 * U["float64"]), g64


def product_factor(acc: float, u_in: float, u_out: float) -> float:
    """(1 + acc)(1 + u_in)**2 (1 + u_out) - 1: the relative error of a sum whose accumulation
    costs ``acc`` (gamma_n or a sharper factor), each product of two inputs rounded with
    unit roundoff u_in, the result rounded once with u_out.  [tolerance.k-aware]"""
    return (1 + acc) * (1 + u_in) ** 2 * (1 + u_out) - 1


def conv_bound(x: Any, w: Any, b: Any = None, *, stride: Any = 1, padding: Any = 0,
               dilation: Any = 1, groups: int = 1, padding_mode: str = "zeros",
               u: Any = "float32", input_u: Any = None, output_u: Any = 0.0,
               mode: str = "gamma", c: float | None = None) -> np.ndarray:
    """Per-element bound on |y - ref.conv(x, w, b, ...)| for y computed in floating point.
    [tolerance.k-aware]

        bound = factor * S + A,   S = conv(|x|, |w|) + |b|,   n = K (+1 with a bias)

    mode="gamma" (rigorous, Higham Thm 3.1; c multiplies it, default 1):
        factor = (1 + c*gamma_n(u)) * (1 + input_u)**2 * (1 + output_u) - 1
    Each product x*w is rounded once and goes through at most n-1 additions: n roundings,
    gamma_n.  Rounding the inputs first multiplies x*w by (1 + d1)(1 + d2): about 2*input_u
    more per product, whatever K (input_u = u in one precision gives ~gamma_{n+2}).  The
    bias goes through fewer roundings, so counting it like a product is an over-estimate.

    mode="sqrt" (sharper, empirical, not a proof; default c = 2):
        factor as above with c*gamma_n(u) replaced by min(gamma_n(u), c*sqrt(n)*u)
    Rounding errors of a long sum mostly cancel.  Measured accumulation error of torch 2.13
    CPU float32 (inputs already float32): up to 1.61*sqrt(n)*u*S (n = 5 with a bias, 3,000
    random small cases); performance.md reports 1.17 on its cases, so c = 1.17 is too tight.
    tests/test_tolerance.py checks c = 2.  The input term stays 2*input_u: rounding the
    inputs scales each product by at most (1 + input_u)**2 whatever K, so sqrt(K) does not
    apply to it (at K = 1 it is nearly attained).

    A = (1 + factor) * n * (ETA_in * (max|x| + max|w| + max|b| + ETA_in) + 2 * ETA_u) + ETA_out
    covers underflow (a product or a rounded input landing among subnormals, gradual
    underflow assumed; a target that flushes subnormals to zero needs data far from them).
    Finally the float64 reference's own error, gamma_n(2**-53) * S, is added.

    u, input_u, output_u: a name of :data:`PRECISIONS`, a dtype, or a number; input_u=None
    means u (the target rounds the float64 inputs to its own precision); 0 means the inputs
    were already representable (e.g. y is compared with the reference on the rounded inputs).
    Returns float64 of the output's shape.  Raises InvalidConfig when n*u >= 1.
    """
    if mode not in ("gamma", "sqrt"):
        raise ValueError(f"mode={mode!r}, but should be 'gamma' or 'sqrt'")
    uu, eta = precision(u)
    ui, eta_i = precision(u if input_u is None else input_u)
    uo, eta_o = precision(output_u)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                  padding_mode=padding_mode)
    n = conv_terms(w, b)
    g = gamma(n, uu)
    if mode == "gamma":
        acc = (1.0 if c is None else c) * g
    else:
        acc = min(g, (2.0 if c is None else c) * math.sqrt(n) * uu)
    factor = product_factor(acc, ui, uo)
    s, g64 = _reference_term(n, conv_abs_sum(x, w, b, **kwargs))
    big = sum(float(np.max(np.abs(a))) for a in (x, w, b) if a is not None)
    underflow = (1 + factor) * n * (eta_i * (big + eta_i) + 2 * eta) + eta_o
    return (factor + g64) * s + underflow


def avg_pool_bound(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                   ceil_mode: bool = False, count_include_pad: bool = True,
                   u: Any = "float32", input_u: Any = None, output_u: Any = 0.0) -> np.ndarray:
    """Per-element bound on |y - ref.avg_pool(x, ...)|.  [tolerance.k-aware]

        bound = factor * avg_pool(|x|) + A,  K = prod(kernel)
        factor = (1 + gamma_{K+1}(u)) * (1 + input_u) * (1 + output_u) - 1

    A window sum of K terms takes K-1 additions; the division by the divisor D is one more
    rounding, and an implementation that multiplies by a rounded 1/D (or rounds a D above
    2**p) spends one more: K+1 roundings.  Each input is rounded once (not twice: there is
    no weight).  sum|x|/D is what ref.avg_pool computes on |x|, with the same divisor.
    A = (1 + factor) * (K * ETA_in + 2 * ETA_u) + ETA_out covers underflow.
    """
    uu, eta = precision(u)
    ui, eta_i = precision(u if input_u is None else input_u)
    uo, eta_o = precision(output_u)
    k = math.prod(per_axis("kernel", kernel, np.ndim(x) - 2))
    factor = (1 + gamma(k + 1, uu)) * (1 + ui) * (1 + uo) - 1
    a = ref.avg_pool(np.abs(np.asarray(x, dtype=np.float64)), kernel=kernel, stride=stride,
                     padding=padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    s, g64 = _reference_term(k + 1, a)
    return (factor + g64) * s + (1 + factor) * (k * eta_i + 2 * eta) + eta_o


def max_pool_bound(x: Any, *, kernel: Any, stride: Any = None, padding: Any = 0,
                   dilation: Any = 1, ceil_mode: bool = False, input_u: Any = "float32",
                   output_u: Any = 0.0) -> np.ndarray:
    """Per-element bound on |y - ref.max_pool(x, ...)|: max is exact.  [tolerance.max-exact]

        bound = ((1 + input_u) * (1 + output_u) - 1) * |max_pool(x)| + ETA_in + ETA_out

    A comparison never rounds, and rounding is monotone, so the max of the rounded inputs
    is the rounded max: y = fl(y_ref), off by at most input_u * |y_ref| (or ETA among
    subnormals).  With input_u=0 (inputs already representable) the bound is 0: equality.
    """
    ui, eta_i = precision(input_u)
    uo, eta_o = precision(output_u)
    m = ref.max_pool(np.asarray(x, dtype=np.float64), kernel=kernel, stride=stride,
                     padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    if ui == 0 and uo == 0:
        return np.zeros_like(m)
    return ((1 + ui) * (1 + uo) - 1) * np.abs(m) + eta_i + eta_o


def exact_in(dtype: Any, max_abs_sum: Any) -> bool:
    """Whether integer-valued data gives exact results in ``dtype``.  [tolerance.exact-integers]

    True iff max_abs_sum <= 2**p (float64: 2**53, float32: 2**24, float16 and tf32: 2**11,
    bfloat16: 2**8).  Pass an upper bound on every partial sum, for a conv the largest
    S = sum|x||w| + |b| (:func:`conv_abs_sum`): then each input, product and partial sum,
    in any order, is an integer of magnitude <= 2**p, every one of them representable, so no
    operation rounds.  Sums only: an average divides, and k/D is rarely representable.

    Direct summation only (products x*w added as they are): Winograd and FFT convolution
    multiply by non-integer constants and round their transforms, and are not exact on
    integers.  For "tf32" the 2**11 limit is sufficient, not necessary: TF32 rounds only the
    inputs (to 11 significant bits) and accumulates in float32, so integer inputs of
    magnitude <= 2**11 whose partial sums stay <= 2**24 are exact as well.
    """
    limit = PRECISIONS[_name(dtype)].max_exact_int
    m = max_abs_sum if isinstance(max_abs_sum, int) else np.max(max_abs_sum)  # ints stay exact
    if not (math.isfinite(m) and m >= 0):
        raise ValueError(f"max_abs_sum={m!r}, but should be finite and >= 0")
    return bool(m <= limit)


# -- a target's result: which regime judges it, and its bound --------------------------------
# (the harness, cnnspec.rules._harness, and the backward ops', rules._grad_oracle, decide
# exact-vs-bound with these; a target is anything with a ``precision`` attribute)

def result_precision(target: Any, y: np.ndarray) -> str:
    """The precision the target's result was computed in: its declared PRECISION, else the
    dtype it returned."""
    return target.precision or str(y.dtype)


def is_exact(target: Any, y: np.ndarray, abs_sum: Any) -> bool:
    """Whether integer-valued data with these sums is exact in the target's precision
    (TF32 accumulates in float32).  [tolerance.exact-integers]"""
    name = result_precision(target, y)
    return exact_in("float32" if name == "tf32" else name, float(np.max(abs_sum, initial=0.0)))


def precision_factor(name: str, returned: Any, terms: int, statistical: bool = False) -> float:
    """error_factor for a precision named ``name`` (TF32 accumulates in float32) and a result
    rounded to the dtype ``returned``; ``statistical``: sqrt(n)-scaled accumulation."""
    u, _ = precision("float32" if name == "tf32" else name)  # the accumulation
    u_in, _ = precision(name)  # the inputs, rounded to the precision first
    u_out, _ = precision(returned)  # the result, rounded to the dtype returned
    acc = gamma(terms, u)
    if statistical:
        acc = min(acc, 2.0 * math.sqrt(terms) * u)
    return product_factor(acc, u_in, u_out)


def precision_bound(name: str, returned: Any, abs_sum: Any, terms: int,
                    statistical: bool = False) -> Any:
    """Per-element bound on |y - y_ref| for ``terms`` products summed in precision ``name``
    and rounded to ``returned``, plus the float64 reference's own rounding, plus underflow
    (each product and the result may land among subnormals: terms * 2 * eta + eta_out; the
    inputs are assumed normal, as every strategy draws them).  [tolerance.k-aware]

    ``statistical``: the sharper, empirical bound with min(gamma_n, 2*sqrt(n)*u) for the
    accumulation (conv_bound's mode="sqrt"): rounding errors of a long sum mostly
    cancel.  Not a proof: exceeding it is reported as a warning, never as a failure."""
    _, eta = precision("float32" if name == "tf32" else name)
    _, eta_out = precision(returned)
    underflow = terms * 2 * eta + eta_out
    factor = precision_factor(name, returned, terms, statistical)
    return factor * abs_sum + gamma(terms, 2.0**-53) * abs_sum + underflow


def error_factor(target: Any, y: np.ndarray, terms: int) -> float:
    """Relative error factor of one output summing ``terms`` products: gamma_terms in the
    accumulator, the inputs rounded to the precision, the result to its dtype.
    [tolerance.k-aware]"""
    return precision_factor(result_precision(target, y), y.dtype, terms)
