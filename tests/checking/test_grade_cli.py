"""`symjac check` and `symjac grade`: exit codes, JSON, Gradescope results.json."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from symjac.cli import main

DATA = Path(__file__).parents[1] / "data" / "check"


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


# --- review fixes: options, output, folders, symlinks, checker errors --------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "1e9", "0", "-1", "abc"])
@pytest.mark.parametrize("command", ["check", "grade"])
def test_timeout_out_of_range_is_a_usage_error(command, value, monkeypatch, capsys, tmp_path):
    argv = ["check", str(DATA / "ax_vec.toml"), "-"] if command == "check" else \
        ["grade", str(DATA / "gram_notes.toml"), str(DATA / "subs"), "--out", str(tmp_path / "r.json")]
    monkeypatch.setattr(sys, "stdin", io.StringIO("x^T"))
    with pytest.raises(SystemExit) as exc:
        main(argv + [f"--timeout={value}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --timeout" in err and "Traceback" not in err
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("option", ["--max-score=nan", "--max-score=inf", "--max-score=0", "--max-score=-2",
                                    "--workers=0", "--workers=33", "--workers=1e3"])
def test_grade_numbers_are_validated(option, capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["grade", str(DATA / "gram_notes.toml"), str(DATA / "subs"), "--out", str(tmp_path / "r.json"), option])
    assert exc.value.code == 2 and option.split("=")[0] in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_grade_unwritable_output_fails_before_grading(monkeypatch, capsys, tmp_path):
    import symjac.checking.pool

    def no_sandbox(*a, **k):
        raise AssertionError("graded although the output cannot be written")

    monkeypatch.setattr(symjac.checking.pool, "AnswerSandbox", no_sandbox)
    for out in ("/nonexistent/x.json", str(tmp_path)):
        code, _, err = run(["grade", str(DATA / "gram_notes.toml"), str(DATA / "subs"), "--out", out],
                           None, monkeypatch, capsys)
        assert code == 2 and err.count("\n") == 1 and "cannot write the results" in err and out in err


def test_grade_empty_folder_is_an_error(monkeypatch, capsys, tmp_path):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "notes.pdf").write_text("not a submission")
    code, _, err = run(["grade", str(DATA / "gram_notes.toml"), str(tmp_path / "subs"), "--out", str(tmp_path / "r.json")],
                       None, monkeypatch, capsys)
    assert code == 2 and "no submissions" in err and err.count("\n") == 1
    assert not (tmp_path / "r.json").exists()


def test_grade_skips_symlinks_and_never_reads_them(monkeypatch, capsys, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Qsecret")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "answer.tex").write_text("Qsecret")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.tex").write_text("A^T")
    (subs / "mallory.tex").symlink_to(secret)
    (subs / "trudy").symlink_to(outside)                    # a sub-folder that is a link
    (subs / "eve").mkdir()
    (subs / "eve" / "answer.tex").symlink_to(secret)        # a link inside a sub-folder
    out = tmp_path / "r.json"
    code, _, err = run(["grade", str(DATA / "gram_notes.toml"), str(subs), "--out", str(out), "--quiet"],
                       None, monkeypatch, capsys)
    assert code == 0
    text = out.read_text()
    data = json.loads(text)
    assert [t["name"].split(" ")[0] for t in data["tests"]] == ["alice"]
    assert "Qsecret" not in text and "'Q'" not in text and "Q" not in text
    assert "skipped 3" in data["output"] and "mallory.tex (symbolic link)" in data["output"]
    assert err.count("skipped") >= 3 and "Qsecret" not in err
    code, _, _ = run(["grade", str(DATA / "gram_notes.toml"), str(subs), "--out", str(out), "--format", "json"],
                     None, monkeypatch, capsys)
    plain = json.loads(out.read_text())
    assert sorted(s["path"].rsplit("/", 2)[-1] for s in plain["skipped"]) == ["answer.tex", "mallory.tex", "trudy"]


def _buggy_checker(monkeypatch):
    """check_pure raising an unexpected exception on the answer 'BOOM' (workers are forked after this)."""
    import symjac.checking.engine

    real = symjac.checking.engine.check_pure

    def buggy(problem, answer):
        if answer.strip() == "BOOM":
            raise KeyError("bug")
        return real(problem, answer)

    monkeypatch.setattr(symjac.checking.engine, "check_pure", buggy)


def test_checker_bug_is_error_exit_3_not_invalid(monkeypatch, capsys):
    _buggy_checker(monkeypatch)
    code, out, err = run(["check", str(DATA / "ax_vec.toml"), "-"], "BOOM", monkeypatch, capsys)
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "checker error" in err and "KeyError" in err and "invalid input" not in err
    code, out, _ = run(["check", str(DATA / "ax_vec.toml"), "-", "--format", "json"], "BOOM", monkeypatch, capsys)
    assert code == 3 and json.loads(out)["verdict"] == "error"


def test_grade_counts_checker_errors_separately(monkeypatch, capsys, tmp_path):
    _buggy_checker(monkeypatch)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.tex").write_text("x^T \\otimes I")
    (subs / "b.tex").write_text("BOOM")
    (subs / "c.tex").write_text("\\foo")
    out = tmp_path / "r.json"
    code, _, err = run(["grade", str(DATA / "ax_vec.toml"), str(subs), "--out", str(out), "--quiet"],
                       None, monkeypatch, capsys)
    assert code == 3
    assert "1 correct, 0 incorrect, 1 invalid, 1 not judged (checker error" in err
    data = json.loads(out.read_text())
    verdicts = {t["name"].split(" ")[0]: t["extra_data"]["verdict"] for t in data["tests"]}
    assert verdicts == {"a": "correct", "b": "error", "c": "invalid"}
    assert "1 not judged" in data["output"]


def test_entry_answer_at_an_implied_size_of_1_from_the_command_line(monkeypatch, capsys):
    # was "incorrect: right only if " with "diagnosis: " empty
    code, out, _ = run(["check", str(DATA / "ax_vec.toml"), "-"], r"\begin{bmatrix} x_1 \end{bmatrix}", monkeypatch, capsys)
    assert code == 1 and "diagnosis: shape" in out and "right only if" not in out


def test_block_matrix_is_read_and_judged(monkeypatch, capsys):
    # block matrices are read (issue 13): [2A] is the matrix 2A, a wrong answer to ∇_A(Ax), not invalid input
    code, out, err = run(["check", str(DATA / "ax_vec.toml"), "-"], r"\begin{bmatrix} 2A \end{bmatrix}", monkeypatch, capsys)
    assert code == 1 and err == ""
    code, out, err = run(["check", str(DATA / "ax_vec.toml"), "-"], r"\begin{bmatrix} x^T \otimes I \end{bmatrix}",
                         monkeypatch, capsys)
    assert code == 0
