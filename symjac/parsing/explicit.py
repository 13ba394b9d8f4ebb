"""The safe expression syntax at concrete sizes → explicit SymPy matrices.

The text is read once, into nodes, by THE builder (:mod:`symjac.parsing.matrixexpr`),
and the nodes are instantiated by THE explicit interpreter (:mod:`symjac.parsing.instantiate`):
every declared name becomes the explicit symbols of ``symbols.symbolic`` (A_{11} …,
``base=0`` for A_{00} …); scalars are SymPy expressions, everything else an
``ImmutableMatrix``; a 1×1 result is returned as a scalar.
"""
from __future__ import annotations


from symjac.errors import SymjacError
from symjac.parsing.expr import evaluate
from symjac.parsing.matrixexpr import MatrixExprBuilder
from symjac.parsing.shapes import is_concrete
from symjac.parsing.instantiate import instantiate
from symjac.symbols import symbolic


def _explicit(text: str, shapes: dict, base: int = 1, separate: str | None = None):
    """(value, variables, copies): the nodes of ``text`` instantiated with the declared names' symbols."""
    for name, shape in shapes.items():
        if not is_concrete(shape):
            raise SymjacError(f"shape of {name} is {shape}: explicit matrices need integer sizes "
                              "(use the closed form for dimension names)")
    builder = MatrixExprBuilder(shapes, separate=separate)
    expr = evaluate(text, builder)
    variables = {name: symbolic(name, tuple(shape), base=base) for name, shape in shapes.items()}
    copies = [symbolic(c.name, tuple(shapes[separate]), base=base) for c in builder.copies]
    try:
        M = instantiate(expr, {}, {**variables, **{c.name: v for c, v in zip(builder.copies, copies)}})
    except SymjacError as exc:       # say where: the innermost call of the text being instantiated
        pos = next((builder.positions[n] for n in getattr(exc, "nodes", ()) if n in builder.positions), None)
        if pos is not None:
            exc.args = (f"{exc.args[0]} (at column {pos + 1})",)
        raise
    return (M[0, 0] if M.shape == (1, 1) else M), variables, copies


def build_explicit(text: str, shapes: dict, base: int = 1):
    """Build ``text`` at the declared concrete ``shapes``; returns (value, variables).

    value: a SymPy scalar expression or ``ImmutableMatrix``; variables: name →
    explicit symbols (``symbols.symbolic``), for choosing what to differentiate by.
    """
    value, variables, _ = _explicit(text, shapes, base)
    return value, variables


def explicit_occurrences(text: str, shapes: dict, name: str) -> tuple:
    """``text`` with every occurrence of ``name`` its own explicit symbols (product-rule terms).

    Returns (value, copies): value as :func:`build_explicit` gives it, copies the
    explicit symbols of each occurrence in the order of the text (``Zocc1`` …).
    """
    value, _, copies = _explicit(text, shapes, separate=name)
    return value, copies


__all__ = ["build_explicit", "explicit_occurrences"]
