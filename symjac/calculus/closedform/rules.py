"""THE table of differentials (Magnus & Neudecker), one rule a line.

Each rule maps an expression class to its differential: ``rule(e, d)`` where
``d(u)`` is the differential of a sub-expression (``None`` when u does not
depend on the variable).  The helpers below (``add``, ``mm``, ``product`` …)
treat ``None`` as zero, so a rule reads like the textbook line beside it.
Scalars (``Trace``, ``Determinant``, ``Norm``, SymPy ``Add``/``Mul``/``Pow``/
functions) and matrices share the table.  Add a construct by adding a line.
"""
from __future__ import annotations

import sympy as sp

from symjac.errors import UnsupportedError
from sympy.matrices.expressions.diagonal import DiagonalOf
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.hadamard import hadamard_power as hadamard_power_of
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac.calculus.closedform.objects import is_matrix
from symjac.calculus.closedform.objects import Diag, ElementwiseApplyFunction, ElementwiseDerivative, Norm, Softmax, Unvec, Vec, as_lambda

# --- helpers: None is a zero differential -------------------------------------






def add(*terms):
    """Σ terms (None terms dropped); None if all are zero."""
    terms = [t for t in terms if t is not None]
    if not terms:
        return None
    if len(terms) == 1:
        return terms[0]
    return sp.MatAdd(*terms) if is_matrix(terms[0]) else sp.Add(*terms)


def mm(*factors):
    """Product of scalars and matrices (MatMul, or Mul when all are scalars); None if any is None."""
    if any(f is None for f in factors):
        return None
    if any(is_matrix(f) for f in factors):
        return sp.MatMul(*factors)
    return sp.Mul(*factors)


def neg(e):
    return None if e is None else mm(sp.S.NegativeOne, e)


def apply1(op, de):
    """op(dA) for a linear op (transpose, trace, vec, diag …)."""
    return None if de is None else op(de)


def product(args, d, combine):
    """Product rule: d(u₁⋯u_k) = Σᵢ u₁⋯duᵢ⋯u_k for any associative ``combine``."""
    terms = []
    for i, a in enumerate(args):
        da = d(a)
        if da is not None:
            terms.append(combine(*(args[:i] + (da,) + args[i + 1:])))
    return add(*terms)


def hadamard(*args):
    return sp.HadamardProduct(*args)


def kron(*args):
    return sp.KroneckerProduct(*args)


def matpow(e, d):
    """d(Aᵏ) = Σ_{i<k} Aⁱ dA A^{k−1−i} for an integer k (k < 0 through A⁻¹); a symbolic integer k gives the
    same sum as a :class:`PowerSum`; a 1×1 A with any constant exponent c: c A^{c−1} dA."""
    base, k = e.args
    if d(k) is not None:
        raise UnsupportedError(f"a variable exponent in {e}")
    if base.shape == (1, 1) and not k.is_Integer:
        db = d(base)
        return None if db is None else mm(k * sp.Trace(base) ** (k - 1), db)        # 1×1: d(bᶜ) = c bᶜ⁻¹ db
    if not k.is_Integer and k.is_integer:
        db = d(base)
        if db is None:
            return None
        from symjac.calculus.closedform.powers import PowerSum
        return PowerSum(base, db, k)                                                   # Σ_{i<k} Aⁱ dA A^{k−1−i}
    if not (k.is_Integer):
        raise UnsupportedError(f"matrix power with a non-integer exponent {k} (declare it integer=True)")
    if k < 0:
        return matpow(sp.MatPow(sp.Inverse(base), -k), d)
    db = d(base)
    if db is None or k == 0:
        return None
    powers = lambda j: None if j == 0 else (base if j == 1 else sp.MatPow(base, j))  # noqa: E731
    terms = [mm(*[f for f in (powers(i), db, powers(k - 1 - i)) if f is not None]) for i in range(int(k))]
    return add(*terms)


def scalar_pow(e, d):
    """d(u^c) = c u^{c−1} du for a constant exponent c."""
    base, c = e.args
    if d(c) is not None:
        raise UnsupportedError(f"a variable exponent in {e}")
    return mm(c * base ** (c - 1), d(base))


def scalar_function(e, d):
    """d f(u₁, …) = Σᵢ ∂ᵢf duᵢ for a SymPy function (Max, Min, Heaviside(u, h₀) … included)."""
    terms = []
    for i, a in enumerate(e.args, start=1):
        da = d(a)
        if da is not None:
            terms.append(mm(e.fdiff(i), da))
    return add(*terms)


def piecewise(e, d):
    """d Piecewise((u₁, c₁), (u₂, c₂), …) = Σₖ χₖ duₖ with χₖ = 1 where piece k applies (conditions held fixed)."""
    terms = []
    for k, (u, c) in enumerate(e.args):
        du = d(u)
        if du is None:
            continue
        chi = sp.Piecewise(*[(0, ck) for _, ck in e.args[:k]], (1, c), (0, True))
        terms.append(mm(chi, du))
    return add(*terms)


def matrix_element(e, d):
    """d(A[i, j]) = (dA)[i, j]."""
    dA = d(e.parent)
    return None if dA is None else MatrixElement(dA, e.i, e.j)


def hadamard_power(e, d):
    """d(A^{∘c}) = c A^{∘(c−1)} ∘ dA for a constant c."""
    base, c = e.args
    if d(c) is not None:
        raise UnsupportedError(f"a variable exponent in {e}")
    dA = d(base)
    return None if dA is None else mm(c, hadamard(hadamard_power_of(base, c - 1), dA))


def elementwise_function(e, d):
    """d f(A) = f′(A) ∘ dA for f applied entrywise."""
    dA = d(e.expr)
    return None if dA is None else hadamard(ElementwiseDerivative(as_lambda(e.function), e.expr), dA)


# --- THE TABLE -----------------------------------------------------------------

RULES = {
    sp.MatAdd:                lambda e, d: add(*map(d, e.args)),                                   # d(A+B) = dA + dB
    sp.MatMul:                lambda e, d: product(e.args, d, mm),                                 # d(AB) = dA B + A dB
    sp.Transpose:             lambda e, d: apply1(sp.Transpose, d(e.arg)),                         # d(Aᵀ) = (dA)ᵀ
    sp.Inverse:               lambda e, d: neg(mm(e, d(e.arg), e)),                                # d(A⁻¹) = −A⁻¹ dA A⁻¹
    sp.MatPow:                matpow,                                                              # d(Aᵏ) = Σ Aⁱ dA Aᵏ⁻¹⁻ⁱ
    sp.HadamardProduct:       lambda e, d: product(e.args, d, hadamard),                           # d(A∘B) = dA∘B + A∘dB
    sp.KroneckerProduct:      lambda e, d: product(e.args, d, kron),                               # d(A⊗B) = dA⊗B + A⊗dB
    ElementwiseApplyFunction: elementwise_function,                                                # d f(A) = f′(A)∘dA
    ElementwiseDerivative:    lambda e, d: apply1(lambda dA: hadamard(ElementwiseDerivative(e.derivative_lambda(), e.arg), dA),
                                                  d(e.arg)),                                       # d f′(A) = f″(A)∘dA
    Vec:                      lambda e, d: apply1(Vec, d(e.arg)),                                  # d vec A = vec dA
    Unvec:                    lambda e, d: apply1(lambda u: Unvec(u, *e.args[1:]), d(e.arg)),      # d unvec v = unvec dv
    Diag:                     lambda e, d: apply1(Diag, d(e.arg)),                                 # d diag(v) = diag(dv)
    sp.Trace:                 lambda e, d: apply1(sp.Trace, d(e.arg)),                             # d tr A = tr dA
    sp.Determinant:           lambda e, d: mm(e, apply1(sp.Trace, mm(sp.Inverse(e.arg), d(e.arg)))),  # d|A| = |A| tr(A⁻¹dA)
    Norm:                     lambda e, d: mm(apply1(sp.Trace, mm(sp.Transpose(e.arg), d(e.arg))), 1 / e),  # d‖A‖ = tr(AᵀdA)/‖A‖
    sp.Add:                   lambda e, d: add(*map(d, e.args)),                                   # d(u+v) = du + dv
    sp.Mul:                   lambda e, d: product(e.args, d, mm),                                 # d(uv) = du v + u dv
    sp.Pow:                   scalar_pow,                                                          # d(uᶜ) = c uᶜ⁻¹ du
    sp.Function:              scalar_function,                                                     # d f(u) = f′(u) du (log: du/u)
    sp.Max:                   scalar_function,                                                     # d max(u, v) = H(u−v) du + H(v−u) dv
    sp.Min:                   scalar_function,                                                     # d min(u, v) likewise
    sp.Piecewise:             piecewise,                                                           # d Piecewise = Σ χₖ duₖ
    MatrixElement:            matrix_element,                                                      # d(A[i,j]) = (dA)[i,j]
    HadamardPower:            hadamard_power,                                                      # d(A^{∘c}) = c A^{∘(c−1)}∘dA
    DiagonalOf:               lambda e, d: apply1(DiagonalOf, d(e.arg)),                           # d diagvec A = diagvec dA
    Softmax:                  lambda e, d: d(e.definition()),                                      # softmax by its definition
}

# Leaves with a zero differential unless they are the variable itself.
CONSTANTS = (sp.MatrixSymbol, sp.Identity, sp.ZeroMatrix, sp.OneMatrix, sp.Symbol, sp.Number, sp.NumberSymbol)


def rule_for(e):
    """The rule for e's class (nearest in the MRO), or None."""
    for cls in type(e).__mro__:
        rule = RULES.get(cls)
        if rule is not None:
            return rule
    return None


__all__ = ["RULES", "rule_for", "add", "mm", "neg", "product", "is_matrix"]
