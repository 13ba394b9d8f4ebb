r"""The key of a derivative problem computed numerically, for functions whose explicit symbolic
form is too large (inverses, determinants and matrix powers of symbolic matrices above 3×3).

No symbolic inversion happens here: the problem's function (expression syntax) is read into
nodes by THE builder (:mod:`symjac.parsing.matrixexpr`) and evaluated with NumPy by the nodes'
numeric evaluator (:func:`symjac.calculus.closedform.numeric.evaluate`) at a point, and the rank-4 derivative
T[i, j, k, l] = ∂F_ij/∂X_kl (shape m×n×p×q, no convention) comes from a five-point central
difference in each entry of X (error O(h⁴), far below the checker's 1e-6 tolerance at the
well-conditioned points :func:`well_conditioned` draws).  Product-rule parts (the derivative
through one occurrence of X, the others held fixed) are computed the same way.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from symjac.errors import ShapeError
from symjac.parsing.matrixexpr import build_occurrences
from symjac.calculus.closedform.numeric import evaluate

_STEP = 1e-3
# functions whose explicit symbolic form grows quickly with the size
HEAVY = re.compile(r"\b(?:inv|det|logdet|matrix_power)\s*\(")


def needs_numeric_key(function, shapes: dict) -> bool:
    """True when the key should be computed numerically: the function inverts, takes a determinant
    or a matrix power of a matrix larger than 3×3."""
    if not isinstance(function, str) or not HEAVY.search(function):
        return False
    return any(int(d) > 3 for s in shapes.values() for d in s)


def well_conditioned(shapes: dict, rng: np.random.Generator, positive: bool) -> dict:
    """Random values; square matrices get a dominant diagonal (invertible, det > 0, condition
    number below about 3), so that inverses and log-determinants are defined and accurate."""
    out = {}
    for name, (r, c) in shapes.items():
        a = rng.uniform(0.3, 1.5, size=(r, c))
        if not positive:
            a = a * rng.choice([-1.0, 1.0], size=(r, c))
        if r == c and r > 1:
            a = a / r + 2.0 * np.eye(r)
        out[name] = a
    return out


@lru_cache(maxsize=64)
def _nodes(function: str, shapes: tuple, separate: str | None):
    """The function's nodes (THE builder, parsing.matrixexpr); with ``separate``, every occurrence of that
    variable its own symbol: (expr, names of the copies in text order)."""
    expr, copies = build_occurrences(function, dict(shapes), separate)
    return expr, tuple(c.name for c in copies)


def _shapes(arrays: dict) -> tuple:
    """(name, (rows, cols)) of each value: a 1-D array is a column, a number 1×1."""
    return tuple((k, (np.shape(v) + (1, 1))[:2]) for k, v in arrays.items())


def _evaluate(function: str, shapes: tuple, arrays: dict, tag=None, only=None, moved=None) -> np.ndarray:
    """F at ``arrays``, by the numeric evaluator of the nodes (a leading batch axis passes through);
    with ``tag`` and ``only`` (1-based), that occurrence of the variable takes ``moved`` instead."""
    expr, copies = _nodes(function, shapes, tag)
    values = dict(arrays)
    for c, name in enumerate(copies, 1):
        values[name] = moved if c == only else arrays[tag]
    with np.errstate(all="ignore"):
        return np.asarray(evaluate(expr, {}, values), dtype=float)


def value(function: str, arrays: dict) -> np.ndarray:
    """F at ``arrays`` (2-D arrays) as a 2-D array."""
    return _evaluate(function, _shapes(arrays), arrays)


def occurrences(function: str, arrays: dict, wrt: str) -> int:
    return len(_nodes(function, _shapes(arrays), wrt)[1])


def derivative(function: str, arrays: dict, wrt: str, only: int | None = None) -> np.ndarray:
    """T[i, j, k, l] = ∂F_ij/∂X_kl at ``arrays`` (X = ``arrays[wrt]``), by five-point central
    differences; with ``only`` the derivative through that occurrence of X alone.  The 4pq
    shifted copies of X are evaluated at once, as one batch."""
    shapes = _shapes(arrays)
    X = np.asarray(arrays[wrt], dtype=float)
    p, q = X.shape
    F0 = value(function, arrays)
    h = _STEP * max(1.0, float(np.max(np.abs(X))))
    shifted = np.broadcast_to(X, (p, q, 4, p, q)).copy()
    for k in range(p):
        for l in range(q):
            shifted[k, l, :, k, l] += np.array([2.0, 1.0, -1.0, -2.0]) * h
    shifted = shifted.reshape(p * q * 4, p, q)
    if only is None:
        vals = _evaluate(function, shapes, {**arrays, wrt: shifted})
    else:
        vals = _evaluate(function, shapes, arrays, tag=wrt, only=only, moved=shifted)
    if vals.shape[-2:] != F0.shape:
        raise ShapeError("the function changes shape")  # pragma: no cover
    v = np.broadcast_to(vals, (p * q * 4,) + F0.shape).reshape((p, q, 4) + F0.shape)
    d = (-v[:, :, 0] + 8 * v[:, :, 1] - 8 * v[:, :, 2] + v[:, :, 3]) / (12 * h)      # (p, q, m, n)
    return np.ascontiguousarray(d.transpose(2, 3, 0, 1))


def parts(function: str, arrays: dict, wrt: str) -> list:
    """The derivative through each occurrence of X (product-rule terms), when there are 2 to 6."""
    k = occurrences(function, arrays, wrt)
    if k < 2 or k > 6:
        return []
    return [derivative(function, arrays, wrt, only=c) for c in range(1, k + 1)]


__all__ = ["needs_numeric_key", "well_conditioned", "value", "derivative", "parts"]
