"""The repros of findings.md stay pasteable and say which rule they show.

Each script under ``repros/LIBRARY/`` is meant for the library's issue tracker, so it must
run without cnnspec: these tests read the scripts (AST only; the libraries they call are not
installed in CI, so none is run) and check that

- no import, ``__import__`` or ``importlib.import_module`` names cnnspec, and no import is
  relative;
- the module docstring names at least one rule ID of ``cnnspec.rules.all_rules()``, and every
  word shaped like a rule ID of a known family (``conv.``, ``pool.``, ``config.``, ...) is one;
- findings.md cites every repro, every repro it cites exists, and its links to spec/ resolve.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cnnspec.rules import all_rules

HERE = Path(__file__).resolve().parent
REPROS = sorted((HERE / "repros").glob("*/*.py"))
FINDINGS = HERE / "findings.md"
RULE_IDS = frozenset(rule.id for rule in all_rules())
FAMILIES = frozenset(rule_id.split(".", 1)[0] for rule_id in RULE_IDS)
#: a word shaped like a rule ID: family.name, lower case, hyphens inside
RULE_SHAPED = re.compile(r"(?<![\w./-])([a-z]+(?:-[a-z]+)*)\.([a-z]+(?:-[a-z]+)*)(?![\w-]|\.\w)")


def _name(path: Path) -> str:
    return path.relative_to(HERE.parent).as_posix()


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module) -> list[str]:
    """Every module the script imports, by statement or by a call with a literal name."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("__import__", "import_module") and isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    return names


def _rule_shaped_words(text: str) -> set[str]:
    return {f"{family}.{name}" for family, name in RULE_SHAPED.findall(text) if family in FAMILIES}


def test_there_are_repros():
    assert len(REPROS) >= 40, f"found {len(REPROS)} repros under {HERE / 'repros'}, expected 40+"


@pytest.mark.parametrize("path", REPROS, ids=_name)
def test_repro_does_not_import_cnnspec(path):
    modules = _imported_modules(_tree(path))
    bad = [m for m in modules if m.split(".")[0] == "cnnspec" or m.startswith(".")]
    assert not bad, (f"{_name(path)} imports {bad}, but a repro imports only NumPy and the "
                     f"library it shows, so that it can be pasted into that library's tracker")


@pytest.mark.parametrize("path", REPROS, ids=_name)
def test_repro_docstring_names_its_rule(path):
    doc = ast.get_docstring(_tree(path))
    assert doc, f"{_name(path)} has no module docstring; it should name the rule it shows"
    named = _rule_shaped_words(doc)
    unknown = sorted(named - RULE_IDS)
    assert not unknown, (f"{_name(path)} names {unknown}, but no rule has that ID "
                         f"(cnnspec.rules.all_rules())")
    assert named & RULE_IDS, (f"{_name(path)}'s docstring names no rule ID, but should name the "
                              f"rule it shows (e.g. conv.def)")


def test_rule_shaped_words_are_found_and_file_names_are_not():
    text = "Rule [conv-transpose.output-padding] (and pool.max-def), see spec/conventions.md, mlx.core"
    assert _rule_shaped_words(text) == {"conv-transpose.output-padding", "pool.max-def"}
    made_up = "pool." + "padding"  # split so that the registry's citation scan skips it
    assert _rule_shaped_words(f"Rule {made_up}, conv.def::nan_check") == {made_up, "conv.def"}


def test_findings_cites_every_repro_and_only_existing_ones():
    text = FINDINGS.read_text(encoding="utf-8")
    cited = set(re.findall(r"repros/[a-z_]+/[a-z0-9_]+\.py", text))
    present = {p.relative_to(HERE).as_posix() for p in REPROS}
    assert present - cited == set(), f"findings.md does not cite {sorted(present - cited)}"
    assert cited - present == set(), f"findings.md cites {sorted(cited - present)}, which do not exist"


def test_findings_links_point_at_existing_spec_anchors():
    text = FINDINGS.read_text(encoding="utf-8")
    links = re.findall(r"\]\(\.\./spec/([\w-]+\.md)(?:#([\w-]+))?\)", text)
    assert links, "findings.md links no rule or convention of spec/"
    broken = []
    for page, anchor in links:
        path = HERE.parent / "spec" / page
        if not path.is_file() or (anchor and f'<a id="{anchor}"></a>' not in path.read_text(encoding="utf-8")):
            broken.append(f"../spec/{page}#{anchor}")
    assert not broken, f"findings.md links {sorted(set(broken))}, which spec/ does not have"
