"""Short names of the built-in targets, their import errors, and style prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnnspec import targets
from cnnspec.targets import BUILTIN, Builtin, load_target


def test_a_short_name_loads_its_module():
    t = load_target("reference")
    assert t.name == "reference"
    assert t.module.__name__ == "cnnspec.targets.reference"


def test_every_short_name_has_its_module_and_an_extra_for_its_library():
    here = Path(targets.__file__).parent
    for name, (module, extra, imports) in BUILTIN.items():
        assert (here / f"{module}.py").is_file(), name
        assert extra or module in ("reference", "scipy"), name  # SciPy is a dependency
        assert imports, name


def test_a_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(BUILTIN, "nolib", Builtin("no_such_module_here", "nolib", ("nolib",)))
    with pytest.raises(ImportError, match=r'pip install "cnnspec\[nolib\]"'):
        load_target("nolib")


def test_a_style_prefix_adapts_the_inner_target(monkeypatch, tmp_path):
    import sys
    import types

    style = types.ModuleType("cnnspec.targets._test_style")
    style.adapt = lambda inner: types.SimpleNamespace(conv=inner.conv_forward, __name__="adapted")
    monkeypatch.setitem(sys.modules, "cnnspec.targets._test_style", style)
    monkeypatch.setitem(targets.STYLES, "teststyle", "_test_style:adapt")
    f = tmp_path / "layers.py"
    f.write_text("def conv_forward(*a, **k):\n    return 'called'\n")
    t = load_target(f"teststyle:{f}")
    assert t.name == f"teststyle:{f}"
    assert t.module.conv() == "called"
