"""dF for a matrix expression F(X): the rules of :mod:`.rules` applied recursively.

``differential(F, X)`` returns ``(dF, dX)`` where ``dX`` is a fresh
``MatrixSymbol`` of X's shape standing for the differential of X; dF is
linear in dX (a SymPy matrix expression, or a scalar one for scalar F).
"""
from __future__ import annotations

import sympy as sp

from symjac.errors import SymjacError, UnsupportedError
from symjac.calculus.closedform.objects import as_expr
from symjac.calculus.closedform.rules import CONSTANTS, rule_for


class Differential(sp.MatrixSymbol):
    """dX: a MatrixSymbol named ``d<name>`` that prints as d\theta / dθ, not dtheta."""

    def _latex(self, printer):
        return r"d%s" % printer._print(sp.MatrixSymbol(self.name[1:], *self.shape))

    def _sympystr(self, printer):
        return "d" + printer._print(sp.MatrixSymbol(self.name[1:], *self.shape))


def differential_symbol(X: sp.MatrixSymbol) -> sp.MatrixSymbol:
    """dX: a MatrixSymbol named ``d<name>`` with X's shape."""
    return Differential("d" + X.name, *X.shape)


def check_variable(X):
    """X itself when it is a MatrixSymbol or a scalar SymPy Symbol (shape ()), else a SymjacError."""
    if not isinstance(X, (sp.MatrixSymbol, sp.Symbol)):
        raise SymjacError(f"the variable must be a MatrixSymbol or a scalar Symbol, got {X!r}")
    return X


def scalar_differential_symbol(t: sp.Symbol) -> sp.Symbol:
    """dt for a scalar variable t: a real symbol named ``d<name>``."""
    return sp.Symbol("d" + t.name, real=True)


def differential(F, X):
    """(dF, dX): the differential of F with respect to the MatrixSymbol X (dF None when F is constant in X)."""
    X = check_variable(X)
    dX = differential_symbol(X) if isinstance(X, sp.MatrixSymbol) else scalar_differential_symbol(X)
    F = as_expr(F, "the function F")
    if any(getattr(a, "name", None) == dX.name for a in F.atoms(sp.MatrixSymbol, sp.Symbol)):
        raise SymjacError(f"the expression already uses the name {dX.name}, reserved for the differential of {X.name}")
    memo: dict = {}

    def d(e):
        if e in memo:
            return memo[e]
        if e == X:
            out = dX
        elif not e.has(X):
            out = None
        else:
            rule = rule_for(e)
            if rule is None or isinstance(e, CONSTANTS):
                raise UnsupportedError(f"no differentiation rule for {type(e).__name__} (in {e})")
            out = rule(e, d)
        memo[e] = out
        return out

    return d(F), dX


__all__ = ["differential", "differential_symbol", "check_variable"]
