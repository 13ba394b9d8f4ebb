"""Explicit symbolic matrices, vectors and scalars.

``matrix("A", 3, 2)`` is a 3×2 ``ImmutableMatrix`` whose entries are real
SymPy symbols named ``A_11, A_12, …`` (1-based by default, ``base=0`` for the
``w_00`` notation of neural-network notes).  Once an index has two digits the
indices are separated by a comma: ``A_1,10``.  Vector entries carry a single
index: ``vector("x", 3)`` is 3×1 with entries ``x_1, x_2, x_3``.

The entry name is the single source of truth shared by printing (``A_{11}``)
and LaTeX input (``A_{11}`` parses back to the same symbol): use
:func:`entry_symbol` / :func:`parse_entry_name`, never build names by hand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp
from sympy.functions.elementary.hyperbolic import HyperbolicFunction
from sympy.functions.elementary.trigonometric import TrigonometricFunction

from symjac.errors import SymjacError

# A base name: letters, optionally followed by digits (a layer tag: W1 prints
# as W^{(1)}).  Entries append "_<i><j>" or "_<i>,<j>".
_NAME = re.compile(r"^[A-Za-z]+[0-9]*$")
_ENTRY = re.compile(r"^(?P<name>[A-Za-z]+[0-9]*)_(?P<idx>[0-9]+(?:,[0-9]+)?)$")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SymjacError(
            f"invalid symbol name {name!r}: use letters, optionally followed by digits (e.g. A, Phi, W1)"
        )


def _check_size(what: str, n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SymjacError(f"{what} must be a positive integer, got {n!r}")
    return n


def as_matrix(value, what: str = "use") -> sp.ImmutableMatrix:
    """Any symjac value as an explicit matrix: a scalar becomes 1×1.

    Accepts SymPy matrices, matrix expressions of concrete size, SymPy scalars
    and Python numbers; refuses everything else (strings included: text is
    parsed by :mod:`symjac.parsing`, never sympified).
    """
    if isinstance(value, sp.MatrixBase):
        return value if isinstance(value, sp.ImmutableMatrix) else sp.ImmutableMatrix(value)
    if isinstance(value, sp.MatrixExpr):
        return sp.ImmutableMatrix(value.as_explicit())
    if isinstance(value, sp.Basic):
        return sp.ImmutableMatrix([[value]])
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sp.ImmutableMatrix([[sp.Float(value) if isinstance(value, float) else sp.Integer(value)]])
    raise SymjacError(f"cannot {what} an object of type {type(value).__name__}; expected a SymPy matrix or scalar")


def shape_of(value) -> tuple:
    """(rows, cols) of a matrix or matrix expression; (1, 1) for a scalar."""
    return tuple(value.shape) if isinstance(value, (sp.MatrixBase, sp.MatrixExpr)) else (1, 1)


def scalar(name: str) -> sp.Symbol:
    """A real scalar symbol ``name``."""
    _check_name(name)
    return sp.Symbol(name, real=True)


def entry_symbol(name: str, i: int, j: int | None = None) -> sp.Symbol:
    """The real symbol for entry (i, j) of matrix ``name`` (or entry i of a vector).

    Indices are the printed ones (already offset by ``base``).
    """
    if j is None:
        idx = str(i)
    elif i < 10 and j < 10:
        idx = f"{i}{j}"
    else:
        idx = f"{i},{j}"
    return sp.Symbol(f"{name}_{idx}", real=True)


@dataclass(frozen=True)
class EntryName:
    """A parsed entry name: base ``name`` and its printed indices ``(i,)`` or ``(i, j)``.

    A run of two digits without a comma (``A_12``) is ambiguous between
    vector entry 12 and matrix entry (1, 2); ``indices`` gives the matrix
    reading and ``vector_index`` the vector reading.
    """

    name: str
    indices: tuple[int, ...]
    vector_index: int | None


def parse_entry_name(symbol_name: str) -> EntryName | None:
    """Split ``A_11`` / ``A_1,10`` / ``x_3`` into its parts, or None if not an entry name."""
    m = _ENTRY.match(symbol_name)
    if not m:
        return None
    idx = m.group("idx")
    if "," in idx:
        i, j = idx.split(",")
        return EntryName(m.group("name"), (int(i), int(j)), None)
    if len(idx) == 2:
        return EntryName(m.group("name"), (int(idx[0]), int(idx[1])), int(idx))
    return EntryName(m.group("name"), (int(idx),), int(idx))


def matrix(name: str, rows: int, cols: int, base: int = 1) -> sp.ImmutableMatrix:
    """An explicit rows×cols matrix of real symbols ``name_ij`` (indices from ``base``)."""
    _check_name(name)
    rows = _check_size("rows", rows)
    cols = _check_size("cols", cols)
    if base not in (0, 1):
        raise SymjacError(f"base must be 0 or 1, got {base!r}")
    return sp.ImmutableMatrix(
        rows, cols, lambda i, j: entry_symbol(name, i + base, j + base)
    )


def vector(name: str, n: int, base: int = 1) -> sp.ImmutableMatrix:
    """An explicit n×1 column vector of real symbols ``name_i`` (indices from ``base``)."""
    _check_name(name)
    n = _check_size("length", n)
    if base not in (0, 1):
        raise SymjacError(f"base must be 0 or 1, got {base!r}")
    return sp.ImmutableMatrix(n, 1, lambda i, _j: entry_symbol(name, i + base))


def symbolic(name: str, shape: tuple[int, int], base: int = 1):
    """The explicit symbol(s) for a variable of the given shape.

    (1, 1) gives a scalar symbol, (n, 1) a vector, anything else a matrix.
    This is the rule the parser and the spec files use for declared shapes.
    """
    rows, cols = shape
    if rows == 1 and cols == 1:
        return scalar(name)
    if cols == 1:
        return vector(name, rows, base=base)
    return matrix(name, rows, cols, base=base)


__all__ = [
    "as_matrix",
    "shape_of",
    "scalar",
    "vector",
    "matrix",
    "symbolic",
    "entry_symbol",
    "parse_entry_name",
    "EntryName",
    "exactly_equal",
]


def exactly_equal(a, b) -> bool:
    """a == b exactly, for two scalars or two explicit matrices (equal shapes required).

    The one exact-equality test of symjac: structural equality, else the
    difference expands to 0 with every denominator base held as one symbol, or as it stands, else (trigonometric identities) it expands to 0
    after ``expand_trig``, else (rational functions) it cancels to 0.  Never a
    blanket ``simplify``; ``False`` means "not shown equal by these steps".
    """
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(exactly_equal(x, y) for x, y in zip(a, b))
    if a == b:
        return True
    diff = a - b
    # each base B of a negative power (det A in every entry of inv(A)) held as one symbol t_B: a
    # polynomial identity in the entries and the t_B holds for t_B = B too (sound), and B² is never expanded
    bases = {p.base for p in diff.atoms(sp.Pow) if p.exp.is_Integer and p.exp < 0 and not p.base.is_Atom}
    if bases and sp.expand(diff.xreplace({B: sp.Dummy("t") for B in bases})) == 0:
        return True
    d = sp.expand(diff)
    if d == 0:
        return True
    if d.has(TrigonometricFunction, HyperbolicFunction):
        d = sp.expand(sp.expand_trig(d))
        if d == 0:
            return True
    return sp.cancel(sp.together(d)) == 0
