"""Building blocks from the lecture notes and their activations.

All functions take and return explicit SymPy matrices (see :mod:`symjac.symbols`):

* ``affine(A, x, b)``        Ax + b, A m×n, x n×1, b m×1 → m×1
* ``gram(A)``                AᵀA, A m×n → n×n
* ``least_squares(y, Phi, theta)``  ‖y − Φθ‖², y N×1, Φ N×D, θ D×1 → scalar
* ``layer(W, a, b, activation)``    σ(Wa + b) elementwise, W m×n → m×1

Activations are SymPy functions with exact derivatives, so every Jacobian
stays symbolic:

* ``tanh``: SymPy's, tanh′ = 1 − tanh²;
* ``sigmoid``: the logistic function 1/(1 + e^{−z}), σ′ = σ(1 − σ);
* ``relu``: max(0, z), relu′ = Heaviside(z) with **value 0 at z = 0**
  (the subgradient PyTorch and JAX use).
"""
from __future__ import annotations

from functools import cmp_to_key
from typing import Callable

import sympy as sp

from symjac.errors import ShapeError, SymjacError
from symjac.symbols import as_matrix


class sigmoid(sp.Function):
    """The logistic sigmoid σ(z) = 1 / (1 + e^{−z}); σ′(z) = σ(z)(1 − σ(z))."""

    nargs = 1

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return sp.Rational(1, 2)
        if z.is_Float:
            return 1 / (1 + sp.exp(-z))
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sp.exp(-z))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)

    def _numpycode(self, printer):
        np_exp = printer._module_format("numpy.exp")
        return "1/(1 + %s(-(%s)))" % (np_exp, printer._print(self.args[0]))


class relu(sp.Function):
    """ReLU(z) = max(0, z); ReLU′(z) = Heaviside(z) with Heaviside(0) = 0."""

    nargs = 1

    @classmethod
    def eval(cls, z):
        if z.is_number and z.is_extended_real:
            return sp.Max(0, z)
        if z.is_nonnegative:
            return z
        if z.is_nonpositive:
            return sp.S.Zero
        return None

    def fdiff(self, argindex=1):
        z = self.args[0]
        return sp.Heaviside(z, 0) if z.is_number else sp.Heaviside(z, 0, evaluate=False)

    def _eval_rewrite_as_Max(self, z, **kwargs):
        return sp.Max(0, z)

    def _eval_rewrite_as_Piecewise(self, z, **kwargs):
        return sp.Piecewise((z, z > 0), (0, True))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return sp.Max(0, self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)

    def _numpycode(self, printer):
        return "%s(0, %s)" % (printer._module_format("numpy.maximum"), printer._print(self.args[0]))


def apply(f, z):
    """f(z), skipping SymPy's argument canonicalisation when z is not a number.

    ``tanh(Σ w_j a_j)`` spends ~15 ms in assumption queries (is it zero? can a
    minus sign be pulled out?) that never change a layer's pre-activation; the
    unevaluated call is the same function of the same argument.
    """
    if not isinstance(f, type) or not issubclass(f, sp.Function):
        return f(z)
    return f(z) if z.is_number else f(z, evaluate=False)


def elementwise(f, M):
    """f applied to every entry of M (or to a scalar), as :func:`apply` does."""
    if isinstance(M, sp.MatrixBase):
        return M.applyfunc(lambda e: apply(f, e))
    return apply(f, M)


def identity(z):
    """The identity activation (a linear layer)."""
    return z


tanh = sp.tanh

ACTIVATIONS: dict[str, Callable] = {
    "tanh": sp.tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "identity": identity,
}


def activation(name_or_fn) -> Callable:
    """An activation by name (tanh, sigmoid, relu, identity) or a callable as is."""
    if callable(name_or_fn):
        return name_or_fn
    try:
        return ACTIVATIONS[name_or_fn]
    except (KeyError, TypeError):
        raise SymjacError(
            f"unknown activation {name_or_fn!r}: choose one of {', '.join(ACTIVATIONS)}"
        ) from None


_by_compare = cmp_to_key(sp.Basic.compare)


def product(a, b):
    """a·b, canonical as SymPy's ``a*b``, without Mul's general flattening where it is safe.

    Products of an entry symbol with another symbol (building AᵀA, Ax, Wa) or
    with a sum (f′(u)·W_ij in a layer's Jacobian) dominate the engine's work;
    for those pairs Mul.flatten only sorts the two factors, so the Mul is built
    directly with factors in ``Basic.compare`` order.
    """
    if a.is_Symbol and a.is_commutative and b.is_commutative and (
        (b.is_Symbol and a != b) or b.is_Add
    ):
        return sp.Mul._from_args(sorted((a, b), key=_by_compare), is_commutative=True)
    if b.is_Symbol and a.is_Add and b.is_commutative and a.is_commutative:
        return sp.Mul._from_args(sorted((a, b), key=_by_compare), is_commutative=True)
    return a * b


def matmul(A, B) -> sp.ImmutableMatrix:
    """A @ B with a shape check; each entry built as one flat sum of products."""
    A, B = as_matrix(A), as_matrix(B)
    if A.cols != B.rows:
        raise ShapeError(
            f"cannot multiply {A.rows}x{A.cols} by {B.rows}x{B.cols}: inner sizes {A.cols} and {B.rows} differ"
        )
    rows = A.tolist()
    cols = [list(c) for c in zip(*B.tolist())]
    flat = [
        sp.Add(*[product(a, b) for a, b in zip(r, c)]) for r in rows for c in cols
    ]
    return sp.ImmutableDenseMatrix._new(A.rows, B.cols, flat, copy=False)


def affine(A, x, b=None) -> sp.ImmutableMatrix:
    """Ax + b for A m×n, x n×1, b m×1 (b omitted: Ax)."""
    out = matmul(A, x)
    if b is None:
        return out
    b = as_matrix(b)
    if b.shape != out.shape:
        raise ShapeError(f"cannot add b of shape {b.rows}x{b.cols} to Ax of shape {out.rows}x{out.cols}")
    return sp.ImmutableMatrix(out + b)


def gram(A) -> sp.ImmutableMatrix:
    """K = AᵀA for A m×n (n×n, symmetric)."""
    A = as_matrix(A)
    return matmul(A.T, A)


def least_squares(y, Phi, theta) -> sp.Expr:
    """L(θ) = ‖y − Φθ‖² = Σ_i (y_i − (Φθ)_i)², a scalar; y N×1, Φ N×D, θ D×1."""
    y = as_matrix(y)
    pred = matmul(Phi, theta)
    if y.shape != pred.shape:
        raise ShapeError(f"y has shape {y.rows}x{y.cols} but Phi @ theta has shape {pred.rows}x{pred.cols}")
    return sp.Add(*[(y[i] - pred[i]) ** 2 for i in range(y.rows)])


def layer(W, a, b=None, activation_fn="tanh") -> sp.ImmutableMatrix:
    """a⁽¹⁾ = σ(W a + b) elementwise; W m×n, a n×1, b m×1 → m×1."""
    sigma = activation(activation_fn)
    return elementwise(sigma, affine(W, a, b))


__all__ = [
    "sigmoid",
    "relu",
    "tanh",
    "identity",
    "ACTIVATIONS",
    "activation",
    "matmul",
    "affine",
    "gram",
    "least_squares",
    "layer",
    "apply",
    "product",
    "elementwise",
]
