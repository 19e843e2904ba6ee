"""Every check ID can be found with grep: the check's full name is written out in the source.

A report names a check as ``rule::name`` (``pool.ceil-mode::max_pool_drops_the_window_...``).
The name must occur literally in the file of the function that implements the check: as
the name of its ``def check_<name>``, or as a string constant (a factory called once per
check with the name written out), never assembled from pieces by an f-string.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from cnnspec import rules

ROOT = Path(rules.__file__).resolve().parent.parent.parent

#: Files that still assemble check names from pieces: none left.  strict: the day one is
#: converted, its entry here must go.
NOT_YET_LITERAL: dict[str, str] = {}


def literal_names(source: str) -> set[str]:
    """The check names a source file spells out: ``def check_<name>`` and whole string
    constants (f-string pieces excluded: ``f"{op}_refuses"`` spells no name)."""
    tree = ast.parse(source)
    pieces = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
              for v in node.values}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                node.name.startswith("check_"):
            names.add(node.name.removeprefix("check_"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) not in pieces:
            names.add(node.value)
    return names


def _checks_by_file() -> dict[str, list[rules.Check]]:
    out: dict[str, list[rules.Check]] = {}
    for c in rules.all_checks():
        path = Path(inspect.getsourcefile(c.fn)).resolve().relative_to(ROOT).as_posix()
        out.setdefault(path, []).append(c)
    return out


FILES = _checks_by_file()


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=NOT_YET_LITERAL[p]))
    if p in NOT_YET_LITERAL else p for p in sorted(FILES)])
def test_every_check_name_is_written_out_in_its_file(path):
    names = literal_names((ROOT / path).read_text(encoding="utf-8"))
    missing = [c.id for c in FILES[path] if c.name not in names]
    assert not missing, (f"{path}: {len(missing)} check IDs, e.g. {missing[:3]}, do not occur "
                         f"literally in the file, but should (grep must find every report ID)")


def test_the_files_named_as_not_yet_literal_declare_checks():
    """An entry for a file that declares no check any more would hide nothing: remove it."""
    assert sorted(set(NOT_YET_LITERAL) - set(FILES)) == []


def test_the_scan_sees_through_f_strings():
    """The test above can fail: a name assembled by an f-string is not a literal name."""
    source = ('op = "max_pool"\n'
              'def _declare(name): ...\n'
              '_declare(f"{op}_refuses")\n'
              '_declare("avg_pool_refuses")\n'
              'def check_conv_same(target, cfg): ...\n')
    names = literal_names(source)
    assert "max_pool_refuses" not in names
    assert {"avg_pool_refuses", "conv_same", "max_pool"} <= names


@pytest.mark.parametrize("path", sorted(FILES))
def test_no_name_building_helper_is_left(path):
    """A factory passes the name it was given (check(..., name=...)); none renames a function."""
    source = (ROOT / path).read_text(encoding="utf-8")
    assert "def _named(" not in source
    assert 'f"check_' not in source and "f'check_" not in source
    assert ".__name__ =" not in source and '"check_" +' not in source
