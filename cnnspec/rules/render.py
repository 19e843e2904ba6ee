"""Render the registry as Markdown (spec/*.md) and as terminal text (cnnspec explain)."""

from __future__ import annotations

from typing import Any

from ..draw.gallery import figure_links
from . import Rule, families

__all__ = ["FAMILY_TITLES", "rule_markdown", "family_markdown", "spec_files", "rule_text",
           "formula_latex", "latex_of"]

FAMILY_TITLES = {
    "config": "Configuration: what every call must satisfy",
    "conv": "Convolution",
    "conv-transpose": "Transposed convolution",
    "pool": "Pooling",
    "pad": "Padding",
    "params": "Parameter counts",
    "macs": "Multiply-accumulates",
    "rf": "Receptive fields",
    "tolerance": "Comparing floating-point results",
    "net": "Networks: chaining layers",
    "arith": "Convolution arithmetic (Dumoulin & Visin)",
}

HEADER = "<!-- Generated from cnnspec/rules by `cnnspec spec --write`; do not edit by hand. -->\n"


def _anchor(r: Rule) -> str:
    return r.id.replace(".", "-")


def latex_of(expr: Any) -> str:
    """LaTeX of a SymPy expression, with every multi-letter name set as one word
    (``\\mathit{op}``, ``C_{\\mathit{in}}``): plain ``op`` reads as o times p."""
    import sympy

    def word(w: str) -> str:
        return rf"\mathit{{{w}}}" if len(w.rstrip("'")) > 1 else w

    names = {}
    for sym in expr.free_symbols:
        head, _, sub = sym.name.partition("_")
        if len(head.rstrip("'")) > 1 or len(sub) > 1:
            names[sym] = word(head) + (f"_{{{word(sub)}}}" if sub else "")
    return sympy.latex(expr, symbol_names=names)


def formula_latex(r: Rule) -> str:
    """The LaTeX of the rule's ``symbolic`` formula as spec/*.md shows it; '' without one."""
    return latex_of(r.symbolic()) if r.symbolic is not None else ""


def rule_markdown(r: Rule) -> str:
    lines = [f'<a id="{_anchor(r)}"></a>', f"## `{r.id}`: {r.title}", "", r.statement, ""]
    if r.ops:
        lines += [f"Applies to: {', '.join(f'`{op}`' for op in r.ops)}", ""]
    formula = r.formula_text()
    if formula:
        lines += ["Formula:", "", "```", formula, "```", ""]
    latex = formula_latex(r)
    if latex:
        lines += ["$$", latex, "$$", ""]
    if r.preconditions:
        lines += ["Preconditions: " + "; ".join(f"`{p}`" for p in r.preconditions), ""]
    for name, caption in figure_links(r.id):
        lines += [f"![{caption}](figures/{name})", "", f"*Figure: {caption}.*", ""]
    for ex in r.examples:
        lines.append(f"- Example: {ex.given} → {ex.result}" + (f" ({ex.why})" if ex.why else ""))
    if r.examples:
        lines.append("")
    if r.sources:
        lines += ["Sources: " + "; ".join(r.sources), ""]
    if r.see_also:
        lines += ["See also: " + ", ".join(f"[`{s}`]({s.split('.')[0]}.md#{s.replace('.', '-')})"
                                          for s in r.see_also), ""]
    return "\n".join(lines)


def family_markdown(family: str, rules: list[Rule]) -> str:
    title = FAMILY_TITLES.get(family, family)
    index = "\n".join(f"- [`{r.id}`](#{_anchor(r)}): {r.title}" for r in rules)
    body = "\n".join(rule_markdown(r) for r in rules)
    return f"{HEADER}\n# {title}\n\n{index}\n\n{body}"


def conventions_markdown() -> str:
    """spec/conventions.md: where frameworks legitimately differ, from the table the
    conformance runner probes (cnnspec.conform.conventions.CONVENTIONS)."""
    from ..conform.conventions import CONVENTIONS

    lines = [HEADER, "# Conventions: where frameworks differ", "",
             "A conformance run probes each point below and reports which value the target follows."
             " The spec's value is marked; a target that follows another named value gets the"
             " results that value explains reported as `convention` (exit 1 unless allowed with"
             " `--allow-convention KEY`), not as unrelated failures.", ""]
    for c in CONVENTIONS.values():
        lines += [f'<a id="{c.key}"></a>', f"## `{c.key}`: {c.title}", ""]
        for value, who in c.alternatives.items():
            mark = " **(the spec)**" if value == c.default else ""
            lines.append(f"- `{value}`{mark}: {who}")
        if c.rules != ("*",):
            lines.append(f"- rules it explains: {', '.join(f'`{r}`' for r in c.rules)}")
        lines.append("")
    return "\n".join(lines)


def spec_files(*, figures: bool = True) -> dict[str, str]:
    """File name under spec/ -> its generated Markdown (errata.md is written by hand), and
    with ``figures`` the SVG of every figure under figures/ (needs matplotlib: the draw
    extra)."""
    fams = families()
    out = {f"{fam}.md": family_markdown(fam, rules) for fam, rules in fams.items()}
    out["conventions.md"] = conventions_markdown()
    listing = "\n".join(f"- [{FAMILY_TITLES.get(fam, fam)}]({fam}.md): "
                        + ", ".join(f"`{r.id}`" for r in rules) for fam, rules in fams.items())
    out["README.md"] = (f"{HEADER}\n# The cnnspec specification\n\nEvery rule has a stable ID; "
                        f"cite it as `family.slug` and link to its anchor.\n\n{listing}\n\n"
                        f"Worked examples written as a call run: a call of a contract op (arrays without "
                        f"batch and channel axes are one sample with one channel) is checked on "
                        f"every target, a call of a cnnspec function is proved by `cnnspec "
                        f"prove`.\n\n"
                        f"Where frameworks legitimately differ: [conventions.md](conventions.md). "
                        f"Errors found in the source documents: [errata.md](errata.md).\n")
    if figures:
        from ..draw.gallery import spec_figures
        from ..draw.render import require_matplotlib

        require_matplotlib()
        out.update(spec_figures())
    return out


def rule_text(r: Rule) -> str:
    """The rule for a terminal: statement, formula, worked examples, sources."""
    lines = [f"{r.id}: {r.title}", "", r.statement]
    formula = r.formula_text()
    if formula:
        lines += ["", "Formula:", *("  " + f for f in formula.splitlines())]
    if r.preconditions:
        lines += ["", "Preconditions:", *(f"  {p}" for p in r.preconditions)]
    if r.examples:
        lines += ["", "Examples:"]
        lines += [f"  {ex.given} -> {ex.result}" + (f"  ({ex.why})" if ex.why else "")
                  for ex in r.examples]
    if r.sources:
        lines += ["", "Sources:", *(f"  {s}" for s in r.sources)]
    return "\n".join(lines)
