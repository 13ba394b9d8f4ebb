r"""Sums written with dots (A_{1i}x_1 + \dots + A_{Ni}x_N) are read as the sums they abbreviate."""
from pathlib import Path

import pytest

from symjac.checking.engine import Problem, check_pure
from symjac.checking.spec import load_spec
from symjac.parsing.latex.dotsums import expand_dot_sums
from symjac.parsing.latex.guard import InvalidAnswer
from symjac.parsing.latex.parser import parse_latex

ROOT = Path(__file__).resolve().parents[2]
LINEAR = Problem.from_spec(load_spec(ROOT / "derivations" / "linear_map_x.toml"))


@pytest.mark.parametrize("text,expected", [
    (r"A_{1i}x_1 + \dots + A_{Ni}x_N", r"\sum_{k=1}^{N} A _ { k i } x _ k"),
    (r"x_1 + x_2 + \cdots + x_n", r"\sum_{k=1}^{n} x _ k"),
    (r"a_1 b_1 + \ldots + a_n b_n - 3", r"\sum_{k=1}^{n} a _ k b _ k - 3"),
    (r"x_0 + x_1 + \dots + x_m", r"\sum_{k=0}^{m} x _ k"),
    (r"x_1^2 + \dots + x_N^2", r"\sum_{k=1}^{N} x _ k ^ 2"),
    (r"x_1 + x_3 + \dots + x_N", r"x_1 + \sum_{k=3}^{N} x _ k"),      # the run starts at x_3
])
def test_a_run_of_one_template_becomes_a_sum(text, expected):
    assert expand_dot_sums(text) == expected


@pytest.mark.parametrize("text", [
    r"x_1 + \dots + y_N",                                   # not one template
    r"\begin{bmatrix} 1 & \cdots & 2 \end{bmatrix}",        # dots in a matrix: left to the guard
    r"x_1 \dots x_N",                                       # a product, not a sum
])
def test_other_dots_are_left_alone(text):
    assert expand_dot_sums(text) == text


def test_matrix_dots_are_still_refused_with_the_guard_message():
    with pytest.raises(InvalidAnswer, match="cannot read dots"):
        parse_latex(r"\begin{bmatrix} x_1 & \cdots & x_n \end{bmatrix}", {"x": ("n", 1)})


def test_the_notes_slip_with_dots_is_found_and_the_right_sum_accepted():
    """Lecture notes p. 3: f_i = A_{1i}x_1 + … + A_{Ni}x_N swaps A's indices (f_i = Σ_j A_ij x_j)."""
    right = check_pure(LINEAR, r"f_i(x) = A_{i1}x_1 + \dots + A_{iN}x_N")
    wrong = check_pure(LINEAR, r"f_i(x) = A_{1i}x_1 + \dots + A_{Ni}x_N")
    assert right.verdict == "correct", right.message
    assert wrong.verdict == "incorrect" and "wrong at" in wrong.message, wrong.message
