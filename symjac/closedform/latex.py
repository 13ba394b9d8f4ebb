"""LaTeX and text for closed forms: ⊗, K_{m,n}, I_n, diag, vec, ^⊤ as textbooks print them.

``ClosedFormLatexPrinter`` subclasses SymPy's ``LatexPrinter`` and dispatches
on the class (``_print_KroneckerProduct`` …); ``ClosedFormTextPrinter`` does
the same for one-line Unicode text (``(Iₙ ⊗ Aᵀ) + (Aᵀ ⊗ Iₙ) K_{m,n}``).
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from ..functions import relu, sigmoid
from .objects import function_name

_LATEX_NAMES = {sp.tanh: r"\tanh", sigmoid: r"\sigma", relu: r"\operatorname{ReLU}", sp.exp: r"\exp",
                sp.log: r"\log", sp.sin: r"\sin", sp.cos: r"\cos"}
_TEXT_NAMES = {sp.tanh: "tanh", sigmoid: "σ", relu: "relu", sp.exp: "exp", sp.log: "log", sp.sin: "sin",
               sp.cos: "cos"}


def _is_atomic(e) -> bool:
    return isinstance(e, (sp.MatrixSymbol, sp.Identity, sp.ZeroMatrix, sp.OneMatrix, sp.Symbol)) or (
        type(e).__name__ in ("CommutationMatrix", "Vec", "Diag", "DiagEmbedding", "ElementwiseApplyFunction",
                             "ElementwiseDerivative", "Unvec", "DiagonalOf")
    )


class ClosedFormLatexPrinter(LatexPrinter):
    """LaTeX for closed forms (``\\otimes``, ``K_{m,n}``, ``I_{n}``, ``\\operatorname{diag}``, ``^{\\top}``)."""

    def _wrap(self, e):
        s = self._print(e)
        return s if _is_atomic(e) else r"\left(%s\right)" % s

    def _print_CommutationMatrix(self, e):
        return r"K_{%s,%s}" % (self._print(e.m), self._print(e.n))

    def _print_Identity(self, e):
        return r"I_{%s}" % self._print(e.shape[0])

    def _print_ZeroMatrix(self, e):
        return r"0_{%s \times %s}" % (self._print(e.shape[0]), self._print(e.shape[1]))

    def _print_Transpose(self, e):
        if isinstance(e.arg, sp.Inverse):
            return r"%s^{-\top}" % self._wrap(e.arg.arg)
        return r"%s^{\top}" % self._wrap(e.arg)

    def _print_Inverse(self, e):
        return r"%s^{-1}" % self._wrap(e.arg)

    def _print_MatPow(self, e):
        return r"%s^{%s}" % (self._wrap(e.base), self._print(e.exp))

    def _print_KroneckerProduct(self, e):
        return r" \otimes ".join(self._wrap(a) if isinstance(a, (sp.MatAdd, sp.KroneckerProduct)) else
                                 self._print(a) for a in e.args)

    def _print_HadamardProduct(self, e):
        return r" \circ ".join(self._wrap(a) if not _is_atomic(a) else self._print(a) for a in e.args)

    def _print_MatMul(self, e):
        coeff, mats = e.as_coeff_matrices()
        parts = []
        for m in mats:
            s = self._print(m)
            if isinstance(m, (sp.MatAdd, sp.KroneckerProduct, sp.HadamardProduct)) or s.startswith("-"):
                s = r"\left(%s\right)" % s
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        c = self._print(coeff)
        if isinstance(coeff, sp.Add):
            c = r"\left(%s\right)" % c
        return c + " " + body

    def _print_MatAdd(self, e):
        out = ""
        for i, t in enumerate(_ordered_terms(self, e)):
            s = self._print(t)
            if isinstance(t, sp.KroneckerProduct):
                s = r"\left(%s\right)" % s
            if i and s.startswith("-"):
                out += " - " + s[1:]
            elif i:
                out += " + " + s
            else:
                out = s
        return out

    def _print_Vec(self, e):
        return r"\operatorname{vec}\left(%s\right)" % self._print(e.arg)

    def _print_Unvec(self, e):
        return r"\operatorname{vec}^{-1}_{%s,%s}\left(%s\right)" % (
            self._print(e.args[1]), self._print(e.args[2]), self._print(e.arg))

    def _print_Diag(self, e):
        return r"\operatorname{diag}\left(%s\right)" % self._print(e.arg)

    _print_DiagMatrix = _print_Diag

    def _print_DiagonalOf(self, e):
        return r"\operatorname{diagvec}\left(%s\right)" % self._print(e.arg)

    def _print_DiagEmbedding(self, e):
        return r"\Psi_{%s}" % self._print(e.args[0])

    def _fname(self, lam, prime=""):
        f = function_name(lam)
        if f is not None:
            name = _LATEX_NAMES.get(f, r"\operatorname{%s}" % f.__name__)
            return name + prime
        v = lam.variables[0]
        body = lam.expr if not prime else sp.diff(lam.expr, v)
        return r"\left(%s \mapsto %s\right)" % (self._print(v), self._print(body))

    def _print_ElementwiseApplyFunction(self, e):
        return r"%s\left(%s\right)" % (self._fname(e.function), self._print(e.expr))

    def _print_ElementwiseDerivative(self, e):
        return r"%s\left(%s\right)" % (self._fname(e.function, "'"), self._print(e.arg))

    def _print_Norm(self, e, exp=None):
        s = r"\left\|%s\right\|" % self._print(e.arg)
        return s if exp is None else r"%s^{%s}" % (s, exp)

    def _print_Trace(self, e):
        if e.arg.shape == (1, 1):
            return self._print(e.arg)
        return r"\operatorname{tr}\left(%s\right)" % self._print(e.arg)

    def _print_Determinant(self, e, exp=None):
        s = r"\det\left(%s\right)" % self._print(e.arg)
        return s if exp is None else r"%s^{%s}" % (s, exp)


def _ordered_terms(printer, e):
    """Terms of a sum with the negative ones last (y − Φθ, not −Φθ + y); otherwise as given."""
    return sorted(e.args, key=lambda t: printer._print(t).startswith("-"))


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class ClosedFormTextPrinter(StrPrinter):
    """One-line Unicode text: ``(Iₙ ⊗ Aᵀ) + (Aᵀ ⊗ Iₙ) K_{m,n}``, ``-2 Φᵀ (y - Φ θ)``."""

    def _wrap(self, e):
        s = self._print(e)
        return s if _is_atomic(e) else "(%s)" % s

    def _print_MatrixSymbol(self, e):
        return pretty_symbol(e.name)

    def _print_Symbol(self, e):
        return pretty_symbol(e.name)

    def _print_CommutationMatrix(self, e):
        return "K_{%s,%s}" % (self._print(e.m), self._print(e.n))

    def _print_Identity(self, e):
        n = self._print(e.shape[0])
        return "I" + (n.translate(_SUB) if n.isdigit() else "_" + n if n.isalnum() else "_{%s}" % n.replace("*", ""))

    def _print_ZeroMatrix(self, e):
        return "0_{%s×%s}" % (self._print(e.shape[0]), self._print(e.shape[1]))

    def _print_Transpose(self, e):
        if isinstance(e.arg, sp.Inverse):
            return "%s⁻ᵀ" % self._wrap(e.arg.arg)
        return "%sᵀ" % self._wrap(e.arg)

    def _print_Inverse(self, e):
        return "%s⁻¹" % self._wrap(e.arg)

    def _print_MatPow(self, e):
        return "%s^%s" % (self._wrap(e.base), self._print(e.exp))

    def _print_KroneckerProduct(self, e):
        return " ⊗ ".join(self._wrap(a) if isinstance(a, (sp.MatAdd, sp.KroneckerProduct)) else self._print(a)
                          for a in e.args)

    def _print_HadamardProduct(self, e):
        return " ∘ ".join(self._wrap(a) for a in e.args)

    def _print_MatMul(self, e):
        coeff, mats = e.as_coeff_matrices()
        parts = [("(%s)" % self._print(m))
                 if isinstance(m, (sp.MatAdd, sp.KroneckerProduct, sp.HadamardProduct)) or self._print(m).startswith("-")
                 else self._print(m) for m in mats]
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        c = self._print(coeff)
        return ("(%s)" % c if isinstance(coeff, sp.Add) else c) + " " + body

    def _print_MatAdd(self, e):
        out = ""
        for i, t in enumerate(_ordered_terms(self, e)):
            s = self._print(t)
            if isinstance(t, sp.KroneckerProduct):
                s = "(%s)" % s
            out = s if not i else out + (" - " + s[1:] if s.startswith("-") else " + " + s)
        return out

    def _print_Vec(self, e):
        return "vec(%s)" % self._print(e.arg)

    def _print_Unvec(self, e):
        return "unvec_{%s,%s}(%s)" % (self._print(e.args[1]), self._print(e.args[2]), self._print(e.arg))

    def _print_Diag(self, e):
        return "diag(%s)" % self._print(e.arg)

    _print_DiagMatrix = _print_Diag

    def _print_DiagonalOf(self, e):
        return "diagvec(%s)" % self._print(e.arg)

    def _print_DiagEmbedding(self, e):
        return "Ψ_%s" % self._print(e.args[0])

    def _fname(self, lam, prime=""):
        f = function_name(lam)
        if f is not None:
            return _TEXT_NAMES.get(f, f.__name__) + prime
        v = lam.variables[0]
        body = lam.expr if not prime else sp.diff(lam.expr, v)
        return "(%s ↦ %s)" % (self._print(v), self._print(body))

    def _print_ElementwiseApplyFunction(self, e):
        return "%s(%s)" % (self._fname(e.function), self._print(e.expr))

    def _print_ElementwiseDerivative(self, e):
        return "%s(%s)" % (self._fname(e.function, "′"), self._print(e.arg))

    def _print_Norm(self, e):
        return "‖%s‖" % self._print(e.arg)

    def _print_Trace(self, e):
        return self._print(e.arg) if e.arg.shape == (1, 1) else "tr(%s)" % self._print(e.arg)

    def _print_Determinant(self, e):
        return "det(%s)" % self._print(e.arg)


def to_latex(expr) -> str:
    """LaTeX for a closed form."""
    return ClosedFormLatexPrinter({"mat_symbol_style": "plain"}).doprint(expr)


def to_text(expr) -> str:
    """One-line Unicode text for a closed form."""
    return ClosedFormTextPrinter().doprint(expr)


__all__ = ["ClosedFormLatexPrinter", "ClosedFormTextPrinter", "to_latex", "to_text"]
