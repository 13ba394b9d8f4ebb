"""`symjac check` and `symjac grade`: exit codes, JSON, Gradescope results.json."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from symjac.cli import main

DATA = Path(__file__).parent / "data" / "check"


def run(argv, stdin=None, monkeypatch=None, capsys=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_check_correct_exit_0(monkeypatch, capsys):
    code, out, _ = run(["check", str(DATA / "gram_notes.toml"), str(DATA / "subs" / "alice.tex")], None, monkeypatch, capsys)
    assert code == 0 and out.startswith("correct")


def test_check_wrong_exit_1_with_diagnosis(monkeypatch, capsys):
    code, out, _ = run(["check", str(DATA / "gram_notes.toml"), str(DATA / "subs" / "carol.tex")], None, monkeypatch, capsys)
    assert code == 1 and "diagnosis: input_order" in out


def test_check_invalid_exit_2_one_line(monkeypatch, capsys):
    code, out, err = run(["check", str(DATA / "gram_notes.toml"), "-"], r"\mathrm{__import__(os)}", monkeypatch, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "invalid input" in err


def test_check_json_from_stdin(monkeypatch, capsys):
    code, out, _ = run(["check", str(DATA / "ax_vec.toml"), "-", "--format", "json"], r"I_m \otimes x^\top", monkeypatch, capsys)
    d = json.loads(out)
    assert code == 1 and d["verdict"] == "incorrect" and d["diagnosis"] == ["input_order"]


def test_check_bad_problem_file_exit_2(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\nfunction = "A @"\n[shapes]\nA = [2, 2]\n')
    code, _, err = run(["check", str(bad), "-"], "A", monkeypatch, capsys)
    assert code == 2 and "bad.toml" in err


def test_notes_exercises_from_the_command_line(monkeypatch, capsys):
    code, out, _ = run(["check", str(DATA / "forward_pass.toml"), "-"], r"\begin{bmatrix}0.76\\-0.76\end{bmatrix}", monkeypatch, capsys)
    assert code == 1 and "0.9414" in out
    code, out, _ = run(["check", str(DATA / "not_gate.toml"), "-"], "d", monkeypatch, capsys)
    assert code == 0


def test_grade_gradescope_and_json(tmp_path, monkeypatch, capsys):
    out = tmp_path / "results.json"
    code, _, err = run(["grade", str(DATA / "gram_notes.toml"), str(DATA / "subs"), "--out", str(out), "--workers", "2"],
                       None, monkeypatch, capsys)
    assert code == 0
    data = json.loads(out.read_text())
    assert data["max_score"] == 4 and data["score"] == 1
    by = {t["name"].split(" ")[0]: t for t in data["tests"]}
    assert by["alice"]["status"] == "passed"
    assert "input_order" in by["carol"]["output"]
    assert "shape" in by["bob"]["output"]
    assert by["dave"]["extra_data"]["verdict"] == "invalid"
    out2 = tmp_path / "plain.json"
    code, _, _ = run(["grade", str(DATA / "gram_notes.toml"), str(DATA / "subs"), "--out", str(out2), "--format", "json"],
                     None, monkeypatch, capsys)
    plain = json.loads(out2.read_text())["results"]
    assert [r["verdict"] for r in plain] == ["correct", "incorrect", "incorrect", "invalid"]


def test_grade_handles_huge_and_binary_submissions(tmp_path, monkeypatch, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "big.tex").write_text("x+" * 3_000_000)
    (subs / "bin.tex").write_bytes(b"\xff\xfe\x00\x01")
    (subs / "s1").mkdir()
    (subs / "s1" / "answer.tex").write_text("A^T")
    out = tmp_path / "r.json"
    code, _, _ = run(["grade", str(DATA / "gram_notes.toml"), str(subs), "--out", str(out), "--quiet"], None, monkeypatch, capsys)
    data = json.loads(out.read_text())
    assert code == 0 and len(data["tests"]) == 3
    verdicts = {t["name"].split(" ")[0]: t["extra_data"]["verdict"] for t in data["tests"]}
    assert verdicts == {"big": "invalid", "bin": "invalid", "s1": "incorrect"}


def test_console_entry_point_exit_codes():
    exe = [sys.executable, "-m", "symjac.cli"]
    r = subprocess.run(exe + ["check", str(DATA / "ax_vec.toml"), "-"], input=r"x^\top \otimes I", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
