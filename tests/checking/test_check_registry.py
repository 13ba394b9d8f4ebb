r"""Answers with the registry's newer functions, checked through ``symjac.check``:
``\operatorname{softplus}(Wa+b)`` for the value problem, closed-form and primed answers for the
derivative problems, leaky ReLU with its slope; wrong ones are caught."""
from __future__ import annotations

import numpy as np
import pytest

import symjac
from symjac import Problem

SHAPES = {"W": (2, 3), "a": (3, 1), "b": (2, 1)}
VALUES = {"W": [[1, -2, 0.5], [0.3, 0.2, -1]], "a": [1, 2, -1], "b": [0.5, -0.25]}


def _z():
    return np.array(VALUES["W"]) @ np.array(VALUES["a"], float) + np.array(VALUES["b"])


def _bmatrix(v):
    return r"\begin{bmatrix} %s \end{bmatrix}" % r" \\ ".join(f"{x:.6f}" for x in v)


def test_softplus_value_problem():
    """softplus(Wa+b) at the given values: the numbers are correct, softplus(Wa) is not."""
    p = Problem("softplus(W @ a + b)", None, SHAPES, values=VALUES)
    right = symjac.check(p, _bmatrix(np.logaddexp(0, _z())))
    assert right.verdict == "correct", right.message
    wrong = symjac.check(p, _bmatrix(np.logaddexp(0, _z() - np.array(VALUES["b"]))))
    assert wrong.verdict == "incorrect"


@pytest.mark.parametrize("wrt,answer,verdict", [
    ("W", r"a^\top \otimes \operatorname{diag}(\sigma(Wa+b))", "correct"),
    ("W", r"a^\top \otimes \operatorname{diag}(\operatorname{softplus}'(Wa+b))", "correct"),
    ("W", r"a^\top \otimes \operatorname{diag}(\operatorname{softplus}(Wa+b))", "incorrect"),
    ("a", r"\operatorname{diag}(\operatorname{softplus}'(Wa+b)) W", "correct"),
    ("a", r"\operatorname{diag}(\operatorname{softplus}(Wa+b)) W", "incorrect"),
    ("b", r"\operatorname{diag}(\sigma(Wa+b))", "correct"),
])
def test_softplus_derivative_answers(wrt, answer, verdict):
    r = symjac.check(Problem("softplus(W @ a + b)", wrt, SHAPES), answer)
    assert r.verdict == verdict, r.message


@pytest.mark.parametrize("function,answer,verdict", [
    ("leaky_relu(W @ a + b, 0.2)", r"\operatorname{diag}(\operatorname{LeakyReLU}'(Wa+b, 0.2)) W", "correct"),
    ("leaky_relu(W @ a + b, 0.2)", r"\operatorname{diag}(\operatorname{LeakyReLU}'(Wa+b, 0.5)) W", "incorrect"),
    ("leaky_relu(W @ a + b)", r"\operatorname{diag}(\operatorname{LeakyReLU}'(Wa+b)) W", "correct"),
    ("gelu(W @ a + b)", r"\operatorname{diag}(\operatorname{GELU}'(Wa+b)) W", "correct"),
    ("log_sigmoid(W @ a + b)", r"\operatorname{diag}(\sigma(-(Wa+b))) W", "correct"),
    ("log_sigmoid(W @ a + b)", r"\operatorname{diag}(\sigma(Wa+b)) W", "incorrect"),
])
def test_other_new_functions(function, answer, verdict):
    r = symjac.check(Problem(function, "a", SHAPES), answer)
    assert r.verdict == verdict, r.message


def test_a_parameter_must_be_a_number():
    r = symjac.check(Problem("leaky_relu(W @ a + b, 0.2)", "a", SHAPES),
                     r"\operatorname{diag}(\operatorname{LeakyReLU}'(Wa+b, W)) W")
    assert r.verdict == "invalid"
    assert "must be numbers" in r.message
