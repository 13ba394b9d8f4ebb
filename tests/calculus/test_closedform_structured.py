"""Structured variables (symmetric, spd, diagonal X), declared properties of constants, size relations,
duplication / elimination matrices and entry partials — each checked by entry-by-entry differentiation."""
import numpy as np
import pytest
import sympy as sp

from symjac.calculus.closedform import (DuplicationMatrix, EliminationMatrix, Vec, closed_form_entry,
                                        closed_form_gradient, instantiate, vech)
from symjac.calculus.closedform.proof import ProofRecord
from symjac.calculus.closedform.testing import agrees
from symjac.errors import SymjacError

m, n = (sp.Symbol(s, integer=True, positive=True) for s in "mn")
M, T, Tr, Det, Inv = sp.MatrixSymbol, sp.Transpose, sp.Trace, sp.Determinant, sp.Inverse
X, A = M("X", n, n), M("A", n, n)
x = M("x", n, 1)


def _free_gradient(f, n_, structure="symmetric", halve=False):
    """Brute force: ∂f/∂x_ij for the free parameters of a symmetric / diagonal n×n X, as a matrix."""
    xs = {}
    Xs = sp.zeros(n_, n_)
    for j in range(n_):
        for i in range(j, n_):
            if structure == "diagonal" and i != j:
                continue
            xs[(i, j)] = sp.Symbol(f"x{i}{j}")
            Xs[i, j] = Xs[j, i] = xs[(i, j)]
    fv = f(Xs)
    G = sp.zeros(n_, n_)
    for (i, j), s in xs.items():
        g = sp.diff(fv, s) / (2 if (halve and i != j) else 1)
        G[i, j] = G[j, i] = g
    return G, Xs, xs


@pytest.mark.parametrize("sym,halve", [("free", False), ("frobenius", True)])
@pytest.mark.parametrize("n_", [2, 3, 4])
def test_symmetric_trace_AX(sym, halve, n_):
    """MC §2.8 (141): ∂tr(AX)/∂X = A + Aᵀ − A∘I for symmetric X (free); (A + Aᵀ)/2 (Frobenius)."""
    r = closed_form_gradient(Tr(A * X), X, properties={"X": ["symmetric"]}, symmetric=sym)
    assert r.proof.verified and len(r.proof.sizes) >= 3
    Av = sp.Matrix(n_, n_, lambda i, j: (i + 1) * 10 + j - 3 * (i == j))
    G = instantiate(r.expr, {"n": n_}, {"A": Av})
    ref, _, _ = _free_gradient(lambda Xs: (Av * Xs).trace(), n_, halve=halve)
    assert G == sp.ImmutableMatrix(ref)


def test_spd_log_det_uses_symmetry():
    """∂ log det X/∂X for spd X: 2X⁻¹ − X⁻¹∘I (free parameters)."""
    r = closed_form_gradient(sp.log(Det(X)), X, properties={"X": ["spd"]})
    assert r.proof.verified
    assert "ᵀ" not in r.to_text()
    Xv = sp.Matrix([[3, 1], [1, 2]])
    G = instantiate(r.expr, {"n": 2}, {"X": Xv})
    ref, Xs, xs = _free_gradient(lambda S: sp.log(S.det()), 2)
    assert G == sp.ImmutableMatrix(ref.xreplace({xs[(0, 0)]: 3, xs[(1, 0)]: 1, xs[(1, 1)]: 2}))


def test_diagonal_variable():
    r = closed_form_gradient(T(x) * X * x, X, properties={"X": ["diagonal"]})
    assert r.proof.verified
    xv = sp.Matrix([1, 2, 3])
    G = instantiate(r.expr, {"n": 3}, {"x": xv, "X": sp.diag(1, 2, 3)})
    assert G == sp.ImmutableMatrix(sp.diag(1, 4, 9))


def test_symmetric_constant_gives_2Ax():
    """MC (81) with symmetric A: ∂xᵀAx/∂x = 2Ax; checked with symmetric A drawn at each size."""
    r = closed_form_gradient(T(x) * A * x, x, properties={"A": ["symmetric"]})
    assert r.expr == 2 * A * x
    assert r.proof.method == ProofRecord.NUMERIC and len(r.proof.sizes) >= 3


def test_size_relation_is_respected():
    B = M("B", m, n)
    r = closed_form_gradient(sp.log(Det(T(B) * B)), B, relations=["m >= n"])
    assert all(s[0] >= s[1] for s in r.proof.sizes) and r.proof.verified
    for s in r.proof.sizes:
        assert agrees(2 * B * Inv(T(B) * B), sp.log(Det(T(B) * B)), B, "gradient", sizes=dict(zip(r.proof.dims, s)))


def test_unknown_structure_name():
    with pytest.raises(SymjacError, match="symmetric= must be one of free, frobenius"):
        closed_form_gradient(Tr(X), X, properties={"X": ["symmetric"]}, symmetric="half")


@pytest.mark.parametrize("n_", [1, 2, 3, 4])
def test_duplication_and_elimination(n_):
    """M&N ch. 3: D_n vech X = vec X for symmetric X, L_n vec X = vech X, L_n D_n = I."""
    rng = np.random.default_rng(n_)
    S = rng.integers(-5, 5, size=(n_, n_))
    S = sp.Matrix(S + S.T)
    D = instantiate(DuplicationMatrix(n), {"n": n_})
    L = instantiate(EliminationMatrix(n), {"n": n_})
    assert D.shape == (n_ * n_, n_ * (n_ + 1) // 2)
    v = instantiate(vech(X), {"n": n_}, {"X": S})
    assert list(v) == [S[i, j] for j in range(n_) for i in range(j, n_)]
    assert D * v == instantiate(Vec(X), {"n": n_}, {"X": S})
    assert L * D == sp.eye(n_ * (n_ + 1) // 2)


def test_entry_partials_with_single_entry_matrices():
    """Cookbook §9.7: ∂(X²)/∂X_ij = J^{ij}X + XJ^{ij}; checked at every (i, j) of ≥ 3 sizes."""
    r = closed_form_entry(X * X, X)
    assert r.proof.exact and len(r.proof.sizes) >= 3
    assert r.to_text() == "e_i e_jᵀ X + X e_i e_jᵀ"
    B = M("B", m, n)
    r2 = closed_form_entry(B * X * T(B), X, 0, 1)
    assert r2.proof.exact
    assert r2.to_text() == "B e_1 e_2ᵀ Bᵀ"
