"""The proof by instantiation: picks valid (full-rank, well-conditioned) instances, keeps to a time
budget, says what it did, and never calls a correct formula wrong because an instance was singular."""
from __future__ import annotations

import sympy as sp

from symjac.calculus.closedform import closed_form, closed_form_gradient
from symjac.calculus.closedform.proof import ProofRecord
from symjac.calculus.closedform.testing import agrees
from symjac.verification import from_proof

m, n, p = (sp.Symbol(s, integer=True, positive=True) for s in "mnp")
M, T, Inv, Tr, Det = sp.MatrixSymbol, sp.Transpose, sp.Inverse, sp.Trace, sp.Determinant
X = M("X", m, n)


def _sizes(rec):
    return [dict(zip(rec.dims, s)) for s in rec.sizes]


def _checked(r, book=None, kind="gradient"):
    rec = r.proof
    assert rec.verified and rec.method == ProofRecord.NUMERIC and len(rec.sizes) >= 3
    for sz in _sizes(rec):
        assert agrees(r.expr, r.function, r.variable, kind, r.convention, sz)
        if book is not None:
            assert agrees(book, r.function, r.variable, kind, r.convention, sz)
    return rec


def test_log_det_gram_uses_full_column_rank_sizes():
    """MC (55): ∂ log det(XᵀX)/∂X = 2X(XᵀX)⁻¹; only m ≥ n gives an invertible XᵀX."""
    r = closed_form_gradient(sp.log(Det(T(X) * X)), X)
    rec = _checked(r, 2 * X * Inv(T(X) * X))
    assert all(s["m"] >= s["n"] for s in _sizes(rec))
    assert any(s["m"] > s["n"] for s in _sizes(rec))                 # a non-square size was used
    assert "skipped: no well-conditioned instance" in from_proof(rec).describe()  # m < n was tried and set aside
    assert "disagree" not in from_proof(rec).describe()


def test_projection_matrix_jacobian():
    """X(XᵀX)⁻¹Xᵀ: its VEC Jacobian, checked only where XᵀX is invertible."""
    r = closed_form(X * Inv(T(X) * X) * T(X), X)
    rec = _checked(r, kind="jacobian")
    assert all(s["m"] >= s["n"] for s in _sizes(rec))


def test_det_AXB_needs_a_square_invertible_product():
    """MC (51) with rectangular X: ∂det(AXB)/∂X = det(AXB) Aᵀ(AXB)⁻ᵀBᵀ, AXB p×p of rank p."""
    A, B = M("A", p, m), M("B", n, p)
    F = Det(A * X * B)
    r = closed_form_gradient(F, X)
    rec = _checked(r, Det(A * X * B) * T(A) * T(Inv(A * X * B)) * T(B))
    assert all(s["p"] <= min(s["m"], s["n"]) for s in _sizes(rec))
    assert any(s["m"] != s["n"] for s in _sizes(rec))


def test_long_trace_is_checked_numerically_within_budget():
    """MC (116) extended: tr(BᵀXᵀCXXᵀCXB) — a degree-4 polynomial, too big to expand at every size."""
    B, C = M("B", n, p), M("C", m, m)
    F = Tr(T(B) * T(X) * C * X * T(X) * C * X * B)
    book = (C * X * T(X) * C * X * B * T(B) + T(C) * X * B * T(B) * T(X) * T(C) * X
            + C * X * B * T(B) * T(X) * C * X + T(C) * X * T(X) * T(C) * X * B * T(B))
    rec = _checked(closed_form_gradient(F, X), book)
    assert "budget" not in from_proof(rec).describe()


def test_inverse_of_a_sum_inside_a_trace():
    """tr((A + XᵀCX)⁻¹XᵀBX): the product, inverse and chain rules together."""
    A, B, C = M("A", n, n), M("B", m, m), M("C", m, m)
    S = Inv(A + T(X) * C * X)
    F = Tr(S * T(X) * B * X)
    book = (B * X * S + T(B) * X * T(S) - C * X * S * T(X) * B * X * S - T(C) * X * T(S) * T(X) * T(B) * X * T(S))
    _checked(closed_form_gradient(F, X), book)


def test_a_formula_without_a_valid_instance_is_not_verified_rather_than_disproved():
    """x⊗xᵀ − xxᵀ is the zero matrix at every size: no instance of its inverse exists."""
    x = M("x", n, 1)
    Y = M("Y", n, n)
    F = Tr(Inv(sp.KroneckerProduct(x, T(x)) - x * T(x)) * Y)
    r = closed_form_gradient(F, Y)
    rec = r.proof
    assert rec.method == ProofRecord.NO_INSTANCE and not rec.verified and rec.sizes == ()
    assert from_proof(rec).describe().startswith("NOT verified: no size tried gave a valid instance")
    assert rec.to_dict()["verified"] is False


def test_budget_is_reported_when_exhausted():
    """A zero budget stops after the first size and the record says so (never 'verified at 3 sizes')."""
    from symjac.calculus.closedform.proof import prove
    G = closed_form_gradient(Tr(T(X) * X), X, prove_it=False).expr
    rec = prove("gradient", Tr(T(X) * X), X, G, budget=0.0)
    assert len(rec.sizes) == 1
    assert "stopped after the 0 s budget with 1 of 3 sizes checked" in from_proof(rec).describe()
