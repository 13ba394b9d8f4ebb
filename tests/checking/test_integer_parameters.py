"""Symbolic integer parameters (issue 13): a scalar declared integer, e.g. the p of tr(X^p), is compared at
p = 2, 3, 4; the LaTeX reader accepts a power whose exponent uses it (X^{p-1}, \\det(X)^{p})."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symjac.checking.engine import Problem, check_pure
from symjac.errors import SymjacError
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex
from symjac.symbols import matrix

INT = {"p": ["integer", "positive"]}
TRP = Problem("trace(matrix_power(X, p))", "X", {"X": ["n", "n"], "p": []}, "gradient", properties=INT)
DETP = Problem("det(matrix_power(X, p))", "X", {"X": ["n", "n"], "p": []}, "gradient", properties=INT)



@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("p", [2, 3, 4])
def test_power_answer_matches_brute_force(n, p):
    """Cookbook (2.5, eq. 121): ∂ tr(X^p)/∂X = p (X^{p-1})ᵀ, against SymPy's gradient entry by entry."""
    X = matrix("X", n, n)
    f = (X ** p).trace()
    rng = np.random.default_rng(10 * n + p)
    Xv = rng.normal(size=(n, n))
    subs = {X[i, j]: float(Xv[i, j]) for i in range(n) for j in range(n)}
    want = np.array([[float(sp.diff(f, X[i, j]).subs(subs)) for j in range(n)] for i in range(n)])
    expr = parse_latex(r"p (X^{p-1})^\top", {"X": ("n", "n"), "p": (1, 1)}, integers=("p",))
    env = Env({sp.Symbol("n", integer=True, positive=True): n}, {"X": Xv, "p": np.array([[float(p)]])})
    assert np.allclose(evaluate(expr, env, (n, n)), want)


def test_exponent_must_be_declared_integer():
    with pytest.raises(SymjacError):
        parse_latex(r"X^{p-1}", {"X": ("n", "n"), "p": (1, 1)})


@pytest.mark.parametrize("problem,answer,verdict,diagnosis", [
    (TRP, r"p (X^{p-1})^\top", "correct", []),                     # Cookbook (121)
    (TRP, r"p (X^\top)^{p-1}", "correct", []),
    (TRP, r"p X^{p-1}", "incorrect", ["transposed"]),
    (TRP, r"p (X^{p})^\top", "incorrect", None),
    (TRP, r"(X^{p-1})^\top", "incorrect", None),                    # right only at p = 1
    (DETP, r"p \det(X)^{p} X^{-\top}", "correct", []),              # Cookbook (50) with det(X^p) = det(X)^p
    (DETP, r"p \det(X)^{p} X^{-1}", "incorrect", ["transposed"]),
])
def test_integer_parameter_verdicts(problem, answer, verdict, diagnosis):
    r = check_pure(problem, answer)
    assert r.verdict == verdict, r.message
    if diagnosis is not None:
        assert r.diagnosis == diagnosis, r.message


def test_wrong_answer_names_the_value():
    r = check_pure(TRP, r"(X^{p-1})^\top")
    assert r.verdict == "incorrect" and "(at p = 2)" in r.message


def test_correct_answer_is_checked_at_every_value():
    r = check_pure(TRP, r"p (X^{p-1})^\top")
    assert all(f"p = {v}" in r.details["method"] for v in (2, 3, 4))
