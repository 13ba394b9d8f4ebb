"""Feedback a student can act on (issue 13): wrong shapes name the expected shape in the problem's
notation; no SymPy error tuples, internal names or sizes the checker drew at random."""
from __future__ import annotations

import re

import pytest

from symjac.checking.engine import Problem, check_pure

SYM = Problem("A @ x", "x", {"A": ("m", "n"), "x": ("n", 1)}, "gradient")
CONCRETE = Problem("A @ x", "x", {"A": (3, 2), "x": (2, 1)}, "vec")


@pytest.mark.parametrize("problem,answer,expected", [
    (SYM, "x + 1", "expected a n×m matrix"),
    (SYM, "x A", "expected a n×m matrix"),
    (SYM, "A + x", "expected a n×m matrix"),
    (CONCRETE, "x A", "expected a 3×2 matrix"),
    (CONCRETE, "A + x", "expected a 3×2 matrix"),
])
def test_wrong_shape_names_the_expected_shape(problem, answer, expected):
    r = check_pure(problem, answer)
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"])
    assert r.message.endswith(expected), r.message
    assert not re.search(r"\(\s*'|\d+, \d+\)|\b[mn] = \d|\d+x\d+", r.message), r.message


def test_shape_error_inside_the_answer_keeps_no_random_sizes():
    r = check_pure(SYM, r"A^T + x")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"])
    assert not re.search(r"\d+x\d+|\d+×\d+", r.message), r.message


def test_bare_identity_size_is_never_an_internal_name():
    p = Problem.from_file("tests/data/check/ax_vec.toml")
    r = check_pure(p, r"(x^T \otimes I) + I_3")
    assert "_nI" not in r.message and "Dummy" not in r.message
