"""The safe expression syntax → the node set: size-free SymPy matrix expressions (THE Builder for parsing.expr).

``MatrixExprBuilder(shapes)`` implements the Builder protocol of
:mod:`symjac.parsing.expr`: every declared name becomes a ``MatrixSymbol`` of
its shape (dimension names → positive integer Symbols), a (1, 1) name a real
scalar Symbol.  Semantics follow CONTRIBUTING.md (``@`` product, ``*`` scalar
scaling or Hadamard, ``/`` by a scalar, ``**`` on scalars); a 1×1 matrix
result is read as a scalar (``tr`` of it, printed without ``tr``).  Nothing
is evaluated: no eval / sympify of the text.

This is the one interpreter of the syntax: explicit matrices are these nodes
instantiated (:mod:`symjac.parsing.instantiate`, :func:`symjac.parsing.explicit.build_explicit`),
numbers these nodes evaluated (:mod:`symjac.parsing.numeric`).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symjac.errors import ParseError, ShapeError, UnsupportedError
from symjac import elementwise as registry
from symjac.parsing.expr import evaluate
from symjac.parsing.shapes import MAX_DIM, normalize_shape
from symjac.parsing.nodes import Diag, Norm, Vec, as_lambda



def dimension(d):
    """An int size as is; a dimension name as a positive integer Symbol."""
    if isinstance(d, str):
        return sp.Symbol(d, integer=True, positive=True)
    return sp.Integer(d)


def _is_mat(v) -> bool:
    return bool(getattr(v, "is_Matrix", False))


def _shape(v):
    return tuple(v.shape) if _is_mat(v) else (sp.S.One, sp.S.One)


def _fmt(shape) -> str:
    return f"{shape[0]}x{shape[1]}"


def _scalarize(v):
    """A 1×1 matrix expression as a scalar (its trace, printed as the expression itself)."""
    if _is_mat(v) and v.shape[0] == 1 and v.shape[1] == 1:
        return sp.Trace(v)
    return v


class MatrixExprBuilder:
    """Builds SymPy matrix expressions; ``symbols`` maps each declared name to its MatrixSymbol / Symbol.

    ``variable``: a name declared (1, 1) that is to be differentiated by is
    represented as tr(S) for a 1×1 MatrixSymbol S, so that it has a MatrixSymbol.
    ``separate``: a name whose every occurrence becomes its own symbol of its
    shape (``copies``, in the order of the text: product-rule terms), named
    Zocc1, Zocc2 … (more Z's if a declared name starts so).
    ``positions``: each function call's node → the column of its first call.
    """

    def __init__(self, shapes: dict, variable: str | None = None, separate: str | None = None):
        self.symbols: dict = {}
        self.variables: dict = {}
        self.dimension_names: set = set()
        for name, shape in shapes.items():
            r, c = normalize_shape(shape, f"shape of {name}")
            self.dimension_names.update(d for d in (r, c) if isinstance(d, str))
            M = sp.MatrixSymbol(name, dimension(r), dimension(c))
            self.variables[name] = M
            if (r, c) == (1, 1):
                self.symbols[name] = sp.Trace(M) if name == variable else sp.Symbol(name, real=True)
            else:
                self.symbols[name] = M
        self.separate, self.copies, self.positions = separate, [], {}
        self._prefix = "Zocc"
        while any(n.startswith(self._prefix) for n in shapes):
            self._prefix = "Z" + self._prefix

    # --- leaves ---
    def name(self, ident, pos):
        try:
            leaf = self.symbols[ident]
        except KeyError:
            raise ParseError(f"unknown name {ident!r}: no shape was declared for it", pos) from None
        if ident != self.separate:
            return leaf
        copy = f"{self._prefix}{len(self.copies) + 1}"
        M = self.variables[ident]
        leaf = sp.MatrixSymbol(copy, *M.shape) if _is_mat(leaf) else sp.Symbol(copy, real=True)
        self.copies.append(leaf)
        return leaf

    def number(self, value, pos):
        return value

    # --- operators ---
    def binary(self, op, left, right, pos):
        where = f"(at column {pos + 1})"
        ls, rs = _shape(left), _shape(right)
        if op in "+-":
            if ls != rs:
                word = "add" if op == "+" else "subtract"
                raise ShapeError(f"cannot {word} shapes {_fmt(ls)} and {_fmt(rs)} {where}")
            if not _is_mat(left):
                return left + right if op == "+" else left - right
            return sp.MatAdd(left, right if op == "+" else sp.MatMul(sp.S.NegativeOne, right))
        if op == "*":
            if not _is_mat(left) or not _is_mat(right):
                return _times(left, right)
            left, right = _scalarize(left), _scalarize(right)
            if not _is_mat(left) or not _is_mat(right):
                return _times(left, right)
            if ls != rs:
                raise ShapeError(
                    f"cannot multiply shapes {_fmt(ls)} and {_fmt(rs)} elementwise {where}; use @ for the matrix product")
            return sp.HadamardProduct(left, right)
        if op == "/":
            right = _scalarize(right)
            if _is_mat(right):
                raise ShapeError(f"can only divide by a scalar, not by a {_fmt(rs)} matrix {where}")
            return _times(left, 1 / right)
        if op == "@":
            if ls[1] != rs[0]:
                raise ShapeError(
                    f"cannot multiply {_fmt(ls)} by {_fmt(rs)} {where}: inner sizes {ls[1]} and {rs[0]} differ")
            if not _is_mat(left) or not _is_mat(right):
                return _scalarize(_times(left, right))
            return _scalarize(sp.MatMul(left, right))
        if op == "**":
            base = _scalarize(left)
            if _is_mat(base):
                raise ShapeError(f"'**' needs a scalar base, got a {_fmt(ls)} matrix {where}; use matrix_power(A, k)")
            return base ** right
        raise UnsupportedError(f"operator {op} {where}")  # pragma: no cover - whitelisted

    def unary(self, op, operand, pos):
        if op == "+":
            return operand
        return sp.MatMul(sp.S.NegativeOne, operand) if _is_mat(operand) else -operand

    def transpose(self, operand, pos):
        return sp.Transpose(operand) if _is_mat(operand) else operand

    # --- functions ---
    def call(self, func, args, pos):
        where = f"(at column {pos + 1})"
        if func in registry.text_names():
            x, *params = args
            f = registry.get(func).applied(*params)
            return ElementwiseApplyFunction(as_lambda(f), x) if _is_mat(x) else f(x)
        method = getattr(self, "_call_" + func, None)
        if method is None:
            raise UnsupportedError(f"function {func} has no closed-form rule {where}")
        out = method(*args, where=where)
        self.positions.setdefault(out, pos)
        return out

    def _square(self, func, M, where):
        if not _is_mat(M):
            return None
        if M.shape[0] != M.shape[1]:
            raise ShapeError(f"{func} needs a square matrix, got {_fmt(M.shape)} {where}")
        return M

    def _call_norm(self, x, where):
        return Norm(x) if _is_mat(x) else sp.Abs(x)

    def _call_trace(self, M, where):
        M = self._square("trace", M, where) if _is_mat(M) else M
        return sp.Trace(M) if _is_mat(M) else M

    def _call_det(self, M, where):
        return sp.Determinant(M) if self._square("det", M, where) is not None else M

    def _call_logdet(self, M, where):
        return sp.log(self._call_det(M, where))

    def _call_inv(self, M, where):
        return sp.Inverse(M) if self._square("inv", M, where) is not None else 1 / M

    def _call_matrix_power(self, M, k, where):
        if self._square("matrix_power", M, where) is None:
            return M ** k
        if k == 0:
            return sp.Identity(M.shape[0])
        return M if k == 1 else sp.MatPow(M, k)

    def _call_kron(self, A, B, where):
        if not _is_mat(A) or not _is_mat(B):
            return _times(A, B)
        return sp.KroneckerProduct(A, B)

    def _call_hadamard(self, A, B, where):
        if _shape(A) != _shape(B):
            raise ShapeError(f"hadamard needs equal shapes, got {_fmt(_shape(A))} and {_fmt(_shape(B))} {where}")
        return sp.HadamardProduct(A, B) if _is_mat(A) else A * B

    def _call_vec(self, M, where):
        return Vec(M) if _is_mat(M) else M

    def _call_diag(self, v, where):
        if not _is_mat(v):
            return v
        if v.shape[1] == 1:
            return Diag(v)
        if v.shape[0] == 1:
            return Diag(sp.Transpose(v))
        raise ShapeError(f"diag takes a vector, got a {_fmt(v.shape)} matrix {where}")

    def _call_sum(self, M, where):
        if not _is_mat(M):
            return M
        r, c = M.shape
        return sp.Trace(sp.MatMul(sp.OneMatrix(1, r), M, sp.OneMatrix(c, 1)))   # 1ᵀ A 1

    def _call_eye(self, n, where):
        """I_n; eye(1) is the scalar 1.  At concrete sizes (no dimension names declared) n must be an integer."""
        if isinstance(n, str) and not self.dimension_names or isinstance(n, int) and n < 1:
            raise ShapeError(f"eye needs a positive integer size at concrete sizes, got '{n}' {where}")
        if isinstance(n, int) and n > MAX_DIM:
            raise ShapeError(f"eye({n}): size {n} exceeds the limit of {MAX_DIM} {where}")
        return sp.S.One if n == 1 else sp.Identity(dimension(n))


def _times(a, b):
    if _is_mat(a) or _is_mat(b):
        return sp.MatMul(a, b)
    return a * b


def build_matrix_expr(text: str, shapes: dict, variable: str | None = None):
    """Build ``text`` as a size-free expression; returns (expr, variables: name → MatrixSymbol)."""
    builder = MatrixExprBuilder(shapes, variable=variable)
    return evaluate(text, builder), builder.variables


def build_occurrences(text: str, shapes: dict, name: str):
    """``text`` with every occurrence of ``name`` its own symbol; returns (expr, copies in text order)."""
    builder = MatrixExprBuilder(shapes, separate=name)
    return evaluate(text, builder), builder.copies


__all__ = ["MatrixExprBuilder", "build_matrix_expr", "build_occurrences", "dimension"]
