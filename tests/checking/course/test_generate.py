"""`symjac generate` + `symjac grade` round trip: every generated key is judged correct and every
generated typical mistake (transposed, other vec order, sign) incorrect with that diagnosis;
`symjac audit` reports a wrong key."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from symjac.cli import main
from symjac.checking.course import grade_course, grade_student
from symjac.checking.engine import check_pure
from symjac.checking.generate import MISTAKES
from symjac.checking.problemset import load_set

ROOT = Path(__file__).parents[3]
TEMPLATE = ROOT / "examples" / "course" / "generate.toml"
STUDENTS = 6


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    assert main(["generate", str(TEMPLATE), "--students", str(STUDENTS), "--seed", "3", "--out", str(out)]) == 0
    return out


def test_instances_vary_within_declared_ranges(generated):
    shapes, wrts, consts = set(), set(), set()
    for k in range(1, STUDENTS + 1):
        own = load_set(generated / f"s{k}" / "set.toml")
        jac = own.problems[0]
        m, n = jac.spec.shapes["A"]
        assert 2 <= m <= 3 and 2 <= n <= 4
        shapes.add((m, n))
        wrts.add(jac.spec.wrt)
        c = re.match(r"\((\d+)\)", jac.spec.function)
        assert c and 2 <= int(c.group(1)) <= 5
        consts.add(c.group(1))
        assert own.labels == ["jac", "grad", "layer", "entry"]
    assert len(shapes) > 1 and wrts == {"A", "x"} and len(consts) > 1
    tex = (generated / "s1" / "problems.tex").read_text()
    assert tex.startswith("\\documentclass") and "Problem jac (2 points)" in tex and "\\end{document}" in tex


def _answer_batch(generated, root: Path) -> dict:
    """Student folders answering with the key or one generated mistake; returns {student: expected}."""
    expected = {}
    for k in range(1, STUDENTS + 1):
        key = json.loads((generated / f"s{k}" / "key.json").read_text())
        kinds = ["key"] + sorted({m for p in key["problems"].values() for m in p["mistakes"]})
        for kind in kinds:
            folder = root / f"s{k}-{kind}"
            folder.mkdir(parents=True)
            want = {}
            for label, rec in key["problems"].items():
                if kind == "key":
                    text, want[label] = rec["key"], ("correct", [])
                elif kind in rec["mistakes"]:
                    text, want[label] = rec["mistakes"][kind]["latex"], ("incorrect", MISTAKES[kind])
                else:
                    continue
                (folder / f"{label}.tex").write_text(text)
            expected[folder.name] = (f"s{k}", want)
    return expected


def test_keys_correct_and_mistakes_diagnosed_by_grading(generated, tmp_path):
    expected = _answer_batch(generated, tmp_path / "subs")
    n_mistakes = 0
    for name, (student, want) in expected.items():
        own = load_set(generated / student / "set.toml")      # the student's own instance
        res = grade_student(own, name, tmp_path / "subs" / name, lambda p, a, t: check_pure(p, a).to_dict(), 5.0)
        for p in res["problems"]:
            if p["label"] not in want:
                assert p["verdict"] == "missing"
                continue
            verdict, diag = want[p["label"]]
            assert p["verdict"] == verdict, (name, p)
            if verdict == "incorrect":
                assert diag in p["diagnosis"], (name, p)
                n_mistakes += 1
            else:
                assert p["points"] == p["max_points"]
    assert n_mistakes >= STUDENTS * 4


def test_grading_a_generated_set_uses_each_students_instance(generated, tmp_path):
    subs = tmp_path / "subs"
    for k in range(1, STUDENTS + 1):
        key = json.loads((generated / f"s{k}" / "key.json").read_text())
        (subs / f"s{k}").mkdir(parents=True)
        for label, rec in key["problems"].items():
            (subs / f"s{k}" / f"{label}.tex").write_text(rec["key"])
    summary = grade_course(load_set(generated / "set.toml"), subs, tmp_path / "out", progress=False,
                           handle_signals=False)
    assert summary["graded"] == STUDENTS and summary["verdicts"] == {"correct": STUDENTS * 4}
    assert summary["mean_score"] == 8


def test_audit_reports_a_wrong_key(tmp_path, capsys):
    text = (ROOT / "examples" / "course" / "set.toml").read_text()
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "linear_map_vec.toml").write_text(
        (ROOT / "examples" / "course" / "specs" / "linear_map_vec.toml").read_text())
    (tmp_path / "set.toml").write_text(text.replace(r"key = 'x^T \otimes I_2'", r"key = 'x \otimes I_2'"))
    assert main(["audit", str(tmp_path / "set.toml")]) == 1
    out = capsys.readouterr().out
    assert "WRONG jac_vec [key]" in out and "transposed" in out
    assert "3 of 4 keys judged correct; 1 wrong" in out
    assert main(["audit", str(ROOT / "examples" / "course" / "set.toml")]) == 0


@pytest.mark.latex
def test_generate_pdf_compiles_each_students_problem_text(tmp_path):
    import shutil

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not on PATH")
    assert main(["generate", str(TEMPLATE), "--students", "2", "--out", str(tmp_path), "--pdf"]) == 0
    for s in ("s1", "s2"):
        assert (tmp_path / s / "problems.pdf").read_bytes()[:5] == b"%PDF-"
    text = (tmp_path / "s1" / "problems.tex").read_text()
    assert r"\partial F_{pq} / \partial A_{ij}" in text and "Problem entry (1 point)" in text
