"""Evaluate a closed form in NumPy at concrete sizes and values, batched, without expanding it.

``evaluate(expr, sizes, values)``: every matrix sub-expression becomes an
array of shape (..., rows, cols) (a leading batch axis, or none), every scalar
one an array (..., 1, 1).  ``values`` maps each MatrixSymbol / scalar Symbol
name to an array of its shape (p×q; (p,) or a float also accepted), optionally
with one leading batch axis.  Inverses use ``numpy.linalg.solve``-grade
routines (``inv``), Kronecker products ``einsum``, K_{m,n} a permutation.

``strict=True`` (used by the proof) raises :class:`InvalidInstance` when the
point is outside the formula's domain: an inverse or log-determinant of an
ill-conditioned matrix (condition number > ``COND_LIMIT``) or a non-finite
value anywhere.  The proof then draws another instance instead of calling a
correct formula wrong.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from symjac import elementwise as registry
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac.conventions import permutation_to
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.parsing.nodes import dimension_value
from symjac.calculus.closedform.objects import (
    CommutationMatrix,
    Diag,
    DiagEmbedding,
    ElementwiseDerivative,
    Norm,
    UnitVector,
    Unvec,
    Vec,
    as_expr,
)

COND_LIMIT = 1e8


# DiracDelta is zero almost everywhere (a derivative of Heaviside away from its jump).
# Registry functions (softplus, gelu, …) print under the names the registry's NumPy namespace defines.
_NUMPY_EXTRA = {"DiracDelta": lambda x, *k: np.zeros_like(np.asarray(x, dtype=float)), **registry.numpy_namespace()}


class InvalidInstance(SymjacError):
    """The sizes or values are outside the formula's domain (singular inverse, log of a non-positive …)."""


_SCALAR_LEAVES = (sp.Trace, sp.Determinant, Norm, MatrixElement)


def _kron(a, b):
    r = np.einsum("...ij,...kl->...ikjl", a, b)
    return r.reshape(r.shape[:-4] + (a.shape[-2] * b.shape[-2], a.shape[-1] * b.shape[-1]))


def _vec(a):
    return np.swapaxes(a, -1, -2).reshape(a.shape[:-2] + (a.shape[-2] * a.shape[-1], 1))


def _unvec(v, m, n):
    return np.swapaxes(v.reshape(v.shape[:-2] + (n, m)), -1, -2)


def _t(a):
    return np.swapaxes(a, -1, -2)


class Evaluator:
    """One evaluation context: sizes, value arrays, the strictness flag, a memo."""

    def __init__(self, sizes, values, strict: bool = False):
        self.sizes = {(k.name if isinstance(k, sp.Symbol) else str(k)): int(v) for k, v in (sizes or {}).items()}
        self.values = {}
        for k, v in (values or {}).items():
            self.values[k.name if isinstance(k, sp.Basic) and hasattr(k, "name") else str(k)] = np.asarray(v, dtype=float)
        self.strict = strict
        self.memo: dict = {}
        self._lambdas: dict = {}

    # -- sizes and leaves --
    def dim(self, d) -> int:
        return dimension_value(d, self.sizes)

    def leaf(self, X):
        r, c = self.dim(X.shape[0]), self.dim(X.shape[1])
        if X.name not in self.values:
            raise SymjacError(f"no value given for {X.name}")
        a = self.values[X.name]
        if a.shape[-2:] == (r, c):
            return a
        if c == 1 and a.shape[-1:] == (r,):
            return a[..., None]
        if (r, c) == (1, 1) and (a.ndim == 0 or a.shape[-1:] != (1,)):
            return a[..., None, None]
        raise ShapeError(f"value of {X.name} has shape {a.shape}, expected {r}x{c}")

    def scalar_leaf(self, s):
        if s.name in self.values:
            a = self.values[s.name]
            return a if a.shape[-2:] == (1, 1) else np.asarray(a)[..., None, None]
        if s.name in self.sizes:
            return np.array([[float(self.sizes[s.name])]])
        raise SymjacError(f"no value given for the scalar {s.name}")

    def check(self, a, what):
        if self.strict and not np.all(np.isfinite(a)):
            raise InvalidInstance(f"{what} is not finite at this point")
        return a

    def _inv(self, a, what):
        if self.strict and np.any(np.linalg.cond(a) > COND_LIMIT):
            raise InvalidInstance(f"{what} is singular or ill-conditioned at this point")
        return np.linalg.inv(a)

    # -- dispatch --
    def mat(self, e):
        if e in self.memo:
            return self.memo[e]
        with np.errstate(all="ignore"):
            out = self._mat(e) if getattr(e, "is_Matrix", False) else self.scal(e)
        self.memo[e] = out
        return out

    def _mat(self, e):
        if isinstance(e, sp.MatrixSymbol):
            return self.leaf(e)
        if isinstance(e, sp.Identity):
            return np.eye(self.dim(e.shape[0]))
        if isinstance(e, sp.ZeroMatrix):
            return np.zeros((self.dim(e.shape[0]), self.dim(e.shape[1])))
        if isinstance(e, sp.OneMatrix):
            return np.ones((self.dim(e.shape[0]), self.dim(e.shape[1])))
        if isinstance(e, CommutationMatrix):
            m, n = self.dim(e.m), self.dim(e.n)
            return np.eye(m * n)[permutation_to((m, n), "col", "row")]      # = conventions.commutation_matrix
        if isinstance(e, DiagEmbedding):
            n = self.dim(e.args[0])
            P = np.zeros((n * n, n))
            P[np.arange(n) * (n + 1), np.arange(n)] = 1.0
            return P
        if isinstance(e, sp.MatAdd):
            out = self.mat(e.args[0])
            for a in e.args[1:]:
                out = out + self.mat(a)
            return out
        if isinstance(e, sp.MatMul):
            out, coeff = None, None
            for a in e.args:
                v = self.mat(a)
                if getattr(a, "is_Matrix", False):
                    out = v if out is None else out @ v
                else:
                    coeff = v if coeff is None else coeff * v
            return out if coeff is None else coeff * out
        if isinstance(e, sp.Transpose):
            return _t(self.mat(e.arg))
        if isinstance(e, sp.Inverse):
            return self.check(self._inv(self.mat(e.arg), f"the inverted matrix {e.arg}"), str(e))
        if isinstance(e, sp.MatPow):
            base, k = e.args
            B = self.mat(base)
            kv = self.scal(k)
            if B.shape[-2:] == (1, 1):
                return self.check(np.power(B, kv), str(e))
            kf = float(np.ravel(kv)[0])
            if kv.size != 1 or kf != int(kf):
                raise UnsupportedError(f"matrix power with a non-integer exponent {k}")
            k = int(kf)
            if k < 0:
                B, k = self._inv(B, f"the inverted matrix {base}"), -k
            return np.linalg.matrix_power(B, k) if B.ndim == 2 else _batched_power(B, k)
        if isinstance(e, sp.HadamardProduct):
            out = self.mat(e.args[0])
            for a in e.args[1:]:
                out = out * self.mat(a)
            return out
        if isinstance(e, HadamardPower):
            return self.check(np.power(self.mat(e.base), self.scal(e.exp)), str(e))
        if isinstance(e, sp.KroneckerProduct):
            out = self.mat(e.args[0])
            for a in e.args[1:]:
                out = _kron(out, self.mat(a))
            return out
        if isinstance(e, ElementwiseApplyFunction):
            return self.check(self._apply(e.function, self.mat(e.expr)), str(e))
        if isinstance(e, ElementwiseDerivative):
            key = ("derivative", e.function)
            if key not in self._lambdas:
                self._lambdas[key] = e.derivative_lambda()
            return self.check(self._apply(self._lambdas[key], self.mat(e.arg)), str(e))
        if isinstance(e, Vec):
            return _vec(self.mat(e.arg))
        if isinstance(e, Unvec):
            return _unvec(self.mat(e.arg), self.dim(e.args[1]), self.dim(e.args[2]))
        if isinstance(e, (Diag, DiagMatrix)):
            v = self.mat(e.args[0])
            v = v[..., :, 0] if v.shape[-1] == 1 else v[..., 0, :]
            return v[..., :, None] * np.eye(v.shape[-1])
        if isinstance(e, DiagonalOf):
            A = self.mat(e.arg)
            return np.diagonal(A, axis1=-2, axis2=-1)[..., :, None]
        if isinstance(e, UnitVector):
            n, i = self.dim(e.shape[0]), int(np.ravel(self.scal(e.index))[0])
            v = np.zeros((n, 1))
            v[i, 0] = 1.0
            return v
        if hasattr(e, "definition"):
            return self.mat(e.definition())
        if hasattr(e, "numeric"):                      # structured objects (duplication matrices …)
            return e.numeric(self)
        raise UnsupportedError(f"cannot evaluate {type(e).__name__} numerically (in {e})")

    def _apply(self, lam, A):
        key = lam
        if key not in self._lambdas:
            (v,), body = lam.variables, lam.expr
            self._lambdas[key] = sp.lambdify([v], body, [_NUMPY_EXTRA, "numpy"])
        out = self._lambdas[key](A)
        return np.broadcast_to(out, A.shape).astype(float) if np.ndim(out) < A.ndim else out

    def scal(self, e):
        """A scalar sub-expression as an array (..., 1, 1)."""
        e = as_expr(e)
        if getattr(e, "is_Matrix", False):
            A = self.mat(e)
            if A.shape[-2:] != (1, 1):
                raise ShapeError(f"a {A.shape[-2]}x{A.shape[-1]} matrix where a scalar is needed: {e}")
            return A
        if e in self.memo:
            return self.memo[e]
        with np.errstate(all="ignore"):
            out = self._scal(e)
        self.memo[e] = out
        return out

    def _scal(self, e):
        if isinstance(e, sp.Symbol):
            return self.scalar_leaf(e)
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            return np.array([[float(e)]])
        if isinstance(e, sp.Trace):
            A = self.mat(e.arg)
            return np.trace(A, axis1=-2, axis2=-1)[..., None, None]
        if isinstance(e, sp.Determinant):
            A = self.mat(e.arg)
            if self.strict:
                self._inv(A, f"the matrix {e.arg} under det")
            return np.linalg.det(A)[..., None, None]
        if isinstance(e, Norm):
            A = self.mat(e.arg)
            return np.sqrt(np.sum(A * A, axis=(-2, -1)))[..., None, None]
        if isinstance(e, MatrixElement):
            A = self.mat(e.parent)
            i, j = int(np.ravel(self.scal(e.i))[0]), int(np.ravel(self.scal(e.j))[0])
            return A[..., i:i + 1, j:j + 1]
        return self.check(self._generic(e), str(e))

    def _generic(self, e):
        """Any other scalar expression: its matrix-valued / symbol leaves become arrays, the rest NumPy."""
        leaves = []

        def walk(node):
            if isinstance(node, _SCALAR_LEAVES) or isinstance(node, sp.Symbol) or getattr(node, "is_Matrix", False):
                leaves.append(node)
            else:
                for a in node.args:
                    walk(a)

        walk(e)
        leaves = list(dict.fromkeys(leaves))
        dummies = [sp.Dummy(f"u{i}") for i in range(len(leaves))]
        body = e.xreplace(dict(zip(leaves, dummies)))
        if body.has(*[l for l in leaves if not isinstance(l, sp.Symbol)]):
            raise UnsupportedError(f"cannot evaluate {e} numerically")
        key = ("generic", e)
        if key not in self._lambdas:
            self._lambdas[key] = sp.lambdify(dummies, body, [_NUMPY_EXTRA, "numpy"])
        args = [self.scal(l) for l in leaves]
        out = np.asarray(self._lambdas[key](*args), dtype=float)
        return out if out.ndim >= 2 else np.broadcast_to(out, (1, 1)) + 0.0


def _batched_power(B, k):
    out = np.broadcast_to(np.eye(B.shape[-1]), B.shape).copy()
    for _ in range(k):
        out = out @ B
    return out


def evaluate(expr, sizes, values, strict: bool = False) -> np.ndarray:
    """``expr`` at integer ``sizes`` and NumPy ``values`` as an array (..., rows, cols) (scalars (..., 1, 1))."""
    if not isinstance(expr, sp.Basic) and hasattr(expr, "expr"):
        expr = expr.expr
    ev = Evaluator(sizes, values, strict)
    from symjac.calculus.closedform.entries import matrix_form
    e = matrix_form(as_expr(expr))
    return ev.mat(e) if getattr(e, "is_Matrix", False) else ev.scal(e)


__all__ = ["evaluate", "Evaluator", "InvalidInstance", "COND_LIMIT"]
