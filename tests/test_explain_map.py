"""`cnnspec explain ID` ends with a map of where the rule lives, and every place it names is
opened here: the line must hold what the map says it holds (the rule's ID, the check's name,
the function's def), so the map cannot silently point at the wrong place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cnnspec import rules
from cnnspec.cli import main
from cnnspec.rules.render import rule_text

ROOT = Path(__file__).resolve().parent.parent
PLACE = re.compile(r"^\s+(?P<path>[\w./-]+\.(?:py|md)):(?P<line>\d+)  (?P<what>.+)$")


def _map(rule_id: str, capsys) -> list[str]:
    assert main(["explain", rule_id]) == 0
    out = capsys.readouterr().out
    prose = rule_text(rules.get(rule_id))
    assert out.startswith(prose + "\n"), "the rule's prose comes first, unchanged"
    rest = out[len(prose):].strip("\n").splitlines()
    assert rest[0] == "Where this rule lives:"
    return rest[1:]


#: A check's entry: its name, level, kind and the contract ops it calls.
ENTRY = re.compile(r"(\w+) \((compute|refuse|strict), (positive|negative); calls "
                   r"(?:no target op \(checks the spec itself\)|[\w, ]+)\)")
#: The lines that name no place: the heading of the checks, a check whose name is not
#: written out once (its body's place follows it), a formula given as text only.
UNPLACED = re.compile(r"^  tests: \d+ more cite it \(grep -rn '[\w.-]+' tests/\)$|"
                      r"^  checks \(\d+\):$|^    " + ENTRY.pattern + r": its name is (?:assembled at run "
                      r"time \(grep cannot find it\)|written in several places of \S+, none of "
                      r"them with this rule's ID)$|^  formula: written as text only \(no "
                      r"function of formulas.py computes it\)$")


def _line(path: str, n: int) -> str:
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    assert 1 <= n <= len(lines), f"{path}:{n} is past the end of the file ({len(lines)} lines)"
    return lines[n - 1]


def verify(rule_id: str, place: str) -> str:
    """Open the file:line a map line names and check that it holds what the line says;
    returns the kind of place.  AssertionError otherwise."""
    m = PLACE.match(place)
    assert m, f"{place!r} names no file:line"
    text, what = _line(m["path"], int(m["line"])), m["what"]
    if what.startswith("the rule"):
        assert f'"{rule_id}"' in text, f"{place}: {text!r} does not declare {rule_id}"
        return "rule"
    if what.startswith(("formula: formulas.", "reference: ")):
        name = re.match(r"(?:formula|reference): [\w.]*\.(\w+) ?", what)[1]
        assert text.lstrip().startswith(f"def {name}("), f"{place}: {text!r} is not def {name}"
        return what.split(":")[0]
    if what.startswith("its body: "):
        name = what.removeprefix("its body: ").split(".")[-1]
        assert text.lstrip().startswith(f"def {name}("), f"{place}: {text!r} is not def {name}"
        return "body"
    if what.startswith("test: "):  # a test function that cites the rule
        name = what.removeprefix("test: ")
        assert text.lstrip().startswith(f"def {name}("), f"{place}: {text!r} is not def {name}"
        return "test"
    if what.startswith("worked examples: "):  # the records the example checks run
        assert "examples=(" in text, f"{place}: {text!r} is not the rule's examples="
        return "examples"
    if what.startswith("spec: "):
        assert text.startswith(f"## `{rule_id}`"), f"{place}: {text!r} is not the rule's heading"
        return "spec"
    name = what.split(" ")[0]
    assert f"def check_{name}(" in text or f'"{name}"' in text, \
        f"{place}: {text!r} neither defines nor names the check {name}"
    return "check"


def verify_unplaced(rule_id: str, entry: str, body: str) -> None:
    """A check shown without a place: its body (the next line) is verified, and the claim
    holds: the body's file writes the name nowhere ('assembled at run time') or in several
    places, and never as a def check_<name>."""
    name = ENTRY.search(entry)[1]
    assert verify(rule_id, body) == "body"
    text = (ROOT / PLACE.match(body)["path"]).read_text(encoding="utf-8")
    assert f"def check_{name}(" not in text
    if "assembled at run time" in entry:
        assert f'"{name}"' not in text, f"{name} is written in the file, but said assembled"
    else:
        assert text.count(f'"{name}"') >= 2


@pytest.mark.parametrize("rule_id, formula, reference", [
    ("conv.out-size", ["conv_out_size"], ["cnnspec.ref.conv.conv"]),
    ("pool.ceil-mode", ["pool_out_size"], ["cnnspec.ref.pool.max_pool", "cnnspec.ref.pool.avg_pool"]),
    ("pad.same", ["same_padding"], ["cnnspec.ref.conv.conv", "cnnspec.ref.pool.max_pool"]),
    ("pad.modes", [], ["cnnspec.ref.pad.pad"]),
    ("conv-transpose.bias", [], ["cnnspec.ref.conv_transpose.conv_transpose"]),
    ("config.stride", [], []),
])
def test_every_place_in_the_map_holds_what_it_names(rule_id, formula, reference, capsys):
    lines = _map(rule_id, capsys)
    assert [x for x in lines if not PLACE.match(x) and not UNPLACED.match(x)] == []
    kinds = [verify(rule_id, line) for line in lines if PLACE.match(line)]
    assert kinds.count("rule") == 1
    assert kinds.count("spec") == 1
    names = sorted(m[1] for m in map(ENTRY.search, lines) if m)
    assert names == sorted(c.name for c in rules.checks_for(rule_id))
    unplaced = [i for i, x in enumerate(lines) if UNPLACED.match(x) and ENTRY.search(x)]
    for i in unplaced:  # and what such a line claims holds
        verify_unplaced(rule_id, lines[i], lines[i + 1])
    assert kinds.count("check") + len(unplaced) == len(names) > 0
    text = "\n".join(lines)
    for name in formula:  # the formula the rule's symbolic form is computed with
        assert f"formula: formulas.{name}\n" in text + "\n"
    for name in reference:
        assert f"reference: {name} (" in text


def test_a_check_built_by_a_factory_points_at_the_call_that_names_it(capsys):
    """pool.ceil-mode::max_pool_drops_the_window_starting_in_the_right_padding is built by
    a factory: the map shows the call that writes the name, then the factory's body."""
    lines = _map("pool.ceil-mode", capsys)
    name = "max_pool_drops_the_window_starting_in_the_right_padding"
    at = next(i for i, line in enumerate(lines) if f"  {name} (" in line)
    m = PLACE.match(lines[at])
    assert m["path"] == "cnnspec/rules/pool_checks.py"
    assert f'"{name}"' in _line(m["path"], int(m["line"]))
    assert "its body: " in lines[at + 1] and verify("pool.ceil-mode", lines[at + 1]) == "body"


def test_a_check_name_shared_by_rules_points_at_its_own_rule(capsys):
    """'refuses' is a check of four conv-transpose rules: each map names its own call."""
    places = set()
    for rule_id in ("conv-transpose.out-size", "conv-transpose.groups"):
        line = next(x for x in _map(rule_id, capsys) if "  refuses (" in x)
        m = PLACE.match(line)
        assert rule_id in _line(m["path"], int(m["line"])) or \
            rule_id in _line(m["path"], int(m["line"]) - 1)
        places.add(line.split()[0])
    assert len(places) == 2


def test_no_check_name_is_assembled_at_run_time_any_more(capsys):
    """Every factory writes its checks' names out (config_checks.py was the last to build
    them with f-strings): no map says 'assembled at run time', and config.stride's map points
    each of its checks at the call that names it."""
    lines = _map("config.stride", capsys)
    checks = [x for x in lines if ENTRY.search(x)]
    assert len(checks) == len(rules.checks_for("config.stride")) >= 8
    assert all(PLACE.match(x) and verify("config.stride", x) == "check" for x in checks)
    for r in rules.all_rules():
        assert not [x for x in _map(r.id, capsys) if "assembled at run time" in x], r.id


@pytest.mark.parametrize("wrong", [
    "  cnnspec/formulas/sizes.py:1  formula: formulas.conv_out_size",
    "  cnnspec/rules/conv.py:1  the rule (rule(...) call)",
    "  spec/conv.md:1  spec: spec/conv.md#conv-out-size",
    "  cnnspec/rules/conv_checks.py:1  output_shape (compute, positive; calls conv)",
    "  cnnspec/ref/conv.py:1  reference: cnnspec.ref.conv.conv (the contract op conv)",
])
def test_the_verification_catches_a_wrong_line(wrong):
    with pytest.raises(AssertionError):
        verify("conv.out-size", wrong)


def test_the_map_lists_the_tests_that_cite_the_rule(capsys):
    """pool.max-indices is cited by tests/test_new_rules_3.py's tests: the map names them,
    each at its def."""
    lines = _map("pool.max-indices", capsys)
    tests = [x for x in lines if "  test: " in x]
    assert any("tests/test_new_rules_3.py:" in x and "test_max_indices_match_torch" in x
               for x in tests)
    assert all(verify("pool.max-indices", x) == "test" for x in tests)
