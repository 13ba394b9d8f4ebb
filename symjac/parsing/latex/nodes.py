"""Matrix constructs of LaTeX answers that SymPy lacks or gets wrong, and a numeric evaluator.

The parser (:mod:`symjac.parsing.latex.parser`) builds SymPy trees from
``MatrixSymbol``, ``MatMul``, ``MatAdd``, ``Transpose``, ``Inverse``,
``MatPow``, ``Trace``, ``Determinant``, ``Identity`` and the small classes
of :mod:`symjac.parsing.nodes` (Kronecker and Hadamard products, commutation
matrices, ``diag``, ``vec``, ``adj``, elementwise functions, norms), the node
set shared with the closed-form engine.  Nothing simplifies or evaluates on
construction.

:func:`evaluate` computes such a tree with NumPy at concrete sizes by walking
it node by node — no ``lambdify``, no generated code — so an answer is
instantiated at any size and any point without ever becoming Python source.
Products follow the tree's order; a 1×1 factor acts as a scalar.  ``I``
written without a size takes its size from the context (a sum, a product, a
Kronecker factor with a known result shape).
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy.core.sympify import _sympify

from symjac.conventions import permutation_to
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac import elementwise as registry
# The one node set (shared with the closed-form engine); re-exported for the parser and the checker.
from symjac.parsing.nodes import (  # noqa: F401
    ELEMENTWISE_NODES, Adjugate, Commutation, CommutationMatrix, Diag, ElementwiseDerivative, Hadamard, Kron, Norm,
    SingleEntry, Vec,
)
from symjac.elementwise import function_name, function_params
from symjac.symbols import parse_entry_name


# --- numeric evaluation ---------------------------------------------------------

class _EyeAny:
    """c·I with the size of I decided by the context (``I`` written without a size)."""

    def __init__(self, c=1.0):
        self.c = c

    def __repr__(self):  # pragma: no cover
        return f"{self.c}*I"


EYE = _EyeAny()


class _OnesAny:
    """c·1 (a column of ones, or its transpose when ``row``) whose length the context decides
    (``\\mathbf{1}`` written without a size): 1ᵀx sums x, A1 sums the rows of A."""

    def __init__(self, row=False, c=1.0):
        self.row, self.c = row, c

    def sized(self, n):
        return self.c * (np.ones((1, n)) if self.row else np.ones((n, 1)))


class Env:
    """Values for one evaluation: dims → int, matrix name → array, plus index values."""

    def __init__(self, dims: dict, arrays: dict, indices: dict | None = None):
        self.dims = dims          # {Symbol: int}
        self.arrays = arrays      # {name: 2-D float array}
        self.indices = indices or {}  # {Symbol: int (1-based)}
        self.memo: dict = {}

    def dim(self, d) -> int:
        if isinstance(d, (int, np.integer)):
            return int(d)
        d = _sympify(d)  # strict: never text
        if d.is_Integer:
            return int(d)
        val = d.xreplace({k: sp.Integer(v) for k, v in self.dims.items()})
        if not val.is_Integer:
            raise _Unsized(f"size {d} is not known")
        return int(val)


class _Unsized(SymjacError):
    pass


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


def _fmt(a) -> str:
    return f"{a.shape[0]}x{a.shape[1]}"


def _sc(v):
    """A scalar (float) from a float or a 1×1 array."""
    if isinstance(v, np.ndarray):
        return v[0, 0]
    return v


def _as_arr(v, like_shape=None):
    if isinstance(v, _OnesAny):
        if like_shape is None or like_shape[0 if v.row else 1] != 1:
            raise ShapeError("cannot tell the length of the ones vector here; write \\mathbf{1}_n with its size")
        return v.sized(like_shape[1 if v.row else 0])
    if isinstance(v, _EyeAny):
        if like_shape is None or like_shape[0] != like_shape[1]:
            raise ShapeError("cannot tell the size of I here; write I_n with its size")
        return v.c * np.eye(like_shape[0])
    if isinstance(v, np.ndarray):
        return v
    return np.array([[v]], dtype=float)


def _mul(a, b):
    if isinstance(a, _OnesAny) or isinstance(b, _OnesAny):
        if isinstance(a, _OnesAny) and isinstance(b, np.ndarray) and a.row:
            return a.sized(b.shape[0]) @ b
        if isinstance(b, _OnesAny) and isinstance(a, np.ndarray) and not b.row:
            return a @ b.sized(a.shape[1])
        if isinstance(a, _OnesAny) and not isinstance(b, (np.ndarray, _OnesAny, _EyeAny)):
            return _OnesAny(a.row, a.c * b)
        if isinstance(b, _OnesAny) and not isinstance(a, (np.ndarray, _OnesAny, _EyeAny)):
            return _OnesAny(b.row, b.c * a)
        raise ShapeError("cannot tell the length of the ones vector here; write \\mathbf{1}_n with its size")
    if isinstance(a, _EyeAny) and isinstance(b, _EyeAny):
        return _EyeAny(a.c * b.c)
    if isinstance(a, _EyeAny) or isinstance(b, _EyeAny):
        e, o = (a, b) if isinstance(a, _EyeAny) else (b, a)
        if isinstance(o, np.ndarray) and o.shape != (1, 1):
            return e.c * o
        return _EyeAny(e.c * _sc(o))
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray):
        return a * b
    if a.shape[1] == b.shape[0]:
        return a @ b
    if a.shape == (1, 1):
        return a[0, 0] * b
    if b.shape == (1, 1):
        return a * b[0, 0]
    raise ShapeError(f"cannot multiply a {_fmt(a)} matrix by a {_fmt(b)} matrix: inner sizes {a.shape[1]} and {b.shape[0]} differ")


def _add(vals):
    shapes = [v.shape for v in vals if isinstance(v, np.ndarray) and v.shape != (1, 1)]
    if any(isinstance(v, _EyeAny) for v in vals) and not shapes:
        if len(vals) == 1:
            return vals[0]
        raise ShapeError("cannot add a scalar and I without a size")
    if not shapes:
        return sum(_sc(v) for v in vals)
    shape = shapes[0]
    out = np.zeros(shape)
    for v in vals:
        if isinstance(v, _OnesAny):
            out = out + _as_arr(v, shape)
        elif isinstance(v, _EyeAny):
            if shape[0] != shape[1]:
                raise ShapeError(f"cannot add I to a {shape[0]}x{shape[1]} matrix")
            out = out + v.c * np.eye(shape[0])
        elif isinstance(v, np.ndarray) and v.shape != (1, 1):
            if v.shape != shape:
                raise ShapeError(f"cannot add a {_fmt(v)} matrix and a {shape[0]}x{shape[1]} matrix")
            out = out + v
        else:
            raise ShapeError(f"cannot add a scalar and a {shape[0]}x{shape[1]} matrix")
    return out


def evaluate(expr, env: Env, expected_shape=None):
    """Evaluate a (validated) answer tree numerically: a float or a 2-D array.

    ``expected_shape`` lets a bare ``I`` take the size of the result.
    """
    v = _ev(expr, env, expected_shape)
    if isinstance(v, (_EyeAny, _OnesAny)):
        v = _as_arr(v, expected_shape)
    return v


def _ev(e, env: Env, expected=None):
    key = (e, expected)
    try:
        return env.memo[key]
    except (KeyError, TypeError):
        pass
    v = _ev_node(e, env, expected)
    try:
        env.memo[key] = v
    except TypeError:  # pragma: no cover
        pass
    return v


MAX_SUM_TERMS = 4096


def _ev_sum(e, env: Env, expected):
    """Σ over each of the sum's indices (SymPy lists the innermost first): a bound index takes each
    value in a fresh Env (the memo is per index assignment), so it never leaks into the free ones."""
    limits = e.limits

    def over(k, indices):
        if k < 0:
            return _sc(_ev(e.function, Env(env.dims, env.arrays, indices), None))
        sym, lo, hi = limits[k]
        a, b = env.dim(lo), env.dim(hi)
        if b - a + 1 > MAX_SUM_TERMS:
            raise SymjacError(f"a sum of {b - a + 1} terms is more than {MAX_SUM_TERMS}")
        return sum((over(k - 1, {**indices, sym: v}) for v in range(a, b + 1)), 0.0)

    return over(len(limits) - 1, dict(env.indices))


def _ev_node(e, env: Env, expected):
    if isinstance(e, sp.MatrixBase):
        rows, cols = e.shape
        out = np.empty((rows, cols))
        for i in range(rows):
            for j in range(cols):
                out[i, j] = _sc(_ev(e[i, j], env))
        return out
    if isinstance(e, (int, float)):
        return float(e)
    if e.is_Number:
        return float(e)
    if e is sp.E:
        return math.e
    if e is sp.pi:
        return math.pi
    if isinstance(e, sp.MatrixSymbol):
        try:
            return env.arrays[e.name]
        except KeyError:
            raise SymjacError(f"no value for symbol {e.name}") from None
    if isinstance(e, sp.Symbol):
        if e in env.indices:
            return float(env.indices[e])
        if e.name in env.arrays and env.arrays[e.name].shape == (1, 1):
            return env.arrays[e.name][0, 0]
        ent = parse_entry_name(e.name)
        if ent is None or ent.name not in env.arrays:
            raise SymjacError(f"no value for symbol {e.name}")
        arr = env.arrays[ent.name]
        return arr[entry_index(e.name, ent, arr.shape)]
    if isinstance(e, sp.Indexed):
        name = e.base.label.name
        idx = [int(_sc(_ev(i, env))) for i in e.indices]
        if name not in env.arrays:
            raise SymjacError(f"no value for symbol {name}")
        arr = env.arrays[name]
        if any(k < 1 for k in idx) or (len(idx) == 2 and (idx[0] > arr.shape[0] or idx[1] > arr.shape[1])) or \
                (len(idx) == 1 and idx[0] > max(arr.shape)):
            written = ",".join(str(i) for i in e.indices)
            at = ", ".join(f"{i} = {v}" for i, v in zip(e.indices, idx) if not i.is_Integer)
            raise ShapeError(f"{name}_{{{written}}} is outside {name}'s shape {arr.shape[0]}×{arr.shape[1]}"
                             + (f" (at {at})" if at else ""))
        if len(idx) == 1:
            return arr[idx[0] - 1, 0] if arr.shape[1] == 1 else arr[0, idx[0] - 1]
        return arr[idx[0] - 1, idx[1] - 1]
    if isinstance(e, sp.Sum):
        return _ev_sum(e, env, expected)
    if isinstance(e, sp.KroneckerDelta):
        a, b = (_sc(_ev(x, env)) for x in e.args)
        return 1.0 if a == b else 0.0
    if isinstance(e, sp.Piecewise):
        for val, cond in e.args:
            if _cond(cond, env):
                return _ev(val, env, expected)
        return 0.0
    if isinstance(e, sp.Identity):
        try:
            n = env.dim(e.args[0])
        except _Unsized:
            return EYE
        return np.eye(n)
    if isinstance(e, sp.ZeroMatrix):
        return np.zeros((env.dim(e.shape[0]), env.dim(e.shape[1])))
    if isinstance(e, sp.OneMatrix):
        try:
            return np.ones((env.dim(e.shape[0]), env.dim(e.shape[1])))
        except _Unsized:
            return _OnesAny()
    if isinstance(e, sp.BlockMatrix):
        return np.block([[_as_arr(_ev(b, env)) for b in row] for row in e.blocks.tolist()])
    if isinstance(e, (sp.Add, sp.MatAdd)):
        return _add([_ev(a, env, expected) for a in e.args])
    if isinstance(e, (sp.Mul, sp.MatMul)):
        acc = None
        lone = sum(1 for a in e.args if not a.is_Number) == 1
        for a in e.args:
            v = _ev(a, env, expected if lone and not a.is_Number else None)
            acc = v if acc is None else _mul(acc, v)
        return acc
    if isinstance(e, sp.Pow):
        b = _ev(e.args[0], env)
        x = _ev(e.args[1], env)
        if isinstance(b, np.ndarray) and b.shape != (1, 1):
            raise ShapeError(f"cannot raise a {_fmt(b)} matrix to a power elementwise")
        with np.errstate(all="ignore"):
            return float(np.power(complex(_sc(b)), _sc(x)).real) if _sc(b) < 0 and float(_sc(x)) != int(_sc(x)) else _sc(b) ** _sc(x)
    if isinstance(e, sp.exp):
        return np.exp(_sc(_ev(e.args[0], env)))
    if isinstance(e, sp.Transpose):
        v = _ev(e.args[0], env, None if expected is None else (expected[1], expected[0]))
        if isinstance(v, _OnesAny):
            return _OnesAny(not v.row, v.c)
        return v.T if isinstance(v, np.ndarray) else v
    if isinstance(e, sp.Inverse):
        v = _ev(e.args[0], env)
        if isinstance(v, _EyeAny):
            return _EyeAny(1.0 / v.c)
        v = _as_arr(v)
        if v.shape[0] != v.shape[1]:
            raise ShapeError(f"cannot invert a {_fmt(v)} matrix")
        return np.linalg.inv(v)
    if isinstance(e, sp.MatPow) and e.args[1].free_symbols:   # X^{p-1}, p an integer parameter
        v = _as_arr(_ev(e.args[0], env))
        k = _sc(_ev(e.args[1], env))
        if k != round(k) or abs(k) > 64 or v.shape[0] != v.shape[1]:
            raise ShapeError(f"cannot take the power {k:g} of a {_fmt(v)} matrix")
        k = int(round(k))
        return np.linalg.matrix_power(np.linalg.inv(v) if k < 0 else v, abs(k)) if k else np.eye(v.shape[0])
    if isinstance(e, sp.MatPow):
        v = _as_arr(_ev(e.args[0], env))
        if not e.args[1].is_Integer:
            if v.shape != (1, 1):
                raise ShapeError(f"fractional power of a {_fmt(v)} matrix")
            return float(v[0, 0]) ** float(e.args[1])
        k = int(e.args[1])
        if v.shape[0] != v.shape[1]:
            raise ShapeError(f"cannot take a power of a {_fmt(v)} matrix")
        return np.linalg.matrix_power(v, k)
    if isinstance(e, sp.Trace):
        v = _as_arr(_ev(e.args[0], env))
        if v.shape[0] != v.shape[1]:
            raise ShapeError(f"the trace needs a square matrix, got {_fmt(v)}")
        return float(np.trace(v))
    if isinstance(e, sp.Determinant):
        v = _as_arr(_ev(e.args[0], env))
        if v.shape[0] != v.shape[1]:
            raise ShapeError(f"the determinant needs a square matrix, got {_fmt(v)}")
        return float(np.linalg.det(v))
    if isinstance(e, Kron):   # SymPy's KroneckerProduct (any number of factors), as written
        acc = _ev(e.args[0], env)
        for i, x in enumerate(e.args[1:], 1):
            b = _ev(x, env)
            if isinstance(acc, _EyeAny) or isinstance(b, _EyeAny):
                acc, b = _size_kron(acc, b, expected if i == len(e.args) - 1 else None)
            acc = np.kron(_as_arr(acc), _as_arr(b))
        return acc
    if isinstance(e, Hadamard):   # SymPy's HadamardProduct (any number of factors), as written
        acc = _ev(e.args[0], env, expected)
        for x in e.args[1:]:
            acc = _hadamard(acc, _ev(x, env, expected))
        return acc
    if isinstance(e, Commutation):
        m, n = (env.dim(x) for x in e.args)
        return np.eye(m * n)[permutation_to((m, n), "col", "row")]   # = conventions.commutation_matrix(m, n)
    if isinstance(e, SingleEntry):
        i, j = (int(_sc(_ev(x, env))) for x in e.args[:2])
        m, n = (env.dim(x) for x in e.args[2:])
        if not (1 <= i <= m and 1 <= j <= n):
            raise ShapeError("a single-entry matrix's indices are outside its shape")
        out = np.zeros((m, n))
        out[i - 1, j - 1] = 1.0
        return out
    if isinstance(e, Vec):
        v = _as_arr(_ev(e.args[0], env))
        return v.reshape(-1, 1, order="F")
    if isinstance(e, Diag):
        v = _as_arr(_ev(e.args[0], env))
        if 1 not in v.shape:
            raise ShapeError(f"diag takes a vector, got a {_fmt(v)} matrix")
        return np.diag(v.ravel())
    if isinstance(e, Adjugate):
        v = _as_arr(_ev(e.args[0], env))
        if v.shape[0] != v.shape[1]:
            raise ShapeError(f"adj needs a square matrix, got {_fmt(v)}")
        return np.linalg.det(v) * np.linalg.inv(v)
    if isinstance(e, ELEMENTWISE_NODES):
        lam, arg = e.args
        order = 1 if isinstance(e, ElementwiseDerivative) else 0
        f = function_name(lam)
        if f is None or registry.of(f) is None:
            raise UnsupportedError(f"cannot evaluate the elementwise function {lam}")
        d, params = registry.of(f), [float(p) for p in function_params(lam)]
        v = _ev(arg, env)
        fn = d.numpy if order == 0 else d.numpy_derivative
        with np.errstate(all="ignore"):
            out = fn(_as_arr(v) if isinstance(v, np.ndarray) else v, *params)
        return out if isinstance(v, np.ndarray) else float(out)
    if isinstance(e, Norm):
        v = _ev(e.args[0], env)
        if isinstance(v, np.ndarray):
            return float(np.sqrt(np.sum(v * v)))
        return abs(v)
    if isinstance(e, sp.Abs):
        return abs(_sc(_ev(e.args[0], env)))
    if isinstance(e, (sp.Max, sp.Min)):
        vals = [_sc(_ev(a, env)) for a in e.args]
        return max(vals) if isinstance(e, sp.Max) else min(vals)
    if isinstance(e, sp.Heaviside):
        z = _sc(_ev(e.args[0], env))
        return 1.0 if z > 0 else (0.0 if z < 0 else float(e.args[1]) if len(e.args) > 1 else 0.5)
    if isinstance(e, sp.erf):                     # in GELU's derivative
        return math.erf(_sc(_ev(e.args[0], env)))
    if isinstance(e, sp.factorial):
        return float(math.factorial(int(_sc(_ev(e.args[0], env)))))
    if isinstance(e, sp.Function) and registry.of(e) is not None:
        params = [float(_sc(_ev(a, env))) for a in e.args[1:]]
        with np.errstate(all="ignore"):
            return float(registry.of(e).numpy(_sc(_ev(e.args[0], env)), *params))
    if isinstance(e, sp.Derivative):  # pragma: no cover - refused earlier
        raise UnsupportedError("derivatives cannot be evaluated")
    raise UnsupportedError(f"cannot evaluate {type(e).__name__}")




def _cond(c, env) -> bool:
    if c is sp.true or c is True:
        return True
    if c is sp.false or c is False:
        return False
    if isinstance(c, sp.And):
        return all(_cond(a, env) for a in c.args)
    if isinstance(c, sp.Or):
        return any(_cond(a, env) for a in c.args)
    if isinstance(c, sp.Not):
        return not _cond(c.args[0], env)
    if isinstance(c, (sp.Eq, sp.Ne)):
        a, b = (_sc(_ev(x, env)) for x in c.args)
        return (a == b) if isinstance(c, sp.Eq) else (a != b)
    raise UnsupportedError(f"cannot evaluate condition {type(c).__name__}")


def _hadamard(a, b):
    """a ⊙ b for evaluated operands; an unsized I or 1 takes the other operand's shape."""
    if isinstance(a, (_OnesAny, _EyeAny)):
        a = _as_arr(a, _as_arr(b).shape)
    if isinstance(b, (_OnesAny, _EyeAny)):
        b = _as_arr(b, _as_arr(a).shape)
    a, b = _as_arr(a), _as_arr(b)
    if a.shape != b.shape:
        raise ShapeError(f"the Hadamard product needs equal shapes, got {_fmt(a)} and {_fmt(b)}")
    return a * b


def _size_kron(a, b, expected):
    if expected is None:
        raise ShapeError("cannot tell the size of I in a Kronecker product; write I_n with its size")
    R, C = expected
    if isinstance(a, _EyeAny) and isinstance(b, _EyeAny):
        raise ShapeError("cannot tell the sizes of I ⊗ I; write I_n with its size")
    known = _as_arr(b if isinstance(a, _EyeAny) else a)
    r, c = known.shape
    if R % r or C % c or R // r != C // c:
        raise ShapeError(
            f"cannot size I in a Kronecker product with a {r}x{c} factor to give {R}x{C}; write I_n"
        )
    e = a if isinstance(a, _EyeAny) else b
    eye = e.c * np.eye(R // r)
    return (eye, known) if isinstance(a, _EyeAny) else (known, eye)


def shape_of(expr, env: Env, expected=None) -> tuple[int, int]:
    """The concrete shape of ``expr`` (evaluating it at zero cost is not possible; evaluate once)."""
    v = evaluate(expr, env, expected)
    return v.shape if isinstance(v, np.ndarray) else (1, 1)


__all__ = [
    "Kron", "Hadamard", "Commutation", "CommutationMatrix", "Vec", "Diag", "Adjugate", "Norm",
    "Env", "evaluate", "shape_of", "entry_index",
]
