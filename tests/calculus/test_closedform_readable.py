"""Named readable-form rules (readable.py): each rewrite is an identity, checked by entry-by-entry
differentiation at the proof's sizes, and the printed result is what a textbook writes."""
import sympy as sp

from symjac.calculus.closedform import closed_form, closed_form_gradient, elementwise, instantiate, tidy
from symjac.calculus.closedform.objects import Diag, ElementwiseDerivative, Softmax, as_lambda
from symjac.calculus.closedform.testing import agrees

n = sp.Symbol("n", integer=True, positive=True)
z, y, v = (sp.MatrixSymbol(s, n, 1) for s in "zyv")
one = sp.OneMatrix(n, 1)
S = sp.Trace(one.T * elementwise(sp.exp, z))


def _proven(r, kind):
    assert r.proof.verified and len(r.proof.sizes) >= 3
    for s in r.proof.sizes:
        assert agrees(r.expr, r.function, r.variable, kind, r.convention, dict(zip(r.proof.dims, s)))


def test_self_derivative_exp():
    assert tidy(ElementwiseDerivative(as_lambda(sp.exp), z)) == elementwise(sp.exp, z)


def test_ones_diag():
    assert tidy(sp.OneMatrix(1, n) * Diag(v)) == v.T
    assert tidy(Diag(v) * one) == v


def test_softmax_jacobian_is_diag_s_minus_s_s_transpose():
    r = closed_form(elementwise(sp.exp, z) / S, z)
    s = Softmax(z)
    assert r.expr == Diag(s) - s * s.T
    assert r.to_text() == "diag(softmax(z)) - softmax(z) softmax(z)ᵀ"
    _proven(r, "jacobian")
    J = instantiate(r.expr, {"n": 2}, {"z": [0, 0]})
    assert J == sp.ImmutableMatrix([[sp.Rational(1, 4), -sp.Rational(1, 4)], [-sp.Rational(1, 4), sp.Rational(1, 4)]])


def test_log_sum_exp_gradient_is_softmax():
    r = closed_form_gradient(sp.log(S), z)
    assert r.expr == Softmax(z)
    _proven(r, "gradient")


def test_softmax_cross_entropy_gradient():
    """−yᵀ log softmax(z): (1ᵀy) softmax(z) − y, i.e. s − y for a probability vector y."""
    r = closed_form_gradient(-sp.Trace(y.T * (z - one * sp.log(S))), z)
    assert r.expr.has(Softmax) and r.to_text() == "yᵀ 1_n softmax(z) - y"
    _proven(r, "gradient")
    g = instantiate(r.expr, {"n": 2}, {"z": [0, 0], "y": [sp.Rational(1, 3), sp.Rational(2, 3)]})
    assert g == sp.ImmutableMatrix([sp.Rational(1, 2) - sp.Rational(1, 3), sp.Rational(1, 2) - sp.Rational(2, 3)])
