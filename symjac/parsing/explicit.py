"""A builder for the safe expression syntax that produces explicit SymPy matrices.

Every declared name becomes explicit symbols at its concrete shape
(``symbols.symbolic``): scalars are SymPy expressions, everything else an
``ImmutableMatrix``; a 1×1 result is returned as a scalar.  Semantics follow
CONTRIBUTING.md: ``@`` matrix product, ``*`` scalar scaling or Hadamard
product of equal shapes, ``/`` by scalars, ``**`` on scalars.
"""
from __future__ import annotations

import sympy as sp

from symjac.errors import ParseError, ShapeError, SymjacError, UnsupportedError
from symjac import elementwise as registry
from symjac.blocks import elementwise, matmul
from symjac.symbols import as_matrix, shape_of, symbolic
from symjac.parsing.expr import evaluate
from symjac.parsing.shapes import is_concrete

MAX_DET = 6   # det/logdet of an explicit n×n symbolic matrix has n! terms
MAX_INV = 4   # an explicit symbolic inverse grows even faster


def _isas_matrix(v) -> bool:
    return isinstance(v, sp.MatrixBase)


def _fmt(shape) -> str:
    return f"{shape[0]}x{shape[1]}"


def _norm(v):
    """1×1 matrices become scalars: x.T @ y is a number, as on paper."""
    if _isas_matrix(v) and v.shape == (1, 1):
        return v[0, 0]
    return v


def adjugate_and_det(M: sp.MatrixBase) -> tuple[sp.Matrix, sp.Expr]:
    """adj(M) and det(M) of an n×n matrix by cofactors, each minor computed once (memoised).

    Division-free sums of products of the entries (n! terms for det), never
    re-expanded: the (n−1)-minors of the adjugate share their (n−2)-minors, and
    det = Σ_j M_1j C_1j reuses the adjugate's first column.  For small n (≤ 4)
    this is far more compact than Berkowitz's nested form, which made every
    entry of inv(A) and of its derivative several times larger.
    """
    n = M.rows
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

    if n == 1:
        return sp.Matrix([[sp.S.One]]), M[0, 0]
    idx = tuple(range(n))
    adj = sp.Matrix(n, n, lambda i, j: (-1) ** (i + j) * minor(idx[:j] + idx[j + 1:], idx[:i] + idx[i + 1:]))
    det = sp.Add(*[M[0, j] * adj[j, 0] for j in range(n) if M[0, j] != 0])
    return adj, det


class ExplicitBuilder:
    """Builds explicit matrices; ``variables`` maps each declared name to its symbols."""

    def __init__(self, shapes: dict, base: int = 1):
        self.variables = {}
        for name, shape in shapes.items():
            if not is_concrete(shape):
                raise SymjacError(
                    f"shape of {name} is {shape}: explicit matrices need integer sizes "
                    "(use the closed form for dimension names)"
                )
            self.variables[name] = symbolic(name, tuple(shape), base=base)

    # --- leaves ---
    def name(self, ident, pos):
        try:
            return self.variables[ident]
        except KeyError:
            raise ParseError(f"unknown name {ident!r}: no shape was declared for it", pos) from None

    def number(self, value, pos):
        return value

    # --- operators ---
    def binary(self, op, left, right, pos):
        ls, rs = shape_of(left), shape_of(right)
        where = f"(at column {pos + 1})"
        if op in "+-":
            if ls != rs:
                word = "add" if op == "+" else "subtract"
                raise ShapeError(f"cannot {word} shapes {_fmt(ls)} and {_fmt(rs)} {where}")
            return _norm(left + right if op == "+" else left - right)
        if op == "*":
            if ls == (1, 1) or rs == (1, 1):
                return _norm(_norm(left) * _norm(right))
            if ls != rs:
                raise ShapeError(
                    f"cannot multiply shapes {_fmt(ls)} and {_fmt(rs)} elementwise {where}; use @ for the matrix product"
                )
            return _norm(sp.ImmutableMatrix(left.multiply_elementwise(right)))
        if op == "/":
            if rs != (1, 1):
                raise ShapeError(f"can only divide by a scalar, not by a {_fmt(rs)} matrix {where}")
            return _norm(left / _norm(right) if not _isas_matrix(left) else sp.ImmutableMatrix(left / _norm(right)))
        if op == "@":
            if ls[1] != rs[0]:
                raise ShapeError(
                    f"cannot multiply {_fmt(ls)} by {_fmt(rs)} {where}: inner sizes {ls[1]} and {rs[0]} differ"
                )
            return _norm(matmul(as_matrix(left), as_matrix(right)))
        if op == "**":
            if ls != (1, 1):
                raise ShapeError(
                    f"'**' needs a scalar base, got a {_fmt(ls)} matrix {where}; use matrix_power(A, k)"
                )
            return _norm(left) ** right
        raise UnsupportedError(f"operator {op} {where}")  # pragma: no cover - whitelist

    def unary(self, op, operand, pos):
        return -operand if op == "-" else operand

    def transpose(self, operand, pos):
        return _norm(operand.T) if _isas_matrix(operand) else operand

    # --- functions ---
    def call(self, func, args, pos):
        where = f"(at column {pos + 1})"
        if func in registry.text_names():
            x, *params = args
            return elementwise(registry.get(func).applied(*params), x)
        return getattr(self, "_call_" + func)(*args, where=where)

    def _square(self, func, M, where):
        s = shape_of(M)
        if s[0] != s[1]:
            raise ShapeError(f"{func} needs a square matrix, got {_fmt(s)} {where}")
        return as_matrix(M)

    def _call_norm(self, x, where):
        if not _isas_matrix(x):
            return sp.Abs(x)
        return sp.sqrt(sp.Add(*[e**2 for e in x]))

    def _call_trace(self, M, where):
        return self._square("trace", M, where).trace()

    def _call_det(self, M, where):
        M = self._square("det", M, where)
        if M.rows > MAX_DET:
            raise UnsupportedError(f"det of an explicit {M.rows}x{M.rows} matrix is too large (limit {MAX_DET}) {where}")
        return M.det(method="berkowitz")

    def _call_logdet(self, M, where):
        return sp.log(self._call_det(M, where))

    def _call_inv(self, M, where):
        M = self._square("inv", M, where)
        if M.rows > MAX_INV:
            raise UnsupportedError(f"inv of an explicit {M.rows}x{M.rows} matrix is too large (limit {MAX_INV}) {where}")
        adj, det = adjugate_and_det(M)
        return _norm(sp.ImmutableMatrix(M.rows, M.cols, [a / det for a in adj]))

    def _call_matrix_power(self, M, k, where):
        M = self._square("matrix_power", M, where)
        if k < 0:
            M, k = as_matrix(self._call_inv(M, where)), -k
        out = sp.eye(M.rows)
        for _ in range(k):
            out = matmul(out, M)
        return _norm(sp.ImmutableMatrix(out))

    def _call_kron(self, A, B, where):
        A, B = as_matrix(A), as_matrix(B)
        return _norm(sp.ImmutableMatrix(
            A.rows * B.rows, A.cols * B.cols,
            lambda r, c: A[r // B.rows, c // B.cols] * B[r % B.rows, c % B.cols],
        ))

    def _call_hadamard(self, A, B, where):
        if shape_of(A) != shape_of(B):
            raise ShapeError(f"hadamard needs equal shapes, got {_fmt(shape_of(A))} and {_fmt(shape_of(B))} {where}")
        return _norm(sp.ImmutableMatrix(as_matrix(A).multiply_elementwise(as_matrix(B))))

    def _call_vec(self, M, where):
        from symjac.conventions import vec
        return _norm(vec(as_matrix(M)))

    def _call_diag(self, v, where):
        v = as_matrix(v)
        if 1 not in v.shape:
            raise ShapeError(f"diag takes a vector, got a {_fmt(v.shape)} matrix {where}")
        return _norm(sp.ImmutableMatrix(sp.diag(*list(v))))

    def _call_sum(self, M, where):
        return sp.Add(*list(as_matrix(M)))

    def _call_eye(self, n, where):
        if not isinstance(n, int) or n < 1:
            raise ShapeError(f"eye needs a positive integer size at concrete sizes, got {n!r} {where}")
        from symjac.parsing.shapes import MAX_DIM

        if n > MAX_DIM:
            raise ShapeError(f"eye({n}): size {n} exceeds the limit of {MAX_DIM} {where}")
        return _norm(sp.ImmutableMatrix(sp.eye(n)))


def build_explicit(text: str, shapes: dict, base: int = 1):
    """Build ``text`` at the declared concrete ``shapes``; returns (value, variables).

    value: a SymPy scalar expression or ``ImmutableMatrix``; variables: name →
    explicit symbols (``symbols.symbolic``), for choosing what to differentiate by.
    """
    builder = ExplicitBuilder(shapes, base=base)
    return evaluate(text, builder), builder.variables


__all__ = ["ExplicitBuilder", "build_explicit"]
