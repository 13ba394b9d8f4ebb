"""Each SymPy 1.14 failure listed in ANCHORS.md §2, done right by symjac (checked by instantiation)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from symjac import gradient, jacobian, matrix, vector
from symjac.calculus.closedform import (
    Norm,
    closed_form,
    closed_form_from_text,
    closed_form_gradient,
    elementwise,
    instantiate,
    to_latex,
)
from symjac.calculus.closedform.testing import agrees

m, n, N, D = (sp.Symbol(s, integer=True, positive=True) for s in "m n N D".split())


def test_trace_sum_is_2W_not_zero():
    """ANCHORS §2: (Trace(WᵀW) + Trace(AᵀA)).diff(W) gives 0 in SymPy 1.14 (sympy#27406, #26585)."""
    W, A = sp.MatrixSymbol("W", m, n), sp.MatrixSymbol("A", m, n)
    r = closed_form_gradient(sp.Trace(W.T * W) + sp.Trace(A.T * A), W)
    assert r.expr == 2 * W
    G = instantiate(r, {"m": 2, "n": 3})
    assert G == 2 * matrix("W", 2, 3)
    assert G != sp.zeros(2, 3)


def test_log_det_is_inverse_transpose_not_zero():
    """ANCHORS §2: log(Determinant(X)).diff(X) gives 0 (sympy#28618, #15649)."""
    X = sp.MatrixSymbol("X", n, n)
    r = closed_form_gradient(sp.log(sp.Determinant(X)), X)
    assert r.expr == sp.Transpose(sp.Inverse(X))
    Xv = sp.Matrix([[2, 1, 0], [1, 3, 1], [0, 1, 4]])
    G = instantiate(r, {"n": 3}, {"X": Xv})
    assert G == Xv.inv().T
    assert r.to_latex() == r"X^{-\top}"


def test_least_squares_by_phi_is_not_zero():
    """ANCHORS §2: L[0,0].diff(Φ) gives 0 and L.diff(Φ) an unreduced 4-D ArrayAdd; the answer is 2(Φθ − y)θᵀ."""
    y, Phi, theta = sp.MatrixSymbol("y", N, 1), sp.MatrixSymbol("Phi", N, D), sp.MatrixSymbol("theta", D, 1)
    L = (y - Phi * theta).T * (y - Phi * theta)
    r = closed_form_gradient(L, Phi)
    assert r.expr.shape == (N, D)
    book = 2 * (Phi * theta - y) * theta.T
    assert agrees(book, L, Phi, "gradient", sizes={"N": 4, "D": 2})
    G = instantiate(r, {"N": 3, "D": 2})
    ref = gradient(instantiate(L, {"N": 3, "D": 2})[0, 0], matrix("Phi", 3, 2))
    assert (G - ref).applyfunc(sp.expand) == sp.zeros(3, 2)
    assert G != sp.zeros(3, 2)


def test_tanh_layer_loss_by_W_does_not_raise():
    """ANCHORS §2: ‖tanh.(Wa+b) − y‖² by W raises 'diagonalizing indices of different dimensions'."""
    r = closed_form_from_text("norm(tanh(W @ a + b) - y)**2", "W",
                              {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1), "y": ("m", 1)})
    assert r.expr.shape[0] == sp.Symbol("m", integer=True, positive=True)
    assert r.proof is not None and r.proof.method == "numeric at points" and len(r.proof.sizes) >= 3
    assert r"\tanh'" in r.to_latex() and "a^{\\top}" in r.to_latex()


def test_tanh_layer_loss_by_b_is_short():
    """ANCHORS §2: by b, SymPy returns a long unreduced array; symjac: 2(tanh(z) − y)∘tanh′(z)."""
    r = closed_form_from_text("norm(tanh(W @ a + b) - y)**2", "b",
                              {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1), "y": ("m", 1)})
    assert r.to_text() == "2 (tanh(W a + b) - y) ∘ tanh′(W a + b)" or r.to_text().count("tanh") == 2


def test_matrix_by_matrix_results_are_2d_kronecker_forms():
    """ANCHORS §2: X.diff(X), (XᵀX).diff(X), X⁻¹.diff(X) are 4-D PermuteDims/ArrayAdd; latex prints ArrayAdd."""
    X = sp.MatrixSymbol("X", m, n)
    assert closed_form(X, X).expr == sp.Identity(m * n)
    r = closed_form(X.T * X, X)
    assert r.to_latex() == r"\left(I_{n} \otimes X^{\top}\right) + \left(X^{\top} \otimes I_{n}\right) K_{m,n}"
    assert "ArrayAdd" not in r.to_latex() and "PermuteDims" not in r.to_latex()
    Y = sp.MatrixSymbol("Y", n, n)
    ri = closed_form(sp.Inverse(Y), Y)
    assert ri.to_latex() == r"-\left(Y^{-\top} \otimes Y^{-1}\right)"


def test_4d_results_instantiate_and_evaluate_numerically():
    """ANCHORS §2: lambdify of a 4-D result raises on symbolic identity sizes; symjac instantiates."""
    X = sp.MatrixSymbol("X", m, n)
    r = closed_form(X.T * X, X)
    Xv = np.arange(6.0).reshape(3, 2)
    J = instantiate(r, {"m": 3, "n": 2}, {"X": Xv})
    Xe = matrix("X", 3, 2)
    subs = {s: v for s, v in zip(Xe, Xv.flatten())}
    assert J == jacobian(Xe.T * Xe, Xe).xreplace(subs)


def test_matrix_function_jacobian_exists():
    """ANCHORS §2: F.jacobian(X) raises TypeError for a matrix F; closed_form takes any F."""
    A, B = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("B", n, m)
    X = sp.MatrixSymbol("X", n, n)
    r = closed_form(A * X * B, X)
    assert r.expr == sp.KroneckerProduct(B.T, A)


def test_sympy_known_good_results_agree():
    """ANCHORS §2 'works': (Ax+b) by x → A; xᵀAᵀAx by x → 2AᵀAx; tanh.(Wa+b) by a → diag(·)W (up to layout)."""
    A, x, b = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("b", m, 1)
    assert closed_form(A * x + b, x).expr == A
    assert closed_form_gradient(x.T * A.T * A * x, x).expr == 2 * A.T * A * x
    W, a = sp.MatrixSymbol("W", m, n), sp.MatrixSymbol("a", n, 1)
    r = closed_form(elementwise(sp.tanh, W * a + b), a)
    assert isinstance(r.expr, sp.MatMul) and r.expr.args[-1] == W
    assert agrees(r.expr, elementwise(sp.tanh, W * a + b), a, sizes={"m": 3, "n": 2})


def test_norm_squared_vs_explicit():
    x = sp.MatrixSymbol("x", n, 1)
    r = closed_form_gradient(Norm(x) ** 2, x)
    assert r.expr == 2 * x
    assert instantiate(r, {"n": 3}) == 2 * vector("x", 3)
    assert to_latex(Norm(x)) == r"\left\|x\right\|"
