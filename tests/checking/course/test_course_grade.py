"""`symjac grade SET SUBMISSIONS --out DIR` on the example course: per-student results, gradebook,
summary, reuse on rerun, atomic writes that never follow a symbolic link."""
from __future__ import annotations

import csv
import os
import json
import shutil
from pathlib import Path

import pytest

from symjac.cli import main
from symjac.checking.course import atomic_write, grade_course
from symjac.checking.problemset import load_set

ROOT = Path(__file__).parents[3]
COURSE = ROOT / "examples" / "course"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    code = main(["grade", str(COURSE / "set.toml"), str(COURSE / "submissions"), "--out", str(out),
                 "--workers", "2", "--quiet"])
    return code, out


def _book(path):
    with open(path, newline="") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)}


def test_every_student_has_a_result_and_a_gradebook_row(graded):
    code, out = graded
    assert code == 0
    students = sorted(p.name for p in (COURSE / "submissions").iterdir() if p.is_dir())
    assert len(students) >= 30
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == students
    book = _book(out / "gradebook.csv")
    assert sorted(book) == students
    assert list(next(iter(book.values())).keys()) == ["student", "jac_vec", "grad", "layer", "entry", "total"]
    for s, row in book.items():
        r = json.loads((out / "results" / f"{s}.json").read_text())
        assert float(row["total"]) == pytest.approx(r["score"])
        assert r["score"] == pytest.approx(sum(p["points"] for p in r["problems"]))


def _problem(out, student, label):
    r = json.loads((out / "results" / f"{student}.json").read_text())
    return next(p for p in r["problems"] if p["label"] == label)


def test_verdicts_follow_the_answers(graded):
    _, out = graded
    subs = COURSE / "submissions"
    seen = set()
    for folder in sorted(subs.iterdir()):
        for label in ("jac_vec", "grad", "layer", "entry"):
            f = folder / f"{label}.tex"
            if not f.exists():
                continue
            text = f.read_text().strip()
            p = _problem(out, folder.name, label)
            if text == r"x^T \otimes I_2":
                assert p["verdict"] == "correct" and p["points"] == 2
            elif text == r"I_2 \otimes x^T":
                assert p["verdict"] == "incorrect" and p["diagnosis"] == ["input_order"]
            elif text == r"x \otimes I_2":
                assert p["diagnosis"] == ["transposed"]
            elif text == r"2X^T(y - Xw)":
                assert p["diagnosis"] == ["sign"] and p["points"] == 0
            elif text.startswith(r"\input"):
                assert p["verdict"] == "invalid"
            else:
                continue
            seen.add(text)
    assert len(seen) == 5          # each of those variants occurs in the example course


def test_marker_file_students_are_graded_per_problem(graded):
    _, out = graded
    r = json.loads((out / "results" / "s31.json").read_text())
    assert {p["verdict"] for p in r["problems"]} - {"missing"}
    assert len([p for p in r["problems"] if p["verdict"] != "missing"]) == len(
        [ln for ln in (COURSE / "submissions" / "s31" / "homework.tex").read_text().splitlines() if ln.startswith("% problem:")])


def test_summary_names_common_mistakes_and_histogram(graded):
    _, out = graded
    s = json.loads((out / "summary.json").read_text())
    assert s["graded"] == s["students"] >= 30 and s["complete"] and s["interrupted"] is None
    assert (out / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    mistakes = {d for d, _ in s["problems"]["jac_vec"]["common_mistakes"]}
    assert mistakes & {"input_order", "transposed", "sign"}
    assert "| jac_vec |" in (out / "summary.md").read_text()


def test_rerun_reuses_unchanged_and_regrades_changed(tmp_path):
    subs = tmp_path / "subs"
    for name in ("s01", "s02", "s03"):
        shutil.copytree(COURSE / "submissions" / name, subs / name)
    pset = load_set(COURSE / "set.toml")
    first = grade_course(pset, subs, tmp_path / "out", progress=False, handle_signals=False)
    assert first["graded"] == 3 and first["reused"] == 0
    (subs / "s02" / "jac_vec.tex").write_text(r"x^T \otimes I_2")
    again = grade_course(pset, subs, tmp_path / "out", progress=False, handle_signals=False)
    assert again["reused"] == 2 and again["graded"] == 3
    assert _problem(tmp_path / "out", "s02", "jac_vec")["verdict"] == "correct"


def test_result_file_replaces_a_symlink_never_writes_through_it(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "r.json"
    link.symlink_to(target)
    atomic_write(link, "{}\n")
    assert target.read_text() == "keep me"
    assert not link.is_symlink() and link.read_text() == "{}\n"


def test_set_needs_an_output_folder(capsys):
    code = main(["grade", str(COURSE / "set.toml"), str(COURSE / "submissions")])
    assert code == 2 and "give --out DIR" in capsys.readouterr().err


def test_symlinked_output_folder_is_refused(tmp_path, capsys):
    (tmp_path / "real").mkdir()
    (tmp_path / "out").symlink_to(tmp_path / "real")
    code = main(["grade", str(COURSE / "set.toml"), str(COURSE / "submissions"), "--out", str(tmp_path / "out")])
    assert code == 2 and "symbolic link" in capsys.readouterr().err


def test_undecodable_student_name_gets_a_safe_result_name(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    bad = os.fsencode(str(subs)) + b"/bad\xffname"
    os.mkdir(bad)
    with open(bad + b"/jac_vec.tex", "w") as fh:
        fh.write(r"x^T \otimes I_2")
    summary = grade_course(load_set(COURSE / "set.toml"), subs, tmp_path / "out", progress=False,
                           handle_signals=False)
    assert summary["graded"] == 1
    (name,) = [p.name for p in (tmp_path / "out" / "results").iterdir()]
    assert name.startswith("bad\ufffdname-") and name.endswith(".json")
    row = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8").splitlines()[1]
    assert row.startswith("bad\ufffdname-") and row.endswith(",2,0,0,0,2")


def test_scheduler_with_a_single_spec_is_refused(tmp_path, capsys):
    code = main(["grade", str(ROOT / "derivations" / "gram.toml"), str(COURSE / "submissions"), "--out",
                 str(tmp_path / "r.json"), "--scheduler", "local:2"])
    assert code == 2 and "--scheduler grades a problem set" in capsys.readouterr().err


def test_example_submissions_are_what_the_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_submissions", COURSE / "make_submissions.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path)

    def tree(root):
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(tmp_path) == tree(COURSE / "submissions")
