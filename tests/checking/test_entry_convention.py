"""Entry-convention answers ∂F/∂X_ij (a matrix of F's shape), written with the single-entry matrix
J^{ij} = E_{ij} = e_i e_jᵀ (Matrix Cookbook §9.7), checked against brute-force differentiation."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symjac.checking.engine import Problem, check_pure
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex
from symjac.symbols import matrix


def _brute(F, X, i, j):
    """∂F/∂X_ij entry by entry (SymPy diff of each entry of the explicit F)."""
    return F.applyfunc(lambda f: sp.diff(f, X[i, j]))


@pytest.mark.parametrize("m,n,p,q", [(2, 3, 2, 2), (3, 3, 1, 4), (3, 2, 4, 1), (1, 2, 3, 2)])
@pytest.mark.parametrize("answer", [r"A J^{ij} B", r"A E_{ij} B", r"A e_i e_j^\top B"])
def test_single_entry_matches_brute_force_axb(m, n, p, q, answer):
    """Cookbook (9.7): ∂(AXB)/∂X_ij = A J^{ij} B, at every (i, j) of random sizes."""
    A, X, B = matrix("A", p, m), matrix("X", m, n), matrix("B", n, q)
    F = A * X * B
    shapes = {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "q")}
    expr = parse_latex(answer, shapes, indices=("i", "j"), single_entry=("X", "i", "j"))
    rng = np.random.default_rng(m * 100 + n * 10 + p)
    vals = {"A": rng.normal(size=(p, m)), "X": rng.normal(size=(m, n)), "B": rng.normal(size=(n, q))}
    subs = {s: float(vals[nm][r, c])
            for nm, M in (("A", A), ("X", X), ("B", B)) for r in range(M.rows) for c in range(M.cols)
            for s in [M[r, c]]}
    dims = {sp.Symbol(d, integer=True, positive=True): v for d, v in dict(m=m, n=n, p=p, q=q).items()}
    for i in range(m):
        for j in range(n):
            want = np.array(_brute(F, X, i, j).subs(subs), dtype=float)
            env = Env(dims, vals, {sp.Symbol("i", integer=True, positive=True): i + 1,
                                   sp.Symbol("j", integer=True, positive=True): j + 1})
            assert np.allclose(evaluate(expr, env, (p, q)), want)


def test_transposed_single_entry_has_transposed_shape():
    """J^{ji} = (J^{ij})ᵀ is n×m with its 1 at (j, i)."""
    expr = parse_latex(r"J^{ji}", {"X": ("m", "n")}, indices=("i", "j"), single_entry=("X", "i", "j"))
    env = Env({sp.Symbol("m", integer=True, positive=True): 2, sp.Symbol("n", integer=True, positive=True): 3},
              {}, {sp.Symbol("i", integer=True, positive=True): 2, sp.Symbol("j", integer=True, positive=True): 3})
    want = np.zeros((3, 2))
    want[2, 1] = 1
    assert np.array_equal(evaluate(expr, env), want)


AXB = Problem("A @ X @ B", "X", {"A": ["p", "m"], "X": ["m", "n"], "B": ["n", "q"]}, convention="entry")
XTX = Problem("X.T @ X", "X", {"X": ["m", "n"]}, convention="entry")
AX = Problem("A @ x", "x", {"A": ["m", "n"], "x": ["n", 1]}, convention="entry")
XTBX = Problem("X.T @ B @ X", "X", {"X": ["m", "n"], "B": ["m", "m"]}, convention="entry")


@pytest.mark.parametrize("problem,answer,verdict", [
    (AXB, r"A J^{ij} B", "correct"),
    (AXB, r"A E_{ij} B", "correct"),
    (AXB, r"A e_i e_j^\top B", "correct"),
    (AXB, r"A J^{ij}", "incorrect"),
    (AXB, r"-A J^{ij} B", "incorrect"),
    (XTX, r"J^{ji} X + X^\top J^{ij}", "correct"),
    (XTX, r"X^\top J^{ij}", "incorrect"),
    (XTX, r"2 X^\top J^{ij}", "incorrect"),
    (AX, r"A e_i", "correct"),
    (AX, r"A e_j", "incorrect"),
    (XTBX, r"X^\top B J^{ij} + J^{ji} B X", "correct"),       # Cookbook (9.7) ∂XᵀBX/∂X_ij
    (XTBX, r"X^\top B J^{ij} + J^{ji} B^\top X", "incorrect"),
])
def test_entry_verdicts(problem, answer, verdict):
    r = check_pure(problem, answer)
    assert r.verdict == verdict, r.message


def test_wrong_shape_names_the_functions_shape():
    r = check_pure(AXB, r"B^\top J^{ij} A^\top")
    assert r.verdict == "incorrect" and r.diagnosis == ["shape"]
    assert "p×q matrix for each entry" in r.message
