"""Closed forms of text: the safe expression syntax, built as nodes (:mod:`symjac.parsing.matrixexpr`),
then differentiated by the closed-form engine."""
from __future__ import annotations

from symjac.conventions import GRADIENT, get_convention
from symjac.errors import SymjacError
from symjac.parsing.matrixexpr import MatrixExprBuilder, build_matrix_expr, dimension  # noqa: F401 - re-exported


def closed_form_from_text(expr_text: str, wrt: str, shapes: dict, convention=None, kind: str = "auto", **kw):
    """The closed form of ``expr_text`` by ``wrt`` (for ``symjac derive --closed-form``).

    shapes: name → (rows, cols) of ints or dimension names.  kind: "auto"
    (the derivative in the convention, GRADIENT when omitted: a scalar
    function's gradient in ``wrt``'s shape), "jacobian", "gradient" or "hessian".
    """
    from symjac.calculus.closedform.core import closed_form, closed_form_gradient, closed_form_hessian

    if wrt not in shapes:
        raise SymjacError(f"no shape was declared for the variable {wrt!r}")
    F, variables = build_matrix_expr(expr_text, shapes, variable=wrt)
    X = variables[wrt]
    if kind == "auto":
        return closed_form(F, X, get_convention(convention) if convention is not None else GRADIENT, **kw)
    if kind == "gradient":
        return closed_form_gradient(F, X, **kw)
    if kind == "hessian":
        return closed_form_hessian(F, X, **kw)
    if kind == "jacobian":
        return closed_form(F, X, get_convention(convention), **kw)
    raise SymjacError(f"unknown kind {kind!r}: use auto, jacobian, gradient or hessian")


__all__ = ["MatrixExprBuilder", "build_matrix_expr", "closed_form_from_text", "dimension"]
