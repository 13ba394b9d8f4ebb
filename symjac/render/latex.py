"""LaTeX, Markdown and plain-text rendering of entries, matrices and Jacobians.

Printing dispatches on the expression's class, as SymPy's printers do.
Entry symbols print as the lecture notes write them: ``A_11`` → ``A_{11}``,
``Phi_11`` → ``\\Phi_{11}``, ``W1_11`` → ``W^{(1)}_{11}`` (layer tag), so
what symjac prints parses back to the same symbol.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from symjac.conventions import Convention
from symjac.symbols import parse_entry_name

_TAGGED = re.compile(r"^(?P<letters>[A-Za-z]+)(?P<tag>[0-9]+)$")

MAX_SHOWN = 12  # matrices larger than this (rows or cols) are elided with \cdots


class SymjacLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with symjac's entry names and matrix conventions."""

    def __init__(self, settings=None):
        settings = dict(settings or {})
        settings.setdefault("mat_delim", "")
        settings.setdefault("mat_str", "bmatrix")
        super().__init__(settings)

    def _base_name(self, name: str) -> str:
        m = _TAGGED.match(name)
        if m:
            return "%s^{(%s)}" % (self._base_name(m.group("letters")), m.group("tag"))
        return super()._print_Symbol(sp.Symbol(name))

    def _print_Symbol(self, expr, style="plain"):
        entry = parse_entry_name(expr.name)
        if entry is not None:
            idx = expr.name.split("_", 1)[1]
            return "%s_{%s}" % (self._base_name(entry.name), idx)
        if _TAGGED.match(expr.name):
            return self._base_name(expr.name)
        return super()._print_Symbol(expr, style=style)

    def _print_Abs(self, expr, exp=None):
        # SymPy writes \left|{x}\right|; the braces would read back as a set
        body = r"\left|%s\right|" % self._print(expr.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)

    def _print_Heaviside(self, expr, exp=None):
        body = r"H\left(%s\right)" % self._print(expr.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


def latex(expr) -> str:
    """LaTeX for a SymPy expression or matrix in symjac's notation."""
    return SymjacLatexPrinter().doprint(expr)


def _elided_indices(n: int, limit: int) -> list:
    if n <= limit:
        return list(range(n))
    head = (limit - 1) // 2 + (limit - 1) % 2
    tail = limit - 1 - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def latex_matrix(M, max_shown: int = MAX_SHOWN, env: str = "bmatrix") -> str:
    r"""A ``bmatrix``; beyond ``max_shown`` rows/cols, the middle is elided with \cdots/\vdots."""
    if not isinstance(M, sp.MatrixBase):
        return latex(M)
    rows = _elided_indices(M.rows, max_shown)
    cols = _elided_indices(M.cols, max_shown)
    lines = []
    for i in rows:
        cells = []
        for j in cols:
            if i is None and j is None:
                cells.append(r"\ddots")
            elif i is None:
                cells.append(r"\vdots")
            elif j is None:
                cells.append(r"\cdots")
            else:
                cells.append(latex(M[i, j]))
        lines.append(" & ".join(cells))
    return "\\begin{%s}\n%s\n\\end{%s}" % (env, " \\\\\n".join(lines), env)


def jacobian_symbol(f_name: str, f_shape, x_name: str, x_shape, convention: Convention) -> str:
    r"""The left-hand side (∂ vec F / ∂ (vec X)ᵀ for a flattening; see ``Convention.latex_symbol``)."""
    return convention.latex_symbol(f_name, f_shape, x_name, x_shape)


class _TextMathPrinter(StrPrinter):
    """Plain text that reads as mathematics: x^2 (not x**2), Σ_{m=1}^{M} (…) (not Sum(…, (m, 1, M)))."""

    def _print_Pow(self, expr, rational=False):
        return super()._print_Pow(expr, rational).replace("**", "^")

    def _print_Sum(self, expr):
        limits = "".join("Σ_{%s=%s}^{%s} " % tuple(self._print(x) for x in lim) for lim in expr.limits)
        body = self._print(expr.function)
        return limits + (f"({body})" if expr.function.is_Add else body)


def text_math(expr) -> str:
    """An expression as readable plain text (A_11^2 + A_21^2, Σ_{m=1}^{M} A_mp*A_mq): for text output
    and the plain alternative of displayed math; never Python's ** or Sum(…) syntax."""
    if isinstance(expr, str):
        return expr
    return _TextMathPrinter().doprint(expr).replace("**", "^")


def text_matrix(M, max_shown: int = MAX_SHOWN) -> str:
    """A plain-text matrix: rows in brackets, columns aligned; elided like ``latex_matrix``."""
    if not isinstance(M, sp.MatrixBase):
        return text_math(M)
    rows = _elided_indices(M.rows, max_shown)
    cols = _elided_indices(M.cols, max_shown)
    cells = [
        [("..." if i is None or j is None else text_math(M[i, j])) for j in cols] for i in rows
    ]
    widths = [max(len(r[c]) for r in cells) for c in range(len(cols))]
    return "\n".join(
        "[" + "  ".join(cell.rjust(w) for cell, w in zip(r, widths)) + "]" for r in cells
    )


def markdown_math(body: str) -> str:
    """A display-math block that renders on GitHub."""
    return "$$\n" + body + "\n$$"


__all__ = [
    "SymjacLatexPrinter",
    "latex",
    "latex_matrix",
    "text_matrix",
    "text_math",
    "jacobian_symbol",
    "markdown_math",
    "MAX_SHOWN",
]
