"""Paste-able repros: a script that loads the target, rebuilds the case, replays the check.

Built from strings (a case's module, class name and repr), so the parent process can write
one for a case its worker died on without importing anything heavy.  The configs of
cnnspec.strategies print as ``ConvConfig.build(...)`` calls that rebuild the same arrays
from their seed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["case_tag", "split_tag", "repro_script", "call_script", "replay"]

#: Arrays up to this many elements are written into a call repro literally.
LITERAL_MAX = 4096

#: The positional array arguments of each op, as attributes of the strategies' configs.
_ARGS = {"conv": "case.x, case.w, case.b", "conv_transpose": "case.x, case.w, case.b",
         "max_pool": "case.x", "avg_pool": "case.x"}
_CONFIGS = ("ConvConfig", "ConvTransposeConfig", "PoolConfig")


def case_tag(case: Any) -> str:
    """``module<TAB>qualname<TAB>repr`` of a case: enough to rebuild it in a repro."""
    cls = type(case)
    return f"{cls.__module__}\t{cls.__qualname__}\t{case!r}"


def split_tag(tag: str) -> tuple[str, str, str]:
    """(module, qualname, repr) of a case tag ('', '', tag) for anything else."""
    parts = tag.split("\t", 2)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else ("", "", tag)


def repro_script(check_id: str, ops: tuple[str, ...], tag: str, target_spec: str,
                 seed: int) -> str:
    """The script; the direct call line only for the strategies' configs of one-op checks."""
    module, qualname, text = split_tag(tag)
    rule = check_id.split("::", 1)[0]
    lines = [f"# {check_id} on {target_spec}: the counterexample (seed {seed})",
             "from cnnspec.conform import replay", "from cnnspec.targets import load_target"]
    if module and module not in ("builtins",) and "<" not in qualname:
        lines.append(f"from {module} import {qualname.split('.')[0]}")
    try:
        compile(text, "<case>", "eval")
    except SyntaxError:  # a case whose repr is not Python: show it, replay the search
        return "\n".join([lines[0], f"# case: {text}", f"# replay: cnnspec conform "
                          f"{target_spec} --rules {check_id.split('::')[0]} --seed {seed}"]) + "\n"
    lines += ["", f"target = load_target({target_spec!r})", f"case = {text}"]
    if len(ops) == 1 and qualname in _CONFIGS and ops[0] in _ARGS:
        lines.append(f"y = target.op({ops[0]!r})({_ARGS[ops[0]]}, **case.kwargs)  "
                     f"# the call under test")
    lines += [f"replay({check_id!r}, target, case)  # raises the AssertionError reported",
              f"# the whole search again: cnnspec conform {target_spec} --rules {rule} "
              f"--seed {seed}"]
    return "\n".join(lines) + "\n"


def call_script(target_spec: str, op: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                check_id: str, seed: int, rule: str | None = None) -> str | None:
    """A self-contained script: the arrays written out, the target's call, the reference's
    answer and a comparison.  None when an array is too large to write out."""
    import numpy as np

    arrays = [a for a in args if isinstance(a, np.ndarray)]
    if any(a.size > LITERAL_MAX for a in arrays):
        return None
    search = check_id.split("::", 1)[0]
    rule = rule or search
    lines = [f"# {check_id} on {target_spec} (seed {seed}): the call, and what the spec says",
             "import numpy as np", "from numpy import nan, inf",
             "from cnnspec.targets import load_target, reference", "",
             f"target = load_target({target_spec!r})"]
    backward = op.endswith("_backward")
    arg_names = ("x", "dy") if op.endswith("pool_backward") else \
        ("x", "w", "b", "dy") if backward else ("x", "w", "b")
    names = []
    for name, a in zip(arg_names, args):
        names.append(name)
        if isinstance(a, np.ndarray):
            lines.append(f"{name} = np.array({a.tolist()!r}, dtype=np.{a.dtype}).reshape"
                         f"({tuple(a.shape)!r})")
        else:
            lines.append(f"{name} = {a!r}")
    lines.append(f"kwargs = {kwargs!r}")
    call = ", ".join(names)
    if backward:
        grads = ("dx",) if op.endswith("pool_backward") else ("dx", "dw", "db")
        lines += [f"got = target.op({op!r})({call}, **kwargs)  # the call under test",
                  f"expected = reference.{op}({call}, **kwargs)  # the spec's answer",
                  "as_tuple = lambda g: tuple(g) if isinstance(g, (tuple, list)) else (g,)",
                  f"for name, g, e in zip({grads!r}, as_tuple(got), as_tuple(expected)):",
                  "    if e is None:",
                  f"        assert g is None, f'{{name}}={{g!r}}, but should be None: b is None "
                  f"[{rule}]'",
                  "        continue",
                  f"    assert np.shape(g) == e.shape, f'{{name}}.shape={{np.shape(g)}}, but "
                  f"should be {{e.shape}} [{rule}]'",
                  "    bad = ~np.isclose(g, e, rtol=0, atol=1e-9, equal_nan=True)",
                  f"    assert not bad.any(), f'{{name}} differs from the expected values at "
                  f"{{np.argwhere(bad).tolist()[:5]}}: {{g[bad][:5]}}, but should be "
                  f"{{e[bad][:5]}} [{rule}]'",
                  f"# the whole search again: cnnspec conform {target_spec} --rules {search} "
                  f"--seed {seed}"]
        return "\n".join(lines) + "\n"
    lines += [f"y = target.op({op!r})({call}, **kwargs)  # the call under test",
              f"expected = reference.{op}({call}, **kwargs)  # the spec's answer",
              f"assert y.shape == expected.shape, f'y.shape={{y.shape}}, but should be "
              f"{{expected.shape}} [{rule}]'",
              "bad = ~np.isclose(y, expected, rtol=0, atol=1e-9, equal_nan=True)",
              f"assert not bad.any(), f'y differs from the expected values at "
              f"{{np.argwhere(bad).tolist()[:5]}}: {{y[bad][:5]}}, but should be "
              f"{{expected[bad][:5]}} [{rule}]'",
              f"# the whole search again: cnnspec conform {target_spec} --rules {search} "
              f"--seed {seed}"]
    return "\n".join(lines) + "\n"


def replay(check_id: str, target: Any, case: Any) -> None:
    """Run check ``check_id`` (``rule::name``) once on ``case``: what a repro script calls.

    ``target``: a Target, or a dotted name / .py path to load.  Raises the check's
    AssertionError when the target breaks the rule on this case.
    """
    from .. import rules
    from ..targets import load_target

    found = [c for c in rules.all_checks() if c.id == check_id]
    if not found:
        raise KeyError(f"check_id={check_id!r}, but no check has that ID")
    found[0].fn(load_target(target) if isinstance(target, str) else target, case)
