"""Size-free building blocks SymPy lacks: K_{m,n}, vec, diag, unvec, Ψ_n, f′ elementwise, norms.

K_{m,n}, vec, unvec, diag, Ψ_n, e_i, f′, f applied elementwise and the norm are the shared nodes
of :mod:`symjac.parsing.nodes`, re-exported here; softmax is the closed form's own (a named form
that tidy introduces).

All are SymPy ``MatrixExpr`` (or ``Expr`` for the norm) whose sizes may be
dimension symbols; ``as_explicit()`` works once the sizes are integers.

* ``CommutationMatrix(m, n)``: (mn)×(mn), K vec A = vec Aᵀ for A m×n.
* ``Vec(A)``: A m×n → (mn)×1, columns stacked (Magnus & Neudecker).
* ``Unvec(v, m, n)``: (mn)×1 → m×n, the inverse of ``Vec``.
* ``Diag(v)``: v n×1 → the n×n diagonal matrix diag(v).
* ``DiagEmbedding(n)``: Ψ_n, n²×n with vec diag(v) = Ψ_n v (columns e_i ⊗ e_i).
* ``ElementwiseDerivative(f, A)``: f′ applied to every entry of A (same shape).
* ``Norm(A)``: ‖A‖, the 2-norm of a vector or the Frobenius norm of a matrix (scalar).
* ``elementwise(f, A)``: SymPy's ``ElementwiseApplyFunction`` of f over A.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symjac.elementwise import function_name, function_params  # noqa: F401 - re-exported for the engine
from symjac.errors import ShapeError, UnsupportedError
# The shared node set (one class per construct for both front ends and this engine).
from symjac.parsing.nodes import (  # noqa: F401 - re-exported for the engine
    CommutationMatrix, Diag, DiagEmbedding, ElementwiseDerivative, Norm, UnitVector, Unvec, Vec,
    as_expr, as_lambda, elementwise,
)


class Softmax(sp.MatrixExpr):
    """softmax(z) = exp(z) / 1ᵀexp(z) for an n×1 z (a named form that tidy introduces; ``definition`` expands it)."""

    def __new__(cls, arg):
        arg = as_expr(arg)
        if not getattr(arg, "is_Matrix", False) or arg.shape[1] != 1:
            raise ShapeError("softmax takes an n×1 vector")
        return sp.Basic.__new__(cls, arg)

    arg = property(lambda self: self.args[0])

    @property
    def shape(self):
        return self.arg.shape

    def definition(self):
        e = elementwise(sp.exp, self.arg)
        return sp.MatMul(sp.Pow(softmax_normaliser(self.arg), -1), e)

    def _latex(self, printer):
        return r"\operatorname{softmax}\left(%s\right)" % printer._print(self.arg)

    def _sympystr(self, printer):
        return "softmax(%s)" % printer._print(self.arg)


def softmax_normaliser(z):
    """1ᵀexp(z) as the scalar tr(1ᵀ exp z)."""
    return sp.Trace(sp.MatMul(sp.OneMatrix(1, z.shape[0]), elementwise(sp.exp, z)))


def is_matrix(e) -> bool:
    return bool(getattr(e, "is_Matrix", False))


def split_product(e):
    """MatMul/Mul → (scalar coefficient, [matrix factors]) with nested products flattened."""
    scalars, mats = [], []

    def walk(a):
        if isinstance(a, sp.MatMul):
            for b in a.args:
                walk(b)
        elif is_matrix(a):
            mats.append(a)
        else:
            scalars.append(a)

    walk(e)
    return sp.Mul(*scalars), mats


__all__ = [
    "CommutationMatrix",
    "Vec",
    "Unvec",
    "Diag",
    "DiagEmbedding",
    "ElementwiseDerivative",
    "ElementwiseApplyFunction",
    "Norm",
    "UnitVector",
    "Softmax",
    "softmax_normaliser",
    "as_expr",
    "as_lambda",
    "elementwise",
    "function_name",
    "function_params",
]
