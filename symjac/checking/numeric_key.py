r"""The key of a derivative problem computed numerically, for functions whose explicit symbolic
form is too large (inverses, determinants and matrix powers of symbolic matrices above 3×3).

No symbolic inversion happens here: the problem's function (expression syntax) is evaluated
with NumPy by :class:`NumericBuilder` at a point, and the rank-4 derivative
T[i, j, k, l] = ∂F_ij/∂X_kl (shape m×n×p×q, no convention) comes from a five-point central
difference in each entry of X (error O(h⁴), far below the checker's 1e-6 tolerance at the
well-conditioned points :func:`well_conditioned` draws).  Product-rule parts (the derivative
through one occurrence of X, the others held fixed) are computed the same way.
"""
from __future__ import annotations

import re

import numpy as np

from symjac import elementwise as registry
from symjac.errors import ShapeError, UnsupportedError
from symjac.parsing.expr import evaluate as eval_text

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


class NumericBuilder:
    """Evaluates the expression syntax with NumPy (the semantics of ExplicitBuilder): values are
    2-D arrays, 1×1 results are floats.  ``tag`` names a variable whose occurrences are numbered;
    occurrence ``only`` (1-based) of it takes ``moved`` instead of its value."""

    def __init__(self, arrays: dict, tag: str | None = None, only: int | None = None, moved=None):
        self.arrays, self.tag, self.only, self.moved = arrays, tag, only, moved
        self.count = 0

    @staticmethod
    def _n(v):
        return v[0, 0] if isinstance(v, np.ndarray) and v.shape == (1, 1) else v

    @staticmethod
    def _m(v):
        return v if isinstance(v, np.ndarray) else np.array([[v]], dtype=float)

    def name(self, ident, pos):
        v = self.arrays[ident]
        if ident == self.tag:
            self.count += 1
            if self.count == self.only:
                v = self.moved
        return self._n(v)

    def number(self, value, pos):
        return float(value)

    def binary(self, op, left, right, pos):
        if op in "+-":
            return self._n(left + right if op == "+" else left - right)
        if op == "*":
            return self._n(left * right)
        if op == "/":
            return self._n(left / right)
        if op == "@":
            return self._n(self._m(left) @ self._m(right))
        if op == "**":
            return self._n(left ** right)
        raise UnsupportedError(f"operator {op}")  # pragma: no cover - whitelist

    def unary(self, op, operand, pos):
        return -operand if op == "-" else operand

    def transpose(self, operand, pos):
        return operand.T if isinstance(operand, np.ndarray) else operand

    def call(self, func, args, pos):
        decl = registry.text_names().get(func)
        if decl is not None:             # an elementwise function: its NumPy form from the registry
            return self._n(decl.numpy(args[0], *[float(self._n(a)) for a in args[1:]]))
        if func == "matrix_power":
            return self._n(np.linalg.matrix_power(self._m(args[0]), int(round(float(self._n(args[1]))))))
        if func == "eye":
            return self._n(np.eye(int(round(float(self._n(args[0]))))))
        a = [self._m(x) for x in args]
        table = {
            "norm": lambda M: float(np.sqrt(np.sum(M * M))),
            "trace": lambda M: float(np.trace(M)),
            "det": lambda M: float(np.linalg.det(M)),
            "logdet": lambda M: float(np.log(np.linalg.det(M))),
            "inv": np.linalg.inv,
            "kron": np.kron,
            "hadamard": lambda A, B: A * B,
            "vec": lambda M: M.reshape(-1, 1, order="F"),
            "diag": lambda v: np.diag(v.ravel()),
            "sum": lambda M: float(np.sum(M)),
        }
        if func not in table:
            raise UnsupportedError(f"function {func} cannot be evaluated numerically")
        return self._n(table[func](*a))


def value(function: str, arrays: dict, **tag) -> np.ndarray:
    """F at ``arrays`` as a 2-D array."""
    with np.errstate(all="ignore"):
        v = eval_text(function, NumericBuilder(arrays, **tag))
    return NumericBuilder._m(v)


def occurrences(function: str, arrays: dict, wrt: str) -> int:
    b = NumericBuilder(arrays, tag=wrt)
    eval_text(function, b)
    return b.count


def derivative(function: str, arrays: dict, wrt: str, only: int | None = None) -> np.ndarray:
    """T[i, j, k, l] = ∂F_ij/∂X_kl at ``arrays`` (X = ``arrays[wrt]``), by five-point central
    differences; with ``only`` the derivative through that occurrence of X alone."""
    X = np.asarray(arrays[wrt], dtype=float)
    F0 = value(function, arrays)
    T = np.zeros(F0.shape + X.shape)
    h = _STEP * max(1.0, float(np.max(np.abs(X))))
    for k in range(X.shape[0]):
        for l in range(X.shape[1]):
            vals = []
            for s in (2, 1, -1, -2):
                Xs = X.copy()
                Xs[k, l] += s * h
                if only is None:
                    vals.append(value(function, {**arrays, wrt: Xs}))
                else:
                    vals.append(value(function, arrays, tag=wrt, only=only, moved=Xs))
            if vals[0].shape != F0.shape:
                raise ShapeError("the function changes shape")  # pragma: no cover
            T[:, :, k, l] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)
    return T


def parts(function: str, arrays: dict, wrt: str) -> list:
    """The derivative through each occurrence of X (product-rule terms), when there are 2 to 6."""
    k = occurrences(function, arrays, wrt)
    if k < 2 or k > 6:
        return []
    return [derivative(function, arrays, wrt, only=c) for c in range(1, k + 1)]


__all__ = ["NumericBuilder", "needs_numeric_key", "well_conditioned", "value", "derivative", "parts"]
