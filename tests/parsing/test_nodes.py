"""One node set: the LaTeX parser and the closed-form engine build the same classes, and K_{m,n},
vec and diag agree entry by entry with brute force and with conventions.commutation_matrix."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symjac.calculus.closedform import objects
from symjac.calculus.closedform.build import build_matrix_expr
from symjac.conventions import commutation_matrix, flatten
from symjac.errors import ShapeError
from symjac.parsing import nodes
from symjac.parsing.latex import nodes as latex_nodes
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex
from symjac.symbols import matrix, vector

SH = {"A": ("m", "n"), "x": ("n", 1)}
def col(M):
    """vec M as an explicit column (brute force: the columns stacked)."""
    return sp.ImmutableMatrix(flatten(M, "col"))


SIZES = [(1, 1), (2, 3), (3, 2), (3, 3), (1, 4), (4, 1)]


def test_the_three_modules_share_one_class_per_construct():
    for name in ("CommutationMatrix", "Vec", "Unvec", "Diag", "Norm"):
        assert getattr(objects, name) is getattr(nodes, name)
    for name in ("Commutation", "Vec", "Diag", "Norm", "Kron", "Hadamard", "Adjugate", "Elementwise"):
        assert getattr(latex_nodes, name) is getattr(nodes, name)
    assert nodes.Commutation is nodes.CommutationMatrix


def test_latex_and_text_produce_the_same_nodes():
    assert type(parse_latex(r"K_{mn}", SH)) is nodes.CommutationMatrix
    assert type(parse_latex(r"\operatorname{vec}(A)", SH)) is nodes.Vec
    assert type(parse_latex(r"\operatorname{diag}(x)", SH)) is nodes.Diag
    assert type(parse_latex(r"\|A\|_F", SH)) is nodes.Norm
    assert type(build_matrix_expr("vec(A)", {"A": ("m", "n")})[0]) is nodes.Vec
    assert type(build_matrix_expr("diag(x)", {"x": ("n", 1)})[0]) is nodes.Diag


@pytest.mark.parametrize("m,n", SIZES)
def test_commutation_matrix_is_the_conventions_one(m, n):
    """K_{m,n} vec A = vec Aᵀ; the node's entries, as_explicit and the NumPy evaluator all equal
    conventions.commutation_matrix(m, n)."""
    A = matrix("A", m, n)
    K = commutation_matrix(m, n)
    assert K * col(A) == col(A.T)            # brute force: the defining law
    node = nodes.CommutationMatrix(m, n)
    assert node.as_explicit() == K
    assert sp.ImmutableMatrix(m * n, m * n, lambda i, j: node._entry(i, j)) == K
    mm, nn = sp.symbols("m n", integer=True, positive=True)
    got = evaluate(nodes.CommutationMatrix(mm, nn), Env({mm: m, nn: n}, {}))
    np.testing.assert_array_equal(got, np.array(K.tolist(), dtype=float))
    assert node.T == nodes.CommutationMatrix(n, m)


@pytest.mark.parametrize("m,n", SIZES)
def test_vec_unvec_and_diag_entries(m, n):
    A = matrix("A", m, n)
    assert nodes.Vec(A).as_explicit() == col(A)
    assert nodes.Unvec(col(A), m, n).as_explicit() == A
    v = vector("v", m)
    assert nodes.Diag(v).as_explicit() == sp.diag(*v)
    assert nodes.Diag(v.T).as_explicit() == sp.diag(*v)             # a row vector: the same diagonal


def test_diag_refuses_a_matrix_and_norm_keeps_its_kind():
    with pytest.raises(ShapeError, match="diag takes a vector"):
        nodes.Diag(matrix("A", 2, 3))
    A = sp.MatrixSymbol("A", 2, 3)
    assert nodes.Norm(A).kind == "2" and nodes.Norm(A, "F").kind == "F"
    assert nodes.Norm(A, "F").arg == A


def test_latex_norm_evaluates_like_the_frobenius_norm():
    rng = random.Random(3)
    for _ in range(3):
        m, n = rng.randint(1, 4), rng.randint(1, 4)
        a = np.array([[rng.uniform(-1, 1) for _ in range(n)] for _ in range(m)])
        mm, nn = sp.symbols("m n", integer=True, positive=True)
        val = evaluate(parse_latex(r"\|A\|_F", SH), Env({mm: m, nn: n}, {"A": a}))
        assert val == pytest.approx(np.linalg.norm(a))
