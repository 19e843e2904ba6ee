"""Formula lines read back as SymPy expressions: the plain text of a rule's formula (a
hand-written line, SymPy's printing, a Dumoulin & Visin closed form) and its LaTeX.  The
rendered-formula checks (rules/formula_checks.py) evaluate what is read here against
cnnspec.formulas, and rules/_relationships.py reads the closed forms with it.  SymPy is
imported when a formula is first read."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["text_expr", "latex_expr", "hand_segments"]


def _safe_name(name: str) -> str:
    return name.replace("'", "_prime")


def text_expr(text: str, symbols: dict[str, Any]) -> Any:
    """Parse one formula of plain text, with the rule's own symbols for the printed names
    (``d(k-1)`` and ``2p`` read as products, ``ceil``/``min``/``max`` as functions)."""
    import sympy
    from sympy.parsing.sympy_parser import convert_xor, implicit_multiplication, parse_expr, standard_transformations

    local = {_safe_name(n): s for n, s in symbols.items()}
    local.update(floor=sympy.floor, ceil=sympy.ceiling, ceiling=sympy.ceiling, min=sympy.Min,
                 max=sympy.Max, Min=sympy.Min, Max=sympy.Max)
    out = parse_expr(re.sub(r"([A-Za-z]\w*)'", r"\1_prime", text), local_dict=local,
                     transformations=(*standard_transformations, implicit_multiplication,
                                      convert_xor))
    return sympy.Tuple(*out) if isinstance(out, tuple) else out


def hand_segments(formula: str, aliases: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The expressions of a hand-written formula line: its main clause (without the
    '   (conditions)' and ',   definitions' that follow), split at ' = ', less a leading name
    or label ('o', "o'", 'dropped', 'dense, conv: d(params)/dH')."""
    main = re.split(r"\s{3,}\(|,\s{2,}", formula.splitlines()[0])[0]
    for old, new in aliases:
        main = re.sub(rf"(?<![\w']){re.escape(old)}(?![\w'])", new, main)
    segments = [seg.strip() for seg in main.split(" = ")]
    if re.fullmatch(r"[A-Za-z_]\w*'?", segments[0]) or ":" in segments[0]:
        segments = segments[1:]
    return segments


def _split_latex_tuple(latex: str) -> list[str]:
    r"""``\left( a, \  b\right)`` -> [a, b]; anything else -> [latex]."""
    if not (latex.startswith(r"\left(") and latex.endswith(r"\right)")):
        return [latex]
    inner, depth, cur = latex[len(r"\left("):-len(r"\right)")], 0, ""
    parts: list[str] = []
    for ch in inner:
        depth += ch in "({[" or 0
        depth -= ch in ")}]" or 0
        if ch == "," and depth == 0:
            parts, cur = [*parts, cur], ""
        else:
            cur += ch
    return [latex] if not parts else [p.replace(r"\ ", " ").strip() for p in (*parts, cur)]


def _latex_part(parse_latex: Any, part: str, symbols: dict[str, Any]) -> Any:
    import sympy

    t = re.sub(r"(?<![\\\w])d(?![\w}])", "{d}", part)
    t = re.sub(r"(\\?[A-Za-z]+|[}'\d)])\s*\\left\(",
               lambda m: m.group(0) if m.group(1).startswith("\\")
               else m.group(1) + r" \cdot \left(", t)
    parsed = parse_latex(t)
    for name, fn in (("min", sympy.Min), ("max", sympy.Max)):  # parsed as unknown functions
        parsed = parsed.replace(sympy.Function(name), fn)
    by_name = {_safe_name(s.name): s for s in symbols.values()}
    return parsed.subs({s: by_name.get(_safe_name(re.sub(r"[{}]", "", s.name)), s)
                        for s in parsed.free_symbols})


def latex_expr(latex: str, symbols: dict[str, Any]) -> Any:
    r"""Parse the LaTeX with SymPy's ANTLR parser (ImportError without antlr4).  Two quirks
    of its grammar are worked around without changing the meaning: a lone ``d`` before a
    letter reads as a differential (so it is braced), and ``s \left(x\right)`` as a call of
    s (so a product sign is written)."""
    import warnings

    import sympy

    with warnings.catch_warnings():  # SymPy warns about each antlr4 module it cannot import
        warnings.simplefilter("ignore")
        from sympy.parsing.latex import parse_latex

        parts = [_latex_part(parse_latex, part, symbols) for part in _split_latex_tuple(latex)]
    return parts[0] if len(parts) == 1 else sympy.Tuple(*parts)
