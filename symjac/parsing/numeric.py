"""The one NumPy interpreter of the node set: answers, closed forms and proofs are evaluated here.

``Evaluator(sizes, values, indices=None, strict=False)`` walks a tree node by
node — no ``lambdify`` of the tree, no generated code — so a student's answer
is instantiated at any size and point without ever becoming Python source.

Values: every matrix sub-expression is an array (..., rows, cols) with an
optional leading batch axis; every scalar one an array (..., 1, 1).  ``values``
maps each MatrixSymbol / scalar Symbol name to an array of its shape (p×q;
(p,) or a float also accepted), optionally batched; ``sizes`` maps dimension
names to integers; ``indices`` gives index symbols (of sums, generic entries)
their 1-based values.  Entry symbols (``A_{12}``, ``x_3``) read the entry of
their variable.

As written on paper: a 1×1 factor of a product acts as a scalar; ``I`` and
``\\mathbf 1`` written without a size take it from their context (a sum, a
product, a Kronecker factor of known result shape).  Scalar functions apply
entry by entry (an elementwise function's Lambda body is evaluated with its
variable bound to the whole matrix).

``strict=True`` (the proofs) raises :class:`InvalidInstance` when the point is
outside the formula's domain: an inverse or determinant of an ill-conditioned
matrix (condition number > ``COND_LIMIT``) or a non-finite value, so that a
proof draws another instance instead of calling a correct formula wrong.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy.core.relational import Relational
from sympy.core.sympify import _sympify
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac import elementwise as registry
from symjac.conventions import permutation_to
from symjac.elementwise import function_name, function_params
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.parsing.nodes import (
    Adjugate, CommutationMatrix, Diag, DiagEmbedding, ElementwiseApplyFunction, ElementwiseDerivative, Norm,
    SingleEntry, UnitVector, Unvec, Vec,
)
from symjac.symbols import parse_entry_name

COND_LIMIT = 1e8
MAX_SUM_TERMS = 4096


class InvalidInstance(SymjacError):
    """The sizes or values are outside the formula's domain (singular inverse, log of a non-positive …)."""


class _Unsized(SymjacError):
    """A size that the evaluation does not know (``I`` written without one)."""


# --- sizes decided by the context: I and 1 written without a size ------------------------

class _EyeAny:
    """c·I with the size of I decided by the context."""

    def __init__(self, c=1.0):
        self.c = c


class _OnesAny:
    """c·1 (a column of ones, or its transpose when ``row``) whose length the context decides:
    1ᵀx sums x, A1 sums the rows of A."""

    def __init__(self, row=False, c=1.0):
        self.row, self.c = row, c

    def sized(self, n):
        return self.c * (np.ones((1, n)) if self.row else np.ones((n, 1)))


_PLACEHOLDERS = (_EyeAny, _OnesAny)


def _fmt(a) -> str:
    return f"{a.shape[-2]}x{a.shape[-1]}"


def _s(x) -> np.ndarray:
    """A number as a (1, 1) array."""
    return np.full((1, 1), float(x))


def _is_scalar(v) -> bool:
    return isinstance(v, np.ndarray) and v.shape[-2:] == (1, 1)


def _first(v) -> float:
    """The one value of an unbatched scalar (an index, a size, a parameter)."""
    return float(np.ravel(v)[0])


def _as_arr(v, like_shape=None):
    """``v`` as an array; an unsized I or 1 takes its size from ``like_shape`` (rows, cols)."""
    if isinstance(v, _OnesAny):
        if like_shape is None or like_shape[0 if v.row else 1] != 1:
            raise ShapeError("cannot tell the length of the ones vector here; write \\mathbf{1}_n with its size")
        return v.sized(like_shape[1 if v.row else 0])
    if isinstance(v, _EyeAny):
        if like_shape is None or like_shape[0] != like_shape[1]:
            raise ShapeError("cannot tell the size of I here; write I_n with its size")
        return v.c * np.eye(like_shape[0])
    return v


def _mul(a, b):
    """a·b as written: the matrix product, a 1×1 factor acting as a scalar, unsized I and 1 sized here."""
    if isinstance(a, _OnesAny) or isinstance(b, _OnesAny):
        if isinstance(a, _OnesAny) and a.row and isinstance(b, np.ndarray) and not _is_scalar(b):
            return a.sized(b.shape[-2]) @ b
        if isinstance(b, _OnesAny) and not b.row and isinstance(a, np.ndarray) and not _is_scalar(a):
            return a @ b.sized(a.shape[-1])
        if isinstance(a, _OnesAny) and _is_scalar(b):
            return _OnesAny(a.row, a.c * b)
        if isinstance(b, _OnesAny) and _is_scalar(a):
            return _OnesAny(b.row, b.c * a)
        raise ShapeError("cannot tell the length of the ones vector here; write \\mathbf{1}_n with its size")
    if isinstance(a, _EyeAny) and isinstance(b, _EyeAny):
        return _EyeAny(a.c * b.c)
    if isinstance(a, _EyeAny) or isinstance(b, _EyeAny):
        e, o = (a, b) if isinstance(a, _EyeAny) else (b, a)
        return _EyeAny(e.c * o) if _is_scalar(o) else e.c * o
    if a.shape[-1] == b.shape[-2]:
        return a @ b
    if _is_scalar(a) or _is_scalar(b):
        return a * b
    raise ShapeError(f"cannot multiply a {_fmt(a)} matrix by a {_fmt(b)} matrix: "
                     f"inner sizes {a.shape[-1]} and {b.shape[-2]} differ")


def _add(vals):
    """A matrix sum; unsized I and 1 take the shape of the other terms, a 1×1 sum stays 1×1."""
    sized = [v for v in vals if isinstance(v, np.ndarray)]
    shapes = [v.shape[-2:] for v in sized if not _is_scalar(v)]
    if not shapes:
        if any(isinstance(v, _PLACEHOLDERS) for v in vals):
            if len(vals) == 1:
                return vals[0]
            if all(isinstance(v, _EyeAny) for v in vals):
                return _EyeAny(sum(v.c for v in vals))
            raise ShapeError("cannot add a scalar and I without a size")
        return sum(sized[1:], sized[0])
    shape = shapes[0]
    out = None
    for v in vals:
        if isinstance(v, _PLACEHOLDERS):
            if isinstance(v, _EyeAny) and shape[0] != shape[1]:
                raise ShapeError(f"cannot add I to a {shape[0]}x{shape[1]} matrix")
            v = _as_arr(v, shape)
        elif v.shape[-2:] != shape:
            if _is_scalar(v):
                raise ShapeError(f"cannot add a scalar and a {shape[0]}x{shape[1]} matrix")
            raise ShapeError(f"cannot add a {_fmt(v)} matrix and a {shape[0]}x{shape[1]} matrix")
        out = v if out is None else out + v
    return out


def _hadamard(a, b):
    """a ⊙ b; an unsized I or 1 takes the other operand's shape."""
    if isinstance(a, _PLACEHOLDERS):
        a = _as_arr(a, _as_arr(b).shape[-2:])
    if isinstance(b, _PLACEHOLDERS):
        b = _as_arr(b, a.shape[-2:])
    if a.shape[-2:] != b.shape[-2:]:
        raise ShapeError(f"the Hadamard product needs equal shapes, got {_fmt(a)} and {_fmt(b)}")
    return a * b


def _kron(a, b):
    r = np.einsum("...ij,...kl->...ikjl", a, b)
    return r.reshape(r.shape[:-4] + (a.shape[-2] * b.shape[-2], a.shape[-1] * b.shape[-1]))


def _size_kron(a, b, expected):
    """Size an unsized I in a Kronecker factor from the product's expected shape."""
    if expected is None:
        raise ShapeError("cannot tell the size of I in a Kronecker product; write I_n with its size")
    R, C = expected
    if isinstance(a, _EyeAny) and isinstance(b, _EyeAny):
        raise ShapeError("cannot tell the sizes of I ⊗ I; write I_n with its size")
    known = _as_arr(b if isinstance(a, _EyeAny) else a)
    r, c = known.shape[-2:]
    if R % r or C % c or R // r != C // c:
        raise ShapeError(f"cannot size I in a Kronecker product with a {r}x{c} factor to give {R}x{C}; write I_n")
    e = a if isinstance(a, _EyeAny) else b
    eye = e.c * np.eye(R // r)
    return (eye, known) if isinstance(a, _EyeAny) else (known, eye)


def _t(a):
    return np.swapaxes(a, -1, -2)


def _batched_power(B, k):
    out = np.broadcast_to(np.eye(B.shape[-1]), B.shape).copy()
    for _ in range(k):
        out = out @ B
    return out


def entry_index(symbol_name: str, ent, shape) -> tuple[int, int]:
    """The 0-based (row, col) that the entry name ``ent`` (``x_3``, ``A_12``, ``A_{1,10}``) denotes in a
    variable of ``shape``: a vector (or a 1×1 variable) reads the digits as one index, a matrix as two.
    The one rule for numeric evaluation and the checker's exact comparison."""
    rows, cols = int(shape[0]), int(shape[1])
    idx = (ent.vector_index,) if cols == 1 or (rows == 1 and len(ent.indices) == 1) else ent.indices
    if len(idx) == 2 and (idx[0] > rows or idx[1] > cols) or \
            len(idx) == 1 and (idx[0] is None or idx[0] > max(rows, cols)):
        raise ShapeError(f"entry {symbol_name} is outside {ent.name}'s shape {rows}x{cols}")
    if cols == 1 and ent.vector_index is not None:
        return ent.vector_index - 1, 0
    if rows == 1 and ent.vector_index is not None and cols > 1 and len(ent.indices) == 1:
        return 0, ent.vector_index - 1
    if len(ent.indices) != 2:
        raise SymjacError(f"{symbol_name} is not an entry of a matrix")
    return ent.indices[0] - 1, ent.indices[1] - 1


# DiracDelta is zero almost everywhere (Heaviside′ off its jump); NumPy has no such function.
_SCALAR_FUNCTIONS = {sp.DiracDelta: lambda x, *k: np.zeros_like(x)}


def _numpy_function(func, nargs: int):
    """NumPy for any other SymPy function class (erf, sign, tan …: compiled from the class by SymPy's
    NumPy printer with the registry's namespace, once;
    never from text: the answer parsers only build registry functions)."""
    key = (func, nargs)
    if key not in _COMPILED:
        xs = sp.symbols(f"x0:{nargs}", real=True)
        try:
            _COMPILED[key] = sp.lambdify(xs, func(*xs), [registry.numpy_namespace(), "numpy"],
                                         printer=registry.numpy_printer())
        except Exception:  # noqa: BLE001 - the printer refuses what NumPy lacks
            raise UnsupportedError(f"cannot evaluate the function {getattr(func, '__name__', func)}") from None
    return _COMPILED[key]


_COMPILED: dict = {}


class Evaluator:
    """One evaluation: sizes, values, index values, strictness and a memo (see the module docstring)."""

    def __init__(self, sizes=None, values=None, indices=None, strict: bool = False, elementwise: bool = False):
        self.sizes = {(k.name if isinstance(k, sp.Symbol) else str(k)): int(v) for k, v in (sizes or {}).items()}
        self.values = {}
        for k, v in (values or {}).items():
            self.values[k.name if isinstance(k, sp.Basic) and hasattr(k, "name") else str(k)] = np.asarray(v, dtype=float)
        self.indices = dict(indices or {})
        self.strict = strict
        self.elementwise = elementwise     # inside an elementwise function's body: no shape policing
        self.bindings: dict = {}           # an elementwise function's variable → the whole matrix
        self.memo: dict = {}

    def child(self, indices=None, bindings=None, strict=None) -> "Evaluator":
        """The same sizes and values with more index values / bound variables (a fresh memo)."""
        c = Evaluator.__new__(Evaluator)
        c.sizes, c.values = self.sizes, self.values
        c.strict = self.strict if strict is None else strict
        c.indices = {**self.indices, **(indices or {})}
        c.elementwise = self.elementwise or bool(bindings)
        c.bindings = {**self.bindings, **(bindings or {})}
        c.memo = {}
        return c

    # -- sizes, leaves, checks --
    def dim(self, d) -> int:
        if isinstance(d, (int, np.integer)):
            return int(d)
        d = _sympify(d)      # strict: numbers and SymPy objects, never text
        if d.is_Integer:
            return int(d)
        missing = [s for s in d.free_symbols if s.name not in self.sizes]
        if missing:
            raise _Unsized(f"size {d} is not known: no size given for dimension {missing[0].name}")
        v = d.xreplace({s: sp.Integer(self.sizes[s.name]) for s in d.free_symbols})
        if not v.is_Integer:
            raise _Unsized(f"size {d} did not evaluate to an integer")
        return int(v)

    def check(self, a, e):
        """``a``, the value of ``e``; in strict mode a non-finite value is an invalid instance."""
        if self.strict and not np.all(np.isfinite(a)):
            raise InvalidInstance(f"{e} is not finite at this point")
        return a

    def _inv(self, a, e, role="inverted"):
        """The inverse of ``a``, the value of the matrix ``e``; strict: ill-conditioned is invalid."""
        if a.shape[-2] != a.shape[-1]:
            raise ShapeError(f"cannot invert a {_fmt(a)} matrix")
        if self.strict and np.any(np.linalg.cond(a) > COND_LIMIT):
            what = f"the inverted matrix {e}" if role == "inverted" else f"the matrix {e} {role}"
            raise InvalidInstance(f"{what} is singular or ill-conditioned at this point")
        return np.linalg.inv(a)

    def _leaf(self, X):
        if X.name not in self.values:
            raise SymjacError(f"no value given for {X.name}")
        a = self.values[X.name]
        try:
            r, c = self.dim(X.shape[0]), self.dim(X.shape[1])
        except _Unsized:
            return a if a.ndim >= 2 else a.reshape(a.shape + (1,) * (2 - a.ndim))
        if a.shape[-2:] == (r, c):
            return a
        if c == 1 and a.shape[-1:] == (r,):
            return a[..., None]
        if (r, c) == (1, 1) and (a.ndim == 0 or a.shape[-1:] != (1,)):
            return a[..., None, None]
        raise ShapeError(f"value of {X.name} has shape {a.shape}, expected {r}x{c}")

    def _symbol(self, s):
        if s in self.bindings:
            return self.bindings[s]
        if s in self.indices:
            return _s(self.indices[s])
        if s.name in self.values:
            a = self.values[s.name]
            if a.ndim >= 2 and a.shape[-2:] == (1, 1):
                return a
            if a.ndim <= 1:                            # a float, or one per batch point
                return a.reshape(a.shape + (1, 1))
        ent = parse_entry_name(s.name)
        if ent is not None and ent.name in self.values:
            arr = self.values[ent.name]
            r, c = entry_index(s.name, ent, arr.shape[-2:] if arr.ndim >= 2 else (arr.shape[-1], 1))
            arr = arr if arr.ndim >= 2 else arr[..., None]
            return arr[..., r:r + 1, c:c + 1]
        if s.name in self.sizes:
            return _s(self.sizes[s.name])
        raise SymjacError(f"no value for symbol {s.name}")

    # -- dispatch --
    def value(self, e, expected=None):
        """``e`` as an array (..., rows, cols) (scalars (..., 1, 1)); ``expected`` sizes a bare ``I``."""
        with np.errstate(all="ignore"):
            return self._value(e, expected)

    def mat(self, e):
        return self.value(e)

    def scal(self, e):
        """A scalar sub-expression as an array (..., 1, 1)."""
        with np.errstate(all="ignore"):
            return self._scal(e)

    def _value(self, e, expected=None):
        v = self._memo(e, expected)
        if isinstance(v, _PLACEHOLDERS):
            v = _as_arr(v, expected)
        return v

    def _scal(self, e):
        v = self._value(e)
        if not self.elementwise and v.shape[-2:] != (1, 1):
            raise ShapeError(f"a {_fmt(v)} matrix where a scalar is needed")
        return v

    def _memo(self, e, expected=None):
        key = (e, expected)
        try:
            return self.memo[key]
        except KeyError:
            pass
        except TypeError:  # pragma: no cover - unhashable
            return self._node(e, expected)
        v = self.memo[key] = self._node(e, expected)
        return v

    def _node(self, e, expected):
        if isinstance(e, (int, float)) or getattr(e, "is_Number", False) or isinstance(e, sp.NumberSymbol):
            return _s(float(e))
        handler = _HANDLERS.get(type(e))
        if handler is None:
            for cls in type(e).__mro__[1:]:
                if cls in _HANDLERS:
                    handler = _HANDLERS[cls]
                    break
        if handler is not None:
            return handler(self, e, expected)
        if isinstance(e, sp.Function):
            return self._function(e)
        if hasattr(e, "definition"):
            return self._memo(e.definition(), expected)
        if hasattr(e, "numeric"):                      # structured objects (duplication matrices …)
            return e.numeric(self)
        raise UnsupportedError(f"cannot evaluate {type(e).__name__}")

    def _function(self, e):
        d = registry.of(e)
        args = [self._scal(a) for a in e.args]
        if d is not None:
            out = d.numpy(args[0], *[_first(p) for p in args[1:]])
        elif e.func in _SCALAR_FUNCTIONS:
            out = _SCALAR_FUNCTIONS[e.func](*args)
        else:
            out = _numpy_function(e.func, len(args))(*args)
        return self.check(np.asarray(out, dtype=float), e)

    # -- node handlers (one per class; see _HANDLERS) --
    def _explicit(self, e, expected):
        entries = [[self._scal(e[i, j]) for j in range(e.cols)] for i in range(e.rows)]
        flat = np.broadcast_arrays(*[v for row in entries for v in row]) if e.rows * e.cols else []
        if not len(flat):
            return np.zeros((e.rows, e.cols))
        it = iter(flat)
        return np.block([[next(it) for _ in range(e.cols)] for _ in range(e.rows)])

    def _matrix_symbol(self, e, expected):
        return self._leaf(e)

    def _indexed(self, e, expected):
        name = e.base.label.name
        idx = [int(_first(self._scal(i))) for i in e.indices]
        if name not in self.values:
            raise SymjacError(f"no value for symbol {name}")
        arr = self.values[name]
        arr = arr if arr.ndim >= 2 else arr.reshape(-1, 1)
        R, C = arr.shape[-2:]
        if any(k < 1 for k in idx) or (len(idx) == 2 and (idx[0] > R or idx[1] > C)) or \
                (len(idx) == 1 and idx[0] > max(R, C)):
            written = ",".join(str(i) for i in e.indices)
            at = ", ".join(f"{i} = {v}" for i, v in zip(e.indices, idx) if not i.is_Integer)
            raise ShapeError(f"{name}_{{{written}}} is outside {name}'s shape {R}×{C}" + (f" (at {at})" if at else ""))
        if len(idx) == 1:
            r, c = (idx[0] - 1, 0) if C == 1 else (0, idx[0] - 1)
        else:
            r, c = idx[0] - 1, idx[1] - 1
        return arr[..., r:r + 1, c:c + 1]

    def _sum(self, e, expected):
        """Σ over each of the sum's indices (SymPy lists the innermost first): a bound index takes each
        value in a child evaluation (a fresh memo), so it never leaks into the free ones."""
        limits = e.limits

        def over(k, indices):
            if k < 0:
                return self.child(indices).scal(e.function)
            sym, lo, hi = limits[k]
            a, b = int(_first(self._scal(lo))), int(_first(self._scal(hi)))
            if b - a + 1 > MAX_SUM_TERMS:
                raise SymjacError(f"a sum of {b - a + 1} terms is more than {MAX_SUM_TERMS}")
            return sum((over(k - 1, {**indices, sym: v}) for v in range(a, b + 1)), _s(0))

        return over(len(limits) - 1, {})

    def _delta(self, e, expected):
        a, b = (self._scal(x) for x in e.args)
        return (a == b).astype(float)

    def _piecewise(self, e, expected):
        """The chosen branch; with conditions that differ across entries or points, every branch is
        computed (not strictly: a branch's value where it is not chosen does not count) and picked."""
        out, done, branches = None, None, None
        for val, cond in e.args:
            c = self._cond(cond)
            if isinstance(c, bool):
                if not c:
                    continue
                v = self._memo(val, expected) if out is None else branches._value(val, expected)
                return v if out is None else self.check(np.where(done, out, _as_arr(v, expected)), e)
            branches = branches or self.child(strict=False)
            v = branches._value(val, expected)
            if out is None:
                out, done = np.where(c, v, np.nan), c
            else:
                out, done = np.where(done, out, np.where(c, v, out)), done | c
        return _s(0) if out is None else self.check(np.where(done, out, 0.0), e)

    def _cond(self, c):
        """A condition: True/False when it does not depend on the values, else a boolean array."""
        if c is sp.true or c is True:
            return True
        if c is sp.false or c is False:
            return False
        if isinstance(c, (sp.And, sp.Or)):
            parts = [self._cond(a) for a in c.args]
            if all(isinstance(p, bool) for p in parts):
                return all(parts) if isinstance(c, sp.And) else any(parts)
            parts = [np.asarray(p) for p in parts]
            out = parts[0]
            for p in parts[1:]:
                out = (out & p) if isinstance(c, sp.And) else (out | p)
            return out
        if isinstance(c, sp.Not):
            inner = self._cond(c.args[0])
            return (not inner) if isinstance(inner, bool) else ~inner
        if isinstance(c, Relational):
            a, b = (self._scal(x) for x in c.args)
            op = {sp.Eq: np.equal, sp.Ne: np.not_equal, sp.StrictGreaterThan: np.greater,
                  sp.GreaterThan: np.greater_equal, sp.StrictLessThan: np.less, sp.LessThan: np.less_equal}[type(c)]
            out = op(a, b)
            return bool(np.ravel(out)[0]) if out.size == 1 else out
        raise UnsupportedError(f"cannot evaluate condition {type(c).__name__}")

    def _identity(self, e, expected):
        try:
            return np.eye(self.dim(e.args[0]))
        except _Unsized:
            return _EyeAny()

    def _zero(self, e, expected):
        return np.zeros((self.dim(e.shape[0]), self.dim(e.shape[1])))

    def _ones(self, e, expected):
        try:
            return np.ones((self.dim(e.shape[0]), self.dim(e.shape[1])))
        except _Unsized:
            return _OnesAny()

    def _block(self, e, expected):
        rows = [[_as_arr(self._memo(b)) for b in row] for row in e.blocks.tolist()]
        batch = np.broadcast_shapes(*[b.shape[:-2] for row in rows for b in row])
        return np.block([[np.broadcast_to(b, batch + b.shape[-2:]) for b in row] for row in rows])

    def _add(self, e, expected):
        if isinstance(e, sp.Add) and (self.elementwise or not any(getattr(a, "is_Matrix", False) for a in e.args)):
            vals = [self._scal(a) for a in e.args]
            return sum(vals[1:], vals[0])
        return _add([self._memo(a, expected) for a in e.args])

    def _mul(self, e, expected):
        if isinstance(e, sp.Mul) and (self.elementwise or not any(getattr(a, "is_Matrix", False) for a in e.args)):
            out = self._scal(e.args[0])
            for a in e.args[1:]:
                out = out * self._scal(a)
            return out
        acc = None
        lone = sum(1 for a in e.args if not a.is_Number) == 1
        for a in e.args:
            v = self._memo(a, expected if lone and not a.is_Number else None)
            acc = v if acc is None else _mul(acc, v)
        return acc

    def _pow(self, e, expected):
        b, x = self._value(e.args[0]), self._scal(e.args[1])
        if not self.elementwise and not _is_scalar(b):
            raise ShapeError(f"cannot raise a {_fmt(b)} matrix to a power elementwise")
        k = e.args[1]
        if k.is_Rational and not k.is_Integer and k.q % 2:      # an odd root: the real root of b < 0
            return self.check(np.sign(b) ** k.p * np.abs(b) ** float(k), e)
        return self.check(np.power(b, x), e)                      # even roots of b < 0: NaN

    def _transpose(self, e, expected):
        v = self._memo(e.args[0], None if expected is None else (expected[1], expected[0]))
        if isinstance(v, _OnesAny):
            return _OnesAny(not v.row, v.c)
        return v if isinstance(v, _EyeAny) else _t(v)

    def _inverse(self, e, expected):
        v = self._memo(e.args[0])
        if isinstance(v, _EyeAny):
            return _EyeAny(1.0 / v.c)
        return self.check(self._inv(_as_arr(v), e.args[0]), e)

    def _matpow(self, e, expected):
        base, k = e.args
        B = _as_arr(self._memo(base))
        kv = self._scal(k)
        if B.shape[-2:] == (1, 1):
            return self.check(np.power(B, kv), e)
        kf = _first(kv)
        if kv.size != 1 or kf != int(kf) or abs(kf) > 64:
            raise ShapeError(f"cannot take the power {k} of a {_fmt(B)} matrix")
        if B.shape[-1] != B.shape[-2]:
            raise ShapeError(f"cannot take a power of a {_fmt(B)} matrix")
        k = int(kf)
        if k < 0:
            B, k = self._inv(B, base), -k
        return np.linalg.matrix_power(B, k) if B.ndim == 2 else _batched_power(B, k)

    def _trace(self, e, expected):
        A = _as_arr(self._memo(e.args[0]))
        if A.shape[-1] != A.shape[-2]:
            raise ShapeError(f"the trace needs a square matrix, got {_fmt(A)}")
        return np.trace(A, axis1=-2, axis2=-1)[..., None, None]

    def _det(self, e, expected):
        A = _as_arr(self._memo(e.args[0]))
        if A.shape[-1] != A.shape[-2]:
            raise ShapeError(f"the determinant needs a square matrix, got {_fmt(A)}")
        if self.strict:
            self._inv(A, e.args[0], "under det")
        return np.linalg.det(A)[..., None, None]

    def _norm(self, e, expected):
        A = self._value(e.args[0])
        return np.sqrt(np.sum(A * A, axis=(-2, -1)))[..., None, None]

    def _matrix_element(self, e, expected):
        A = self._value(e.parent)
        i, j = int(_first(self._scal(e.i))), int(_first(self._scal(e.j)))
        if not (0 <= i < A.shape[-2] and 0 <= j < A.shape[-1]):
            raise ShapeError(f"entry [{i}, {j}] outside a {_fmt(A)} matrix")
        return A[..., i:i + 1, j:j + 1]

    def _kron(self, e, expected):   # SymPy's KroneckerProduct (any number of factors), as written
        acc = self._memo(e.args[0])
        for i, x in enumerate(e.args[1:], 1):
            b = self._memo(x)
            if isinstance(acc, _EyeAny) or isinstance(b, _EyeAny):
                acc, b = _size_kron(acc, b, expected if i == len(e.args) - 1 else None)
            acc = _kron(_as_arr(acc), _as_arr(b))
        return acc

    def _hadamard(self, e, expected):   # SymPy's HadamardProduct (any number of factors), as written
        acc = self._memo(e.args[0], expected)
        for x in e.args[1:]:
            acc = _hadamard(acc, self._memo(x, expected))
        return acc

    def _hadamard_power(self, e, expected):
        return self.check(np.power(self._value(e.base), self._scal(e.exp)), e)

    def _commutation(self, e, expected):
        m, n = self.dim(e.args[0]), self.dim(e.args[1])
        return np.eye(m * n)[permutation_to((m, n), "col", "row")]      # = conventions.commutation_matrix

    def _single_entry(self, e, expected):
        i, j = (int(_first(self._scal(x))) for x in e.args[:2])
        m, n = (self.dim(x) for x in e.args[2:])
        if not (1 <= i <= m and 1 <= j <= n):
            raise ShapeError("a single-entry matrix's indices are outside its shape")
        out = np.zeros((m, n))
        out[i - 1, j - 1] = 1.0
        return out

    def _unit_vector(self, e, expected):
        n, i = self.dim(e.shape[0]), int(_first(self._scal(e.index)))
        v = np.zeros((n, 1))
        v[i, 0] = 1.0
        return v

    def _diag_embedding(self, e, expected):
        n = self.dim(e.args[0])
        P = np.zeros((n * n, n))
        P[np.arange(n) * (n + 1), np.arange(n)] = 1.0
        return P

    def _vec(self, e, expected):
        a = _as_arr(self._memo(e.args[0]))
        return _t(a).reshape(a.shape[:-2] + (a.shape[-2] * a.shape[-1], 1))

    def _unvec(self, e, expected):
        v, m, n = self._value(e.args[0]), self.dim(e.args[1]), self.dim(e.args[2])
        return _t(v.reshape(v.shape[:-2] + (n, m)))

    def _diag(self, e, expected):
        v = _as_arr(self._memo(e.args[0]))
        if 1 not in v.shape[-2:]:
            raise ShapeError(f"diag takes a vector, got a {_fmt(v)} matrix")
        v = v[..., :, 0] if v.shape[-1] == 1 else v[..., 0, :]
        return v[..., :, None] * np.eye(v.shape[-1])

    def _diagonal_of(self, e, expected):
        return np.diagonal(self._value(e.arg), axis1=-2, axis2=-1)[..., :, None]

    def _adjugate(self, e, expected):
        v = _as_arr(self._memo(e.args[0]))
        n = v.shape[-1]
        if n != v.shape[-2]:
            raise ShapeError(f"adj needs a square matrix, got {_fmt(v)}")
        if n == 1:
            return np.ones_like(v)
        out = np.empty_like(v)        # cofactors: defined for singular matrices too (adj(xxᵀ) = 0)
        for i in range(n):
            for j in range(n):
                minor = np.delete(np.delete(v, i, axis=-2), j, axis=-1)
                out[..., j, i] = (-1) ** (i + j) * np.linalg.det(minor)
        return out

    def _elementwise(self, e, expected):
        lam, arg = e.args
        derivative = isinstance(e, ElementwiseDerivative)
        A = _as_arr(self._memo(arg), expected)
        f = function_name(lam)
        d = registry.of(f) if f is not None else None
        if d is not None:                              # a registry function: its own NumPy
            params = [float(p) for p in function_params(lam)]
            out = (d.numpy_derivative if derivative else d.numpy)(A, *params)
        else:                                          # any other one-argument Lambda: its body entry by entry
            lam = e.derivative_lambda() if derivative else lam
            out = self.child(bindings={lam.variables[0]: A}).value(lam.expr)
        out = np.asarray(out, dtype=float)
        return self.check(np.broadcast_to(out, A.shape) + 0.0 if out.shape != A.shape else out, e)

    def _max(self, e, expected):
        vals = [self._scal(a) for a in e.args]
        f = np.maximum if isinstance(e, sp.Max) else np.minimum
        out = vals[0]
        for v in vals[1:]:
            out = f(out, v)
        return out

    def _heaviside(self, e, expected):
        z = self._scal(e.args[0])
        at0 = _first(self._scal(e.args[1])) if len(e.args) > 1 else 0.5
        return np.where(z > 0, 1.0, np.where(z < 0, 0.0, at0))

    def _factorial(self, e, expected):
        return np.vectorize(lambda v: float(math.factorial(int(v))), otypes=[float])(self._scal(e.args[0]))

    def _derivative(self, e, expected):  # pragma: no cover - refused by the parsers
        raise UnsupportedError("derivatives cannot be evaluated")


_HANDLERS = {
    sp.MatrixBase: Evaluator._explicit,
    sp.MatrixSymbol: Evaluator._matrix_symbol, sp.Symbol: lambda self, e, x: self._symbol(e),
    sp.Indexed: Evaluator._indexed, sp.Sum: Evaluator._sum, sp.KroneckerDelta: Evaluator._delta,
    sp.Piecewise: Evaluator._piecewise,
    sp.Identity: Evaluator._identity, sp.ZeroMatrix: Evaluator._zero, sp.OneMatrix: Evaluator._ones,
    sp.BlockMatrix: Evaluator._block,
    sp.Add: Evaluator._add, sp.MatAdd: Evaluator._add, sp.Mul: Evaluator._mul, sp.MatMul: Evaluator._mul,
    sp.Pow: Evaluator._pow,
    sp.Transpose: Evaluator._transpose, sp.Inverse: Evaluator._inverse, sp.MatPow: Evaluator._matpow,
    sp.Trace: Evaluator._trace, sp.Determinant: Evaluator._det, Norm: Evaluator._norm,
    MatrixElement: Evaluator._matrix_element,
    sp.KroneckerProduct: Evaluator._kron, sp.HadamardProduct: Evaluator._hadamard,
    HadamardPower: Evaluator._hadamard_power,
    CommutationMatrix: Evaluator._commutation, SingleEntry: Evaluator._single_entry,
    UnitVector: Evaluator._unit_vector, DiagEmbedding: Evaluator._diag_embedding,
    Vec: Evaluator._vec, Unvec: Evaluator._unvec, Diag: Evaluator._diag, DiagMatrix: Evaluator._diag,
    DiagonalOf: Evaluator._diagonal_of, Adjugate: Evaluator._adjugate,
    ElementwiseApplyFunction: Evaluator._elementwise, ElementwiseDerivative: Evaluator._elementwise,
    sp.Max: Evaluator._max, sp.Min: Evaluator._max,
    sp.Heaviside: Evaluator._heaviside, sp.factorial: Evaluator._factorial,
    sp.Derivative: Evaluator._derivative,
}


def evaluate(expr, sizes=None, values=None, strict: bool = False, expected_shape=None) -> np.ndarray:
    """``expr`` at integer ``sizes`` and NumPy ``values``: an array (..., rows, cols) (scalars (..., 1, 1))."""
    return _as_arr(Evaluator(sizes, values, strict=strict).value(expr, expected_shape), expected_shape)


__all__ = ["Evaluator", "evaluate", "entry_index", "InvalidInstance", "COND_LIMIT", "MAX_SUM_TERMS"]
