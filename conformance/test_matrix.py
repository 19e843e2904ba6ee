"""The conformance matrix tables, built from report files."""

from __future__ import annotations

import json

from conformance import matrix


def test_the_matrix_tables_read_every_report(monkeypatch, tmp_path):
    monkeypatch.setattr(matrix, "RESULTS", tmp_path)
    checks = [{"check": "conv.kernel-fits::refuses", "status": "fail", "level": "refuse"},
              {"check": "conv.kernel-fits::computes", "status": "pass", "level": "compute"}]
    report = {"exit_code": 1, "profile": "quick", "counts": {"pass": 1, "fail": 1},
              "environment": {"library": "fakelib 1.2"}, "timings": {"seconds": 3.4},
              "results": [{"op": "conv", "rule": "conv.def", "status": "pass", "checks": []},
                          {"op": "conv", "rule": "conv.kernel-fits", "status": "fail",
                           "checks": checks}]}
    mixed = [{"check": "config.int::refuses_a_float", "status": "fail", "level": "strict"},
             {"check": "config.int::accepts_numpy_ints", "status": "restriction", "level": "compute"}]
    report["results"].append({"op": "conv", "rule": "config.int", "status": "fail", "checks": mixed})
    report["counts"]["fail"] += 1
    (tmp_path / "scipy.json").write_text(json.dumps(report))
    md, data = matrix.build_tables(["scipy", "reference"], {"mlx": "mlx is not installed"})
    # the refuse-level failure is not a compute failure: a default run would exit 0
    # the refuse-level failure does not fail a default run; the restriction of the mixed
    # result (its compute check) does, and is counted as a restriction, not a failure
    assert "| `scipy` | fakelib 1.2 | quick | 1 | 1 | 0 | 1 | 0 | 1 | 0 |" in md
    assert data["cells"]["conv"]["config.int"]["scipy"] == "restricts"
    assert "| `mlx` | not run: mlx is not installed |" in md
    # a failure only of a refuse-level check is marked with its level
    assert data["cells"]["conv"]["conv.kernel-fits"]["scipy"] == "**FAIL** (refuse)"
    assert data["cells"]["conv"]["conv.def"]["scipy"] == "pass"
    assert "reference" not in data["targets"]  # no report file, no column
