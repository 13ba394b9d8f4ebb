"""Jacobian conventions as values: what a derivative of F by X is, laid out how.

For F (m×n) a function of X (p×q), every convention is a view of the rank-4
array T[i, j, k, l] = ∂F_ij/∂X_kl (shape m×n×p×q).  Modules ask a
:class:`Convention` (``is_flattening``, ``answer_shape``, ``arrange``,
``describe``, ``latex_symbol``) instead of comparing names.

Flattenings (``kind == "flat"``) choose three things:

* ``outputs``: ``"col"`` flattens F column-first (vec F = F11, F21, …, Fm1, F12, …;
  Magnus & Neudecker) and ``"row"`` row-first (F11, F12, …; NumPy's C order);
* ``inputs``: the same choice for X;
* ``layout``: ``"numerator"`` gives J of shape (mn)×(pq) with
  J[r, c] = ∂flat(F)_r / ∂flat(X)_c; ``"denominator"`` is its transpose.

Named conventions (``get_convention(name)``):

* ``vec`` (VEC, the default): col, col, numerator;
* ``notes`` (NOTES): col, row, numerator — the lecture notes' matrices;
* ``row`` (ROW): row, row, numerator — ``jax.jacobian(f)(X).reshape(m*n, p*q)``;
* ``denominator`` (DENOMINATOR): col, col, denominator — the transpose of VEC;
  a scalar's derivative is a (pq)×1 column.  (Before issue 11 this was called
  ``gradient``.)
* ``gradient`` (GRADIENT): for a scalar F, ∂F/∂X in X's shape, G[k, l] = ∂F/∂X_kl
  (∂tr(AB)/∂A = Bᵀ); for a vector or matrix F, the denominator layout (pq)×(mn)
  (∇ₓ(Ax) = Aᵀ), whose column r is the vectorised gradient of flat(F)_r;
* ``tensor`` (TENSOR): the rank-4 array T itself, or its generic entry ∂F_ij/∂X_kl
  in index notation;
* ``entry`` (ENTRY): ∂F/∂X_kl, a matrix of F's shape for each entry X_kl (array p×q×m×n);
* ``hessian`` (HESSIAN): for a scalar F, ∂ vec(∇F) / ∂ (vec X)ᵀ, (pq)×(pq).

Non-flattening conventions keep the orders and layout of the flattening they
reduce to (``flattening``): GRADIENT → DENOMINATOR, the others → VEC.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symjac.errors import ConventionError, ShapeError
from symjac.symbols import as_matrix

ORDERS = ("col", "row")
LAYOUTS = ("numerator", "denominator")
KINDS = ("flat", "gradient", "tensor", "entry", "hessian")
_WORDS = {"col": "column-first", "row": "row-first"}


@dataclass(frozen=True)
class Convention:
    """What a derivative of F (m×n) by X (p×q) is and how it is laid out (see module docstring).

    ``outputs``, ``inputs``, ``layout``: the flattening (for a non-flattening
    ``kind``, the flattening it reduces to).  ``kind``: ``flat`` | ``gradient`` |
    ``tensor`` | ``entry`` | ``hessian``.
    """

    outputs: str = "col"
    inputs: str = "col"
    layout: str = "numerator"
    name: str | None = None
    kind: str = "flat"

    def __post_init__(self) -> None:
        if self.outputs not in ORDERS:
            raise ConventionError(f"unknown output order {self.outputs!r}: use 'col' or 'row'")
        if self.inputs not in ORDERS:
            raise ConventionError(f"unknown input order {self.inputs!r}: use 'col' or 'row'")
        if self.layout not in LAYOUTS:
            raise ConventionError(f"unknown layout {self.layout!r}: use 'numerator' or 'denominator'")
        if self.kind not in KINDS:
            raise ConventionError(f"unknown convention kind {self.kind!r}: use one of {', '.join(KINDS)}")

    def __str__(self) -> str:
        return self.name or self.describe()

    # --- questions modules ask ---------------------------------------------------

    @property
    def is_flattening(self) -> bool:
        """True when the derivative is the (mn)×(pq) matrix of a flattening (or its transpose)."""
        return self.kind == "flat"

    @property
    def index_notation(self) -> bool:
        """True when the answer is a generic entry ∂F_ij/∂X_kl (the rank-4 array), not a matrix."""
        return self.kind == "tensor"

    @property
    def answer_rank(self) -> int:
        """2 when the answer is a matrix, 4 when it is an array (TENSOR, ENTRY)."""
        return 4 if self.kind in ("tensor", "entry") else 2

    @property
    def second_order(self) -> bool:
        """True for the Hessian: a second derivative of a scalar F."""
        return self.kind == "hessian"

    @property
    def flattening(self) -> "Convention":
        """The flattening this convention reduces to (itself when it is one): GRADIENT → DENOMINATOR, else VEC."""
        if self.is_flattening:
            return self
        for c in FLATTENINGS:
            if (c.outputs, c.inputs, c.layout) == (self.outputs, self.inputs, self.layout):
                return c
        return Convention(self.outputs, self.inputs, self.layout)

    def flattens(self, f_shape) -> bool:
        """True when, for an F of ``f_shape``, the answer is the matrix of ``self.flattening``
        (every flattening; GRADIENT for a vector or matrix F)."""
        return self.is_flattening or (self.kind == "gradient" and not _is_scalar(f_shape))

    def in_variable_shape(self, f_shape) -> bool:
        """True when the answer has the variable's shape: the gradient of a scalar F."""
        return self.kind == "gradient" and _is_scalar(f_shape)

    def answer_shape(self, f_shape, x_shape) -> tuple:
        """The shape of the derivative of an F of ``f_shape`` by an X of ``x_shape`` (ints or dimension symbols)."""
        (m, n), (p, q) = tuple(f_shape), tuple(x_shape)
        if self.kind == "tensor":
            return (m, n, p, q)
        if self.kind == "entry":
            return (p, q, m, n)
        if self.kind == "hessian":
            _need_scalar(f_shape, "a Hessian")
            return (p * q, p * q)
        if self.in_variable_shape(f_shape):
            return (p, q)
        return (m * n, p * q) if self.layout == "numerator" else (p * q, m * n)

    def arrange(self, T):
        """The derivative in this convention from T[i, j, k, l] = ∂F_ij/∂X_kl (NumPy or SymPy, m×n×p×q).

        Flattenings and GRADIENT give a matrix (NumPy 2-D array, or ``ImmutableMatrix``
        for SymPy input) of :meth:`answer_shape`; TENSOR gives T, ENTRY the array
        E[k, l, i, j] = ∂F_ij/∂X_kl.  HESSIAN takes the array of the *gradient*
        G (p×q) by X and gives the (pq)×(pq) matrix ∂ vec G / ∂ (vec X)ᵀ.
        """
        A, symbolic = _as_array(T)
        m, n, p, q = A.shape
        if self.kind == "tensor":
            out = A
        elif self.kind == "entry":
            out = A.transpose(2, 3, 0, 1)
        elif self.in_variable_shape((m, n)):
            out = A[0, 0]
        else:
            base = VEC if self.kind == "hessian" else self
            fa = (1, 0) if base.outputs == "col" else (0, 1)
            xa = (3, 2) if base.inputs == "col" else (2, 3)
            out = A.transpose(fa + xa).reshape(m * n, p * q)
            if base.layout == "denominator":
                out = out.T
        return _back(out, symbolic)

    def as_matrix(self, T):
        """:meth:`arrange` as a 2-D matrix: a rank-4 result B (a×b×c×d) becomes the (ac)×(bd) block
        matrix whose block (i, j) is B[i, j] (TENSOR: block (i, j) = ∂F_ij/∂X in X's shape;
        ENTRY: block (k, l) = ∂F/∂X_kl in F's shape)."""
        out = self.arrange(T)
        A, symbolic = _as_array(out)
        if A.ndim == 4:
            a, b, c, d = A.shape
            A = A.transpose(0, 2, 1, 3).reshape(a * c, b * d)
        return _back(A, symbolic)

    # --- words and symbols -------------------------------------------------------

    @property
    def label(self) -> str:
        """Preset name in capitals, or a description of the three choices."""
        return self.name.upper() if self.name else self.describe()

    def describe(self) -> str:
        """One line for documents: what the derivative is, and its orders and layout in words."""
        if self.kind == "gradient":
            return ("gradient in the variable's shape, G[k,l] = ∂F/∂X[k,l], for a scalar F; "
                    "denominator layout (outputs column-first, inputs column-first) for a vector or matrix F")
        if self.kind == "tensor":
            return "the rank-4 array T[i,j,k,l] = ∂F[i,j]/∂X[k,l] (generic entry in index notation)"
        if self.kind == "entry":
            return "∂F/∂X[k,l] in F's shape, for each entry X[k,l]"
        if self.kind == "hessian":
            return "Hessian of a scalar F: ∂ vec(∇F) / ∂ (vec X)ᵀ, column-first on both sides"
        return (
            f"outputs {_WORDS[self.outputs]}, inputs {_WORDS[self.inputs]}, "
            f"{self.layout} layout"
        )

    def latex_symbol(self, f_name: str, f_shape, x_name: str, x_shape) -> str:
        r"""The left-hand side in LaTeX (names already LaTeX): ∂ vec F / ∂ (vec X)ᵀ for a flattening
        (row-first written vec Xᵀ), ∂F/∂X for a gradient in X's shape, ∂F_{ij}/∂X_{kl} for TENSOR,
        ∂F/∂X_{kl} for ENTRY, ∂² F / ∂ vec X ∂ (vec X)ᵀ for HESSIAN."""
        if self.kind == "tensor":
            return r"\frac{\partial %s_{ij}}{\partial %s_{kl}}" % (f_name, x_name)
        if self.kind == "entry":
            return r"\frac{\partial %s}{\partial %s_{kl}}" % (f_name, x_name)
        if self.kind == "hessian":
            den, atom = _flat_latex(x_name, x_shape, "col")
            return r"\frac{\partial^{2} %s}{\partial %s \, \partial %s}" % (f_name, den, _transposed(den, atom))
        if self.in_variable_shape(f_shape):
            return r"\frac{\partial %s}{\partial %s}" % (f_name, x_name)
        num, num_atom = _flat_latex(f_name, f_shape, self.outputs)
        den, den_atom = _flat_latex(x_name, x_shape, self.inputs)
        if self.layout == "numerator":
            den = _transposed(den, den_atom)
        else:
            num = _transposed(num, num_atom)
        return r"\frac{\partial %s}{\partial %s}" % (num, den)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "outputs": self.outputs,
            "inputs": self.inputs,
            "layout": self.layout,
        }


def _is_scalar(shape) -> bool:
    return tuple(shape) == (1, 1)


def _need_scalar(f_shape, what: str) -> None:
    if not _is_scalar(f_shape):
        raise ShapeError(f"{what} needs a scalar function, got shape {f_shape[0]}x{f_shape[1]}")


def _as_array(T):
    """(NumPy array, whether it came from SymPy)."""
    if isinstance(T, np.ndarray):
        return T, False
    if isinstance(T, sp.MatrixBase):
        return np.array(T.tolist(), dtype=object).reshape(T.shape), True
    arr = sp.Array(T)
    return np.array(arr.tolist(), dtype=object).reshape(arr.shape), True


def _back(A, symbolic: bool):
    if not symbolic:
        return A
    if A.ndim == 2:
        return sp.ImmutableMatrix(A.shape[0], A.shape[1], list(A.flat))
    return sp.ImmutableDenseNDimArray(list(A.flat), A.shape)


def _flat_latex(name: str, shape, order: str) -> tuple[str, bool]:
    """The flattened variable and whether it is a single atom: x, vec X, or vec Xᵀ (row-first)."""
    if tuple(shape) == (1, 1) or shape[1] == 1:
        return name, True
    if order == "col":
        return r"\operatorname{vec} %s" % name, False
    return r"\operatorname{vec} %s^{\top}" % name, False


def _transposed(text: str, atom: bool) -> str:
    return text + r"^{\top}" if atom else r"(%s)^{\top}" % text


VEC = Convention("col", "col", "numerator", name="vec")
NOTES = Convention("col", "row", "numerator", name="notes")
ROW = Convention("row", "row", "numerator", name="row")
DENOMINATOR = Convention("col", "col", "denominator", name="denominator")
GRADIENT = Convention("col", "col", "denominator", name="gradient", kind="gradient")
TENSOR = Convention(name="tensor", kind="tensor")
ENTRY = Convention(name="entry", kind="entry")
HESSIAN = Convention(name="hessian", kind="hessian")

FLATTENINGS = (VEC, NOTES, ROW, DENOMINATOR)
#: every named convention, by name
CONVENTIONS = {c.name: c for c in (VEC, NOTES, ROW, DENOMINATOR, GRADIENT, TENSOR, ENTRY, HESSIAN)}
#: the named flattenings (the conventions ``jacobian`` lays out as a matrix by flattening)
PRESETS = {c.name: c for c in FLATTENINGS}
NAMES = tuple(CONVENTIONS)


def get_convention(spec: "Convention | str | None") -> Convention:
    """A Convention from a name (case-insensitive), a Convention, or None (VEC).

    The one place names are read: an unknown name raises ConventionError listing the valid ones.
    """
    if spec is None:
        return VEC
    if isinstance(spec, Convention):
        return spec
    if isinstance(spec, str) and spec.strip().lower() in CONVENTIONS:
        return CONVENTIONS[spec.strip().lower()]
    raise ConventionError(
        f"unknown convention {spec!r}: choose one of {', '.join(NAMES)}"
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
    "DENOMINATOR",
    "TENSOR",
    "ENTRY",
    "HESSIAN",
    "FLATTENINGS",
    "CONVENTIONS",
    "NAMES",
    "PRESETS",
    "get_convention",
    "flatten",
    "vec",
    "unvec",
    "flat_index",
    "permutation_to",
    "commutation_matrix",
]
