"""vec Hessians H = ∂vec(∇F)/∂(vec X)ᵀ of scalar functions of vectors and matrices, each checked against
entry-by-entry differentiation (twice) at every size of its proof (≥ 3, non-square where allowed)."""
import pytest
import sympy as sp

from symjac.calculus.closedform import CommutationMatrix, closed_form_hessian, elementwise
from symjac.calculus.closedform.testing import agrees

m, n = (sp.Symbol(s, integer=True, positive=True) for s in "mn")
M, T, Tr, Det, Inv, Kron = sp.MatrixSymbol, sp.Transpose, sp.Trace, sp.Determinant, sp.Inverse, sp.KroneckerProduct
I = sp.Identity
X, Xs, A, Am = M("X", m, n), M("X", n, n), M("A", m, m), M("A", m, n)
x, b = M("x", n, 1), M("b", m, 1)

CASES = [
    ("least squares ‖Ax − b‖²: 2AᵀA", (Am * x - b).T * (Am * x - b), x, 2 * T(Am) * Am),
    ("quadratic form xᵀBx: B + Bᵀ", T(x) * M("B", n, n) * x, x, M("B", n, n) + T(M("B", n, n))),
    ("tr(XᵀAX): I ⊗ (A + Aᵀ)", Tr(T(X) * A * X), X, Kron(I(n), A + T(A))),
    ("‖X‖_F²: 2I", Tr(T(X) * X), X, 2 * I(m * n)),
    ("log det X: −(X⁻¹ ⊗ X⁻ᵀ)K", sp.log(Det(Xs)), Xs, -Kron(Inv(Xs), T(Inv(Xs))) * CommutationMatrix(n, n)),
    ("tr(X⁻¹)", Tr(Inv(Xs)), Xs, None),
    ("Σ log σ(Xw)-like: sum exp(Ax)", sp.Trace(sp.OneMatrix(1, m) * elementwise(sp.exp, Am * x)), x,
     T(Am) * sp.matrices.expressions.diagonal.DiagMatrix(elementwise(sp.exp, Am * x)) * Am),
]


@pytest.mark.parametrize("name,F,V,book", CASES, ids=[c[0] for c in CASES])
def test_vec_hessian(name, F, V, book):
    r = closed_form_hessian(F, V)
    rec = r.proof
    assert rec.verified and len(rec.sizes) >= 3
    for s in rec.sizes:
        sz = dict(zip(rec.dims, s))
        assert agrees(r.expr, F, V, "hessian", sizes=sz)
        if book is not None:
            assert agrees(book, F, V, "hessian", sizes=sz), name
    p, q = V.shape
    assert r.expr.shape == (p * q, p * q)
