"""The safe expression syntax at concrete sizes → explicit SymPy matrices.

The text is read once, into nodes, by THE builder (:mod:`symjac.parsing.matrixexpr`),
and the nodes are instantiated (:func:`symjac.calculus.closedform.instantiate.instantiate`):
every declared name becomes the explicit symbols of ``symbols.symbolic`` (A_{11} …,
``base=0`` for A_{00} …); scalars are SymPy expressions, everything else an
``ImmutableMatrix``; a 1×1 result is returned as a scalar.
"""
from __future__ import annotations

import sympy as sp

from symjac.errors import SymjacError
from symjac.parsing.expr import evaluate
from symjac.parsing.matrixexpr import MatrixExprBuilder
from symjac.parsing.shapes import is_concrete
from symjac.symbols import symbolic
from symjac.calculus.closedform.instantiate import instantiate


def _explicit(text: str, shapes: dict, base: int, separate: str | None = None):
    for name, shape in shapes.items():
        if not is_concrete(shape):
            raise SymjacError(f"shape of {name} is {shape}: explicit matrices need integer sizes "
                              "(use the closed form for dimension names)")
    builder = MatrixExprBuilder(shapes, separate=separate)
    expr = evaluate(text, builder)
    try:
        M = instantiate(expr, {}, base=base)
    except SymjacError as exc:       # say where: the innermost call of the text being instantiated
        pos = next((builder.positions[n] for n in getattr(exc, "nodes", ()) if n in builder.positions), None)
        if pos is not None:
            exc.args = (f"{exc.args[0]} (at column {pos + 1})",)
        raise
    return (M[0, 0] if M.shape == (1, 1) else M), builder


def build_explicit(text: str, shapes: dict, base: int = 1):
    """Build ``text`` at the declared concrete ``shapes``; returns (value, variables).

    value: a SymPy scalar expression or ``ImmutableMatrix``; variables: name →
    explicit symbols (``symbols.symbolic``), for choosing what to differentiate by.
    """
    value, _ = _explicit(text, shapes, base)
    return value, {name: symbolic(name, tuple(shape), base=base) for name, shape in shapes.items()}


def explicit_occurrences(text: str, shapes: dict, name: str) -> tuple:
    """``text`` with every occurrence of ``name`` its own explicit symbols (product-rule terms).

    Returns (value, copies): value as :func:`build_explicit` gives it, copies the
    explicit symbols of each occurrence in the order of the text (``Zocc1`` …).
    """
    value, builder = _explicit(text, shapes, 1, separate=name)
    return value, [symbolic(c.name, tuple(shapes[name])) for c in builder.copies]


__all__ = ["build_explicit", "explicit_occurrences"]
