r"""Matrix powers Aᵏ with a symbolic integer k: the sum-of-products rule and its collapses.

* ``PowerSum(A, E, k)`` = Σ_{i=0}^{k−1} Aⁱ E A^{k−1−i} (n×n): d(Aᵏ) with E = dA.
* ``KronPowerSum(A, k)`` = Σ_{i=0}^{k−1} (Aᵀ)^{k−1−i} ⊗ Aⁱ (n²×n²): vec PowerSum(A, E, k) = KronPowerSum(A, k) vec E.
* ``adjoint_power_sum(A, C, k)`` = Σ_{i=0}^{k−1} (Aᵀ)ⁱ C (Aᵀ)^{k−1−i}, the G with
  ⟨C, PowerSum(A, E, k)⟩ = ⟨G, E⟩; when C is a scalar times a power of Aᵀ (C = I for tr Aᵏ,
  C ∝ A⁻ᵏᵀ for det Aᵏ) the k terms are equal and it collapses to k (Aᵀ)^{k−1} C:
  ∂tr(Xᵖ)/∂X = p (Xᵖ⁻¹)ᵀ, ∂det(Xᵏ)/∂X = k det(Xᵏ) X⁻ᵀ.

Each object instantiates at an integer k as the explicit sum (``explicit_sum``).
"""
from __future__ import annotations

import sympy as sp

from symjac.calculus.closedform.objects import as_expr, split_product

_I = sp.Symbol("i", integer=True, nonnegative=True)


def _pw(B, j):
    j = as_expr(j)                      # strict: SymPy objects and numbers only, never text
    if j == 0:
        return sp.Identity(B.shape[0])
    if j == 1:
        return B
    return sp.MatPow(B, j)


class _SumObject(sp.MatrixExpr):
    def numeric(self, ev):
        k = ev.scal(self.exponent)
        return ev.mat(self.explicit_sum(int(round(float(k.flat[0])))))

    def _sympystr(self, printer):
        return "Σ_{i=0}^{%s} %s" % (printer._print(self.exponent - 1), printer._print(self.term(_I)))

    def _latex(self, printer):
        return r"\sum_{i=0}^{%s} %s" % (printer._print(self.exponent - 1), printer._print(self.term(_I)))

    def explicit_sum(self, k: int):
        terms = [self.term(i) for i in range(k)]
        if not terms:
            return sp.ZeroMatrix(*self.shape)
        return terms[0] if len(terms) == 1 else sp.MatAdd(*terms)


class PowerSum(_SumObject):
    """Σ_{i<k} Aⁱ E A^{k−1−i}."""

    def __new__(cls, A, E, k):
        return sp.Basic.__new__(cls, as_expr(A), as_expr(E), as_expr(k))

    exponent = property(lambda self: self.args[2])

    @property
    def shape(self):
        return self.args[0].shape

    def term(self, i):
        A, E, k = self.args
        return sp.MatMul(_pw(A, i), E, _pw(A, k - 1 - i))


class KronPowerSum(_SumObject):
    """Σ_{i<k} (Aᵀ)^{k−1−i} ⊗ Aⁱ."""

    def __new__(cls, A, k):
        return sp.Basic.__new__(cls, as_expr(A), as_expr(k))

    exponent = property(lambda self: self.args[1])

    @property
    def shape(self):
        n = self.args[0].shape[0]
        return (n * n, n * n)

    def term(self, i):
        A, k = self.args
        return sp.KroneckerProduct(_pw(sp.Transpose(A), k - 1 - i), _pw(A, i))


class AdjointPowerSum(_SumObject):
    """Σ_{i<k} (Aᵀ)ⁱ C (Aᵀ)^{k−1−i}."""

    def __new__(cls, A, C, k):
        return sp.Basic.__new__(cls, as_expr(A), as_expr(C), as_expr(k))

    exponent = property(lambda self: self.args[2])

    @property
    def shape(self):
        return self.args[0].shape

    def term(self, i):
        A, C, k = self.args
        return sp.MatMul(_pw(sp.Transpose(A), i), C, _pw(sp.Transpose(A), k - 1 - i))


def _power_of(f, B):
    """j when f equals Bʲ (B, Iₙ, Bʲ, B⁻¹, and transposes of powers of Bᵀ), else None."""
    if f == B:
        return sp.S.One
    if isinstance(f, sp.Identity):
        return sp.S.Zero
    if isinstance(f, sp.MatPow):
        j = _power_of(f.args[0], B)
        return None if j is None else j * f.args[1]
    if isinstance(f, sp.Inverse):
        j = _power_of(f.arg, B)
        return None if j is None else -j
    if isinstance(f, sp.Transpose):
        Bt = B.arg if isinstance(B, sp.Transpose) else sp.Transpose(B)
        return _power_of(f.arg, Bt)
    return None


def adjoint_power_sum(A, C, k):
    """Σ_{i<k} (Aᵀ)ⁱ C (Aᵀ)^{k−1−i}; k (Aᵀ)^{k−1+s} c when C = c (Aᵀ)ˢ (then the terms are equal)."""
    At = sp.Transpose(A)
    coeff, mats = split_product(C) if isinstance(C, sp.MatMul) else (sp.S.One, [C])
    s = sp.S.Zero
    for f in mats:
        j = _power_of(f, At)
        if j is None:
            return AdjointPowerSum(A, C, k)
        s += j
    e = sp.expand(k - 1 + s)
    P = sp.Inverse(At) if e == -1 else _pw(At, e)
    return sp.MatMul(k * coeff, P) if (k * coeff) != 1 else P


__all__ = ["PowerSum", "KronPowerSum", "AdjointPowerSum", "adjoint_power_sum"]
