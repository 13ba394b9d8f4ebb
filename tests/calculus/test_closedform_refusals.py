"""Constructs that used to be refused: scalar variables, symbolic integer powers, entries and indexing,
Max/Abs/Heaviside/Piecewise, HadamardPower, fractional powers of 1×1 products, DiagonalOf.

Each derivative is checked against entry-by-entry differentiation (``agrees``, SymPy-free of symjac's
closed-form rules) at every size its proof used (≥ 3, non-square where the shapes allow), and where a
textbook form exists, that form is checked the same way."""
from __future__ import annotations

import pytest
import sympy as sp
from sympy.matrices.expressions.diagonal import DiagonalOf
from sympy.matrices.expressions.hadamard import hadamard_power

from symjac.blocks import relu
from symjac.calculus.closedform import Diag, closed_form, closed_form_gradient, instantiate
from symjac.calculus.closedform.testing import agrees
from symjac.errors import UnsupportedError

m, n, N, D = (sp.Symbol(s, integer=True, positive=True) for s in ("m", "n", "N", "D"))
p = sp.Symbol("p", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
M, T, Tr, Det, MP = sp.MatrixSymbol, sp.Transpose, sp.Trace, sp.Determinant, sp.MatPow
X, A = M("X", n, n), M("A", m, n)
x, y, w = M("x", n, 1), M("y", n, 1), M("w", n, 1)
t, b = sp.Symbol("t", real=True), sp.Symbol("b", real=True)
Phi, th, yN = M("Phi", N, D), M("th", D, 1), M("y", N, 1)


def _check(r, kind, book=None):
    rec = r.proof
    assert rec.verified and len(rec.sizes) >= 3
    for s in rec.sizes:
        sz = dict(zip(rec.dims, s))
        assert agrees(r.expr, r.function, r.variable, kind, r.convention, sz)
        if book is not None:
            assert agrees(book, r.function, r.variable, kind, r.convention, sz)
    return rec


# --- scalar variables --------------------------------------------------------------

def test_scalar_variable_matrix_function():
    """d(sin(t) A)/dt = cos(t) A; the VEC Jacobian is the column vec(cos(t) A), m×n non-square."""
    r = closed_form(sp.sin(t) * A, t)
    rec = _check(r, "jacobian")
    assert any(s[0] != s[1] for s in rec.sizes)
    J = instantiate(r.expr, {"m": 2, "n": 3}, {"t": 0, "A": sp.Matrix([[1, 2, 3], [4, 5, 6]])})
    assert J == sp.ImmutableMatrix([1, 4, 2, 5, 3, 6])


def test_scalar_variable_gaussian_chain_rule():
    """d/dt exp(−t²/2) tr(AᵀA) = −t exp(−t²/2) tr(AᵀA)."""
    F = sp.exp(-t**2 / 2) * Tr(T(A) * A)
    r = closed_form_gradient(F, t)
    _check(r, "gradient", -t * sp.exp(-t**2 / 2) * Tr(T(A) * A))


def test_relu_of_affine_by_its_bias():
    """d relu(wᵀx + b)/db = H(wᵀx + b)."""
    r = closed_form(relu((T(w) * x)[0, 0] + b), b)
    _check(r, "jacobian")
    v = instantiate(r.expr, {"n": 2}, {"w": [1, 1], "x": [1, 2], "b": -1})
    assert v == sp.ImmutableMatrix([[1]])


# --- symbolic integer powers ----------------------------------------------------------

def test_trace_of_symbolic_power():
    """MC (121): ∂tr(Xᵖ)/∂X = p (Xᵖ⁻¹)ᵀ for a symbolic integer p."""
    r = closed_form_gradient(Tr(MP(X, p)), X)
    assert r.expr == p * MP(T(X), p - 1)
    rec = _check(r, "gradient", p * T(MP(X, p - 1)))
    assert "p" in rec.dims


def test_det_of_symbolic_power():
    """MC (58): ∂det(Xᵏ)/∂X = k det(Xᵏ) X⁻ᵀ."""
    r = closed_form_gradient(Det(MP(X, k)), X)
    _check(r, "gradient", k * Det(MP(X, k)) * T(sp.Inverse(X)))
    assert r.to_text() == "k*det(X^k) X⁻ᵀ"


def test_jacobian_of_symbolic_power_is_the_kronecker_sum():
    """M&N ch. 9: ∂vec Xᵏ/∂(vec X)ᵀ = Σ_{i<k} (Xᵀ)^{k−1−i} ⊗ Xⁱ."""
    r = closed_form(MP(X, k), X)
    _check(r, "jacobian")
    assert r.to_text() == "Σ_{i=0}^{k - 1} (Xᵀ)^(-i + k - 1) ⊗ X^i"


def test_non_integer_power_is_still_refused():
    q = sp.Symbol("q", positive=True)
    with pytest.raises(UnsupportedError, match="declare it integer"):
        closed_form(MP(X, q), X)


# --- entries and indexing ---------------------------------------------------------------

def test_product_of_entries():
    """∂(X₂₁X₁₂)/∂X = X₂₁ J¹² + X₁₂ J²¹ (single-entry matrices)."""
    r = closed_form_gradient(X[1, 0] * X[0, 1], X)
    _check(r, "gradient")
    assert r.to_text() == "X[1, 0] e_1 e_2ᵀ + X[0, 1] e_2 e_1ᵀ"


def test_vector_entry_times_vector():
    """∂(x₂ x)/∂x = x e₂ᵀ + x₂ I."""
    r = closed_form(x[1, 0] * x, x)
    _check(r, "jacobian")


def test_entry_of_a_one_by_one_product_is_least_squares():
    """((y − Φθ)ᵀ(y − Φθ))[0, 0], which SymPy writes as a Sum: ∇ = −2Φᵀ(y − Φθ) (MML (5.83))."""
    F = ((yN - Phi * th).T * (yN - Phi * th))[0, 0]
    assert isinstance(F, sp.Sum)
    r = closed_form_gradient(F, th)
    rec = _check(r, "gradient", -2 * T(Phi) * (yN - Phi * th))
    assert any(len(set(s)) > 1 for s in rec.sizes)


def test_a_sum_that_is_no_matrix_entry_is_refused():
    i = sp.Symbol("i", integer=True)
    with pytest.raises(UnsupportedError, match="not an entry of a matrix product"):
        closed_form_gradient(sp.Sum(x[i, 0] ** 3, (i, 0, n - 1)), x)


# --- piecewise pieces -------------------------------------------------------------------

def test_max_abs_heaviside_piecewise():
    s = (T(w) * x)[0, 0]
    for F, book in [
        (sp.Max(0, s + b), sp.Heaviside(s + b) * w),
        (sp.Abs(s), sp.sign(s) * w),
        (sp.Heaviside(s, 0) * s, sp.Heaviside(s, 0) * w),
        (sp.Piecewise(((T(x) * x)[0, 0], s > 0), (2 * s, True)), None),
    ]:
        _check(closed_form_gradient(F, x), "gradient", book)


# --- more matrix-expression classes -------------------------------------------------------

def test_hadamard_power():
    """∂vec(x∘x)/∂xᵀ = 2 diag(x); ∂ tr (wᵀXy)^{∘1/2}/∂X = ½ (wᵀXy)^{−1/2} w yᵀ."""
    r = closed_form(hadamard_power(x, 2), x)
    assert r.expr == 2 * Diag(x)
    _check(r, "jacobian")
    Xr = M("X", n, m)
    wr = M("w", n, 1)
    yr = M("y", m, 1)
    F = Tr(hadamard_power(T(wr) * Xr * yr, sp.Rational(1, 2)))
    _check(closed_form_gradient(F, Xr), "gradient",
           sp.Rational(1, 2) * (T(wr) * Xr * yr)[0, 0] ** sp.Rational(-1, 2) * wr * T(yr))


def test_fractional_power_of_a_one_by_one_product():
    """(xᵀy)^{1/2}, a MatPow of a 1×1 product: ∇ₓ = y / (2 √(xᵀy))."""
    F = (x.T * y) ** sp.Rational(1, 2)
    assert isinstance(F, sp.MatPow)
    _check(closed_form_gradient(F, x), "gradient", y / (2 * sp.sqrt((T(x) * y)[0, 0])))


def test_diagonal_of():
    """∂ diagvec(X²)/∂(vec X)ᵀ and ⟨y, diagvec X⟩ ↦ diag(y)."""
    _check(closed_form(DiagonalOf(X * X), X), "jacobian")
    r = closed_form_gradient(Tr(T(DiagonalOf(X)) * y), X)
    assert r.expr == Diag(y)
    _check(r, "gradient")
