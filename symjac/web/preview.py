r"""How an answer was read, printed back as LaTeX: symjac's printer plus the checker's inert nodes.

``preview_latex(tree)`` prints a tree from :func:`symjac.parsing.latex.parser.parse_latex`:
``KroneckerProduct`` as ``\otimes``, ``HadamardProduct`` as ``\odot``, ``CommutationMatrix`` as ``K_{m,n}``,
``Vec`` / ``Diag`` / ``Adjugate`` as operators, elementwise functions as ``f(\cdot)`` or ``f'(\cdot)``,
``Norm`` as ``\lVert\cdot\rVert``, transposes as ``^\top`` and identities as ``I_{n}``.
"""
from __future__ import annotations

import sympy as sp

from symjac.render.closedform import ClosedFormLatexPrinter
from symjac.render.latex import SymjacLatexPrinter


class PreviewPrinter(SymjacLatexPrinter):
    """Prints parsed answers; bracketing follows SymPy's precedence of Mul for the binary nodes."""

    def _wrap(self, arg) -> str:
        tex = self._print(arg)
        simple = isinstance(arg, (sp.MatrixSymbol, sp.Symbol, sp.Identity, sp.Transpose, sp.Number)) or \
            type(arg).__name__ in ("Vec", "Diag", "CommutationMatrix", "ElementwiseApplyFunction", "ElementwiseDerivative", "Adjugate")
        return tex if simple else r"\left(%s\right)" % tex

    def _factor(self, arg) -> str:
        """A product factor; a scalar the parser held as a 1×1 matrix prints as the scalar."""
        if isinstance(arg, sp.MatrixBase) and arg.shape == (1, 1):
            return self._wrap(arg[0, 0])
        return self._wrap(arg)

    def _print_KroneckerProduct(self, expr):
        return r" \otimes ".join(self._factor(a) for a in expr.args)

    def _print_HadamardProduct(self, expr):
        return r" \odot ".join(self._factor(a) for a in expr.args)

    def _print_CommutationMatrix(self, expr):
        m, n = (self._print(a) for a in expr.args)
        return r"K_{%s,%s}" % (m, n)

    def _print_Vec(self, expr):
        return r"\operatorname{vec}\left(%s\right)" % self._print(expr.args[0])

    def _print_Diag(self, expr):
        return r"\operatorname{diag}\left(%s\right)" % self._print(expr.args[0])

    def _print_Adjugate(self, expr):
        return r"\operatorname{adj}\left(%s\right)" % self._print(expr.args[0])

    # f(·), f′(·): the closed-form printer's (one way to print an elementwise node)
    _fname = ClosedFormLatexPrinter._fname
    _fargs = ClosedFormLatexPrinter._fargs
    _print_ElementwiseApplyFunction = ClosedFormLatexPrinter._print_ElementwiseApplyFunction
    _print_ElementwiseDerivative = ClosedFormLatexPrinter._print_ElementwiseDerivative

    def _print_Norm(self, expr):
        sub = "_F" if expr.kind == "F" else ""
        return r"\left\lVert %s \right\rVert%s" % (self._print(expr.arg), sub)

    def _print_Transpose(self, expr):
        return r"%s^{\top}" % self._wrap(expr.arg)

    def _print_Identity(self, expr):
        return r"I_{%s}" % self._print(expr.rows)

    def _print_OneMatrix(self, expr):
        return r"\mathbf{1}"


def preview_latex(tree) -> str:
    """LaTeX of a parsed answer (see the module docstring)."""
    return PreviewPrinter().doprint(tree)


__all__ = ["preview_latex", "PreviewPrinter"]
