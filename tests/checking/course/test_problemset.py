"""Problem sets: loading, validation messages, submission mapping (files / one file with markers)."""
from __future__ import annotations

from pathlib import Path

import pytest

from symjac.errors import SpecError
from symjac.checking.problemset import collect_answers, is_problem_set, load_set, scan_students, split_answers

ROOT = Path(__file__).parents[3]
SET = ROOT / "examples" / "course" / "set.toml"

INLINE = """
title = "t"
[[problems]]
label = "p1"
points = 2
[problems.inline]
title = "Ax"
function = "A @ x"
wrt = "A"
[problems.inline.shapes]
A = [2, 3]
x = [3]
"""


def test_example_set_loads_with_labels_points_and_policies():
    s = load_set(SET)
    assert s.labels == ["jac_vec", "grad", "layer", "entry"]
    assert [p.points for p in s.problems] == [2, 2, 3, 1]
    assert s.max_score == 8
    assert [p.problem.convention.name for p in s.problems] == ["vec", "gradient", "vec", "tensor"]
    assert s.problems[3].problem.indices == ("p", "q", "i", "j")
    assert is_problem_set(SET) and not is_problem_set(ROOT / "derivations" / "gram.toml")


def test_partial_credit_policy_scores():
    s = load_set(SET)
    jac = s.problems[0]
    assert jac.score({"verdict": "correct", "score": 1.0}) == 2
    assert jac.score({"verdict": "incorrect", "score": 0.5}) == 1.0
    jac.partial_credit = "none"
    assert jac.score({"verdict": "incorrect", "score": 0.5}) == 0.0


@pytest.mark.parametrize("extra, message", [
    ("bogus = 1\n", "unknown key"),
    ('partial_credit = "some"\n', "partial_credit"),
    ('submission = "zip"\n', "submission"),
])
def test_set_errors_name_the_key(tmp_path, extra, message):
    f = tmp_path / "s.toml"
    f.write_text(extra + INLINE)
    with pytest.raises(SpecError, match=message):
        load_set(f)


def test_duplicate_label_and_missing_spec_are_refused(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(INLINE + INLINE.split('title = "t"')[1])
    with pytest.raises(SpecError, match="duplicate label 'p1'"):
        load_set(f)
    f.write_text('[[problems]]\nlabel = "a"\n')
    with pytest.raises(SpecError, match="exactly one of spec"):
        load_set(f)
    f.write_text('[[problems]]\nlabel = "a"\nspec = "nope.toml"\n')
    with pytest.raises(SpecError, match="nope.toml: cannot read"):
        load_set(f)


def test_digest_follows_the_spec_files(tmp_path):
    (tmp_path / "specs").mkdir()
    spec = tmp_path / "specs" / "a.toml"
    spec.write_text('title = "a"\nfunction = "A @ x"\nwrt = "A"\n[shapes]\nA = [2, 3]\nx = [3]\n')
    (tmp_path / "s.toml").write_text('[[problems]]\nlabel = "a"\nspec = "specs/a.toml"\n')
    d1 = load_set(tmp_path / "s.toml").digest
    spec.write_text(spec.read_text().replace('"A @ x"', '"2 * A @ x"'))
    assert load_set(tmp_path / "s.toml").digest != d1


def test_split_answers_begin_end_blocks():
    text = ("intro\n\\begin{answer}{a} x^T \\otimes I \\end{answer}\n"
            "\\begin{answer}{b}\n-2X^T(y - Xw)\n\\end{answer}\n\\begin{answer}{zz} 1 \\end{answer}\n"
            "\\begin{answer}{a} 0 \\end{answer}")
    found, notes = split_answers(text, ["a", "b"])
    assert found == {"a": r"x^T \otimes I", "b": "-2X^T(y - Xw)"}
    assert any("unknown problem label 'zz'" in n for n in notes)
    assert any("'a' answered twice" in n for n in notes)


def test_split_answers_comment_markers():
    text = "% homework\n% problem: a\nx^T \\otimes I\n\n%problem:b\n-2X^T y\n"
    found, _ = split_answers(text, ["a", "b"])
    assert found == {"a": r"x^T \otimes I", "b": "-2X^T y"}


def test_collect_answers_files_and_single(tmp_path):
    s = load_set(SET)
    (tmp_path / "grad.tex").write_text("-2X^T(y - Xw)\n")
    (tmp_path / "jac_vec.tex").write_text("x^T \\otimes I_2\n")
    (tmp_path / "notes.txt").write_text("hello")
    answers, notes, h1 = collect_answers(s, tmp_path)
    assert answers == {"grad": "-2X^T(y - Xw)\n", "jac_vec": "x^T \\otimes I_2\n"}
    assert "layer: no answer (expected layer.tex)" in notes
    assert any("notes.txt" in n for n in notes)
    (tmp_path / "grad.tex").write_text("2X^T(y - Xw)\n")
    assert collect_answers(s, tmp_path)[2] != h1            # the content hash follows the answers
    one = tmp_path / "one"
    one.mkdir()
    (one / "hw.tex").write_text("% problem: layer\na^T \\otimes I_2\n% problem: entry\n\\delta_{jp} A_{iq}\n")
    answers, notes, _ = collect_answers(s, one)
    assert answers == {"layer": r"a^T \otimes I_2", "entry": r"\delta_{jp} A_{iq}"}
    assert "jac_vec: no answer" in notes


def test_scan_students_skips_stray_files_and_links(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "notes.txt").write_text("not a student")
    (tmp_path / "link").symlink_to(tmp_path / "alice")
    students, skipped = scan_students(tmp_path)
    assert [n for n, _ in students] == ["alice"]
    assert sorted(s["reason"] for s in skipped) == ["not a student folder", "symbolic link"]
