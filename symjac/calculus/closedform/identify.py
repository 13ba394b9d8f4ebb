"""Identification: from dF (linear in dX) to the derivative.

* ``vec_jacobian(dF, dX)``: J with vec dF = J vec dX (columns stacked on both
  sides: Magnus & Neudecker's ∂vec F/∂(vec X)ᵀ, symjac's VEC convention),
  by vec(A dX B) = (Bᵀ⊗A) vec dX, vec dXᵀ = K vec dX and the lines of
  :data:`VEC_RULES`.  Shape (mn)×(pq); a scalar dF gives a 1×(pq) row.
* ``gradient_from_differential(dF, dX)``: for a scalar dF = tr(Gᵀ dX), the
  gradient G in X's shape, by moving every factor to the other side of the
  trace inner product ⟨C, E⟩ = tr(CᵀE) (the lines of :data:`ADJOINT_RULES`).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagonalOf

from symjac.errors import UnsupportedError
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac.calculus.closedform.objects import CommutationMatrix, Diag, DiagEmbedding, UnitVector, Unvec, Vec
from symjac.calculus.closedform.powers import KronPowerSum, PowerSum, adjoint_power_sum
from symjac.calculus.closedform.objects import is_matrix, split_product as _split
from symjac.calculus.closedform.rules import add, mm


def _prod(mats, n_if_empty):
    if not mats:
        return sp.Identity(n_if_empty)
    return mats[0] if len(mats) == 1 else sp.MatMul(*mats)


def _which(items, dX):
    hits = [i for i, a in enumerate(items) if a.has(dX)]
    if len(hits) != 1:
        raise UnsupportedError(f"differential is not linear in {dX.name}: {len(hits)} factors contain it")
    return hits[0]


# --- vec: J with vec(E) = J vec(dX) --------------------------------------------------

def _vec_matmul(e, J):
    coeff, mats = _split(e)
    c_terms = sp.Mul.make_args(coeff)
    scal = [s for s in c_terms if s.has(J.dX)]
    if scal:                                                   # vec(s M) = vec(M) J(s), s scalar
        (s,) = scal
        rest = sp.Mul(*[t for t in c_terms if t is not s])
        M = _prod(mats, 1)
        return mm(rest, Vec(M), J(s))
    i = _which(mats, J.dX)
    E = mats[i]
    L = _prod(mats[:i], E.shape[0])
    R = _prod(mats[i + 1:], E.shape[1])
    return mm(coeff, sp.KroneckerProduct(sp.Transpose(R), L), J(E))   # vec(LER) = (Rᵀ⊗L) vec E


def _vec_kron(e, J):
    args = e.args
    if len(args) > 2:
        return J(sp.KroneckerProduct(args[0], sp.KroneckerProduct(*args[1:])))
    A, B = args
    (m, n), (p, q) = A.shape, B.shape
    P = sp.KroneckerProduct(sp.Identity(n), CommutationMatrix(q, m), sp.Identity(p))
    # vec(A⊗B) = (Iₙ⊗K_{q,m}⊗I_p)(vec A ⊗ vec B)   (Magnus & Neudecker, Thm 3.10)
    return add(
        mm(P, sp.KroneckerProduct(sp.Identity(m * n), Vec(B)), J(A)) if A.has(J.dX) else None,
        mm(P, sp.KroneckerProduct(Vec(A), sp.Identity(p * q)), J(B)) if B.has(J.dX) else None,
    )


def _vec_hadamard(e, J):
    i = _which(e.args, J.dX)
    others = e.args[:i] + e.args[i + 1:]
    M = others[0] if len(others) == 1 else sp.HadamardProduct(*others)
    return mm(Diag(Vec(M)), J(e.args[i]))                                # vec(M∘E) = diag(vec M) vec E


def _vec_mul(e, J):
    i = _which(e.args, J.dX)
    return mm(sp.Mul(*(e.args[:i] + e.args[i + 1:])), J(e.args[i]))    # d(c s) = c ds


VEC_RULES = {
    sp.MatAdd:           lambda e, J: add(*[J(a) for a in e.args]),                         # vec(A+B) = vec A + vec B
    sp.MatMul:           _vec_matmul,                                                        # vec(AXB) = (Bᵀ⊗A) vec X
    sp.Transpose:        lambda e, J: mm(CommutationMatrix(*e.arg.shape), J(e.arg)),         # vec Eᵀ = K_{m,n} vec E
    sp.HadamardProduct:  _vec_hadamard,                                                      # vec(M∘E) = diag(vec M) vec E
    sp.KroneckerProduct: _vec_kron,                                                          # vec(A⊗B), Thm 3.10
    Vec:                 lambda e, J: J(e.arg),                                              # vec vec E = vec E
    Unvec:               lambda e, J: J(e.arg),                                              # vec unvec v = v
    Diag:                lambda e, J: mm(DiagEmbedding(e.shape[0]), J(e.arg)),               # vec diag(v) = Ψₙ v
    sp.Trace:            lambda e, J: mm(sp.Transpose(Vec(sp.Identity(e.arg.shape[0]))), J(e.arg)),  # tr E = vec(I)ᵀ vec E
    sp.Add:              lambda e, J: add(*[J(a) for a in e.args]),                          # d(s+t) = ds + dt
    sp.Mul:              _vec_mul,                                                           # d(c s) = c ds
    DiagonalOf:          lambda e, J: mm(sp.Transpose(DiagEmbedding(e.arg.shape[0])), J(e.arg)),  # diagvec E = Ψₙᵀ vec E
    MatrixElement:       lambda e, J: mm(sp.Transpose(sp.KroneckerProduct(                   # E[i,j] = (e_j ⊗ e_i)ᵀ vec E
                             UnitVector(e.j, e.parent.shape[1]), UnitVector(e.i, e.parent.shape[0]))), J(e.parent)),
    PowerSum:            lambda e, J: mm(KronPowerSum(e.args[0], e.args[2]), J(e.args[1])),  # vec Σ AⁱEAᵏ⁻¹⁻ⁱ
}


class _VecJacobian:
    def __init__(self, dX):
        self.dX = dX
        self.n_in = dX.shape[0] * dX.shape[1]

    def __call__(self, e):
        if e == self.dX:
            return sp.Identity(self.n_in)
        if not e.has(self.dX):
            raise UnsupportedError(f"internal: a term free of {self.dX.name} reached identification")
        for cls in type(e).__mro__:
            rule = VEC_RULES.get(cls)
            if rule is not None:
                return rule(e, self)
        raise UnsupportedError(f"cannot vectorise {type(e).__name__} (in {e}) in a differential")


def vec_jacobian(dF, dX, out_shape):
    """J (size-free) with vec dF = J vec dX; ``out_shape`` is F's shape ((1, 1) for a scalar)."""
    m, n = out_shape
    if dF is None:
        return sp.ZeroMatrix(m * n, dX.shape[0] * dX.shape[1])
    return _VecJacobian(dX)(dF)


# --- adjoint: G with ⟨C, E⟩ = ⟨G, dX⟩ ------------------------------------------------

class NoAdjoint(UnsupportedError):
    """The trace-form route has no rule; the caller falls back to the vec route."""


def _adj_matmul(C, e, P):
    coeff, mats = _split(e)
    c_terms = sp.Mul.make_args(coeff)
    scal = [s for s in c_terms if s.has(P.dX)]
    if scal:                                                   # ⟨C, s M⟩ = tr(CᵀM) · s
        (s,) = scal
        rest = sp.Mul(*[t for t in c_terms if t is not s])
        return P.scalar(rest * sp.Trace(mm(sp.Transpose(C), _prod(mats, 1))), s)
    i = _which(mats, P.dX)
    E = mats[i]
    left = [sp.Transpose(f) for f in reversed(mats[:i])]
    right = [sp.Transpose(f) for f in reversed(mats[i + 1:])]
    return P(mm(coeff, *left, C, *right), E)                   # ⟨C, LER⟩ = ⟨LᵀCRᵀ, E⟩


def _adj_hadamard(C, e, P):
    i = _which(e.args, P.dX)
    others = e.args[:i] + e.args[i + 1:]
    return P(sp.HadamardProduct(C, *others), e.args[i])       # ⟨C, M∘E⟩ = ⟨C∘M, E⟩


ADJOINT_RULES = {
    sp.MatAdd:          lambda C, e, P: [g for a in e.args for g in P(C, a)],              # ⟨C, A+B⟩ = ⟨C,A⟩ + ⟨C,B⟩
    sp.MatMul:          _adj_matmul,                                                       # ⟨C, LER⟩ = ⟨LᵀCRᵀ, E⟩
    sp.Transpose:       lambda C, e, P: P(sp.Transpose(C), e.arg),                         # ⟨C, Eᵀ⟩ = ⟨Cᵀ, E⟩
    sp.HadamardProduct: _adj_hadamard,                                                     # ⟨C, M∘E⟩ = ⟨C∘M, E⟩
    Vec:                lambda C, e, P: P(Unvec(C, *e.arg.shape), e.arg),                  # ⟨c, vec E⟩ = ⟨unvec c, E⟩
    Diag:               lambda C, e, P: P(DiagonalOf(C), e.arg),                           # ⟨C, diag v⟩ = ⟨diagvec C, v⟩
    DiagonalOf:         lambda C, e, P: P(Diag(C), e.arg),                                 # ⟨c, diagvec E⟩ = ⟨diag c, E⟩
    PowerSum:           lambda C, e, P: P(adjoint_power_sum(e.args[0], C, e.args[2]), e.args[1]),  # Σ (Aᵀ)ⁱC(Aᵀ)ᵏ⁻¹⁻ⁱ
}


class _Adjoint:
    def __init__(self, dX):
        self.dX = dX

    def __call__(self, C, e):
        """Contributions to G from ⟨C, e⟩, e a matrix linear in dX."""
        if e == self.dX:
            return [C]
        for cls in type(e).__mro__:
            rule = ADJOINT_RULES.get(cls)
            if rule is not None:
                return rule(C, e, self)
        raise NoAdjoint(f"no trace-form rule for {type(e).__name__}")

    def scalar(self, w, s):
        """Contributions to G from w·s, s a scalar linear in dX."""
        if isinstance(s, sp.Add):
            return [g for a in s.args for g in self.scalar(w, a)]
        if isinstance(s, sp.Mul):
            i = _which(s.args, self.dX)
            return self.scalar(w * sp.Mul(*(s.args[:i] + s.args[i + 1:])), s.args[i])
        if isinstance(s, sp.Trace):
            return self(mm(w, sp.Identity(s.arg.shape[0])), s.arg)   # w tr E = ⟨w I, E⟩
        if isinstance(s, MatrixElement):                              # w E[i,j] = ⟨w e_i e_jᵀ, E⟩
            E = s.parent
            return self(mm(w, UnitVector(s.i, E.shape[0]), sp.Transpose(UnitVector(s.j, E.shape[1]))), E)
        raise NoAdjoint(f"no trace-form rule for the scalar {type(s).__name__}")


def gradient_from_differential(dF, dX):
    """G (X's shape) with dF = tr(Gᵀ dX), for a scalar dF or a 1×1 matrix dF; None if dF is None."""
    if dF is None:
        return sp.ZeroMatrix(*dX.shape)
    P = _Adjoint(dX)
    parts = P(sp.Identity(1), dF) if is_matrix(dF) else P.scalar(sp.S.One, dF)
    return add(*parts) if parts else sp.ZeroMatrix(*dX.shape)


__all__ = ["vec_jacobian", "gradient_from_differential", "VEC_RULES", "ADJOINT_RULES", "NoAdjoint"]
