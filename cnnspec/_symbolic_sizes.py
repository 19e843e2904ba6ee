"""Exact reasoning about sizes in one symbol: quasi-affine functions.

Every size a stack of conv / pool / transposed-conv layers computes from a symbolic input
size H is built from +, integer multiples, floor, ceiling, Min, Max (and Mod) of H. Such a
function is *quasi-affine*: for some period P, on each residue class H = P*q + r it is
affine in q,

    E(P*q + r) = A_r * q + B_r      for every integer q (exactly),

because floor(a*q + b) = a*q + floor(b) when a and q are integers (lift the period until
every slope A_r is an integer) and Min / Max of two affine pieces with the same slope is
the piece with the smaller / larger intercept. The table (A_r, B_r) is computed
structurally from the SymPy expression, so every conclusion drawn from it is a proof, not
a sample:

* :func:`simplify` finds the simplest equivalent form among ``a*H + b``,
  ``floor((a*H + b)/m)``, ``ceiling((a*H + b)/m)`` and ``a*H + c + g*Mod(H + b, m)`` (two
  functions with the same slope per period that agree on one period agree everywhere);
* :func:`solve_at_least` turns ``E(H) >= 0`` into ``H >= n`` (or residue classes);
* :func:`zero_set` gives the H where ``E(H) = 0`` (residue classes plus isolated points).

SymPy is imported lazily; nothing here runs on plain ints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["NotQuasiAffine", "QA", "from_sympy", "simplify", "solve_at_least", "zero_set",
           "univariate_symbol"]


class NotQuasiAffine(ValueError):
    """The expression is not quasi-affine in one symbol (a product of sizes, two symbols, ...)."""


@dataclass(frozen=True)
class QA:
    """E(period*q + r) = rows[r][0]*q + rows[r][1] for every integer q."""

    period: int
    rows: tuple[tuple[Fraction, Fraction], ...]

    @staticmethod
    def const(c: Any) -> QA:
        return QA(1, ((Fraction(0), Fraction(c)),))

    @staticmethod
    def ident() -> QA:
        return QA(1, ((Fraction(1), Fraction(0)),))

    def lift(self, m: int) -> QA:
        """The same function with period period*m: q = m*q' + j."""
        if m == 1:
            return self
        p = self.period
        rows = []
        for r2 in range(p * m):
            a, b = self.rows[r2 % p]
            rows.append((a * m, a * (r2 // p) + b))
        return QA(p * m, tuple(rows))

    def _pair(self, other: QA) -> tuple[QA, QA]:
        p = math.lcm(self.period, other.period)
        return self.lift(p // self.period), other.lift(p // other.period)

    def __add__(self, other: QA) -> QA:
        x, y = self._pair(other)
        return QA(x.period, tuple((a1 + a2, b1 + b2) for (a1, b1), (a2, b2) in zip(x.rows, y.rows)))

    def scale(self, c: Fraction) -> QA:
        return QA(self.period, tuple((a * c, b * c) for a, b in self.rows))

    @property
    def constant(self) -> Fraction | None:
        values = {b for a, b in self.rows if a == 0}
        if len(values) == 1 and all(a == 0 for a, _ in self.rows):
            return values.pop()
        return None

    def _integral(self) -> QA:
        m = math.lcm(*(a.denominator for a, _ in self.rows))
        return self.lift(m)

    def floor(self) -> QA:
        x = self._integral()
        return QA(x.period, tuple((a, Fraction(math.floor(b))) for a, b in x.rows))

    def ceiling(self) -> QA:
        x = self._integral()
        return QA(x.period, tuple((a, Fraction(math.ceil(b))) for a, b in x.rows))

    def extremum(self, other: QA, pick: Any) -> QA:
        x, y = self._pair(other)
        rows = []
        for (a1, b1), (a2, b2) in zip(x.rows, y.rows):
            if a1 != a2:
                raise NotQuasiAffine("Min/Max of pieces with different slopes")
            rows.append((a1, pick(b1, b2)))
        return QA(x.period, tuple(rows))

    def __call__(self, n: int) -> Fraction:
        q, r = divmod(n, self.period)
        a, b = self.rows[r]
        return a * q + b

    @property
    def slope(self) -> Fraction | None:
        """The increase per unit of H when it is the same on every class, else None."""
        slopes = {a / self.period for a, _ in self.rows}
        return slopes.pop() if len(slopes) == 1 else None


def univariate_symbol(expr: Any) -> Any:
    """The one free symbol of a SymPy expression, or None."""
    free: set[Any] = getattr(expr, "free_symbols", set())
    return next(iter(free)) if len(free) == 1 else None


def from_sympy(expr: Any, sym: Any) -> QA:
    """The quasi-affine table of expr in sym; NotQuasiAffine if it has none."""
    import sympy

    if expr == sym:
        return QA.ident()
    if expr.is_Rational:
        return QA.const(Fraction(int(expr.p), int(expr.q)))
    if expr.is_Symbol or expr.is_Number:
        raise NotQuasiAffine(f"{expr} is not a rational constant in {sym}")
    if isinstance(expr, sympy.Add):
        out = QA.const(0)
        for term in expr.args:
            out = out + from_sympy(term, sym)
        return out
    if isinstance(expr, sympy.Mul):
        out, varying = QA.const(1), None
        for factor in expr.args:
            f = from_sympy(factor, sym)
            c = f.constant
            if c is not None:
                out = out.scale(c)
            elif varying is None:
                varying = f
            else:
                raise NotQuasiAffine(f"{expr} is a product of two sizes")
        if varying is None:
            return out
        assert out.constant is not None  # out only ever multiplies constants
        return varying.scale(out.constant)
    if isinstance(expr, sympy.floor):
        return from_sympy(expr.args[0], sym).floor()
    if isinstance(expr, sympy.ceiling):
        return from_sympy(expr.args[0], sym).ceiling()
    if isinstance(expr, (sympy.Min, sympy.Max)):
        pick = min if isinstance(expr, sympy.Min) else max
        parts = [from_sympy(a, sym) for a in expr.args]
        out = parts[0]
        for p in parts[1:]:
            out = out.extremum(p, pick)
        return out
    if isinstance(expr, sympy.Mod):
        m = expr.args[1]
        if not m.is_Integer:
            raise NotQuasiAffine(f"{expr}: the modulus is not an integer")
        a = from_sympy(expr.args[0], sym)
        return a + a.scale(Fraction(1, int(m))).floor().scale(Fraction(-int(m)))
    raise NotQuasiAffine(f"{expr} ({type(expr).__name__}) is not quasi-affine")


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _candidates(qa: QA, sym: Any) -> list:
    """SymPy forms equal to qa on every integer (same slope per period, equal on a period)."""
    import sympy

    def num(f: Fraction) -> Any:
        return sympy.Rational(f.numerator, f.denominator)

    c = qa.constant
    if c is not None:
        return [num(c)]
    alpha = qa.slope
    if alpha is None:
        return []
    p = qa.period
    values = [qa(h) for h in range(p)]
    e0 = values[0]
    if alpha.denominator == 1 and all(v == alpha * h + e0 for h, v in enumerate(values)):
        return [int(alpha) * sym + num(e0)]
    out = []
    for m in _divisors(p)[1:]:
        # g*floor((a*H + b)/m) + e0 and g*ceiling((a*H + b - m + 1)/m) + e0, 0 <= b < m
        for a in range(1, m):
            ratio = alpha * m / a
            if math.gcd(a, m) != 1 or ratio.denominator != 1:
                continue
            g = int(ratio)
            for b in range(m):
                if all(v == g * ((a * h + b) // m) + e0 for h, v in enumerate(values)):
                    out.append(g * sympy.floor((a * sym + b) / sympy.Integer(m)) + num(e0))
                    out.append(g * sympy.ceiling((a * sym + b - m + 1) / sympy.Integer(m))
                               + num(e0))
                    if g == 1 and e0.denominator == 1:  # fold the constant into the numerator
                        out.append(sympy.floor((a * sym + b + int(e0) * m) / sympy.Integer(m)))
                        out.append(sympy.ceiling((a * sym + b + int(e0) * m - m + 1)
                                                 / sympy.Integer(m)))
    if alpha.denominator == 1:
        a0 = int(alpha)
        periodic = [v - a0 * h for h, v in enumerate(values)]  # the periodic part
        for m in _divisors(p)[1:]:
            for b in range(m):
                c0 = periodic[(-b) % m]
                gamma = periodic[(1 - b) % m] - c0
                if gamma != 0 and all(gv == c0 + gamma * ((h + b) % m)
                                      for h, gv in enumerate(periodic)):
                    out.append(a0 * sym + num(c0) + num(gamma) * sympy.Mod(sym + b, m))
    return out


def _simplest(qa: QA, sym: Any) -> Any:
    """The simplest candidate (fewest operations, then shortest text), or None."""
    import sympy

    found = _candidates(qa, sym)
    if not found:
        return None
    return min(found, key=lambda e: (sympy.count_ops(e), len(str(e))))


def simplify(expr: Any) -> Any:
    """An equal, simpler form of a size in one symbol (unchanged when none is found).

    Sound: the result equals expr for every integer value of the symbol.
    """
    sym = univariate_symbol(expr)
    if sym is None:
        return expr
    try:
        out = _simplest(from_sympy(expr, sym), sym)
    except NotQuasiAffine:
        return expr
    if out is None:
        return expr
    import sympy

    return out if sympy.count_ops(out) <= sympy.count_ops(expr) else expr


def solve_at_least(expr: Any) -> Any:
    """The condition expr >= 0 on its symbol H (a positive integer), simplified.

    Returns True (always holds), False (never), ``H >= n``, or an Or of residue classes
    ``Eq(Mod(H, P), r) & (H >= n_r)``; the relation itself when expr is not quasi-affine.
    """
    import sympy

    sym = univariate_symbol(expr)
    if sym is None:
        return expr >= 0
    try:
        qa = from_sympy(expr, sym)
    except NotQuasiAffine:
        return expr >= 0
    p = qa.period
    firsts: dict[int, int | None] = {}
    for r, (a, b) in enumerate(qa.rows):
        q0 = 0 if r >= 1 else 1  # H >= 1
        if a > 0:
            firsts[r] = p * max(q0, math.ceil(-b / a)) + r
        elif a == 0:
            firsts[r] = p * q0 + r if b >= 0 else None
        else:
            return expr >= 0
    found = [h for h in firsts.values() if h is not None]
    if not found:
        return sympy.false
    n = min(found)
    if all(h is not None and h < n + p for h in firsts.values()):
        return sympy.true if n <= 1 else sympy.Ge(sym, n)
    return sympy.Or(*(sympy.And(sympy.Eq(sympy.Mod(sym, p), r), sympy.Ge(sym, h))
                      for r, h in firsts.items() if h is not None))


def zero_set(expr: Any) -> tuple[Any, int, frozenset[int], tuple[int, ...]] | None:
    """Where expr = 0 for a positive integer symbol: (symbol, period P, residues r such
    that every H = r mod P is a zero, isolated zeros H >= 1 outside them); None when expr
    is not quasi-affine in one symbol (a number gives symbol None)."""
    sym = univariate_symbol(expr)
    if sym is None:
        if getattr(expr, "free_symbols", None):
            return None
        return None, 1, (frozenset({0}) if expr == 0 else frozenset()), ()
    try:
        qa = from_sympy(expr, sym)
    except NotQuasiAffine:
        return None
    classes, points = set(), []
    for r, (a, b) in enumerate(qa.rows):
        if a == 0:
            if b == 0:
                classes.add(r)
        else:
            q = -b / a
            if q.denominator == 1 and qa.period * int(q) + r >= 1:
                points.append(qa.period * int(q) + r)
    return sym, qa.period, frozenset(classes), tuple(sorted(points))
