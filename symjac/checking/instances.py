"""A problem at concrete sizes: the size assignments it is compared at (satisfying declared
properties), random points, :class:`_Instance` (the explicit function, its derivative T[i,j,k,l]
and the product-rule part of each occurrence of the variable) and the answer evaluated there.
"""
from __future__ import annotations

import hashlib
import itertools
import random

import numpy as np
import sympy as sp

from symjac.calculus.explicit import derivative_array
from symjac.checking import numeric_key
from symjac.checking.problem import CheckError, Problem, _entry_letters
from symjac.checking.report import _fmt_shape
from symjac.errors import ShapeError, SymjacError
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.symbols import symbolic


def _seed(*parts) -> int:
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(h[:8], "little")


def _size_assignments(problem: Problem) -> list[dict]:
    dims = problem.dims
    if not dims:
        return [{}]
    if getattr(problem, "variable_properties", None) or getattr(problem, "size_relations", None):
        return _sizes_with_properties(problem, dims)
    pools = [2, 3, 4, 5]
    rng = random.Random(_seed("sizes", *dims))
    out = []
    for _ in range(2):
        vals = rng.sample(pools, len(dims)) if len(dims) <= len(pools) else [rng.choice(pools) for _ in dims]
        out.append(dict(zip(dims, vals)))
    if len(dims) >= 2 and out[0] == out[1]:  # pragma: no cover
        out[1] = dict(zip(dims, reversed(list(out[0].values()))))
    return out


def _sizes_with_properties(problem: Problem, dims: list) -> list[dict]:
    """Two size assignments (from 2..5) satisfying the declared size relations and the shapes the
    properties need (square, rows ≥ columns); all-distinct sizes first, so m×n stays non-square
    where the properties allow it.  A CheckError when no assignment satisfies them."""
    from itertools import islice, product

    from symjac.properties import sizes_ok

    rng = random.Random(_seed("sizes", *dims))
    pools = [2, 3, 4, 5]
    every = list(islice(product(pools, repeat=len(dims)), 5000))
    rng.shuffle(every)
    every.sort(key=lambda vals: -len(set(vals)))      # stable: distinct sizes first, random within

    def fits(sizes):
        if not all(rel.holds(sizes) for rel in problem.size_relations):
            return False
        shapes = _Instance.shapes_at(problem, sizes)
        return all(sizes_ok(shapes[n], ps) for n, ps in problem.variable_properties.items())

    good = [dict(zip(dims, vals)) for vals in every if fits(dict(zip(dims, vals)))]
    if not good:
        raise CheckError("no sizes satisfy the declared properties: "
                         + ", ".join(map(str, problem.size_relations)) if problem.size_relations
                         else "no sizes satisfy the declared properties")
    return good[:2] if len(good) >= 2 else good


def _with_properties(problem: Problem, shapes: dict, arrays: dict, rng) -> dict:
    """``arrays`` with every variable that has declared properties redrawn to satisfy them."""
    from symjac.properties import draw

    props = getattr(problem, "variable_properties", None)
    if not props:
        return arrays
    out = dict(arrays)
    for name, ps in props.items():
        if name in shapes:
            out[name] = draw(rng, shapes[name], ps)
    return out


class _Instance:
    """The problem at one size assignment: explicit F, its derivative, tagged parts."""

    def __init__(self, problem: Problem, sizes: dict):
        self.problem = problem
        self.sizes = sizes
        self.shapes = self.shapes_at(problem, sizes)
        self.numeric = problem.wrt is not None and numeric_key.needs_numeric_key(problem.function, self.shapes)
        if self.numeric:   # no explicit symbolic form: the key comes from NumPy (checking/numeric_key.py)
            self._init_numeric(problem)
            return
        self.F, self.variables = _build_function(problem, self.shapes)
        self.Fm = self.F if isinstance(self.F, sp.MatrixBase) else sp.ImmutableMatrix([[self.F]])
        self.T = None
        self.parts = []
        if problem.wrt is not None:
            X = self.variables[problem.wrt]
            if problem.convention.second_order:   # the Hessian arranges the array of the gradient
                from symjac.calculus.explicit import gradient

                self.T = derivative_array(gradient(self.Fm, X), X)
            else:
                self.T = derivative_array(self.Fm, X)
                self.parts = _occurrence_parts(problem, self.shapes, X)


    def _init_numeric(self, problem):
        probe = numeric_key.well_conditioned(self.shapes, np.random.default_rng(0), True)
        self.Fm = sp.ZeroMatrix(*numeric_key.value(problem.function, probe).shape)
        self.F, self.variables, self.T, self.parts = None, {}, None, []

    def draw(self, rng, positive: bool) -> dict:
        """Random values of the variables (well-conditioned ones for a numeric key)."""
        if self.numeric:
            arrays = numeric_key.well_conditioned(self.shapes, rng, positive)
        else:
            arrays = _random_arrays(self.shapes, rng, positive)
        return _with_properties(self.problem, self.shapes, arrays, rng)

    def key(self, arrays: dict, env) -> tuple:
        """(T, product-rule parts) as NumPy arrays at ``arrays``."""
        if self.numeric:
            f, wrt = self.problem.function, self.problem.wrt
            return numeric_key.derivative(f, arrays, wrt), numeric_key.parts(f, arrays, wrt)
        return _num_array(self.T, env), [_num_array(P, env) for P in self.parts]

    @staticmethod
    def shapes_at(problem: Problem, sizes: dict) -> dict:
        return {n: tuple(d if isinstance(d, int) else sizes[d] for d in s) for n, s in problem.shapes.items()}


def _build_function(problem: Problem, shapes: dict):
    f = problem.function
    if isinstance(f, str):
        from symjac.parsing.explicit import build_explicit

        return build_explicit(f, shapes)
    variables = {n: symbolic(n, s) for n, s in shapes.items()}
    if isinstance(f, sp.MatrixBase):
        return sp.ImmutableMatrix(f), variables
    dims = {sp.Symbol(d, integer=True, positive=True): v for d, v in _dims_from(problem, shapes).items()}
    repl = {}
    for e in f.atoms(sp.MatrixSymbol):
        repl[e] = variables[e.name] if e.name in variables else None
    for e in f.atoms(sp.Symbol):
        if e.name in variables:
            repl[e] = variables[e.name]
    if any(v is None for v in repl.values()):
        raise CheckError("the function uses a name without a declared shape")
    g = f.xreplace({**repl, **{sp.Symbol(k.name): v for k, v in dims.items()}, **dims})
    g = g.doit() if hasattr(g, "doit") else g
    if isinstance(g, sp.MatrixExpr):
        g = g.as_explicit()
    if isinstance(g, sp.MatrixBase):
        g = sp.ImmutableMatrix(g)
        if g.shape == (1, 1):
            g = g[0, 0]
    return g, variables


def _dims_from(problem, shapes):
    out = {}
    for n, s in problem.shapes.items():
        for d, v in zip(s, shapes[n]):
            if isinstance(d, str):
                out[d] = v
    return out


def _occurrence_parts(problem: Problem, shapes: dict, X):
    """Derivatives through each occurrence of the variable separately (product-rule terms)."""
    if not isinstance(problem.function, str):
        return []
    from symjac.parsing.explicit import explicit_occurrences

    try:
        F, copies = explicit_occurrences(problem.function, shapes, problem.wrt)
    except SymjacError:
        return []
    if not 2 <= len(copies) <= 6:
        return []
    Fm = F if isinstance(F, sp.MatrixBase) else sp.ImmutableMatrix([[F]])
    Xm = X if isinstance(X, sp.MatrixBase) else sp.ImmutableMatrix([[X]])
    copies = [Xc if isinstance(Xc, sp.MatrixBase) else sp.ImmutableMatrix([[Xc]]) for Xc in copies]
    back = {c: x for Xc in copies for c, x in zip(Xc, Xm)}
    return [derivative_array(Fm, Xc).applyfunc(lambda e: e.xreplace(back)) for Xc in copies]


def _random_arrays(shapes: dict, rng: np.random.Generator, positive: bool):
    out = {}
    for name, (r, c) in shapes.items():
        if positive:
            out[name] = rng.uniform(0.3, 1.5, size=(r, c))
        else:
            a = rng.uniform(0.3, 1.5, size=(r, c)) * rng.choice([-1.0, 1.0], size=(r, c))
            out[name] = a
    return out


def _num_array(sym_array, env: Env) -> np.ndarray:
    entries = list(sym_array) if isinstance(sym_array, sp.MatrixBase) else sp.flatten(sym_array.tolist())
    flat = [float(_scalar(evaluate(e, env))) if e != 0 else 0.0 for e in entries]
    return np.array(flat, dtype=float).reshape(sym_array.shape)


def _scalar(v):
    return v[0, 0] if isinstance(v, np.ndarray) else v


def _eval_entry(problem, expr, env, shape4):
    """E[k, l] = the answer (F's shape) with its index letters at (k + 1, l + 1): the ENTRY array p×q×m×n."""
    syms = [sp.Symbol(n, integer=True, positive=True) for n in _entry_letters(problem)]
    out = np.empty(shape4)
    for k, l in itertools.product(range(shape4[0]), range(shape4[1])):
        at = Env(env.dims, env.arrays, {syms[0]: k + 1, syms[1]: l + 1})
        v = evaluate(expr, at, shape4[2:])
        v = v if isinstance(v, np.ndarray) else np.array([[float(v)]])
        if v.shape != tuple(shape4[2:]):
            raise ShapeError(f"∂F/∂X_ij has F's shape {_fmt_shape(shape4[2:])}, the answer is {_fmt_shape(v.shape)}")
        out[k, l] = v
    return out


def _answer_env(arrays, sizes, problem, idx=None):
    dims = {sp.Symbol(d, integer=True, positive=True): v for d, v in sizes.items()}
    if getattr(problem, "expanded_definitions", None):
        from symjac.checking.definitions import values

        arrays = {**arrays, **values(problem.expanded_definitions, arrays)}
    return Env(dims, arrays, idx)


def _eval_answer(problem, expr, env, expected_shape):
    if problem.convention.index_notation:
        return None
    v = evaluate(expr, env, expected_shape)
    return v if isinstance(v, np.ndarray) else np.array([[float(v)]])


def _eval_tensor(problem, expr, arrays, sizes, shape4):
    syms = [None if n is None else sp.Symbol(n, integer=True, positive=True) for n in problem.indices]
    out = np.empty(shape4)
    base = _answer_env(arrays, sizes, problem)
    for idx in itertools.product(*(range(s) for s in shape4)):
        env = Env(base.dims, base.arrays, {s: v + 1 for s, v in zip(syms, idx) if s is not None})
        v = evaluate(expr, env)
        if isinstance(v, np.ndarray):
            if v.shape != (1, 1):
                raise ShapeError("an index-notation answer must be a scalar expression")
            v = v[0, 0]
        out[idx] = v
    return out
