r"""Closed forms that run: a batched NumPy function, and importable NumPy / JAX source.

* ``lambdify_closed_form(result)`` → :class:`ClosedFormFunction` ``f(**arrays)`` (or positional in
  ``f.args`` order).  Sizes are read off the arrays (any sizes, no recompilation); each array has its
  symbol's shape (a vector n×1 may be given as (n,), a scalar as a float) or one leading batch axis
  (B, p, q) / (B, n) / (B,).  Output (rows, cols), or (B, rows, cols) when batched.  The closed form
  is compiled ONCE into the straight-line NumPy program that ``to_source`` writes (one code generator):
  a call normalises the arrays, checks their sizes and runs that program — no tree walk, no SymPy.
  A form the generator cannot write (a size no array carries, a symbolic matrix power …) runs on the
  structure-aware tree-walking evaluator instead (``f.compiled`` says which).
* ``to_source(result, "numpy" | "jax", name="f")`` → the text of a small module defining
  ``def f(<args>)`` on arrays of the symbols' 2-D shapes (vectors n×1, scalars 0-d), using only
  ``numpy`` or ``jax.numpy``.  Identifiers are generated (``a0``, ``t3`` …): no name chosen by a
  user reaches the source text.  The caller imports it; ``lambdify`` compiles the same NumPy program for
  itself (generated text only, its identifiers checked before compiling).
"""
from __future__ import annotations

import ast
import re

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.numpy import JaxPrinter, NumPyPrinter

from symjac.parsing.numeric import Evaluator
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
from symjac.calculus.closedform.proof import dimension_symbols, matrix_symbols, scalar_symbols
from symjac import elementwise as registry
from symjac.errors import ShapeError, SymjacError, UnsupportedError


def _expr_of(obj):
    return obj.expr if (not isinstance(obj, sp.Basic) and hasattr(obj, "expr")) else as_expr(obj)


def _arguments(e):
    """(matrix symbols, scalar symbols, dimension symbols) of a closed form, each sorted by name."""
    dims = dimension_symbols(e)
    return matrix_symbols(e), [s for s in scalar_symbols(e, dims)], dims


class ClosedFormFunction:
    """A closed form compiled for NumPy: call with arrays by name (or in ``args`` order)."""

    def __init__(self, expr):
        self.expr = _expr_of(expr)
        self.matrices, self.scalars, self.dims = _arguments(self.expr)
        self.args = [M.name for M in self.matrices] + [s.name for s in self.scalars]
        self._program = _compile(self.expr)
        self.compiled = self._program is not None

    def _normalise(self, M, a):
        a = np.asarray(a, dtype=float)
        r, c = M.shape
        if c == 1 and r != 1:                          # a vector: (n,), (n, 1), (B, n) or (B, n, 1)
            if a.ndim == 1:
                return a[:, None], False
            if a.ndim == 2 and a.shape[1] != 1:
                return a[:, :, None], True
            return a, a.ndim == 3
        if (r, c) == (1, 1):
            return (a.reshape(a.shape[:1] + (1, 1)), True) if a.ndim == 1 else (a.reshape(a.shape[:a.ndim - 2] + (1, 1)) if a.ndim >= 2 else a.reshape(1, 1), a.ndim == 3)
        if a.ndim not in (2, 3):
            raise ShapeError(f"{M.name} must be a matrix or a batch of matrices, got shape {a.shape}")
        return a, a.ndim == 3

    def __call__(self, *arrays, **named):
        if arrays:
            if len(arrays) > len(self.args):
                raise SymjacError(f"expected at most {len(self.args)} arrays ({', '.join(self.args)})")
            named = dict(zip(self.args, arrays), **named)
        missing = [a for a in self.args if a not in named and a not in {d.name for d in self.dims}]
        if missing:
            raise SymjacError(f"missing values for {', '.join(missing)}")
        values, sizes, batches = {}, {}, {}
        for M in self.matrices:
            try:
                a, b = self._normalise(M, named[M.name])
            except (TypeError, ValueError) as exc:
                raise ShapeError(f"{M.name} is not an array of numbers ({exc})") from None
            if b:
                batches[M.name] = a.shape[0]
            values[M.name] = a
            for d, k in zip(M.shape, a.shape[-2:]):
                if isinstance(d, sp.Symbol):
                    if sizes.setdefault(d.name, k) != k:
                        raise ShapeError(f"{M.name} gives {d.name} = {k} but another array gives {sizes[d.name]}")
                elif d.is_Integer and int(d) != k:
                    raise ShapeError(f"{M.name} must be {M.shape[0]}x{M.shape[1]}, got an array of shape {a.shape}")
        for s in self.scalars:
            if s.is_integer and s.name in named and np.ndim(named[s.name]) == 0:
                sizes[s.name] = int(named[s.name])
            try:
                a = np.asarray(named[s.name], dtype=float)
            except (TypeError, ValueError) as exc:
                raise ShapeError(f"{s.name} is not a number or an array of numbers ({exc})") from None
            if a.ndim > 1:
                raise ShapeError(f"the scalar {s.name} must be a number or a batch (B,), got shape {a.shape}")
            if a.ndim == 1:
                batches[s.name] = a.shape[0]
            values[s.name] = a.reshape(a.shape + (1, 1))
        if len(set(batches.values())) > 1:
            raise ShapeError("batch sizes differ: " + ", ".join(f"{k} has {v}" for k, v in batches.items()))
        for d in self.dims:
            if d.name in named:
                sizes[d.name] = int(named[d.name])
        try:
            with np.errstate(all="ignore"):
                out = None
                if self._program is not None:
                    try:
                        out = self._program(*[values[k] for k in self.args])
                    except (TypeError, IndexError, ValueError):
                        out = None                     # the tree-walking evaluator decides (and words any error)
                if out is None:
                    out = Evaluator(sizes, values).value(self.expr)
        except np.linalg.LinAlgError as exc:
            raise SymjacError(f"cannot evaluate the closed form at this point: {exc}") from None
        out = np.asarray(out, dtype=float)
        if batches and out.ndim == 2:                  # a constant result (I, K …): one copy per point
            out = np.broadcast_to(out, (next(iter(batches.values())),) + out.shape).copy()
        return out

    def __getstate__(self):                         # the compiled program is rebuilt, not pickled
        return {k: v for k, v in self.__dict__.items() if k != "_program"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._program = _compile(self.expr)

    def __repr__(self) -> str:
        return f"<ClosedFormFunction({', '.join(self.args)})>"


def lambdify_closed_form(result) -> ClosedFormFunction:
    """A batched NumPy function of a closed form (a ClosedFormResult or a matrix expression)."""
    return ClosedFormFunction(result)


# --- source export --------------------------------------------------------------------

_PREAMBLE = '''
def _kron(a, b):
    r = xp.einsum("...ij,...kl->...ikjl", a, b)
    return r.reshape(r.shape[:-4] + (a.shape[-2] * b.shape[-2], a.shape[-1] * b.shape[-1]))


def _kron_eye(n, x):
    """I_n ⊗ x (NumPy): x written into the diagonal blocks of zeros."""
    p, q = x.shape[-2:]
    out = numpy.zeros(x.shape[:-2] + (n, p, n, q))
    numpy.einsum("...iaib->...iab", out)[...] = x[..., None, :, :]
    return out.reshape(x.shape[:-2] + (n * p, n * q))


def _kron_by_eye(x, n):
    """x ⊗ I_n (NumPy): x[i, j] written on the diagonal of block (i, j)."""
    p, q = x.shape[-2:]
    out = numpy.zeros(x.shape[:-2] + (p, n, q, n))
    numpy.einsum("...akbk->...kab", out)[...] = x[..., None, :, :]
    return out.reshape(x.shape[:-2] + (p * n, q * n))


def _vec(a):
    return xp.swapaxes(a, -1, -2).reshape(a.shape[:-2] + (a.shape[-2] * a.shape[-1], 1))


def _unvec(v, m, n):
    return xp.swapaxes(v.reshape(v.shape[:-2] + (n, m)), -1, -2)


def _K(m, n):
    i = numpy.arange(m * n)
    return xp.asarray(numpy.eye(m * n)[(i % n) * m + i // n])          # K vec A = vec Aᵀ


def _kperm_rows(m, n, x):
    """K_{m,n} @ x without forming K: row r·n + s of the product is row s·m + r of x."""
    y = xp.swapaxes(x.reshape(x.shape[:-2] + (n, m, x.shape[-1])), -3, -2)
    return y.reshape(x.shape)


def _kperm_cols(x, m, n):
    """x @ K_{m,n} without forming K: column s·m + r of the product is column r·n + s of x."""
    y = xp.swapaxes(x.reshape(x.shape[:-1] + (m, n)), -1, -2)
    return y.reshape(x.shape)


def _diag(v):
    v = v[..., :, 0] if v.shape[-1] == 1 else v[..., 0, :]
    return v[..., :, None] * xp.eye(v.shape[-1])


def _psi(n):
    P = numpy.zeros((n * n, n))
    P[numpy.arange(n) * (n + 1), numpy.arange(n)] = 1.0
    return xp.asarray(P)


def _s(x):
    return xp.reshape(xp.asarray(x, dtype=float), xp.shape(x) + (1, 1)) if xp.ndim(x) < 2 else x
'''


class _SourceWriter:
    def __init__(self, backend: str):
        if backend not in ("numpy", "jax"):
            raise SymjacError(f"backend must be 'numpy' or 'jax', got {backend!r}")
        self.backend = backend
        self.lines: list[str] = []
        self.memo: dict = {}
        self.n = 0
        printer_cls = NumPyPrinter if backend == "numpy" else JaxPrinter
        self.printer = printer_cls({"allow_unknown_functions": False})
        self.names: dict = {}
        self.scalar_memo: dict = {}                    # entrywise scalar expression (of temporaries) → its temporary

    def tmp(self, code: str) -> str:
        name = f"t{self.n}"
        self.n += 1
        self.lines.append(f"    {name} = {code}")
        return name

    def dim(self, d) -> str:
        d = as_expr(d)
        return self.printer.doprint(d.xreplace({s: sp.Symbol(self.names[s.name]) for s in d.free_symbols}))

    def node(self, e) -> str:
        if e in self.memo:
            return self.memo[e]
        out = self._node(e)
        self.memo[e] = out
        return out

    def _elementwise(self, lam, arg) -> str:
        """f applied entrywise: common subexpressions become temporaries, shared with the elementwise
        nodes already written (σ(z) is computed once for σ(z) and σ′(z) = (1 − σ(z)) σ(z))."""
        (v,), body = lam.variables, lam.expr
        x = sp.Symbol(self.node(arg))
        body = _elementary(body.xreplace({v: x}))
        if not body.has(x):                            # a constant function: one value per entry
            return self.tmp(f"xp.asarray({self.printer.doprint(body)}, dtype=float) + 0 * {x.name}")
        key = body
        if key in self.scalar_memo:
            return self.scalar_memo[key].name
        body = body.xreplace(self.scalar_memo)
        reps, (reduced,) = sp.cse(body, symbols=sp.numbered_symbols("c", cls=sp.Dummy), optimizations=None)
        names: dict = {}
        for sym, sub in reps:
            sub = sub.xreplace(names)
            if sub not in self.scalar_memo:
                self.scalar_memo[sub] = sp.Symbol(self.tmp(self.printer.doprint(sub)))
            names[sym] = self.scalar_memo[sub]
        out = self.tmp(f"xp.asarray({self.printer.doprint(reduced.xreplace(names))}, dtype=float)")
        self.scalar_memo[key] = sp.Symbol(out)
        return out

    def _kron(self, factors) -> str:
        """A ⊗ B ⊗ …; with NumPy an identity factor writes blocks into zeros instead of multiplying by 0/1."""
        acc = None                                     # a temporary, or ("I", size) for an identity so far
        for a in factors:
            cur = ("I", self.dim(a.shape[0])) if isinstance(a, sp.Identity) and self.backend == "numpy" else self.node(a)
            if acc is None:
                acc = cur
            elif isinstance(acc, tuple) and isinstance(cur, tuple):
                acc = ("I", f"({acc[1]}) * ({cur[1]})")
            elif isinstance(acc, tuple):
                acc = self.tmp(f"_kron_eye({acc[1]}, {cur})")
            elif isinstance(cur, tuple):
                acc = self.tmp(f"_kron_by_eye({acc}, {cur[1]})")
            else:
                acc = self.tmp(f"_kron({acc}, {cur})")
        return self.tmp(f"xp.eye({acc[1]})") if isinstance(acc, tuple) else acc

    def _chain(self, factors) -> str:
        return self.node(factors[0]) if len(factors) == 1 else self.node(sp.MatMul(*factors))

    def _node(self, e) -> str:
        if isinstance(e, (sp.MatrixSymbol, sp.Symbol)) and e.name in self.names:
            return self.names[e.name]
        if e.is_Number or isinstance(e, sp.NumberSymbol):
            return repr(float(e))
        if hasattr(e, "definition"):
            return self.node(e.definition())
        if isinstance(e, sp.Identity):
            return self.tmp(f"xp.eye({self.dim(e.shape[0])})")
        if isinstance(e, sp.ZeroMatrix):
            return self.tmp(f"xp.zeros(({self.dim(e.shape[0])}, {self.dim(e.shape[1])}))")
        if isinstance(e, sp.OneMatrix):
            return self.tmp(f"xp.ones(({self.dim(e.shape[0])}, {self.dim(e.shape[1])}))")
        if isinstance(e, CommutationMatrix):
            return self.tmp(f"_K({self.dim(e.m)}, {self.dim(e.n)})")
        if isinstance(e, DiagEmbedding):
            return self.tmp(f"_psi({self.dim(e.args[0])})")
        if isinstance(e, UnitVector):
            return self.tmp(f"xp.eye({self.dim(e.shape[0])})[:, {self.dim(e.index)}:{self.dim(e.index)} + 1]")
        if isinstance(e, (sp.MatAdd, sp.Add)):
            return self.tmp(" + ".join(self.node(a) for a in e.args))
        if isinstance(e, sp.MatMul):
            coeff = [self.node(a) for a in e.args if not getattr(a, "is_Matrix", False)]
            factors = [a for a in e.args if getattr(a, "is_Matrix", False)]
            out = None                                 # left to right; a commutation matrix permutes
            for k, a in enumerate(factors):
                if isinstance(a, CommutationMatrix) and len(factors) > 1:
                    m_, n_ = self.dim(a.m), self.dim(a.n)
                    if out is None:
                        out = self.tmp(f"_kperm_rows({m_}, {n_}, {self._chain(factors[k + 1:])})")
                        break
                    out = self.tmp(f"_kperm_cols({out}, {m_}, {n_})")
                else:
                    out = self.node(a) if out is None else self.tmp(f"{out} @ {self.node(a)}")
            return self.tmp(" * ".join(coeff + [out])) if coeff else out
        if isinstance(e, sp.Mul):
            return self.tmp(" * ".join(self.node(a) for a in e.args))
        if isinstance(e, sp.Pow):
            return self.tmp(f"{self.node(e.base)} ** {self.node(e.exp)}")
        if isinstance(e, sp.Transpose):
            return self.tmp(f"xp.swapaxes({self.node(e.arg)}, -1, -2)")
        if isinstance(e, sp.Inverse):
            return self.tmp(f"xp.linalg.inv({self.node(e.arg)})")
        if isinstance(e, sp.MatPow):
            base, k = e.args
            if base.shape == (1, 1):
                return self.tmp(f"{self.node(base)} ** {self.node(k)}")
            if not k.is_Integer:
                raise UnsupportedError(f"source export of the matrix power {e} needs an integer exponent")
            b = self.node(base) if k > 0 else self.tmp(f"xp.linalg.inv({self.node(base)})")
            return self.tmp(f"xp.linalg.matrix_power({b}, {abs(int(k))})")
        if isinstance(e, sp.HadamardProduct):
            return self.tmp(" * ".join(self.node(a) for a in e.args))
        if isinstance(e, HadamardPower):
            return self.tmp(f"{self.node(e.base)} ** {self.node(e.exp)}")
        if isinstance(e, sp.KroneckerProduct):
            return self._kron(e.args)
        if isinstance(e, ElementwiseApplyFunction):
            return self._elementwise(e.function, e.expr)
        if isinstance(e, ElementwiseDerivative):
            return self._elementwise(e.derivative_lambda(), e.arg)
        if isinstance(e, Vec):
            return self.tmp(f"_vec({self.node(e.arg)})")
        if isinstance(e, Unvec):
            return self.tmp(f"_unvec({self.node(e.arg)}, {self.dim(e.args[1])}, {self.dim(e.args[2])})")
        if isinstance(e, (Diag, DiagMatrix)):
            return self.tmp(f"_diag({self.node(e.args[0])})")
        if isinstance(e, DiagonalOf):
            return self.tmp(f"xp.diagonal({self.node(e.arg)}, axis1=-2, axis2=-1)[..., :, None]")
        if isinstance(e, sp.Trace):
            return self.tmp(f"xp.trace({self.node(e.arg)}, axis1=-2, axis2=-1)[..., None, None]")
        if isinstance(e, sp.Determinant):
            return self.tmp(f"xp.linalg.det({self.node(e.arg)})[..., None, None]")
        if isinstance(e, Norm):
            a = self.node(e.arg)
            return self.tmp(f"xp.sqrt(xp.sum({a} * {a}, axis=(-2, -1)))[..., None, None]")
        if isinstance(e, MatrixElement):
            i, j = self.dim(e.i), self.dim(e.j)
            return self.tmp(f"{self.node(e.parent)}[..., {i}:{i} + 1, {j}:{j} + 1]")
        if isinstance(e, sp.Expr) and not getattr(e, "is_Matrix", False) and e.args:
            # any other scalar function: its arguments as temporaries, the function by SymPy's printer
            temps = {a: sp.Symbol(self.node(a)) for a in e.args if isinstance(a, sp.Expr)}
            return self.tmp(self.printer.doprint(_elementary(e.xreplace(temps))))
        raise UnsupportedError(f"source export has no rule for {type(e).__name__} (in {e})")


def _freeing(lines: list[str], out: str) -> list[str]:
    """``lines`` with ``del t…`` after each temporary's last use: a batch of large temporaries kept alive to
    the end costs more than the arithmetic (memory traffic, fresh pages on every call)."""
    last: dict = {}
    for i, line in enumerate(lines):
        for t in re.findall(r"\bt[0-9]+\b", line.split(" = ", 1)[1]):
            last[t] = i
    done: dict = {}
    for t, i in last.items():
        if t != out:
            done.setdefault(i, []).append(t)
    freed = []
    for i, line in enumerate(lines):
        freed.append(line)
        if i in done:
            freed.append(f"    del {', '.join(sorted(done[i]))}")
    return freed


def _generate(e, backend: str, name: str, free: bool = False) -> str:
    """The module text (imports, helpers, ``def name(a0, …, s0, …)``) for the expression ``e``; ``free``:
    delete each temporary after its last use (the compiled program)."""
    mats, scals, dims = _arguments(e)
    w = _SourceWriter(backend)
    params = []
    for k, M in enumerate(mats):
        w.names[M.name] = f"a{k}"
        params.append((f"a{k}", M.name))
    for k, s in enumerate(scals):
        w.names[s.name] = f"s{k}"
        params.append((f"s{k}", s.name))
    head = []
    for d in dims:
        w.names[d.name] = f"d_{d.name}" if d.name.isidentifier() else f"d{len(head)}"
        src = next(((f"a{k}", i) for k, M in enumerate(mats) for i, dd in enumerate(M.shape) if dd == d), None)
        if src is None:
            raise UnsupportedError(f"the size {d.name} is not the size of any argument")
        head.append(f"    {w.names[d.name]} = {src[0]}.shape[{src[1] - 2}]")
    scal_lines = [f"    s{k} = _s(s{k})" for k in range(len(scals))]
    out = w.node(e)
    mod = "jax.numpy"
    doc = ", ".join(f"{p} = {n if re.fullmatch(r'[A-Za-z][A-Za-z0-9_]{0,30}', n) else '?'}" for p, n in params)
    lines = [
        f'"""Generated by symjac: {backend} evaluation of a closed form.  Arguments: {doc}."""',
        "import numpy",
        "import jax" if backend == "jax" else "",
        f"import {mod} as xp" if backend == "jax" else "xp = numpy",
        _PREAMBLE,
        "",
        f"def {name}({', '.join(p for p, _ in params)}):",
        *head, *scal_lines, *(_freeing(w.lines, out) if free else w.lines),
        f"    return {out}",
        "",
    ]
    return "\n".join(lines)


def to_source(result, backend: str = "numpy", name: str = "f") -> str:
    """Python source of a module defining ``name(<args>)`` that evaluates the closed form with NumPy or JAX."""
    if not name.isidentifier() or name.startswith("_"):
        raise SymjacError(f"function name {name!r} is not a plain identifier")
    return _generate(_expr_of(result), backend, name)


# --- compiling the generated program (what lambdify runs) -------------------------------

_HELPERS = {"_kron", "_kron_eye", "_kron_by_eye", "_vec", "_unvec", "_K", "_diag", "_psi", "_s", "_kperm_rows", "_kperm_cols"}
_GENERATED = re.compile(r"(a|s|t|d)[0-9]+|d_[A-Za-z0-9_]+|z_|xp|numpy|float|_program")


def _only_generated_names(tree) -> bool:
    """Every identifier in the generated function is one the generator made (a0, s0, t3, d_m, z_), the
    module ``xp`` / ``numpy`` or a preamble helper — no name from anywhere else."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not (_GENERATED.fullmatch(node.id) or node.id in _HELPERS):
            return False
        if isinstance(node, ast.arg) and not _GENERATED.fullmatch(node.arg):
            return False
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return False
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)):
            return False
    return True


def _compile(e):
    """The closed form ``e`` as a Python function of its arrays in ``args`` order, or None when the code
    generator has no rule for part of it (the caller then uses the tree-walking evaluator)."""
    try:
        src = _generate(e, "numpy", "_program", free=True)
    except (UnsupportedError, KeyError, TypeError, ValueError, AttributeError):
        return None
    body = src[src.index("\ndef _program("):]
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    if not _only_generated_names(tree):
        return None
    # As SymPy's own lambdify does, the program is compiled from text: text that symjac's code generator
    # wrote from the expression tree, with generated identifiers (checked just above), never text a user
    # typed — nothing read from outside is evaluated.
    namespace: dict = {}
    exec(compile(src, "<symjac closed form>", "exec"), namespace)   # noqa: S102 — generated code only
    return namespace["_program"]


def _elementary(e):
    """symjac's own registry functions (sigmoid, softplus, GELU …) by their elementary definitions, so the
    exported source needs nothing but NumPy / JAX."""
    return e.replace(lambda a: isinstance(a, registry.RegistryFunction),
                     lambda a: registry.of(a).definition(*a.args))


__all__ = ["ClosedFormFunction", "lambdify_closed_form", "to_source"]
