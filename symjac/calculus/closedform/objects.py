"""Size-free building blocks SymPy lacks: K_{m,n}, vec, diag, unvec, Ψ_n, f′ elementwise, norms.

K_{m,n}, vec, unvec, diag and the norm are the shared nodes of :mod:`symjac.parsing.nodes`,
re-exported here; Ψ_n, e_i, f′ and softmax are the closed form's own.

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
from symjac.parsing.nodes import CommutationMatrix, Diag, Norm, Unvec, Vec, _int, as_expr


class DiagEmbedding(sp.MatrixExpr):
    """Ψ_n: the n²×n matrix with columns e_i ⊗ e_i, so vec diag(v) = Ψ_n v."""

    def __new__(cls, n):
        return sp.Basic.__new__(cls, as_expr(n))

    @property
    def shape(self):
        n = self.args[0]
        return (n * n, n)

    def _entry(self, i, j, **kwargs):
        n = _int(self.args[0])
        return sp.S.One if int(i) == int(j) * (n + 1) else sp.S.Zero


class ElementwiseDerivative(sp.MatrixExpr):
    """f′(A): the derivative of the scalar function ``f`` (a Lambda) applied to each entry of A."""

    def __new__(cls, function, arg):
        return sp.Basic.__new__(cls, as_lambda(function), as_expr(arg))

    function = property(lambda self: self.args[0])
    arg = property(lambda self: self.args[1])

    @property
    def shape(self):
        return self.arg.shape

    def derivative_lambda(self) -> sp.Lambda:
        (v,), body = self.function.variables, self.function.expr
        return sp.Lambda(v, sp.diff(body, v))

    def _entry(self, i, j, **kwargs):
        return self.derivative_lambda()(self.arg[i, j])

    def _eval_transpose(self):
        return ElementwiseDerivative(self.function, sp.Transpose(self.arg))


class UnitVector(sp.MatrixExpr):
    """e_i: the n×1 column with 1 at (0-based) row i, 0 elsewhere; e_i e_jᵀ is the single-entry matrix J^{ij}."""

    def __new__(cls, i, n):
        if as_expr(n) == 1:
            return sp.Identity(1)
        return sp.Basic.__new__(cls, as_expr(i), as_expr(n))

    index = property(lambda self: self.args[0])

    @property
    def shape(self):
        return (self.args[1], sp.S.One)

    def _entry(self, i, j, **kwargs):
        return sp.KroneckerDelta(i, self.index)


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


# One fixed bound variable, so that equal elementwise functions compare equal.
_Z = sp.Symbol("zeta_", real=True)


def as_lambda(f) -> sp.Lambda:
    """A one-argument ``Lambda`` (over a fixed variable) from a Lambda, a function class, or a callable."""
    if isinstance(f, sp.Lambda):
        if len(f.variables) != 1:
            raise UnsupportedError(f"elementwise functions take one argument, got {f}")
        return f if f.variables == (_Z,) else sp.Lambda(_Z, f(_Z))
    try:
        body = f(_Z)
    except Exception as exc:  # noqa: BLE001 - report any failure as unsupported
        raise UnsupportedError(f"cannot apply {f!r} elementwise: {exc}") from None
    return sp.Lambda(_Z, body)


def elementwise(f, A):
    """f applied to every entry of A (SymPy's ``ElementwiseApplyFunction``)."""
    return ElementwiseApplyFunction(as_lambda(f), A)


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
