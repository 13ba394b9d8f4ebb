r"""LaTeX and text for closed forms: ⊗, K_{m,n}, I_n, 1_n, diag, vec, ^⊤ as textbooks print them.

``ClosedFormLatexPrinter`` subclasses symjac's ``SymjacLatexPrinter`` (so names
print as everywhere else in symjac: ``W1`` → ``W^{(1)}``, ``Phi`` → ``\Phi``)
and dispatches on the class (``_print_KroneckerProduct`` …);
``ClosedFormTextPrinter`` does the same for one-line Unicode text
(``(Iₙ ⊗ Aᵀ) + (Aᵀ ⊗ Iₙ) K_{m,n}``, ``W⁽¹⁾``).  Products, sums, Kronecker and
Hadamard products are laid out by one shared mixin; only the glyphs differ.
"""
from __future__ import annotations

import re

import sympy as sp
from sympy.printing.pretty.pretty_symbology import pretty_symbol
from sympy.printing.str import StrPrinter

from symjac import elementwise as registry
from symjac.render.latex import SymjacLatexPrinter
from symjac.elementwise import function_name, function_params


def _is_atomic(e) -> bool:
    return isinstance(e, (sp.MatrixSymbol, sp.Identity, sp.ZeroMatrix, sp.OneMatrix, sp.Symbol)) or (
        type(e).__name__ in ("CommutationMatrix", "Vec", "Diag", "DiagEmbedding", "ElementwiseApplyFunction",
                             "ElementwiseDerivative", "Unvec", "DiagonalOf", "UnitVector", "Softmax")
    )


class _ProductLayout:
    """Products, sums, ⊗ and ∘ laid out the same way in LaTeX and text; subclasses give the glyphs."""

    KRON = " ⊗ "
    HADAMARD = " ∘ "

    def _paren(self, s: str) -> str:
        return "(%s)" % s

    def _wrap(self, e):
        s = self._print(e)
        return s if _is_atomic(e) else self._paren(s)

    def _print_KroneckerProduct(self, e):
        return self.KRON.join(self._wrap(a) if isinstance(a, (sp.MatAdd, sp.KroneckerProduct)) else self._print(a)
                              for a in e.args)

    def _print_HadamardProduct(self, e):
        return self.HADAMARD.join(self._wrap(a) for a in e.args)

    def _print_MatMul(self, e):
        coeff, mats = e.as_coeff_matrices()
        parts = []
        for m in mats:
            s = self._print(m)
            if isinstance(m, (sp.MatAdd, sp.KroneckerProduct, sp.HadamardProduct)) or s.startswith("-"):
                s = self._paren(s)
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        c = self._print(coeff)
        return (self._paren(c) if isinstance(coeff, sp.Add) else c) + " " + body

    def _print_MatAdd(self, e):
        out = ""
        for i, t in enumerate(_ordered_terms(self, e)):
            s = self._print(t)
            if isinstance(t, sp.KroneckerProduct):
                s = self._paren(s)
            out = s if not i else out + (" - " + s[1:] if s.startswith("-") else " + " + s)
        return out


class ClosedFormLatexPrinter(_ProductLayout, SymjacLatexPrinter):
    """LaTeX for closed forms (``\\otimes``, ``K_{m,n}``, ``I_{n}``, ``\\mathbf{1}_{n}``, ``\\operatorname{diag}``, ``^{\\top}``)."""

    KRON = r" \otimes "
    HADAMARD = r" \circ "

    def _paren(self, s: str) -> str:
        return r"\left(%s\right)" % s

    def _print_CommutationMatrix(self, e):
        return r"K_{%s,%s}" % (self._print(e.m), self._print(e.n))

    def _print_Identity(self, e):
        return r"I_{%s}" % self._print(e.shape[0])

    def _print_OneMatrix(self, e):
        r, c = e.shape
        if c == 1:
            return r"\mathbf{1}_{%s}" % self._print(r)
        if r == 1:
            return r"\mathbf{1}_{%s}^{\top}" % self._print(c)
        return r"\mathbf{1}_{%s \times %s}" % (self._print(r), self._print(c))

    def _print_ZeroMatrix(self, e):
        return r"0_{%s \times %s}" % (self._print(e.shape[0]), self._print(e.shape[1]))

    def _sup_base(self, e):
        """A superscript's base: parenthesised if compound, braced if it has one already (a^{(0)})."""
        s = self._wrap(e)
        return "{%s}" % s if "^" in s and not s.startswith(r"\left(") else s

    def _print_Transpose(self, e):
        if isinstance(e.arg, sp.Inverse):
            return r"%s^{-\top}" % self._sup_base(e.arg.arg)
        return r"%s^{\top}" % self._sup_base(e.arg)

    def _print_Inverse(self, e):
        return r"%s^{-1}" % self._sup_base(e.arg)

    def _print_MatPow(self, e):
        return r"%s^{%s}" % (self._sup_base(e.base), self._print(e.exp))

    def _print_UnitVector(self, e):
        return r"\mathbf{e}_{%s}" % self._print(e.index + 1 if e.index.is_Integer else e.index)

    def _print_HadamardPower(self, e):
        return r"%s^{\circ %s}" % (self._sup_base(e.base), self._print(e.exp))

    def _print_MatrixElement(self, e):
        return r"\left(%s\right)_{%s, %s}" % (self._print(e.parent), self._print(e.i + 1), self._print(e.j + 1))

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
            d = registry.of(f)
            name = d.latex if d is not None else r"\operatorname{%s}" % f.__name__
            if not name.startswith(r"\operatorname") and not isinstance(f, type):
                name = r"\operatorname{%s}" % d.text      # \sqrt takes its argument in braces, not as f(·)
            return name + prime
        v = lam.variables[0]
        body = lam.expr if not prime else sp.diff(lam.expr, v)
        return r"\left(%s \mapsto %s\right)" % (self._print(v), self._print(body))

    def _fargs(self, lam, arg):
        return ", ".join([self._print(arg), *map(self._print, function_params(lam))])

    def _print_ElementwiseApplyFunction(self, e):
        if function_name(e.function) is sp.sqrt:
            return r"\sqrt{%s}" % self._print(e.expr)
        return r"%s\left(%s\right)" % (self._fname(e.function), self._fargs(e.function, e.expr))

    def _print_ElementwiseDerivative(self, e):
        return r"%s\left(%s\right)" % (self._fname(e.function, "'"), self._fargs(e.function, e.arg))

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
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_TAGGED = re.compile(r"^(?P<letters>[A-Za-z]+)(?P<tag>[0-9]+)$")


def text_name(name: str) -> str:
    """A name as Unicode text, as the LaTeX printer writes it: ``W1`` → ``W⁽¹⁾``, ``Phi`` → ``Φ``."""
    m = _TAGGED.match(name)
    if m:
        return "%s⁽%s⁾" % (pretty_symbol(m.group("letters")), m.group("tag").translate(_SUP))
    return pretty_symbol(name)


def _text_subscript(n: str) -> str:
    """ₙ-style subscript text: digits as subscripts, a name after '_', anything else in braces."""
    return n.translate(_SUB) if n.isdigit() else "_" + n if n.isalnum() else "_{%s}" % n.replace("*", "")


class ClosedFormTextPrinter(_ProductLayout, StrPrinter):
    """One-line Unicode text: ``(Iₙ ⊗ Aᵀ) + (Aᵀ ⊗ Iₙ) K_{m,n}``, ``-2 Φᵀ (y - Φ θ)``."""

    def _print_MatrixSymbol(self, e):
        return text_name(e.name)

    def _print_Symbol(self, e):
        return text_name(e.name)

    def _print_CommutationMatrix(self, e):
        return "K_{%s,%s}" % (self._print(e.m), self._print(e.n))

    def _print_Identity(self, e):
        return "I" + _text_subscript(self._print(e.shape[0]))

    def _print_OneMatrix(self, e):
        r, c = e.shape
        if c == 1:
            return "1" + _text_subscript(self._print(r))
        if r == 1:
            return "1" + _text_subscript(self._print(c)) + "ᵀ"
        return "1_{%s×%s}" % (self._print(r), self._print(c))

    def _print_ZeroMatrix(self, e):
        return "0_{%s×%s}" % (self._print(e.shape[0]), self._print(e.shape[1]))

    def _print_Transpose(self, e):
        if isinstance(e.arg, sp.Inverse):
            return "%s⁻ᵀ" % self._wrap(e.arg.arg)
        return "%sᵀ" % self._wrap(e.arg)

    def _print_Inverse(self, e):
        return "%s⁻¹" % self._wrap(e.arg)

    def _print_MatPow(self, e):
        k = self._print(e.exp)
        return "%s^%s" % (self._wrap(e.base), k if (e.exp.is_Atom and not e.exp.is_negative) else "(%s)" % k)

    def _print_UnitVector(self, e):
        i = e.index + 1 if e.index.is_Integer else e.index         # integers 1-based as in the notes
        return "e_%s" % self._print(i)

    def _print_HadamardPower(self, e):
        return "%s^∘(%s)" % (self._wrap(e.base), self._print(e.exp))

    def _print_MatrixElement(self, e):
        return "%s[%s, %s]" % (self._wrap(e.parent), self._print(e.i), self._print(e.j))

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
            d = registry.of(f)
            return (d.text if d is not None else f.__name__) + prime
        v = lam.variables[0]
        body = lam.expr if not prime else sp.diff(lam.expr, v)
        return "(%s ↦ %s)" % (self._print(v), self._print(body))

    def _fargs(self, lam, arg):
        return ", ".join([self._print(arg), *map(self._print, function_params(lam))])

    def _print_ElementwiseApplyFunction(self, e):
        return "%s(%s)" % (self._fname(e.function), self._fargs(e.function, e.expr))

    def _print_ElementwiseDerivative(self, e):
        return "%s(%s)" % (self._fname(e.function, "′"), self._fargs(e.function, e.arg))

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


__all__ = ["ClosedFormLatexPrinter", "ClosedFormTextPrinter", "to_latex", "to_text", "text_name"]
