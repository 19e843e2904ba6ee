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
#: a quoted ID, not the function path a formula example calls (formula_example("tolerance.gamma", ...))
QUOTED = re.compile(rf"""(?<!formula_example\()["']((?:{_FAM})\.[a-z0-9][a-z0-9-]*)["']""")


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


# ---------------------------------------------------------------- the registration table

RULES_DIR = ROOT / "cnnspec" / "rules"
RULE_MODULES = sorted(p.stem for p in RULES_DIR.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", RULE_MODULES)
def test_every_rules_module_imports_on_its_own(module):
    """In a fresh interpreter, importing one module of cnnspec.rules first works, and the
    registry it leaves is the whole one, in the same order as when loaded by the table."""
    import subprocess
    import sys

    code = (f"import cnnspec.rules.{module}\n"
            "from cnnspec import rules\n"
            "print(len(rules.all_rules()), len(rules.all_checks()))\n"
            "print(' '.join(c.id for c in rules.all_checks()))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert run.returncode == 0, f"import cnnspec.rules.{module} alone failed:\n{run.stderr}"
    counts, order = run.stdout.splitlines()
    assert counts == f"{len(rules.all_rules())} {len(rules.all_checks())}"
    assert order.split() == [c.id for c in rules.all_checks()]


def test_the_table_names_every_module_that_declares_rules_or_checks():
    import ast

    declaring = set()
    for module in RULE_MODULES:
        tree = ast.parse((RULES_DIR / f"{module}.py").read_text(encoding="utf-8"))
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id in ("rule", "check")}
        declaring |= {(module, kind) for kind in calls}
    assert {m for m, kind in declaring if kind == "rule"} == set(rules.FAMILY_MODULES)
    assert {m for m, kind in declaring if kind == "check"} <= set(rules.CHECK_MODULES)
    assert len(set(rules.CHECK_MODULES)) == len(rules.CHECK_MODULES)


@pytest.mark.parametrize("module", RULE_MODULES)
def test_no_module_imports_checks_at_its_bottom_or_its_rules_back(module):
    """Registration is the table's business: a declaration module imports no checks module,
    and a checks module never imports its declaration module (the cycles of old)."""
    import ast

    tree = ast.parse((RULES_DIR / f"{module}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            imported |= {node.module} if node.module else {a.name for a in node.names}
    if module in rules.FAMILY_MODULES:
        assert not {m for m in imported if m.endswith("_checks")}, imported
    assert not imported & set(rules.FAMILY_MODULES), \
        f"{module} imports the declaration module(s) {imported & set(rules.FAMILY_MODULES)}"


def test_a_check_of_an_undeclared_rule_names_it_after_every_rule_is_declared():
    with pytest.raises(ValueError, match=r"check my_name cites rule id='conv\.no-such-rule'"):
        rules.check("conv.no-such-rule", ops="conv", cases=lambda: None,
                    name="my_name")(lambda target, case: None)


def test_a_check_declares_its_oracle_from_a_closed_list():
    with pytest.raises(ValueError, match=r"oracle='the reference', but should be None or one "
                                         r"of reference"):
        rules.check("conv.def", ops="conv", cases=lambda: None, oracle="the reference")
    assert {c.oracle for c in rules.all_checks()} == {None, "reference"}
    # a proof has no target to compare with anything
    assert not [c.id for c in rules.proofs() if c.oracle is not None]
