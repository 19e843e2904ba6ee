"""The registry's integrity: unique IDs, every cited ID resolves, spec/ is up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnnspec import rules
from cnnspec.cli import main
from cnnspec.rules.render import spec_files

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ("config", "conv", "conv-transpose", "pool", "pad", "params", "macs", "rf",
            "tolerance", "net", "arith")
_FAM = "|".join(re.escape(f) for f in FAMILIES)
# [conv.out-size] in prose and messages; \[conv\.out-size\] in regexes; cites("conv.def", ...)
BRACKETED = re.compile(rf"\\?\[((?:{_FAM})\\?\.[a-z0-9-]+)\\?\]")
QUOTED = re.compile(rf"""["']((?:{_FAM})\.[a-z0-9][a-z0-9-]*)["']""")


def _cited_ids():
    files = [*ROOT.glob("cnnspec/**/*.py"), *ROOT.glob("tests/**/*.py"),
             *ROOT.glob("conformance/**/*.py"), *ROOT.glob("benchmarks/**/*.py"),
             *ROOT.glob("spec/*.md"), ROOT / "README.md", *ROOT.glob("*/README.md")]
    found: dict[str, str] = {}
    for f in files:
        text = f.read_text(encoding="utf-8")
        for pat in (BRACKETED, QUOTED):
            for m in pat.finditer(text):
                found.setdefault(m.group(1).replace("\\", ""), f"{f.relative_to(ROOT)}")
    return found


#: IDs cited on purpose because they do not exist (tests of the unknown-ID path).
DELIBERATELY_UNKNOWN = {"conv.outsize", "conv.no-such-rule"}


def test_every_cited_rule_id_resolves():
    known = {r.id for r in rules.all_rules()} | DELIBERATELY_UNKNOWN
    missing = {i: where for i, where in _cited_ids().items() if i not in known}
    assert not missing, f"cited rule IDs not in the registry: {missing}"


def test_the_scan_finds_citations():
    # guards the test above against a regex that matches nothing
    ids = _cited_ids()
    assert {"conv.out-size", "conv.groups", "pool.ceil-mode"} <= set(ids)


def test_rule_ids_are_unique_and_well_formed():
    ids = [r.id for r in rules.all_rules()]
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*\.[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), ids
    with pytest.raises(ValueError, match="declared twice"):
        rules.rule("conv.def", "again", "a duplicate")


def test_every_rule_has_a_statement_and_a_source_or_formula():
    for r in rules.all_rules():
        assert r.title and len(r.statement) > 20, r.id
        assert r.sources or r.formula or r.symbolic, r.id


def test_spec_directory_is_rendered_from_the_registry():
    stale = [name for name, text in spec_files().items()
             if not (ROOT / "spec" / name).exists()
             or (ROOT / "spec" / name).read_text(encoding="utf-8") != text]
    assert not stale, f"spec/ is out of date: {stale}; run `cnnspec spec --write`"


def test_explain_prints_a_rule(capsys):
    assert main(["explain", "pool.ceil-mode"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pool.ceil-mode: ") and "Formula:" in out and "Sources:" in out


def test_explain_lists_every_rule(capsys):
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    assert all(r.id in out for r in rules.all_rules())


def test_explain_unknown_id_suggests_and_exits_2(capsys):
    assert main(["explain", "conv.outsize"]) == 2
    assert "conv.out-size" in capsys.readouterr().err


def test_every_rule_has_a_positive_check():
    missing = [r.id for r in rules.all_rules()
               if not any(c.kind == "positive" for c in rules.checks_for(r.id))]
    assert not missing, f"rules without a positive check: {missing}"


def test_every_rule_with_a_precondition_has_a_negative_check():
    missing = [r.id for r in rules.all_rules() if r.preconditions
               and not any(c.kind == "negative" for c in rules.checks_for(r.id))]
    assert not missing, f"rules with preconditions but no negative check: {missing}"


def test_checks_cite_declared_rules_and_have_unique_names():
    known = {r.id for r in rules.all_rules()}
    assert {c.rule for c in rules.all_checks()} <= known
    with pytest.raises(ValueError, match="not declared"):
        rules.check("conv.no-such-rule", ops="conv", cases=lambda: None)(lambda target, case: None)
