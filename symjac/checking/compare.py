"""Comparing an answer with the key: the key arranged in the problem's convention (the rank-4
derivative T[i,j,k,l] = ∂F_ij/∂X_kl as a Jacobian, or a gradient in the variable's shape) and
equality of NumPy arrays to the relative tolerance RTOL.
"""
from __future__ import annotations

import numpy as np

from symjac.checking.problem import Problem, symmetric_gradient
from symjac.conventions import Convention


RTOL = 1e-6


def conv_matrix(T: np.ndarray, conv: Convention) -> np.ndarray:
    """The (mn)×(pq) Jacobian of convention ``conv`` from T[i,j,k,l] (numerator; transposed if denominator)."""
    return conv.flattening.arrange(T)


def expected_array(problem: Problem, T: np.ndarray) -> np.ndarray:
    if getattr(problem, "symmetric", None) and problem.convention.in_variable_shape(T.shape[:2]):
        return symmetric_gradient(T[0, 0], problem.symmetric)
    return problem.convention.arrange(T)


def _close(a, b) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return bool(np.all(np.abs(a - b) <= RTOL * scale + RTOL * np.abs(b)))
