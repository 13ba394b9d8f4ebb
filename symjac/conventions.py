"""Jacobian conventions: how outputs and inputs are flattened, and the layout.

For F (m×n) a function of X (p×q):

* ``outputs``: ``"col"`` flattens F column-first (vec F = F11, F21, …, Fm1, F12, …;
  Magnus & Neudecker) and ``"row"`` row-first (F11, F12, …; NumPy's C order);
* ``inputs``: the same choice for X;
* ``layout``: ``"numerator"`` gives J of shape (mn)×(pq) with
  J[r, c] = ∂flat(F)_r / ∂flat(X)_c; ``"denominator"`` is its transpose.

Presets: ``VEC`` (col, col, numerator; the default), ``NOTES`` (col, row,
numerator; the lecture notes' matrices), ``ROW`` (row, row, numerator; what
``jax.jacobian(f)(X).reshape(m*n, p*q)`` gives) and ``GRADIENT`` (col, col,
denominator; the transpose of VEC).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symjac.errors import ConventionError, ShapeError
from symjac.symbols import as_matrix

ORDERS = ("col", "row")
LAYOUTS = ("numerator", "denominator")


@dataclass(frozen=True)
class Convention:
    """Output order, input order and layout of a Jacobian (see module docstring)."""

    outputs: str = "col"
    inputs: str = "col"
    layout: str = "numerator"
    name: str | None = None

    def __post_init__(self) -> None:
        if self.outputs not in ORDERS:
            raise ConventionError(f"unknown output order {self.outputs!r}: use 'col' or 'row'")
        if self.inputs not in ORDERS:
            raise ConventionError(f"unknown input order {self.inputs!r}: use 'col' or 'row'")
        if self.layout not in LAYOUTS:
            raise ConventionError(f"unknown layout {self.layout!r}: use 'numerator' or 'denominator'")

    @property
    def label(self) -> str:
        """Preset name in capitals, or a description of the three choices."""
        return self.name.upper() if self.name else self.describe()

    def describe(self) -> str:
        """One line for documents: outputs, inputs and layout in words."""
        words = {"col": "column-first", "row": "row-first"}
        return (
            f"outputs {words[self.outputs]}, inputs {words[self.inputs]}, "
            f"{self.layout} layout"
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "outputs": self.outputs,
            "inputs": self.inputs,
            "layout": self.layout,
        }


VEC = Convention("col", "col", "numerator", name="vec")
NOTES = Convention("col", "row", "numerator", name="notes")
ROW = Convention("row", "row", "numerator", name="row")
GRADIENT = Convention("col", "col", "denominator", name="gradient")

PRESETS = {c.name: c for c in (VEC, NOTES, ROW, GRADIENT)}


def get_convention(spec: "Convention | str | None") -> Convention:
    """A Convention from a preset name (case-insensitive), a Convention, or None (VEC)."""
    if spec is None:
        return VEC
    if isinstance(spec, Convention):
        return spec
    if isinstance(spec, str) and spec.lower() in PRESETS:
        return PRESETS[spec.lower()]
    raise ConventionError(
        f"unknown convention {spec!r}: choose one of {', '.join(PRESETS)}"
    )


def flatten(M, order: str = "col") -> list:
    """The entries of M as a flat list, column-first (``col``) or row-first (``row``)."""
    M = as_matrix(M)
    if order == "col":
        return [M[i, j] for j in range(M.cols) for i in range(M.rows)]
    if order == "row":
        return [M[i, j] for i in range(M.rows) for j in range(M.cols)]
    raise ConventionError(f"unknown order {order!r}: use 'col' or 'row'")


def vec(M, order: str = "col") -> sp.ImmutableMatrix:
    """vec M: the entries of an m×n M stacked into an (mn)×1 column.

    ``order="col"`` stacks the columns (Magnus & Neudecker's vec);
    ``order="row"`` stacks the rows (vec of Mᵀ).
    """
    flat = flatten(M, order)
    return sp.ImmutableMatrix(len(flat), 1, flat)


def unvec(v, shape: tuple[int, int], order: str = "col") -> sp.ImmutableMatrix:
    """Inverse of :func:`vec`: reshape an (mn)-vector into an m×n matrix."""
    rows, cols = shape
    v = as_matrix(v)
    if len(v) != rows * cols:
        raise ShapeError(f"cannot unvec {len(v)} entries into shape {rows}x{cols}")
    flat = list(v)
    if order == "col":
        return sp.ImmutableMatrix(rows, cols, lambda i, j: flat[j * rows + i])
    if order == "row":
        return sp.ImmutableMatrix(rows, cols, lambda i, j: flat[i * cols + j])
    raise ConventionError(f"unknown order {order!r}: use 'col' or 'row'")


def flat_index(i: int, j: int, shape: tuple[int, int], order: str) -> int:
    """Position of entry (i, j) (0-based) of a matrix of ``shape`` in its flattening."""
    rows, cols = shape
    return j * rows + i if order == "col" else i * cols + j


def permutation_to(shape: tuple[int, int], src: str, dst: str) -> list[int]:
    """perm with flat_dst[k] = flat_src[perm[k]] for a matrix of ``shape``."""
    rows, cols = shape
    out = []
    for k in range(rows * cols):
        if dst == "col":
            i, j = k % rows, k // rows
        else:
            i, j = k // cols, k % cols
        out.append(flat_index(i, j, shape, src))
    return out


def commutation_matrix(m: int, n: int) -> sp.ImmutableMatrix:
    """K_{m,n}: the (mn)×(mn) permutation with K vec(A) = vec(Aᵀ) for every m×n A.

    Equivalently K_{m,n} vec(A) = vec_row(A): it turns column-first order into
    row-first order.  K_{m,n}ᵀ = K_{m,n}⁻¹ = K_{n,m}.
    """
    if m < 1 or n < 1:
        raise ShapeError(f"commutation matrix needs positive sizes, got {m}x{n}")
    perm = permutation_to((m, n), "col", "row")
    K = sp.zeros(m * n, m * n)
    for r, c in enumerate(perm):
        K[r, c] = 1
    return sp.ImmutableMatrix(K)


__all__ = [
    "Convention",
    "VEC",
    "NOTES",
    "ROW",
    "GRADIENT",
    "PRESETS",
    "get_convention",
    "flatten",
    "vec",
    "unvec",
    "flat_index",
    "permutation_to",
    "commutation_matrix",
]
