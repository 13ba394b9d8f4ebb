"""Gradescope: the autograder-zip bundle runs end to end in an imitated /autograder layout, and
results.json has Gradescope's documented fields."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from symjac.cli import main
from symjac.checking.gradescope import validate_results

ROOT = Path(__file__).parents[3]
COURSE = ROOT / "examples" / "course"


def _layout(tmp_path, bundle, answers: dict) -> Path:
    """Imitate Gradescope: the zip unpacked in ROOT/source, run_autograder copied to ROOT,
    the student's files in ROOT/submission."""
    ag = tmp_path / "autograder"
    src = ag / "source"
    src.mkdir(parents=True)
    with zipfile.ZipFile(bundle) as z:
        for info in z.infolist():
            z.extract(info, src)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(src / info.filename, mode)
    shutil.copy2(src / "run_autograder", ag / "run_autograder")
    (ag / "submission").mkdir()
    for name, text in answers.items():
        (ag / "submission" / name).write_text(text)
    return ag


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip") / "autograder.zip"
    assert main(["autograder-zip", str(COURSE / "set.toml"), "--out", str(out)]) == 0
    return out


def test_bundle_holds_setup_run_set_specs_and_source(bundle):
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "set/set.toml", "set/specs/linear_map_vec.toml",
                "symjac-src/pyproject.toml", "symjac-src/symjac/cli.py",
                "symjac-src/symjac/checking/gradescope.py"} <= names
        for exe in ("setup.sh", "run_autograder"):
            assert (z.getinfo(exe).external_attr >> 16) & stat.S_IXUSR
            assert z.read(exe).startswith(b"#!/usr/bin/env bash")
        assert b"./symjac-src" in z.read("setup.sh")
        assert b"symjac.cli autograder" in z.read("run_autograder")


def test_bundle_runs_end_to_end_in_gradescope_layout(tmp_path, bundle):
    ag = _layout(tmp_path, bundle, {
        "jac_vec.tex": r"I_2 \otimes x^T",                       # other vec order
        "grad.tex": r"-2X^T(y - Xw)",                             # right
        "layer.tex": r"\input{/etc/passwd}",                       # hostile: refused
        # entry.tex missing
    })
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # the bundled source is what runs (as after setup.sh's install), not this checkout
    env.update(AUTOGRADER_ROOT=str(ag), SYMJAC_PYTHON=sys.executable, PYTHONPATH=str(ag / "source" / "symjac-src"))
    proc = subprocess.run([str(ag / "run_autograder")], env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((ag / "results" / "results.json").read_text())
    assert validate_results(data) == []
    tests = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert list(tests) == ["jac_vec", "grad", "layer", "entry"]
    assert tests["grad"]["score"] == 2 and tests["grad"]["status"] == "passed"
    assert tests["jac_vec"]["score"] == 0 and "input_order" in tests["jac_vec"]["output"]
    assert "convention: vec" in tests["jac_vec"]["output"]
    assert tests["layer"]["extra_data"]["verdict"] == "invalid"
    assert tests["entry"]["extra_data"]["verdict"] == "missing"
    assert [t["max_score"] for t in data["tests"]] == [2, 2, 3, 1]
    assert data["score"] == 2 and isinstance(data["execution_time"], float)
    assert all(t["visibility"] == "visible" for t in data["tests"])


def test_autograder_single_file_with_markers(tmp_path):
    sub = tmp_path / "submission"
    sub.mkdir()
    (sub / "answers.tex").write_text("\\begin{answer}{jac_vec}\nx^T \\otimes I_2\n\\end{answer}\n"
                                     "\\begin{answer}{entry}\\delta_{jq} A_{ip} + \\delta_{jp} A_{iq}\\end{answer}\n")
    assert main(["autograder", str(COURSE / "set.toml"), "--root", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    assert validate_results(data) == []
    assert data["score"] == 3
    assert [t["status"] for t in data["tests"]] == ["passed", "failed", "failed", "passed"]


def test_validate_results_catches_schema_faults():
    assert validate_results({"tests": [{"name": "a", "score": "1", "status": "ok"}], "visibility": "public"}) == [
        "visibility 'public'", "tests[1].score must be a number", "tests[1].status 'ok'"]
    assert "unknown top-level field 'grade'" in validate_results({"score": 1, "grade": 2})


def test_autograder_without_submission_folder_exits_2(tmp_path, capsys):
    assert main(["autograder", str(COURSE / "set.toml"), "--root", str(tmp_path)]) == 2
    assert "no submission folder" in capsys.readouterr().err
