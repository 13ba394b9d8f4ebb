"""Compile explicit symbolic matrices to NumPy, batched; finite-difference checks.

* ``lambdify(obj, args)`` → a :class:`NumPyFunction` ``f(*arrays)``.  Each array
  has its variable's shape (p×q; a vector may also be given as (p,); a scalar
  as a float), or a leading batch axis (B, p, q) / (B, p) / (B,).  Output:
  (rows, cols) unbatched, (B, rows, cols) batched; a scalar expression is 1×1.
* ``finite_difference_check(F, X, J)`` → a :class:`NumericCheck` comparing J
  (default ``symjac.calculus.explicit(F, X, convention)``) with central differences.
* ``numeric_agreement(E1, E2, variables)`` → max |E1 − E2| over random points.

How it compiles (see research/PERFORMANCE.md, lessons 4–5): only the nonzero
entries are compiled, and they are written into a zeroed output with one
fancy-index assignment per group.  Entries that are constants, or a number
times one input entry (all of a gram or affine Jacobian), need no generated
code at all: they are gathered from the stacked inputs with one NumPy
indexing operation.  The remaining entries go through ``sympy.lambdify`` as a
flat list, with every symbol renamed to a generated identifier ``_s<k>`` and a
strict NumPy printer, so no user-chosen name reaches generated code.
"""
from __future__ import annotations

import keyword
import math
import time
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from symjac import elementwise as registry
from symjac.conventions import get_convention, vec
from symjac.errors import ConventionError, ShapeError, SymjacError, UnsupportedError
from symjac.symbols import as_matrix, parse_entry_name


# --- variables ---------------------------------------------------------------

@dataclass(frozen=True)
class _Var:
    """One argument: its entry symbols in row-major order and its shape."""

    name: str
    shape: tuple[int, int]
    scalar: bool
    symbols: tuple


def _var_name(sym: sp.Symbol) -> str:
    parsed = parse_entry_name(sym.name)
    return parsed.name if parsed else sym.name


def _as_var(v) -> _Var:
    if isinstance(v, sp.Symbol):
        return _Var(v.name, (1, 1), True, (v,))
    if isinstance(v, sp.MatrixBase):
        syms = tuple(v[i, j] for i in range(v.rows) for j in range(v.cols))
        bad = [s for s in syms if not isinstance(s, sp.Symbol)]
        if bad or not syms:
            raise SymjacError(
                f"a variable must be a matrix of symbols, got an entry {bad[0] if bad else 'none'}"
            )
        return _Var(_var_name(syms[0]), (v.rows, v.cols), False, syms)
    raise SymjacError(
        f"a variable must be a symbolic matrix, vector or scalar symbol, got {type(v).__name__}"
    )


def _unwrap(obj, args):
    """(matrix, args) from a matrix/expr, or from an object with .matrix and .variables."""
    if hasattr(obj, "matrix") and hasattr(obj, "variables") and not isinstance(obj, sp.Basic):
        M = as_matrix(obj.matrix)
        if args is None:
            args = obj.variables
    else:
        M = as_matrix(obj, "compile")
    if args is None:
        raise SymjacError("lambdify needs args: the list of variables, in call order")
    if isinstance(args, (sp.Symbol, sp.MatrixBase)):
        args = [args]
    return M, list(args)


def _names(symbols) -> str:
    return ", ".join(sorted(s.name for s in symbols))


# --- code generation ---------------------------------------------------------

def _linear_part(e, pos):
    """(coefficient, input position) if e is c·s for a number c and an input s, else None."""
    if e.is_Symbol:
        return 1.0, pos[e]
    if e.is_Mul and len(e.args) == 2:
        c, s = e.args
        if c.is_Number and s.is_Symbol:
            return float(c), pos[s]
    return None


def _real_constant(e) -> float:
    try:
        return float(e)
    except (TypeError, ValueError):
        raise UnsupportedError(f"cannot compile the non-real constant {e} to a float") from None


def _check_functions(exprs) -> None:
    for e in exprs:
        for f in e.atoms(sp.Function):
            if isinstance(f, AppliedUndef):
                raise UnsupportedError(f"cannot compile the undefined function {f.func.__name__!r} to NumPy")
            name = type(f).__name__
            if not name.isidentifier() or keyword.iskeyword(name):
                raise UnsupportedError(f"cannot compile the function {name!r} to NumPy")


class NumPyFunction:
    """A compiled explicit matrix: ``f(*arrays)`` → (rows, cols) or (B, rows, cols).

    Attributes: ``shape`` (rows, cols), ``variables`` (argument names in call
    order), ``nnz`` (structurally nonzero entries), ``codegen_seconds``.
    """

    def __init__(self, M: sp.ImmutableMatrix, variables: Sequence[_Var], cse: bool = True):
        t0 = time.perf_counter()
        self.shape = (M.rows, M.cols)
        self._vars = list(variables)
        self.variables = [v.name for v in self._vars]
        symbols = [s for v in self._vars for s in v.symbols]
        pos = {s: k for k, s in enumerate(symbols)}
        if len(pos) != len(symbols):
            raise SymjacError("the arguments repeat an entry symbol")
        self._n_inputs = len(symbols)
        self._pos = pos

        const_idx, const_val = [], []
        lin_idx, lin_src, lin_coef = [], [], []
        gen_idx, gen_expr = [], []
        cols = M.cols
        # todok() lists only the stored nonzeros: much faster than iterating all entries
        for (i, j), e in M.todok().items():
            k = i * cols + j                # row-major flat index into the output
            if e.is_number:                 # no free symbols: 2, 1/2, sqrt(2), pi
                value = _real_constant(e)
                if value != 0:
                    const_idx.append(k)
                    const_val.append(value)
                continue
            lin = _linear_part(e, pos)
            if lin is not None:
                lin_idx.append(k)
                lin_coef.append(lin[0])
                lin_src.append(lin[1])
            else:
                gen_idx.append(k)
                gen_expr.append(e)
        self.nnz = len(const_idx) + len(lin_idx) + len(gen_idx)

        self._const_idx = np.array(const_idx, dtype=np.intp)
        self._const_val = np.array(const_val, dtype=float)
        self._lin_idx = np.array(lin_idx, dtype=np.intp)
        self._lin_src = np.array(lin_src, dtype=np.intp)
        self._lin_coef = np.array(lin_coef, dtype=float)
        self._lin_unit = bool(np.all(self._lin_coef == 1.0))
        self._gen_idx = np.array(gen_idx, dtype=np.intp)
        self._gen = None
        if gen_expr:
            _check_functions(gen_expr)
            safe = [sp.Symbol(f"_s{k}", real=True) for k in range(len(symbols))]
            rename = dict(zip(symbols, safe))
            renamed = [e.xreplace(rename) for e in gen_expr]
            try:
                self._gen = sp.lambdify(
                    [safe], renamed, modules=[registry.numpy_namespace(), "numpy"], printer=registry.numpy_printer(),
                    cse=cse, docstring_limit=0
                )
            except PrintMethodNotImplementedError as exc:
                raise UnsupportedError(f"cannot compile to NumPy: {str(exc).splitlines()[0]}") from None
        self.codegen_seconds = time.perf_counter() - t0

    # -- evaluation on the stacked inputs --

    def evaluate_flat(self, X: np.ndarray) -> np.ndarray:
        """Evaluate at stacked inputs: X (K,) → (rows·cols,), or (B, K) → (B, rows·cols).

        K is the number of input entries: each variable flattened row-major,
        in argument order.  Output entries are row-major too.
        """
        X = np.asarray(X, dtype=float)
        batched = X.ndim == 2
        size = self.shape[0] * self.shape[1]
        out = np.zeros((X.shape[0], size) if batched else size)
        if self._const_idx.size:
            out[..., self._const_idx] = self._const_val
        if self._lin_idx.size:
            vals = np.take(X, self._lin_src, axis=-1)
            if not self._lin_unit:
                vals *= self._lin_coef
            out[..., self._lin_idx] = vals
        if self._gen is not None:
            cols = np.ascontiguousarray(X.T) if batched else X    # rows = inputs
            vals = self._gen(cols)
            try:
                arr = np.array(vals)
            except ValueError:                                    # scalars mixed with arrays
                kind = complex if any(np.iscomplexobj(v) for v in vals) else float
                arr = np.empty((len(vals), X.shape[0]) if batched else len(vals), dtype=kind)
                for k, v in enumerate(vals):
                    arr[k] = v
            if arr.dtype.kind not in "fiub":
                raise UnsupportedError("the matrix takes non-real values here; only real ones are supported")
            if batched and arr.ndim == 1:                         # every entry came out scalar
                arr = np.broadcast_to(arr[:, None], (len(vals), X.shape[0]))
            out[..., self._gen_idx] = arr.T
        return out

    def pack(self, arrays) -> tuple[np.ndarray, int | None]:
        """Stack the arguments into X (K,) or (B, K); returns (X, B or None)."""
        if len(arrays) != len(self._vars):
            raise SymjacError(
                f"expected {len(self._vars)} argument(s) ({', '.join(self.variables)}), got {len(arrays)}"
            )
        parts, batch = [], None
        for v, a in zip(self._vars, arrays):
            a = np.asarray(a, dtype=float)
            flat, b = _flatten_arg(v, a)
            if b is not None:
                if batch is None or batch == 1:
                    batch = b
                elif b != batch and b != 1:
                    raise ShapeError(
                        f"batched arguments disagree on the batch size: {batch} and {b} (argument {v.name})"
                    )
            parts.append(flat)
        if batch is None:
            return np.concatenate(parts), None
        if len(parts) == 1:
            return parts[0], batch
        return np.concatenate([np.broadcast_to(p, (batch, p.shape[-1])) for p in parts], axis=1), batch

    def __call__(self, *arrays) -> np.ndarray:
        X, batch = self.pack(arrays)
        out = self.evaluate_flat(X)
        if batch is None:
            return out.reshape(self.shape)
        return out.reshape((batch,) + self.shape)

    def __repr__(self) -> str:
        return (
            f"<NumPyFunction {self.shape[0]}x{self.shape[1]} of ({', '.join(self.variables)}), "
            f"{self.nnz} nonzero entries>"
        )


def _flatten_arg(v: _Var, a: np.ndarray):
    """(values as (k,) or (B, k), B or None) for one argument; k = entries of v."""
    p, q = v.shape
    k = p * q
    if v.scalar:
        if a.ndim == 0 or a.shape == (1, 1):
            return a.reshape(1), None
        if a.ndim == 1 or (a.ndim == 3 and a.shape[1:] == (1, 1)):
            return a.reshape(-1, 1), a.shape[0]
    else:
        if a.shape == (p, q) or (q == 1 and a.shape == (p,)):
            return a.reshape(k), None
        if (a.ndim == 3 and a.shape[1:] == (p, q)) or (q == 1 and a.ndim == 2 and a.shape[1] == p):
            return a.reshape(a.shape[0], k), a.shape[0]
    want = "a float or (B,)" if v.scalar else f"({p}, {q}) or (B, {p}, {q})"
    raise ShapeError(f"argument {v.name} has shape {a.shape}, expected {want}")


def lambdify(obj, args=None, cse: bool = True) -> NumPyFunction:
    """Compile ``obj`` to NumPy: ``f(*arrays)`` → (rows, cols), or (B, rows, cols) batched.

    obj: a SymPy matrix, a scalar expression (1×1 output), or an object with
    ``.matrix`` and ``.variables``.  args: the variables in call order —
    explicit symbolic matrices / vectors (``symjac.matrix`` / ``vector``) or
    scalar symbols; default ``obj.variables``.  Every free symbol of obj must
    belong to an argument.  Arrays take each variable's shape, or add a
    leading batch axis; unbatched arguments broadcast against batched ones.
    A size-free closed form (``closed_form(...)``'s result) compiles to a
    :class:`~symjac.evaluate.closedform.ClosedFormFunction` that reads its sizes off the arrays.
    """
    if hasattr(obj, "proof") and hasattr(obj, "variable") and hasattr(obj, "expr"):   # a closed form
        from symjac.evaluate.closedform import lambdify_closed_form

        return lambdify_closed_form(obj)
    M, args = _unwrap(obj, args)
    variables = [_as_var(a) for a in args]
    known = {s for v in variables for s in v.symbols}
    missing = M.free_symbols - known
    if missing:
        raise SymjacError(f"lambdify: no argument provides the symbol(s) {_names(missing)}")
    return NumPyFunction(M, variables, cse=cse)


# --- finite differences ------------------------------------------------------

@dataclass(frozen=True)
class NumericCheck:
    """The outcome of a numeric check of a Jacobian at random points: a measurement, worded by
    :func:`symjac.verification.from_numeric` (the one verification record)."""

    method: str
    points: int
    seed: int
    step: float
    max_abs_error: float
    max_rel_error: float
    tolerance: float
    passed: bool
    rejected: int = 0  # drawn points skipped because F is undefined there (log, sqrt of negatives)

    def to_dict(self) -> dict:
        return asdict(self)


def _variables_of(X) -> list:
    return list(X) if isinstance(X, (list, tuple)) else [X]


def _parameters(exprs, variables) -> list[sp.Symbol]:
    known = {s for v in variables for s in _as_var(v).symbols}
    free = set()
    for e in exprs:
        free |= e.free_symbols
    return sorted(free - known, key=lambda s: s.name)


def finite_difference_check(
    F, X, J=None, convention=None, points: int = 5, seed: int = 0,
    h: float = 1e-6, rtol: float = 1e-6,
) -> NumericCheck:
    """Compare J with central differences of F at ``points`` random points.

    F: explicit scalar or m×n matrix; X: a variable or list of variables (as
    for ``symjac.calculus.explicit``); J: the claimed Jacobian under ``convention``
    (default VEC), default ``symjac.calculus.explicit(F, X, convention)``.  Variables
    and any other free symbols (parameters) are standard normal at each point.
    Error: max |J − J_fd| entrywise, relative to max(1, |J|); passes if ≤ rtol.
    """
    from symjac.calculus.explicit import input_atoms, jacobian   # jacobian sits upstream; import lazily

    conv = get_convention(convention)
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise SymjacError(f"points must be a positive integer, got {points!r}")
    Fm = as_matrix(F)
    if not conv.is_flattening:
        if conv.in_variable_shape(Fm.shape) and J is not None:
            J = vec(as_matrix(J))                     # the gradient in X's shape, as its vec column
        elif not (conv.flattens(Fm.shape) or conv.in_variable_shape(Fm.shape)):
            raise ConventionError(f"finite differences compare a flattened Jacobian; the {conv.name} convention "
                                  "is not one (use its flattening, e.g. vec)")
        conv = conv.flattening
    variables = _variables_of(X)
    Jm = jacobian(Fm, variables, conv) if J is None else as_matrix(J)
    atoms = input_atoms(variables, conv.inputs)
    m, n = Fm.shape
    expect = (m * n, len(atoms)) if conv.layout == "numerator" else (len(atoms), m * n)
    if Jm.shape != expect:
        raise ShapeError(
            f"J has shape {Jm.rows}x{Jm.cols}, but F ({m}x{n}) by {len(atoms)} inputs "
            f"needs {expect[0]}x{expect[1]} under {conv.label}"
        )
    args = variables + _parameters([Fm, Jm], variables)
    f = lambdify(Fm, args)
    jf = lambdify(Jm, args)
    cols = np.array([f._pos[a] for a in atoms], dtype=np.intp)

    rng = np.random.default_rng(seed)
    K, A = f._n_inputs, len(atoms)
    P, abs_err, rel_err, rejected = 0, 0.0, 0.0, 0
    for X0 in _points_in_domain(f, rng, points, K, A, cols, h, (m, n)):
        if X0 is None:                       # a point where F is not finite nearby
            rejected += 1
            continue
        x, Jfd = X0                          # Jfd: (mn, A) numerator, outputs row-first
        if conv.outputs == "col":
            Jfd = Jfd.reshape(m, n, A).transpose(1, 0, 2).reshape(m * n, A)
        if conv.layout == "denominator":
            Jfd = Jfd.T
        with np.errstate(all="ignore"):
            Jsym = jf.evaluate_flat(x[None, :]).reshape(Jm.shape)
            diff = np.abs(Jsym - Jfd)
            if diff.size:
                abs_err = _worse(abs_err, float(np.max(diff)))
                rel_err = _worse(rel_err, float(np.max(diff / np.maximum(1.0, np.abs(Jsym)))))
        P += 1
    if P == 0:
        return NumericCheck(
            method="central finite differences", points=0, seed=seed, step=h, max_abs_error=math.nan,
            max_rel_error=math.nan, tolerance=rtol, passed=False, rejected=rejected,
        )
    passed = bool(math.isfinite(rel_err) and rel_err <= rtol and P == points)
    return NumericCheck(
        method="central finite differences", points=P, seed=seed, step=h,
        max_abs_error=abs_err, max_rel_error=rel_err, tolerance=rtol, passed=passed, rejected=rejected,
    )


def _worse(a: float, b: float) -> float:
    """max(a, b), but NaN wins (a NaN error must fail the check, as np.max would)."""
    return math.nan if math.isnan(a) or math.isnan(b) else max(a, b)


def _points_in_domain(f, rng, points, K, A, cols, h, shape, rounds: int = 4, chunk_floats: int = 1 << 22):
    """Yield (x, J_fd) for random points x where F and all its ±h perturbations are finite (J_fd: the
    central differences, (mn, A), outputs row-first), and None for each point rejected.

    The first draws are standard normal; later rounds draw positive values too, so
    functions defined for positive arguments only (log, sqrt) get checked as well.
    A point where F is finite but J is not still counts, and fails the check.  One point
    at a time and the perturbations in chunks of about ``chunk_floats`` numbers, so memory
    stays near the size of one Jacobian (a 64×64 AᵀA: 4096 inputs × 4096 outputs).
    """
    m, n = shape
    step = max(1, chunk_floats // max(1, 2 * K))
    kept = 0
    for r in range(rounds):
        need = points - kept
        if need <= 0:
            return
        draw = max(2 * need, 4)
        X = rng.standard_normal((draw, K)) if r == 0 else rng.uniform(0.1, 2.0, (draw, K))
        for x in X:
            if kept == points:
                return
            with np.errstate(all="ignore"):
                ok = bool(np.isfinite(f.evaluate_flat(x[None, :])).all())
                J = np.empty((m * n, A))
                for lo in range(0, A if ok else 0, step):
                    hi = min(A, lo + step)
                    c = hi - lo
                    Xp = np.repeat(x[None, :], 2 * c, axis=0)       # +h then −h for inputs lo..hi
                    Xp[np.arange(c), cols[lo:hi]] += h
                    Xp[c + np.arange(c), cols[lo:hi]] -= h
                    Fp = f.evaluate_flat(Xp).reshape(2 * c, m * n)
                    if not np.isfinite(Fp).all():
                        ok = False
                        break
                    J[:, lo:hi] = ((Fp[:c] - Fp[c:]) / (2 * h)).T
            if ok:
                kept += 1
                yield x, J
            else:
                yield None


def numeric_agreement(expr1, expr2, variables, points: int = 5, seed: int = 0) -> float:
    """max |E1 − E2| over ``points`` standard-normal points; E1, E2 explicit, same shape.

    variables: a variable or list of them; other free symbols get random values too.
    """
    A, B = as_matrix(expr1), as_matrix(expr2)
    if A.shape != B.shape:
        raise ShapeError(f"cannot compare a {A.rows}x{A.cols} matrix with a {B.rows}x{B.cols} one")
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise SymjacError(f"points must be a positive integer, got {points!r}")
    variables = _variables_of(variables)
    args = variables + _parameters([A, B], variables)
    fa, fb = lambdify(A, args), lambdify(B, args)
    X = np.random.default_rng(seed).standard_normal((points, fa._n_inputs))
    d = np.abs(fa.evaluate_flat(X) - fb.evaluate_flat(X))
    return float(np.max(d)) if d.size else 0.0


__all__ = [
    "lambdify",
    "NumPyFunction",
    "finite_difference_check",
    "NumericCheck",
    "numeric_agreement",
]
