"""The matrix-expression nodes SymPy lacks: the one node set of both front ends and the closed-form engine.

One class per construct: the LaTeX parser and the text builder
(:mod:`symjac.parsing.matrixexpr`) build them, the closed-form engine
differentiates them, :mod:`symjac.parsing.numeric` evaluates them with NumPy
and :mod:`symjac.parsing.instantiate` as explicit SymPy matrices.
Sizes may be dimension symbols; ``as_explicit()`` works once they are
integers.  Nothing here simplifies on construction.

* ``CommutationMatrix(m, n)`` (alias ``Commutation``): (mn)×(mn), K vec A = vec Aᵀ for A m×n;
  its entries are those of :func:`symjac.conventions.commutation_matrix` (the one definition).
* ``Vec(A)``: A m×n → (mn)×1, columns stacked (Magnus & Neudecker).
* ``Unvec(v, m, n)``: (mn)×1 → m×n, the inverse of ``Vec``.
* ``Diag(v)``: a vector (n×1, or 1×n) → the n×n diagonal matrix diag(v).
* ``Norm(A)`` / ``Norm(A, Str('2'|'F'))``: ‖A‖, the 2-norm of a vector or the Frobenius norm of
  a matrix (a scalar); the optional second argument records how a LaTeX answer wrote it.
* ``Kron`` / ``Hadamard``: SymPy's ``KroneckerProduct`` / ``HadamardProduct`` (the classes the
  closed-form engine builds); the parser makes them with :func:`kron` / :func:`hadamard`, exactly as
  written (never evaluated, I ⊗ I not collapsed, shapes checked when evaluated).
* ``DiagEmbedding(n)``: Ψ_n, n²×n with vec diag(v) = Ψ_n v; ``UnitVector(i, n)``: e_i.
* f applied elementwise: SymPy's ``ElementwiseApplyFunction`` over a one-argument ``Lambda``
  (:func:`elementwise`, :func:`elementwise_node` for a registry function), and
  ``ElementwiseDerivative(f, A)``: f′ applied to every entry — from LaTeX, text and rules alike.
* ``Adjugate(A)``: adj(A), the inert form a LaTeX answer is read into (``doit`` keeps it).
"""
from __future__ import annotations

import sympy as sp
from sympy.core.symbol import Str
from sympy.core.sympify import SympifyError
from sympy.core.sympify import _sympify as _strict_sympify
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from symjac.conventions import commutation_matrix, flat_index
from symjac.errors import ShapeError, SymjacError, UnsupportedError


def as_expr(value, what: str = "the expression"):
    """``value`` as a SymPy object, strictly: SymPy objects and numbers only, never text.

    Strings are refused (SymPy's ``sympify`` would evaluate them as Python):
    text goes through :func:`symjac.calculus.closedform.closed_form_from_text`, which
    parses the safe expression syntax.
    """
    if isinstance(value, (str, bytes)):
        raise SymjacError(f"{what} must be a SymPy expression, not text; "
                          "parse text with closed_form_from_text")
    try:
        return _strict_sympify(value)
    except SympifyError:
        raise SymjacError(f"{what} must be a SymPy expression or a number, got {type(value).__name__}") from None


def dims(v) -> tuple:
    """(rows, cols) of a node's operand; a scalar (an entry such as A_{11}) is 1×1."""
    if isinstance(v, (sp.MatrixBase, MatrixExpr)):
        return tuple(v.shape)
    return (sp.S.One, sp.S.One)


def dimension_value(d, sizes) -> int:
    """The integer value of the size expression ``d`` (``m``, ``m*n``, ``3``) given ``sizes``: name → int."""
    d = as_expr(d)
    repl = {}
    for s in d.free_symbols:
        if s.name not in sizes:
            raise SymjacError(f"no size given for dimension {s.name}")
        repl[s] = sp.Integer(sizes[s.name])
    v = d.xreplace(repl) if repl else d
    if not v.is_Integer:
        raise SymjacError(f"size {d} did not evaluate to an integer")
    return int(v)


def _int(d, what="size"):
    if not (d.is_Integer and d > 0):
        raise UnsupportedError(f"{what} {d} is symbolic: instantiate it at integer sizes first")
    return int(d)


class CommutationMatrix(sp.MatrixExpr):
    """K_{m,n}: the (mn)×(mn) permutation with K_{m,n} vec(A) = vec(Aᵀ) for A m×n."""

    is_commutative = False

    def __new__(cls, m, n):
        return sp.Basic.__new__(cls, as_expr(m), as_expr(n))

    m = property(lambda self: self.args[0])
    n = property(lambda self: self.args[1])

    @property
    def shape(self):
        return (self.m * self.n, self.m * self.n)

    def _entry(self, i, j, **kwargs):
        m, n = _int(self.m), _int(self.n)
        i, j = int(i), int(j)
        # row i is the row-first position of (r, c) = (i // n, i % n); its 1 sits at that entry's column-first position
        return sp.S.One if j == flat_index(i // n, i % n, (m, n), "col") else sp.S.Zero

    def as_explicit(self):
        return commutation_matrix(_int(self.m), _int(self.n))

    def _eval_transpose(self):
        return CommutationMatrix(self.n, self.m)

    def _eval_inverse(self):
        return CommutationMatrix(self.n, self.m)


Commutation = CommutationMatrix


class SingleEntry(sp.MatrixExpr):
    """J^{ij} = E_{ij} (m×n): 1 at row i, column j (1-based, i and j may be index symbols), 0 elsewhere;
    e_i is SingleEntry(i, 1, m, 1) (Matrix Cookbook §9.7)."""

    is_commutative = False

    def __new__(cls, i, j, m, n):
        return sp.Basic.__new__(cls, as_expr(i), as_expr(j), as_expr(m), as_expr(n))

    @property
    def shape(self):
        return (self.args[2], self.args[3])

    def _entry(self, r, c, **kwargs):
        return sp.KroneckerDelta(r + 1, self.args[0]) * sp.KroneckerDelta(c + 1, self.args[1])

    def _eval_transpose(self):
        i, j, m, n = self.args
        return SingleEntry(j, i, n, m)


class Vec(sp.MatrixExpr):
    """vec A: the columns of A (m×n) stacked into an (mn)×1 column."""

    def __new__(cls, arg):
        arg = as_expr(arg)
        if not getattr(arg, "is_Matrix", False):
            raise ShapeError(f"vec needs a matrix, got the scalar {arg}")
        return sp.Basic.__new__(cls, arg)

    arg = property(lambda self: self.args[0])

    @property
    def shape(self):
        r, c = self.arg.shape
        return (r * c, sp.S.One)

    def _entry(self, i, j, **kwargs):
        r = self.arg.shape[0]
        return self.arg[i % r, i // r]


class Unvec(sp.MatrixExpr):
    """unvec_{m,n} v: an (mn)×1 column reshaped column-first into m×n (inverse of vec)."""

    def __new__(cls, arg, m, n):
        return sp.Basic.__new__(cls, as_expr(arg), as_expr(m), as_expr(n))

    arg = property(lambda self: self.args[0])

    @property
    def shape(self):
        return (self.args[1], self.args[2])

    def _entry(self, i, j, **kwargs):
        return self.arg[j * self.args[1] + i, 0]


class Diag(sp.MatrixExpr):
    """diag(v): the n×n diagonal matrix with the entries of the vector v (n×1, or 1×n) on its diagonal."""

    def __new__(cls, arg):
        arg = as_expr(arg)
        if not getattr(arg, "is_Matrix", False) or not (arg.shape[1] == 1 or arg.shape[0] == 1):
            raise ShapeError(f"diag takes a vector, got shape {getattr(arg, 'shape', '1x1')}")
        return sp.Basic.__new__(cls, arg)

    arg = property(lambda self: self.args[0])

    @property
    def column(self) -> bool:
        """True when the argument is a column (n×1)."""
        return self.arg.shape[1] == 1

    @property
    def shape(self):
        k = self.arg.shape[0] if self.column else self.arg.shape[1]
        return (k, k)

    def _entry(self, i, j, **kwargs):
        if i != j:
            return sp.S.Zero
        return self.arg[i, 0] if self.column else self.arg[0, i]

    def _eval_transpose(self):
        return self


class Norm(sp.Expr):
    """‖A‖: the Euclidean norm of a vector or the Frobenius norm of a matrix (a scalar ≥ 0).

    ``Norm(A, Str('2'|'F'))`` keeps how a LaTeX answer wrote it (``\\|A\\|_F``); the value is the same.
    """

    is_commutative = True
    is_real = True
    is_nonnegative = True

    def __new__(cls, arg, kind=None):
        arg = as_expr(arg)
        if not getattr(arg, "is_Matrix", False):
            raise ShapeError("norm takes a vector or a matrix")
        if kind is None:
            return sp.Expr.__new__(cls, arg)
        return sp.Expr.__new__(cls, arg, kind if isinstance(kind, sp.Basic) else Str(str(kind)))

    arg = property(lambda self: self.args[0])

    @property
    def kind(self) -> str:
        """'2' or 'F' as written in LaTeX; '2' when not written."""
        return str(self.args[1]) if len(self.args) > 1 else "2"

    def _eval_derivative(self, s):  # pragma: no cover - symjac differentiates by rules
        raise UnsupportedError("Norm is differentiated by symjac.calculus.closedform, not by Expr.diff")


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


class _Inert(MatrixExpr):
    """Base of the inert nodes of LaTeX answers (args are SymPy objects; ``doit`` keeps them)."""

    is_commutative = False

    def doit(self, **hints):  # never rewrite student trees
        return self


# Kronecker and Hadamard products: SymPy's own classes, the ones the closed-form engine builds.
Kron = sp.KroneckerProduct
Hadamard = sp.HadamardProduct


def _operand(v):
    """A product operand as a matrix: a scalar (an entry such as A_{11}) becomes a 1×1 matrix."""
    return v if isinstance(v, (sp.MatrixBase, MatrixExpr)) else sp.ImmutableMatrix([[v]])


def kron(a, b) -> sp.KroneckerProduct:
    """A ⊗ B ((ra·rb)×(ca·cb)) exactly as written: SymPy's KroneckerProduct, never evaluated or
    canonicalised (I ⊗ I stays a product; shapes are checked when the tree is evaluated)."""
    return sp.Basic.__new__(sp.KroneckerProduct, _operand(a), _operand(b))


def hadamard(a, b) -> sp.HadamardProduct:
    """A ⊙ B (also A ∘ B; the shape of A) exactly as written: SymPy's HadamardProduct, never
    evaluated; unequal shapes are reported when the tree is evaluated (with the shapes named)."""
    return sp.Basic.__new__(sp.HadamardProduct, _operand(a), _operand(b))


class Adjugate(_Inert):
    """adj(A) = det(A) A⁻¹ (the classical adjoint)."""

    @property
    def shape(self):
        return dims(self.args[0])


# f applied entry by entry, and its derivatives f′, f″: the two classes every front end builds.
ELEMENTWISE_NODES = (ElementwiseApplyFunction, ElementwiseDerivative)


def elementwise_node(declaration, A, order: int = 0, params=()):
    """f⁽ᵒʳᵈᵉʳ⁾ applied to every entry of A, f a registry declaration with its numeric ``params``
    (leaky ReLU's slope): ``elementwise`` for order 0, ``ElementwiseDerivative`` (nested) above."""
    lam = as_lambda(declaration.applied(*params))
    if not order:
        return elementwise(lam, A)
    for _ in range(order - 1):
        lam = ElementwiseDerivative(lam, A).derivative_lambda()
    return ElementwiseDerivative(lam, A)


__all__ = [
    "as_expr", "dims", "dimension_value",
    "CommutationMatrix", "Commutation", "SingleEntry", "Vec", "Unvec", "Diag", "Norm",
    "Kron", "Hadamard", "kron", "hadamard", "Adjugate",
    "DiagEmbedding", "UnitVector", "ElementwiseDerivative", "ElementwiseApplyFunction", "ELEMENTWISE_NODES",
    "as_lambda", "elementwise", "elementwise_node",
]
