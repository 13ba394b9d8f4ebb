r"""Named intermediate quantities of a problem: ``definitions = {"z": "W @ a + b", "h": "sigmoid(z)"}``.

A definition is an expression in the problem's syntax (CONTRIBUTING.md) over the declared
variables and the definitions before it.  The problem's function may use the names (it is
expanded: each name replaced by its parenthesised expression, then read by the same safe
parser), and so may answers: ``\sigma'(z)``, ``\operatorname{diag}(\sigma'(z)) W`` — there a
defined name is a matrix of its computed shape whose value at each random point is the
definition evaluated there (NumPy, :mod:`symjac.checking.numeric_key`).
"""
from __future__ import annotations

import re

import numpy as np

from symjac.errors import SymjacError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_RESERVED = {"tanh", "sigmoid", "relu", "exp", "log", "sin", "cos", "sqrt", "norm", "trace", "det", "logdet", "inv",
             "matrix_power", "kron", "hadamard", "vec", "diag", "sum", "eye", "T"}


class DefinitionError(SymjacError):
    """A definition is malformed (bad name, clash with a variable, unknown names)."""


def _substitute(text: str, name: str, body: str) -> str:
    return re.sub(rf"(?<![A-Za-z0-9_.]){re.escape(name)}(?![A-Za-z0-9_])", f"({body})", text)


def expand(function, definitions: dict, shapes: dict):
    """(expanded function, {name: expanded definition text}, {name: (rows, cols)}).

    ``shapes``: the declared variables' shapes; the definitions' shapes are computed (as SymPy
    expressions of the dimension names) by the closed-form builder, which also checks their sizes."""
    from symjac.parsing.matrixexpr import build_matrix_expr

    expanded: dict = {}
    def_shapes: dict = {}
    for name, body in dict(definitions).items():
        if not isinstance(name, str) or not _NAME.match(name) or name in _RESERVED:
            raise DefinitionError(f"definition name {name!r} must be a plain identifier, not a function name")
        if name in shapes:
            raise DefinitionError(f"definition {name} clashes with a declared variable")
        if not isinstance(body, str):
            raise DefinitionError(f"definition {name} must be an expression (text)")
        for prev, prev_body in expanded.items():
            body = _substitute(body, prev, prev_body)
        try:
            expr, _ = build_matrix_expr(body, shapes)
        except SymjacError as exc:
            raise DefinitionError(f"definition {name} = {body}: {exc}") from None
        expanded[name] = body
        def_shapes[name] = tuple(expr.shape) if getattr(expr, "is_Matrix", False) else (1, 1)
    if isinstance(function, str):
        for name, body in expanded.items():
            function = _substitute(function, name, body)
    return function, expanded, def_shapes


def values(expanded: dict, arrays: dict) -> dict:
    """The definitions' values (2-D arrays) at the variables' values ``arrays``."""
    from symjac.checking.numeric_key import value

    return {name: np.asarray(value(body, arrays), dtype=float) for name, body in expanded.items()}


__all__ = ["expand", "values", "DefinitionError"]
