"""Closed form → explicit matrix at given sizes, symbols named as the core names them.

``instantiate(expr, sizes, values=None)``: the closed form's entry sums rebuilt as
matrix entries (:mod:`.entries`), then THE explicit interpreter of the node set,
:mod:`symjac.parsing.instantiate` (which see for sizes, values, names and the
determinant / inverse limits).  The result is an explicit ``ImmutableMatrix``
(1×1 for a scalar), directly comparable with ``symjac.calculus.explicit``.
"""
from __future__ import annotations

from symjac.parsing.instantiate import instantiate as instantiate_nodes
from symjac.parsing.nodes import as_expr


def instantiate(expr, sizes, values=None):
    """An explicit ``ImmutableMatrix`` for ``expr`` (a closed form, its result object, or any matrix expression).

    sizes: {dimension symbol or name: int}.  values: optional {matrix or scalar
    name: SymPy/NumPy matrix or number}; names without a value become symbols
    (``A_11`` …, ``x_1`` …, ``b``).  A scalar expression gives a 1×1 matrix.
    """
    if not hasattr(expr, "func") and hasattr(expr, "expr"):       # a ClosedForm result
        expr = expr.expr
    from symjac.calculus.closedform.entries import matrix_form
    return instantiate_nodes(matrix_form(as_expr(expr)), sizes, values)


__all__ = ["instantiate"]
