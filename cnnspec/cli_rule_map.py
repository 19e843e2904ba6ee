"""Where a rule lives in the code: the map `cnnspec explain ID` prints after the rule's prose.

Every place is found from the registered objects, never by guessing from names:

* the declaration: the ``rule("<id>", ...)`` call in the loaded rule modules (their syntax
  trees, the ID matched exactly);
* each check: its ``def check_<name>``, or for a check built by a factory the call that
  writes its name out (with the rule ID, where one name serves several rules) and the
  factory's function that runs; level, kind and the contract ops it calls;
* the formulas: the functions of the cnnspec/formulas package that the rule's ``symbolic`` calls
  (recorded while it runs);
* the reference: the cnnspec/ref functions that the reference target
  (cnnspec/targets/reference.py, which the checks compare with) calls for the rule's ops and
  its checks' ops, and those a check calls itself (``ref.pad``);
* the tests: the test functions under tests/ whose text cites the rule ID (a checkout only);
* the spec: the rule's heading in spec/<family>.md and its anchor.

Paths are relative to the folder that holds the cnnspec package (the repository's root).
"""

from __future__ import annotations

import ast
import dis
import importlib.util
import inspect
import sys
import types
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "where_lines", "rule_declaration", "examples_line", "check_places",
           "formula_functions", "reference_functions", "citing_tests", "spec_heading"]

#: The folder that holds the cnnspec package: paths are shown relative to it.
ROOT = Path(__file__).resolve().parent.parent


def _rel(path: str | Path) -> str:
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return str(p)


@cache
def _tree(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"))


def _def_line(fn: Callable[..., Any]) -> tuple[str, int]:
    """The file and the line of ``def <name>(`` of fn (not of its first decorator)."""
    fn = inspect.unwrap(fn)
    lines, start = inspect.getsourcelines(fn)
    name = fn.__code__.co_name
    for offset, text in enumerate(lines):
        if text.lstrip().startswith((f"def {name}(", f"async def {name}(")):
            return inspect.getsourcefile(fn) or "", start + offset
    return inspect.getsourcefile(fn) or "", start


# ---------------------------------------------------------------- the declaration


def rule_declaration(rule_id: str) -> tuple[str, int] | None:
    """The ``rule("<rule_id>", ...)`` call among the loaded modules of cnnspec.rules."""
    from . import rules

    rules.all_rules()  # every family module loaded
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if not (name == rules.__name__ or name.startswith(rules.__name__ + ".")) or not path:
            continue
        for node in ast.walk(_tree(path)):
            if (isinstance(node, ast.Call) and _callee(node) == "rule" and node.args
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value == rule_id):
                return path, node.args[0].lineno
    return None


def examples_line(rule_id: str) -> tuple[str, int] | None:
    """The ``examples=`` keyword of the rule's ``rule(...)`` call: where its worked examples
    (the records the generic example checks run) are written."""
    decl = rule_declaration(rule_id)
    if decl is None:
        return None
    for node in ast.walk(_tree(decl[0])):
        if (isinstance(node, ast.Call) and _callee(node) == "rule" and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == rule_id):
            for k in node.keywords:
                if k.arg == "examples":
                    return decl[0], k.value.lineno
    return None


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


# ---------------------------------------------------------------- the checks


def _constants(node: ast.AST) -> Iterator[ast.Constant]:
    """The string constants among a call's arguments (in tuples too) or a def's defaults."""
    if isinstance(node, ast.Call):
        values = [*node.args, *(k.value for k in node.keywords)]
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        values = [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]
    else:
        values = []
    for value in values:
        for sub in ast.walk(value):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                yield sub


def _cites(node: ast.AST, rule_id: str, names: dict[str, Any]) -> bool:
    """Whether a call passes rule_id: as a string, or as a module constant that holds it."""
    args = [*getattr(node, "args", ()), *(k.value for k in getattr(node, "keywords", ()))]
    return any((isinstance(a, ast.Constant) and a.value == rule_id)
               or (isinstance(a, ast.Name) and names.get(a.id) == rule_id) for a in args)


def _naming_place(check: Any, path: str) -> int | None:
    """The line where the check's name is written out for a factory: the one call passing
    it (the one that also passes the rule ID, where the name serves several rules), or the
    factory's default for it."""
    nodes = [n for n in ast.walk(_tree(path))
             if any(c.value == check.name for c in _constants(n))]
    if len(nodes) > 1:
        nodes = [n for n in nodes if _cites(n, check.rule, check.fn.__globals__)]
    if len(nodes) == 1:
        return next(c.lineno for c in _constants(nodes[0]) if c.value == check.name)
    written = [n for n in ast.walk(_tree(path))  # a table of names (example_checks.NAMES)
               if isinstance(n, ast.Constant) and n.value == check.name]
    return written[0].lineno if not nodes and len(written) == 1 else None


def _written(path: str, name: str) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == name for n in ast.walk(_tree(path)))


def check_places(check: Any) -> tuple[tuple[str, int] | None, tuple[str, int]]:
    """(where the check's name is written, where its body is); the two are the same for a
    ``def check_<name>``; the first is None when the name is not written out unambiguously
    (assembled by an f-string: grep cannot find it)."""
    body = _def_line(check.fn)
    if check.fn.__code__.co_name == f"check_{check.name}":
        return body, body
    line = _naming_place(check, body[0])
    return ((body[0], line) if line is not None else None), body


# ---------------------------------------------------------------- formulas and reference


def formula_functions(rule: Any) -> list[Callable[..., Any]]:
    """The functions of the cnnspec.formulas package (any of its files) that
    ``rule.symbolic`` calls (entered from outside the package), in the order first called;
    each one the package exports under its name."""
    from . import formulas

    if rule.symbolic is None:
        return []
    package = str(Path(inspect.getsourcefile(formulas) or "").parent)  # cnnspec/formulas/
    seen: dict[str, Callable[..., Any]] = {}
    files: dict[str, bool] = {}  # co_filename -> in the package (the hook sees every call)

    def inside(code: types.CodeType) -> bool:
        name = code.co_filename
        if name not in files:
            files[name] = str(Path(name).parent) == package
        return files[name]

    def hook(frame: types.FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        if (event == "call" and inside(code) and frame.f_back is not None
                and not inside(frame.f_back.f_code)):
            fn = getattr(formulas, code.co_name, None)
            if inspect.isfunction(fn) and fn.__code__ is code:
                seen.setdefault(code.co_name, fn)

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        rule.symbolic()
    finally:
        sys.setprofile(previous)
    return list(seen.values())


def _ref_calls(fn: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The cnnspec.ref functions fn's code calls as ``<module>.<name>``, the module a global
    of fn or imported in fn itself (``from .. import ref``)."""
    from . import ref

    out: list[Callable[..., Any]] = []
    package = fn.__globals__.get("__package__") or ""
    codes = [fn.__code__]
    while codes:
        code = codes.pop()
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        imported: dict[str, Any] = {}  # local name -> what `from X import name` bound
        level, source, held = 0, None, None
        for ins in dis.get_instructions(code):
            op = ins.opname
            if op in ("LOAD_CONST", "LOAD_SMALL_INT") and isinstance(ins.argval, int):
                level = ins.argval
            elif op == "IMPORT_NAME":
                try:
                    name = importlib.util.resolve_name("." * level + ins.argval, package) \
                        if level else ins.argval
                except ImportError:
                    name = ""
                source = sys.modules.get(name)
            elif op == "IMPORT_FROM" and source is not None:
                imported[ins.argval] = getattr(source, ins.argval, None)
            elif op in ("LOAD_ATTR", "LOAD_METHOD") and held is not None:
                f = getattr(held, ins.argval, None)
                if inspect.isfunction(f) and f.__module__.startswith(ref.__name__) and f not in out:
                    out.append(f)
            if op == "LOAD_GLOBAL" or op == "LOAD_DEREF" or op.startswith("LOAD_FAST"):
                value = fn.__globals__.get(ins.argval) if op == "LOAD_GLOBAL" \
                    else imported.get(ins.argval)
                held = value if isinstance(value, types.ModuleType) else None
            else:
                held = None
    return out


def reference_functions(rule: Any, checks: list[Any]) -> list[tuple[str, Callable[..., Any]]]:
    """(how it is reached, the cnnspec/ref function): the reference target's op for each of
    the rule's and its checks' contract ops, then what the checks call in cnnspec.ref."""
    from .targets import reference

    out: list[tuple[str, Callable[..., Any]]] = []
    ops = dict.fromkeys([*rule.ops, *(op for c in checks for op in c.ops)])
    for op in ops:
        wrapper = getattr(reference, op, None)
        for f in _ref_calls(wrapper) if inspect.isfunction(wrapper) else ():
            if f not in (g for _, g in out):
                out.append((f"the contract op {op}", f))
    for c in checks:
        for f in _ref_calls(c.fn):
            if f not in (g for _, g in out):
                out.append((f"called by {c.name}", f))
    return out


def spec_heading(rule: Any) -> tuple[str, int | None, str]:
    """(spec/<family>.md, the line of the rule's heading or None, its anchor)."""
    from .rules.render import _anchor

    path = ROOT / "spec" / f"{rule.family}.md"
    line = None
    if path.is_file():
        heading = f"## `{rule.id}`"
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if text.startswith(heading + ":") or text == heading:
                line = n
                break
    return str(path), line, _anchor(rule)


# ---------------------------------------------------------------- the tests


def citing_tests(rule_id: str) -> list[tuple[str, int, str]]:
    """(path, line of ``def``, name) of every test function under tests/ (beside the
    package, in a checkout) whose text names the rule ID: ``@cites("conv.out-size")``, a
    ``[conv.out-size]`` comment, ``rule="conv.out-size"``.  [] where there is no tests/."""
    import re

    folder = ROOT / "tests"
    if not folder.is_dir():
        return []
    cited = re.compile(rf"(?<![\w.-]){re.escape(rule_id)}(?![\w-])")
    out = []
    for path in sorted(folder.rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if not cited.search(text):
            continue
        lines = text.splitlines()
        for node in ast.walk(_tree(str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if cited.search("\n".join(lines[first - 1:node.end_lineno])):
                    out.append((str(path), node.lineno, node.name))
    return sorted(out)


#: How many citing tests the map lists (the rest are counted).
MOST_TESTS = 8


# ---------------------------------------------------------------- the map


def where_lines(rule: Any) -> list[str]:
    """The map, one place per line, each ``path:line  what``."""
    from . import rules

    checks = rules.checks_for(rule.id)
    lines = ["Where this rule lives:"]
    decl = rule_declaration(rule.id)
    lines.append(f"  {_rel(decl[0])}:{decl[1]}  the rule (rule(...) call)" if decl else
                 "  the rule: its rule(...) call was not found with a literal ID")
    for f in formula_functions(rule):
        path, line = _def_line(f)
        lines.append(f"  {_rel(path)}:{line}  formula: formulas.{f.__name__}")
    if rule.formula and rule.symbolic is None:
        lines.append("  formula: written as text only (no function of formulas.py computes it)")
    lines.append(f"  checks ({len(checks)}):" if checks else "  checks: none")
    for c in checks:
        named, body = check_places(c)
        ops = ", ".join(c.ops) if c.ops else "no target op (checks the spec itself)"
        entry = f"{c.name} ({c.level}, {c.kind}; calls {ops})"
        if named is not None:
            lines.append(f"    {_rel(named[0])}:{named[1]}  {entry}")
        elif _written(body[0], c.name):
            lines.append(f"    {entry}: its name is written in several places of "
                         f"{_rel(body[0])}, none of them with this rule's ID")
        else:
            lines.append(f"    {entry}: its name is assembled at run time (grep cannot find it)")
        if named != body:
            lines.append(f"      {_rel(body[0])}:{body[1]}  its body: {c.fn.__qualname__}")
    if rule.examples:
        from .rules._examples import CallExample, FormulaExample

        kinds = [sum(isinstance(e, t) for e in rule.examples) for t in (CallExample, FormulaExample)]
        prose = len(rule.examples) - sum(kinds)
        where = examples_line(rule.id)
        text = (f"worked examples: {kinds[0]} call(s) run on the target, {kinds[1]} formula "
                f"example(s) proved, {prose} in prose")
        lines.append(f"  {_rel(where[0])}:{where[1]}  {text}" if where else f"  {text}")
    for how, f in reference_functions(rule, checks):
        path, line = _def_line(f)
        lines.append(f"  {_rel(path)}:{line}  reference: {f.__module__}.{f.__name__} ({how})")
    tests = citing_tests(rule.id)
    for path, line, name in tests[:MOST_TESTS]:
        lines.append(f"  {_rel(path)}:{line}  test: {name}")
    if len(tests) > MOST_TESTS:
        lines.append(f"  tests: {len(tests) - MOST_TESTS} more cite it (grep -rn '{rule.id}' tests/)")
    spec, heading, anchor = spec_heading(rule)
    lines.append(f"  {_rel(spec)}:{heading}  spec: {_rel(spec)}#{anchor}" if heading else
                 f"  spec: {_rel(spec)}#{anchor}")
    return lines
