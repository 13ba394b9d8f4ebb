"""THE explicit interpreter of the node set: nodes → explicit SymPy matrices at given sizes.

``instantiate(expr, sizes, values=None)``: every dimension symbol is replaced
by its size; every ``MatrixSymbol`` "A" (m×n) becomes ``symjac.matrix("A", m, n)``
(n×1 → ``symjac.vector``, 1×1 → ``symjac.scalar``, the rule of
``symbols.symbolic``), or the concrete matrix in ``values``; scalar symbols
become ``symjac.scalar`` or their value.  The result is an explicit
``ImmutableMatrix`` (1×1 for a scalar), directly comparable with
``symjac.calculus.explicit``.

Evaluation is structure-aware: matrices are kept sparse (dict of nonzeros),
K_{m,n} is a permutation, and Kronecker products with identities never touch
zeros, so instantiating (Iₙ⊗Aᵀ) + (Aᵀ⊗Iₙ)K_{m,n} costs O(mn²) products.

The one determinant / adjugate / inverse of explicit matrices (:func:`determinant`,
:func:`adjugate_and_det`, :func:`inverse`): SymPy's on numbers; on symbols memoised
cofactors, refused above ``MAX_DET`` (det) and ``MAX_INV`` (inverse) rows.

Its users: text at concrete sizes (:mod:`symjac.parsing.explicit`) and closed forms
(:mod:`symjac.calculus.closedform.instantiate` rebuilds their entry sums first); its
NumPy twin is :mod:`symjac.parsing.numeric`.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac.blocks import product
from symjac.conventions import permutation_to
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.parsing.nodes import (
    Adjugate,
    CommutationMatrix,
    Diag,
    DiagEmbedding,
    ElementwiseDerivative,
    Norm,
    UnitVector,
    Unvec,
    Vec,
    as_expr,
    dimension_value,
)
from symjac.symbols import scalar as scalar_symbol
from symjac.symbols import symbolic

MAX_DET = 6   # det of an explicit n×n symbolic matrix has n! terms
MAX_INV = 4   # an explicit symbolic inverse grows even faster


def _too_large(what: str, n: int, limit: int) -> None:
    if n > limit:
        raise UnsupportedError(f"{what} of an explicit {n}x{n} matrix is too large (limit {limit})")


def _cofactor_minors(M):
    """minor(rows, cols): the determinant of M[rows, cols] by expansion along its first row, each minor once.

    Division-free sums of products of the entries (n! terms for det), never
    re-expanded: the (n−1)-minors of the adjugate share their (n−2)-minors.  For
    small n this is far more compact than Berkowitz's nested form, which made
    every entry of inv(A) and of its derivative several times larger.
    """
    memo: dict = {}

    def minor(rows: tuple, cols: tuple):
        key = (rows, cols)
        if key not in memo:
            if len(rows) == 1:
                memo[key] = M[rows[0], cols[0]]
            else:
                r, rest = rows[0], rows[1:]
                memo[key] = sp.Add(*[(-1) ** j * M[r, c] * minor(rest, cols[:j] + cols[j + 1:])
                                     for j, c in enumerate(cols) if M[r, c] != 0])
        return memo[key]

    return minor


def _cofactor(minor, n: int, i: int, j: int):
    """C_ij = (−1)^(i+j) det of M without row i and column j (= adj(M)_ji)."""
    idx = tuple(range(n))
    return (-1) ** (i + j) * minor(idx[:i] + idx[i + 1:], idx[:j] + idx[j + 1:])


def _det(M, minor):
    """det M = Σ_j M_1j C_1j, the cofactors' (−1) distributed exactly as in the adjugate's entries."""
    return sp.Add(*[M[0, j] * _cofactor(minor, M.rows, 0, j) for j in range(M.cols) if M[0, j] != 0])


def determinant(M) -> sp.Expr:
    """det M of a square explicit matrix: SymPy's for numbers, memoised cofactors when symbolic (n ≤ MAX_DET)."""
    n = M.rows
    if n == 0:
        return sp.S.One
    if not M.free_symbols:
        return M.det(method="berkowitz")
    _too_large("det", n, MAX_DET)
    return _det(M, _cofactor_minors(M)) if n > 1 else M[0, 0]


def adjugate_and_det(M) -> tuple[sp.ImmutableMatrix, sp.Expr]:
    """adj(M) and det(M) of an n×n matrix by memoised cofactors (det reuses the adjugate's first column)."""
    n = M.rows
    if n == 1:
        return sp.ImmutableMatrix([[sp.S.One]]), M[0, 0]
    minor = _cofactor_minors(M)
    return sp.ImmutableMatrix(n, n, lambda i, j: _cofactor(minor, n, j, i)), _det(M, minor)


def inverse(M) -> sp.ImmutableMatrix:
    """M⁻¹ of a square explicit matrix: SymPy's for numbers, adj(M)/det(M) when symbolic (n ≤ MAX_INV)."""
    if M.rows != M.cols:
        raise ShapeError(f"inverse of a non-square {M.rows}x{M.cols} matrix")
    if not M.free_symbols:
        return sp.ImmutableMatrix(M.inv())
    _too_large("inv", M.rows, MAX_INV)
    adj, det = adjugate_and_det(M)
    return sp.ImmutableMatrix(M.rows, M.cols, [a / det for a in adj])


class _S:
    """A sparse explicit matrix: shape and {(i, j): nonzero entry}."""

    __slots__ = ("rows", "cols", "d")

    def __init__(self, rows, cols, d):
        self.rows, self.cols, self.d = rows, cols, d

    @classmethod
    def dense(cls, M):
        if not isinstance(M, sp.ImmutableDenseMatrix):
            M = sp.ImmutableMatrix(M)
        flat = M.flat()
        c = M.cols
        return cls(M.rows, c, {(k // c, k % c): v for k, v in enumerate(flat) if _nonzero(v)})

    def to_matrix(self):
        flat = [sp.S.Zero] * (self.rows * self.cols)
        for (i, j), v in self.d.items():
            flat[i * self.cols + j] = v
        return sp.ImmutableDenseMatrix._new(self.rows, self.cols, flat, copy=False)

    def get(self, i, j):
        return self.d.get((i, j), sp.S.Zero)




def _nonzero(v) -> bool:
    return v is not sp.S.Zero and not (v.is_Number and v == 0)


def _nonzero_sums(acc) -> dict:
    """{position: [terms]} → {position: Σ terms} with the zero sums dropped (the matrix stays sparse)."""
    sums = {k: vs[0] if len(vs) == 1 else sp.Add(*vs) for k, vs in acc.items()}
    return {k: v for k, v in sums.items() if _nonzero(v)}


def _add(A: _S, B: _S) -> _S:
    if (A.rows, A.cols) != (B.rows, B.cols):
        raise ShapeError(f"cannot add {A.rows}x{A.cols} and {B.rows}x{B.cols}")
    acc = defaultdict(list)
    for src in (A.d, B.d):
        for k, v in src.items():
            acc[k].append(v)
    return _S(A.rows, A.cols, _nonzero_sums(acc))


def _scale(c, A: _S) -> _S:
    if c == 0:
        return _S(A.rows, A.cols, {})
    if c == 1:
        return A
    return _S(A.rows, A.cols, {k: c * v for k, v in A.d.items()})


def _mul(A: _S, B: _S) -> _S:
    if A.cols != B.rows:
        raise ShapeError(f"cannot multiply {A.rows}x{A.cols} by {B.rows}x{B.cols}")
    arows, brows = defaultdict(list), defaultdict(list)
    for (i, k), a in A.d.items():
        arows[i].append((k, a))
    for (k, j), b in B.d.items():
        brows[k].append((j, b))
    out = {}
    for i, row in arows.items():
        acc = defaultdict(list)
        for k, a in row:
            for j, b in brows.get(k, ()):
                acc[j].append(product(a, b))
        out.update({(i, j): v for j, v in _nonzero_sums(acc).items()})
    return _S(A.rows, B.cols, out)


def _transpose(A: _S) -> _S:
    return _S(A.cols, A.rows, {(j, i): v for (i, j), v in A.d.items()})


def _kron(A: _S, B: _S) -> _S:
    p, q = B.rows, B.cols
    out = {}
    for (i, j), a in A.d.items():
        for (k, l), b in B.d.items():
            out[(i * p + k, j * q + l)] = product(a, b)
    return _S(A.rows * p, A.cols * q, out)


def _hadamard(A: _S, B: _S) -> _S:
    if (A.rows, A.cols) != (B.rows, B.cols):
        raise ShapeError(f"Hadamard product of {A.rows}x{A.cols} and {B.rows}x{B.cols}")
    out = {}
    for k, a in A.d.items():
        b = B.d.get(k)
        if b is not None:
            v = product(a, b)
            if _nonzero(v):
                out[k] = v
    return _S(A.rows, A.cols, out)


def _entrywise(lam):
    """The one-argument ``Lambda`` as a fast callable: f(z, *params) for a registry function applied as
    :func:`symjac.elementwise.apply` does (unevaluated unless z is a number), else the Lambda itself."""
    (w,), body = lam.variables, lam.expr
    if isinstance(body, sp.Function) and body.args[0] == w and not any(a.has(w) for a in body.args[1:]):
        f, params = body.func, body.args[1:]
        return lambda z: f(z, *params) if z.is_number else f(z, *params, evaluate=False)
    return lam


def _apply(lam, A: _S) -> _S:
    f = _entrywise(lam)
    f0 = f(sp.S.Zero)
    out = {}
    for i in range(A.rows):
        for j in range(A.cols):
            v = f(A.d[(i, j)]) if (i, j) in A.d else f0
            if _nonzero(v):
                out[(i, j)] = v
    return _S(A.rows, A.cols, out)


def _identity(n):
    return _S(n, n, {(i, i): sp.S.One for i in range(n)})


def _as_sympy_matrix(value, name):
    """A value for ``name`` as an ImmutableMatrix; every entry converted strictly (never text)."""
    what = f"the value of {name}"
    if isinstance(value, np.ndarray):
        if value.ndim > 2:
            raise ShapeError(f"{what} must be a scalar, a vector or a matrix, got {value.ndim} dimensions")
        rows = value.reshape(-1, 1).tolist() if value.ndim == 1 else np.atleast_2d(value).tolist()
    elif isinstance(value, sp.MatrixBase):
        return value if isinstance(value, sp.ImmutableDenseMatrix) else sp.ImmutableMatrix(value)
    elif isinstance(value, (list, tuple)):
        rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in value]
        if rows and len({len(r) for r in rows}) != 1:
            raise ShapeError(f"{what} has rows of different lengths")
    elif isinstance(value, (int, float, sp.Basic, np.number)):
        rows = [[value]]
    else:
        raise SymjacError(f"{what} must be a SymPy or NumPy matrix or a number, got {type(value).__name__}")
    entries = [[as_expr(v, what) for v in r] for r in rows]
    return sp.ImmutableMatrix(entries)


class _Instantiator:
    def __init__(self, sizes, values):
        self.sizes = {}
        for k, v in (sizes or {}).items():
            name = k.name if isinstance(k, sp.Symbol) else str(k)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise SymjacError(f"size {name} must be a positive integer, got {v!r}")
            self.sizes[name] = int(v)
        self.values = dict(values or {})
        self.memo: dict = {}

    # -- sizes --
    def dim(self, d) -> int:
        return dimension_value(d, self.sizes)

    def shape(self, M):
        return self.dim(M.shape[0]), self.dim(M.shape[1])

    # -- leaves --
    def leaf(self, X: sp.MatrixSymbol) -> _S:
        shape = self.shape(X)
        if X.name in self.values:
            M = _as_sympy_matrix(self.values[X.name], X.name)
            if M.shape != shape:
                raise ShapeError(f"value of {X.name} has shape {M.rows}x{M.cols}, expected {shape[0]}x{shape[1]}")
            return _S.dense(M)
        sym = symbolic(X.name, shape)
        return _S.dense(sym if shape != (1, 1) else sp.ImmutableMatrix([[sym]]))

    def scalar_leaf(self, s: sp.Symbol):
        if s.name in self.values:
            M = _as_sympy_matrix(self.values[s.name], s.name)
            if M.shape != (1, 1):
                raise ShapeError(f"value of the scalar {s.name} must be a number")
            return M[0, 0]
        if s.name in self.sizes:
            return sp.Integer(self.sizes[s.name])
        return scalar_symbol(s.name) if s.name.isalnum() and s.name[0].isalpha() else s

    # -- dispatch --
    def mat(self, e) -> _S:
        if e in self.memo:
            return self.memo[e]
        try:
            out = self._mat(e)
        except SymjacError as exc:
            _record(exc, e)
            raise
        self.memo[e] = out
        return out

    def _mat(self, e) -> _S:
        if not getattr(e, "is_Matrix", False):
            return _S(1, 1, {(0, 0): v} if (v := self.scal(e)) != 0 else {})
        if isinstance(e, sp.MatrixSymbol):
            return self.leaf(e)
        if isinstance(e, sp.Identity):
            return _identity(self.dim(e.shape[0]))
        if isinstance(e, sp.ZeroMatrix):
            return _S(*self.shape(e), {})
        if isinstance(e, sp.OneMatrix):
            r, c = self.shape(e)
            return _S(r, c, {(i, j): sp.S.One for i in range(r) for j in range(c)})
        if isinstance(e, CommutationMatrix):
            m, n = self.dim(e.m), self.dim(e.n)
            # the entries of conventions.commutation_matrix(m, n)
            return _S(m * n, m * n, {(i, c): sp.S.One for i, c in enumerate(permutation_to((m, n), "col", "row"))})
        if isinstance(e, DiagEmbedding):
            n = self.dim(e.args[0])
            return _S(n * n, n, {(i * (n + 1), i): sp.S.One for i in range(n)})
        if isinstance(e, sp.MatAdd):
            out = self.mat(e.args[0])
            for a in e.args[1:]:
                out = _add(out, self.mat(a))
            return out
        if isinstance(e, sp.MatMul):
            coeff = sp.S.One
            out = None
            for a in e.args:
                if getattr(a, "is_Matrix", False):
                    A = self.mat(a)
                    out = A if out is None else _mul(out, A)
                else:
                    coeff = coeff * self.scal(a)
            return _scale(coeff, out)
        if isinstance(e, sp.Transpose):
            return _transpose(self.mat(e.arg))
        if isinstance(e, sp.Inverse):
            return _S.dense(inverse(self.mat(e.arg).to_matrix()))
        if isinstance(e, Adjugate):
            M = self.mat(e.args[0]).to_matrix()
            if M.rows != M.cols:
                raise ShapeError(f"adj of a non-square {M.rows}x{M.cols} matrix")
            if M.free_symbols:
                _too_large("adj", M.rows, MAX_INV)
            return _S.dense(adjugate_and_det(M)[0])
        if isinstance(e, sp.MatPow):
            base, k = e.args
            if not k.is_Number:
                k = self.scal(k)
            if base.shape == (1, 1) and not k.is_Integer:
                b = self.mat(base)
                return _S(1, 1, {(0, 0): b.get(0, 0) ** k})
            if not k.is_Integer:
                raise UnsupportedError(f"matrix power with a non-integer exponent {k}")
            B = self.mat(base if k >= 0 else sp.Inverse(base))
            out = _identity(B.rows)
            for _ in range(abs(int(k))):
                out = _mul(out, B)
            return out
        if isinstance(e, sp.HadamardProduct):
            out = self.mat(e.args[0])
            for a in e.args[1:]:
                out = _hadamard(out, self.mat(a))
            return out
        if isinstance(e, HadamardPower):
            c = self.scal(e.exp)
            return _apply(sp.Lambda(_W, _W ** c), self.mat(e.base))
        if isinstance(e, UnitVector):
            i, n = int(self.scal(e.index)), self.dim(e.shape[0])
            if not 0 <= i < n:
                raise ShapeError(f"index {i} outside 0..{n - 1}")
            return _S(n, 1, {(i, 0): sp.S.One})
        if hasattr(e, "explicit_sum"):
            return self.mat(e.explicit_sum(int(self.scal(e.exponent))))
        if isinstance(e, sp.KroneckerProduct):
            out = self.mat(e.args[0])
            for a in e.args[1:]:
                out = _kron(out, self.mat(a))
            return out
        if isinstance(e, ElementwiseApplyFunction):
            return _apply(e.function, self.mat(e.expr))
        if isinstance(e, ElementwiseDerivative):
            return _apply(e.derivative_lambda(), self.mat(e.arg))
        if isinstance(e, Vec):
            A = self.mat(e.arg)
            return _S(A.rows * A.cols, 1, {(j * A.rows + i, 0): v for (i, j), v in A.d.items()})
        if isinstance(e, Unvec):
            v = self.mat(e.arg)
            m, n = self.dim(e.args[1]), self.dim(e.args[2])
            if v.rows != m * n or v.cols != 1:
                raise ShapeError(f"cannot unvec {v.rows}x{v.cols} into {m}x{n}")
            return _S(m, n, {(k % m, k // m): x for (k, _), x in v.d.items()})
        if isinstance(e, (Diag, DiagMatrix)):
            v = self.mat(e.args[0])
            if v.cols != 1:
                v = _transpose(v)
            return _S(v.rows, v.rows, {(i, i): x for (i, _), x in v.d.items()})
        if isinstance(e, DiagonalOf):
            A = self.mat(e.arg)
            return _S(min(A.rows, A.cols), 1, {(i, 0): x for (i, j), x in A.d.items() if i == j})
        if hasattr(e, "definition"):
            return self.mat(e.definition())
        if hasattr(e, "explicit_at"):
            return _S.dense(e.explicit_at(self.dim))
        raise UnsupportedError(f"cannot instantiate {type(e).__name__} (in {e})")

    def _rebuild(self, a):
        """An argument of a scalar node: expressions instantiated, conditions and pairs rebuilt around them."""
        from sympy.core.relational import Relational
        from sympy.functions.elementary.piecewise import ExprCondPair
        from sympy.logic.boolalg import BooleanAtom, BooleanFunction
        if isinstance(a, BooleanAtom):
            return a
        if isinstance(a, (Relational, BooleanFunction, ExprCondPair)):
            return a.func(*[self._rebuild(b) for b in a.args])
        return self.scal(a)

    def scal(self, e):
        try:
            return self._scal(e)
        except SymjacError as exc:
            _record(exc, e)
            raise

    def _scal(self, e):
        e = as_expr(e)
        if getattr(e, "is_Matrix", False):
            A = self.mat(e)
            if (A.rows, A.cols) != (1, 1):
                raise ShapeError(f"a {A.rows}x{A.cols} matrix where a scalar is needed: {e}")
            return A.get(0, 0)
        if isinstance(e, sp.Symbol):
            return self.scalar_leaf(e)
        if e.is_Number or not e.args:
            return e
        if isinstance(e, sp.Trace):
            A = self.mat(e.arg)
            return sp.Add(*[A.get(i, i) for i in range(A.rows)])
        if isinstance(e, sp.Determinant):
            M = self.mat(e.arg).to_matrix()
            if M.rows != M.cols:
                raise ShapeError(f"determinant of a non-square {M.rows}x{M.cols} matrix")
            return determinant(M)
        if isinstance(e, Norm):
            A = self.mat(e.arg)
            return sp.sqrt(sp.Add(*[v**2 for v in A.d.values()]))
        if isinstance(e, MatrixElement):
            A = self.mat(e.parent)
            i, j = int(self.scal(e.i)), int(self.scal(e.j))
            if not (0 <= i < A.rows and 0 <= j < A.cols):
                raise ShapeError(f"entry [{i}, {j}] outside a {A.rows}x{A.cols} matrix")
            return A.get(i, j)
        if isinstance(e, (sp.Add, sp.Mul, sp.Pow, sp.Function, sp.Max, sp.Min, sp.Piecewise)):
            return e.func(*[self._rebuild(a) for a in e.args])
        raise UnsupportedError(f"cannot instantiate the scalar {type(e).__name__} (in {e})")


_W = sp.Dummy("w")


def _record(exc: SymjacError, node) -> None:
    """Append ``node`` to ``exc.nodes``: the nodes being instantiated when it was raised, innermost first."""
    exc.nodes = getattr(exc, "nodes", ()) + (node,)


def instantiate(expr, sizes, values=None):
    """An explicit ``ImmutableMatrix`` for the node tree ``expr`` (a scalar expression gives a 1×1 matrix).

    sizes: {dimension symbol or name: int}.  values: optional {matrix or scalar
    name: SymPy/NumPy matrix or number}; names without a value become symbols
    (``A_11`` …, ``x_1`` …, ``b``).  A SymjacError raised inside lists in
    ``nodes`` the nodes being instantiated, innermost first (so that a caller
    can say where).
    """
    return _Instantiator(sizes, values).mat(as_expr(expr)).to_matrix()


__all__ = ["instantiate", "determinant", "adjugate_and_det", "inverse", "MAX_DET", "MAX_INV"]
