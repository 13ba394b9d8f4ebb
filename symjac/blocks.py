"""Building blocks from the lecture notes and their activations.

All functions take and return explicit SymPy matrices (see :mod:`symjac.symbols`):

* ``affine(A, x, b)``        Ax + b, A m×n, x n×1, b m×1 → m×1
* ``gram(A)``                AᵀA, A m×n → n×n
* ``least_squares(y, Phi, theta)``  ‖y − Φθ‖², y N×1, Φ N×D, θ D×1 → scalar
* ``layer(W, a, b, activation)``    σ(Wa + b) elementwise, W m×n → m×1

Activations are the functions of the registry :mod:`symjac.elementwise`
(tanh, sigmoid, relu, softplus, gelu, …, each with its exact derivative
there) plus ``identity``.
"""
from __future__ import annotations

from functools import cmp_to_key
from typing import Callable

import sympy as sp

from symjac import elementwise as registry
from symjac.elementwise import apply, elementwise, relu, sigmoid  # noqa: F401 - re-exported
from symjac.errors import ShapeError, SymjacError
from symjac.symbols import as_matrix


def identity(z):
    """The identity activation (a linear layer)."""
    return z


tanh = sp.tanh

#: activation name → SymPy callable: every registry function defined on all reals (default
#: parameters) and ``identity``.
ACTIVATIONS: dict[str, Callable] = {
    **{name: d.applied() for name, d in registry.REGISTRY.items() if d.domain == "real"},
    "identity": identity,
}


def activation(name_or_fn) -> Callable:
    """An activation by name (any registry function, or identity) or a callable as is."""
    if callable(name_or_fn):
        return name_or_fn
    try:
        return ACTIVATIONS[name_or_fn]
    except (KeyError, TypeError):
        raise SymjacError(
            f"unknown activation {name_or_fn!r}: choose one of {', '.join(ACTIVATIONS)}"
        ) from None


_by_compare = cmp_to_key(sp.Basic.compare)


def product(a, b):
    """a·b, canonical as SymPy's ``a*b``, without Mul's general flattening where it is safe.

    Products of an entry symbol with another symbol (building AᵀA, Ax, Wa) or
    with a sum (f′(u)·W_ij in a layer's Jacobian) dominate the engine's work;
    for those pairs Mul.flatten only sorts the two factors, so the Mul is built
    directly with factors in ``Basic.compare`` order.
    """
    if b is sp.S.One:              # the common case in sparse products: skip Mul's flattening
        return a
    if a is sp.S.One:
        return b
    if a.is_Symbol and a.is_commutative and b.is_commutative and (
        (b.is_Symbol and a != b) or b.is_Add
    ):
        return sp.Mul._from_args(sorted((a, b), key=_by_compare), is_commutative=True)
    if b.is_Symbol and a.is_Add and b.is_commutative and a.is_commutative:
        return sp.Mul._from_args(sorted((a, b), key=_by_compare), is_commutative=True)
    return a * b


def matmul(A, B) -> sp.ImmutableMatrix:
    """A @ B with a shape check; each entry built as one flat sum of products."""
    A, B = as_matrix(A), as_matrix(B)
    if A.cols != B.rows:
        raise ShapeError(
            f"cannot multiply {A.rows}x{A.cols} by {B.rows}x{B.cols}: inner sizes {A.cols} and {B.rows} differ"
        )
    rows = A.tolist()
    cols = [list(c) for c in zip(*B.tolist())]
    flat = [
        sp.Add(*[product(a, b) for a, b in zip(r, c)]) for r in rows for c in cols
    ]
    return sp.ImmutableDenseMatrix._new(A.rows, B.cols, flat, copy=False)


def affine(A, x, b=None) -> sp.ImmutableMatrix:
    """Ax + b for A m×n, x n×1, b m×1 (b omitted: Ax)."""
    out = matmul(A, x)
    if b is None:
        return out
    b = as_matrix(b)
    if b.shape != out.shape:
        raise ShapeError(f"cannot add b of shape {b.rows}x{b.cols} to Ax of shape {out.rows}x{out.cols}")
    return sp.ImmutableMatrix(out + b)


def gram(A) -> sp.ImmutableMatrix:
    """K = AᵀA for A m×n (n×n, symmetric)."""
    A = as_matrix(A)
    return matmul(A.T, A)


def least_squares(y, Phi, theta) -> sp.Expr:
    """L(θ) = ‖y − Φθ‖² = Σ_i (y_i − (Φθ)_i)², a scalar; y N×1, Φ N×D, θ D×1."""
    y = as_matrix(y)
    pred = matmul(Phi, theta)
    if y.shape != pred.shape:
        raise ShapeError(f"y has shape {y.rows}x{y.cols} but Phi @ theta has shape {pred.rows}x{pred.cols}")
    return sp.Add(*[(y[i] - pred[i]) ** 2 for i in range(y.rows)])


def layer(W, a, b=None, activation_fn="tanh") -> sp.ImmutableMatrix:
    """a⁽¹⁾ = σ(W a + b) elementwise; W m×n, a n×1, b m×1 → m×1."""
    sigma = activation(activation_fn)
    return elementwise(sigma, affine(W, a, b))


__all__ = [
    "sigmoid",
    "relu",
    "tanh",
    "identity",
    "ACTIVATIONS",
    "activation",
    "matmul",
    "affine",
    "gram",
    "least_squares",
    "layer",
    "apply",
    "product",
    "elementwise",
]
