"""Evaluate a closed form in NumPy at concrete sizes and values, batched, without expanding it.

``evaluate(expr, sizes, values, strict=False)``: the closed form's named forms
(entries, softmax …) as matrices, then the one NumPy interpreter of the node
set, :mod:`symjac.parsing.numeric` (which see for the value conventions and
``strict``).
"""
from __future__ import annotations

import numpy as np

from symjac.parsing.nodes import as_expr
from symjac.parsing.numeric import COND_LIMIT, Evaluator, InvalidInstance


def evaluate(expr, sizes, values, strict: bool = False) -> np.ndarray:
    """``expr`` at integer ``sizes`` and NumPy ``values`` as an array (..., rows, cols) (scalars (..., 1, 1))."""
    if not hasattr(expr, "func") and hasattr(expr, "expr"):       # a ClosedForm result
        expr = expr.expr
    from symjac.calculus.closedform.entries import matrix_form
    return Evaluator(sizes, values, strict=strict).value(matrix_form(as_expr(expr)))


__all__ = ["evaluate", "Evaluator", "InvalidInstance", "COND_LIMIT"]
