"""Helpers for tests: compare any size-free formula with brute-force elementwise differentiation.

``agrees(formula, F, X, kind, convention, sizes, values=None)`` instantiates
``formula`` (e.g. a textbook's closed form written as a SymPy matrix
expression) at ``sizes`` and compares it with ``symjac.calculus.explicit`` /
``symjac.gradient`` of the explicit F: exactly when F is polynomial and no
values are imposed, else at a random point (``values`` fixes some matrices,
e.g. a symmetric W, and the rest are random).
"""
from __future__ import annotations

import random

import sympy as sp

from symjac.conventions import VEC, get_convention
from symjac.calculus.closedform.instantiate import instantiate
from symjac.calculus.closedform.objects import as_expr
from symjac.calculus.closedform.proof import exactly_equal, _is_heavy, _close, _entry_map, _polynomial, _random_value, _reference, matrix_symbols, scalar_symbols, dimension_symbols


_CACHE: dict = {}


def brute_force(kind, F, X, sizes, convention=VEC):
    """The elementwise derivative of the explicit F at ``sizes`` (symbolic entries; memoised)."""
    key = (kind, F, X, tuple(sorted(sizes.items())), get_convention(convention))
    if key not in _CACHE:
        _CACHE[key] = _brute_force(kind, F, X, sizes, convention)
    return _CACHE[key]


def _brute_force(kind, F, X, sizes, convention):
    F_e = instantiate(F, sizes)
    F_e = F_e[0, 0] if F_e.shape == (1, 1) else F_e
    return _reference(kind, F_e, instantiate(X, sizes), get_convention(convention))


def _dim_value(d, sizes):
    d = as_expr(d)
    return int(d.xreplace({s: sp.Integer(sizes[s.name]) for s in d.free_symbols}))


def agrees(formula, F, X, kind="jacobian", convention=VEC, sizes=None, values=None, seed=0, tol=1e-9) -> bool:
    """True when ``formula`` equals the elementwise derivative of F by X at ``sizes``.

    values: {name: matrix, or callable(rng, shape) → matrix} fixing some symbols.
    """
    ref = brute_force(kind, F, X, sizes, convention)
    F_e = instantiate(F, sizes)
    if not values and _polynomial(F_e) and not _is_heavy(formula):
        got = instantiate(formula, sizes)
        return got.shape == ref.shape and all(exactly_equal(a, b) for a, b in zip(got, ref))
    rng = random.Random(seed)
    vals, subs = {}, {}
    for M in matrix_symbols(F, X, formula):
        shape = (_dim_value(M.shape[0], sizes), _dim_value(M.shape[1], sizes))
        v = (values or {}).get(M.name)
        if callable(v):
            v = v(rng, shape)
        if v is None:
            v = _random_value(rng, shape, square_shift=True)
        v = sp.ImmutableMatrix(v)
        vals[M.name] = v
        subs.update(_entry_map(M.name, shape, v))
    dims = dimension_symbols(F, X, formula)
    for s in scalar_symbols(F, dims):
        if s.name in sizes:                      # a symbolic integer parameter fixed like a size
            continue
        v = sp.Float(round(rng.uniform(-1, 1), 6))
        vals[s.name] = v
        subs[sp.Symbol(s.name, real=True)] = v
    got = instantiate(formula, sizes, vals)
    ref = ref.xreplace(subs)
    return got.shape == ref.shape and all(_close(a, b, tol) for a, b in zip(got, ref))


def symmetric(rng, shape):
    """A random symmetric matrix (for identities stated for symmetric arguments)."""
    n = shape[0]
    M = sp.Matrix(n, n, lambda i, j: 0)
    for i in range(n):
        for j in range(i, n):
            M[i, j] = M[j, i] = sp.Float(round(rng.uniform(-1, 1), 6))
    return M + sp.Float(n) * sp.eye(n) / 2


__all__ = ["agrees", "brute_force", "symmetric"]
