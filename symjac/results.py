"""``derive``: a Jacobian with its convention, verification and renderings.

``derive("A.T @ A", "A", {"A": (3, 2)}, "notes")`` returns a
:class:`JacobianResult` — the explicit matrix (``.matrix``), the convention it
is laid out in, how it was verified, and text / LaTeX / Markdown / JSON forms
(``_repr_latex_`` renders it in notebooks).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symjac.conventions import Convention, get_convention
from symjac.errors import SymjacError
from symjac.calculus.explicit import derivative, jacobian
from symjac.render.latex import jacobian_symbol, latex, latex_matrix, markdown_math, text_matrix
from symjac.parsing.explicit import build_explicit
from symjac.symbols import shape_of
from symjac.verification import Verification, verify_jacobian


@dataclass
class JacobianResult:
    """An explicit Jacobian of ``function`` with respect to ``wrt`` under ``convention``.

    ``matrix``: ``convention.as_matrix`` of the derivative — (mn)×(pq) in numerator
    layout, its transpose in denominator layout, X's shape for the gradient of a
    scalar, the block matrix of TENSOR / ENTRY (``array`` holds their rank-4 array).
    ``wrt``: the names differentiated by, stacked in order.  ``variables``: every declared variable (explicit symbols), in
    declaration order, as :func:`symjac.lambdify` takes them.
    """

    function: str
    wrt: list
    F: object
    X: object
    matrix: sp.ImmutableMatrix
    convention: Convention
    variables: list
    variable_names: list
    verification: Verification | None = None
    f_name: str = "F"
    array: object = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def f_shape(self):
        return shape_of(self.F)

    @property
    def x_shape(self):
        return shape_of(self.X)

    def lhs_latex(self) -> str:
        names = [latex(sp.Symbol(n)) for n in self.wrt]
        wrt = names[0] if len(names) == 1 else r"(%s)" % ", ".join(names)
        return jacobian_symbol(self.f_name, self.f_shape, wrt, self.x_shape, self.convention)

    def to_latex(self, max_shown: int = 12) -> str:
        return "%s = %s" % (self.lhs_latex(), latex_matrix(self.matrix, max_shown))

    def function_latex(self) -> str:
        """F in matrix notation (A^{\\top} A), or the source text in typewriter type if it has none."""
        shapes = {n: shape_of(v) for n, v in zip(self.variable_names, self.variables)}
        try:
            from symjac.calculus.closedform import build_matrix_expr
            from symjac.render.closedform import to_latex

            return to_latex(build_matrix_expr(self.function, shapes)[0])
        except Exception:  # noqa: BLE001 - presentation only: fall back to the source text
            return r"\texttt{%s}" % _tex_text(self.function)

    def to_latex_statement(self, max_shown: int = 12) -> str:
        """A complete LaTeX statement (amsmath, amssymb): F defined, the variables' spaces, the convention
        named and described, the Jacobian, and the verification record."""
        def space(shape):
            r, c = shape
            return r"\mathbb{R}" if (r, c) == (1, 1) else r"\mathbb{R}^{%d}" % r if c == 1 else r"\mathbb{R}^{%d \times %d}" % (r, c)

        spaces = ", ".join(r"$%s \in %s$" % (latex(sp.Symbol(n)), space(shape_of(v)))
                           for n, v in zip(self.variable_names, self.variables))
        names = ", ".join("$%s$" % latex(sp.Symbol(n)) for n in self.wrt)
        F = latex(sp.Symbol(self.f_name))
        fm, fn = self.f_shape
        lines = [
            r"%% symjac derive: the Jacobian of %s by %s (needs amsmath, amssymb)" % (
                _tex_text(self.function), ", ".join(self.wrt)),
            r"Let $%s = %s$ (a $%d \times %d$ %s), where %s." % (
                F, self.function_latex(), fm, fn, "scalar" if (fm, fn) == (1, 1) else
                "vector" if fn == 1 else "matrix", spaces),
            r"Under the %s convention (%s), the Jacobian of $%s$ with respect to %s%s is the $%d \times %d$ matrix" % (
                self.convention.label, _tex_text(self.convention.describe()), F, names,
                "" if len(self.wrt) == 1 else r" (stacked in this order)", self.shape[0], self.shape[1]),
            r"\[",
            self.to_latex(max_shown) + ".",
            r"\]",
        ]
        if self.verification is not None:
            lines.append(r"Verified: %s." % _tex_text(self.verification.describe()))
        return "\n".join(lines)

    def to_text(self) -> str:
        lines = [
            f"d {self.function} / d {', '.join(self.wrt)}",
            f"convention: {self.convention.label} ({self.convention.describe()})",
            f"shape: {self.shape[0]}x{self.shape[1]}" + (
                "" if self.array is None else
                f" (the {'x'.join(map(str, self.array.shape))} array, block [a, b] = array[a, b])"),
            text_matrix(self.matrix),
        ]
        if self.verification is not None:
            lines.append(f"verified: {self.verification.describe()}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        out = [
            f"**Jacobian of** `{self.function}` **with respect to** `{', '.join(self.wrt)}`",
            "",
            f"Convention: **{self.convention.label}** — {self.convention.describe()}; "
            f"shape {self.shape[0]}×{self.shape[1]}.",
            "",
            markdown_math(self.to_latex()),
        ]
        if self.verification is not None:
            out += ["", f"Verified: {self.verification.describe()}."]
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {
            "function": self.function,
            "wrt": list(self.wrt),
            "convention": self.convention.to_dict(),
            "shape": list(self.shape),
            "answer_shape": [int(d) for d in self.convention.answer_shape(self.f_shape, self.x_shape)],
            "function_shape": list(self.f_shape),
            "variable_shape": list(self.x_shape),
            "entries": [[str(e) for e in self.matrix.row(i)] for i in range(self.matrix.rows)],
            "entries_latex": [[latex(e) for e in self.matrix.row(i)] for i in range(self.matrix.rows)],
            "latex": self.to_latex(max_shown=10**6),
            "verification": self.verification.to_dict() if self.verification else None,
        }

    def _repr_latex_(self) -> str:
        return "$$" + self.to_latex() + "$$"


USAGE = ("derive(function, wrt, shapes, convention) takes text, e.g. derive('A.T @ A', 'A', {'A': (3, 2)}, NOTES); "
         "for SymPy matrices use jacobian(F, X, convention)")


def _check_arguments(function, wrt, shapes) -> None:
    """One SymjacError naming what derive() takes when it is called like jacobian() (with matrices)."""
    if not isinstance(function, str):
        raise SymjacError(f"the function must be text (got {type(function).__name__}): {USAGE}")
    names = [wrt] if isinstance(wrt, str) else wrt
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) for n in names):
        raise SymjacError(f"wrt must be a declared name or a list of names (got {type(wrt).__name__}): {USAGE}")
    if not isinstance(shapes, dict):
        raise SymjacError(f"shapes must be a dict of name -> (rows, cols) (got {type(shapes).__name__}): {USAGE}")


def derive(function: str, wrt, shapes: dict | None = None, convention: Convention | str | None = None, *,
           verify: bool = True, points: int = 5, seed: int = 0, f_name: str = "F") -> JacobianResult:
    """Build ``function`` (text in the safe expression syntax) at ``shapes`` and differentiate by ``wrt``.

    ``wrt``: a declared name, or a list of names stacked in order ([vec W; a; b]);
    ``shapes``: {name: (rows, cols)} for every name in ``function`` (an n-vector is (n, 1)).
    Returns a :class:`JacobianResult` — the Jacobian under ``convention`` (default VEC) with its
    verification record; a SymjacError for text it cannot read or matrices passed instead of text.
    """
    _check_arguments(function, wrt, shapes)
    from symjac import progress

    conv = get_convention(convention)
    sizes = ", ".join(f"{k}={'x'.join(map(str, v)) if isinstance(v, (tuple, list)) else v}" for k, v in shapes.items())
    with progress.stage(f"building the entries of F = {_short(function)} at {sizes}"):
        F, variables = build_explicit(function, shapes)
    names = [wrt] if isinstance(wrt, str) else list(wrt)
    for n in names:
        if n not in variables:
            raise SymjacError(f"cannot differentiate by {n!r}: it is not a declared variable ({', '.join(variables)})")
    X = variables[names[0]] if len(names) == 1 else [variables[n] for n in names]
    with progress.stage(f"differentiating every entry by {', '.join(names)} ({conv.label})"):
        J = jacobian(F, X, conv)
        array = derivative(F, X, conv) if conv.answer_rank == 4 else None
    ver = verify_jacobian(F, X, J, conv, points=points, seed=seed) if verify else None
    return JacobianResult(
        function=function, wrt=names, F=F, X=X if len(names) == 1 else _stack(X),
        matrix=J, convention=conv, variables=list(variables.values()),
        variable_names=list(variables), verification=ver, f_name=f_name, array=array,
    )


_TEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex_text(text: str) -> str:
    """Plain text made safe inside LaTeX (its special characters escaped)."""
    return "".join(_TEX_SPECIALS.get(ch, ch) for ch in str(text))


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _stack(parts) -> sp.ImmutableMatrix:
    """The stacked column [vec X1; vec X2; …], for shape bookkeeping."""
    from symjac.conventions import vec

    cols = [vec(p) if isinstance(p, sp.MatrixBase) else sp.ImmutableMatrix([[p]]) for p in parts]
    return sp.ImmutableMatrix(sp.Matrix.vstack(*cols))


__all__ = ["JacobianResult", "derive"]
