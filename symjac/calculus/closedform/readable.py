"""Tidy a closed form into what a textbook prints — no blanket ``simplify``.

Bottom-up rewriting with exact identities only, repeated to a fixed point:

* transposes pushed to the leaves: (AB)ᵀ = BᵀAᵀ, (A⊗B)ᵀ = Aᵀ⊗Bᵀ, K_{m,n}ᵀ = K_{n,m}, Iᵀ = I, diag(v)ᵀ = diag(v),
  1_{m×n}ᵀ = 1_{n×m};
* products flattened, scalar factors collected, identities dropped, zeros absorbed;
* mixed products (A⊗B)(C⊗D) = AC⊗BD, and with a row / column factor
  M(a⊗B) = a⊗MB (a one row), (a⊗B)M = a⊗BM (a one column) and the mirror cases;
* K_{m,1} = K_{1,n} = I, K_{m,n}K_{n,m} = I, K_{p,m}(A⊗B) = (B⊗A)K_{q,n} (K moved right), K_{m,n} vec A = vec Aᵀ, vec(A)ᵀK_{n,m} = vec(Aᵀ)ᵀ;
* I_a⊗I_b = I_{ab}, I₁⊗A = A, vec v = v for a column, diag(vec v) = diag v;
* ones: 1_{a×k} 1_{k×b} = k 1_{a×b}, vec 1_{m×n} = 1_{mn}, 1∘A = A, a 1×1 matrix of ones dropped from products;
* sums: zeros dropped, like terms collected (Φᵀr + Φᵀr = 2Φᵀr), a factor
  common to every term pulled out (Ax + Aᵀx = (A + Aᵀ)x).

Named rules (each tested in tests/calculus/test_closedform_readable.py):

* ``self_derivative``: f′ = f elementwise when f′ is f (exp′(z) = exp(z));
* ``ones_diag``: 1ᵀ diag(v) = vᵀ and diag(v) 1 = v;
* ``softmax``: a product with the factor (1ᵀexp z)⁻ᵏ turns k of its factors exp(z), exp(z)ᵀ,
  diag(exp z) into softmax(z), softmax(z)ᵀ, diag(softmax z) — so the softmax Jacobian reads
  diag(s) − s sᵀ and the cross-entropy gradient (1ᵀy) s − y.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from symjac.calculus.closedform.objects import CommutationMatrix, Diag, ElementwiseDerivative, Softmax, Vec, softmax_normaliser
from symjac.calculus.closedform.objects import split_product as _split

_MAX_PASSES = 12


def tidy(e):
    """The tidied form of a SymPy (matrix) expression; mathematically equal, never simplify()."""
    for _ in range(_MAX_PASSES):
        new = _tidy(e)
        if new == e:
            return new
        e = new
    return e


def _tidy(e):
    if not isinstance(e, sp.Basic) or not e.args or isinstance(e, (sp.MatrixSymbol, sp.Lambda)):
        return e
    handler = _HANDLERS.get(type(e))
    if handler is None:
        for cls in type(e).__mro__:
            handler = _HANDLERS.get(cls)
            if handler is not None:
                break
    args = tuple(_tidy(a) if isinstance(a, sp.Basic) else a for a in e.args)
    if handler is not None:
        return handler(e, args)
    if args == e.args:
        return e
    return e.func(*args)


def _one(x) -> bool:
    return x == 1


def _rows(M):
    return M.shape[0]


def _cols(M):
    return M.shape[1]


# --- transpose ---------------------------------------------------------------------

def _transpose(e, args):
    (a,) = args
    if isinstance(a, sp.Transpose):
        return a.arg
    if isinstance(a, sp.MatMul):
        coeff, mats = _split(a)
        return _matmul_from(coeff, [sp.Transpose(m) for m in reversed(mats)])
    if isinstance(a, sp.MatAdd):
        return sp.MatAdd(*[sp.Transpose(t) for t in a.args])
    if isinstance(a, sp.KroneckerProduct):
        return sp.KroneckerProduct(*[sp.Transpose(t) for t in a.args])
    if isinstance(a, sp.HadamardProduct):
        return sp.HadamardProduct(*[sp.Transpose(t) for t in a.args])
    if isinstance(a, (sp.Identity, Diag)):
        return a
    if isinstance(a, sp.ZeroMatrix):
        return sp.ZeroMatrix(_cols(a), _rows(a))
    if isinstance(a, sp.OneMatrix):
        return sp.OneMatrix(_cols(a), _rows(a))                         # 1_{m×n}ᵀ = 1_{n×m}
    if isinstance(a, CommutationMatrix):
        return CommutationMatrix(a.n, a.m)
    if isinstance(a, ElementwiseApplyFunction):
        return ElementwiseApplyFunction(a.function, sp.Transpose(a.expr))
    if isinstance(a, ElementwiseDerivative):
        return ElementwiseDerivative(a.function, sp.Transpose(a.arg))
    return sp.Transpose(a)


def _inverse(e, args):
    a = args[0]
    if isinstance(a, sp.Transpose):                      # (Aᵀ)⁻¹ = (A⁻¹)ᵀ
        return sp.Transpose(sp.Inverse(a.arg))
    if isinstance(a, sp.Identity):
        return a
    return sp.Inverse(a)


# --- products ----------------------------------------------------------------------

def _matmul_from(coeff, mats):
    if coeff == 0:
        return None
    if not mats:
        raise AssertionError("a matrix product without matrices")
    if len(mats) == 1 and coeff == 1:
        return mats[0]
    return sp.MatMul(coeff, *mats) if coeff != 1 else sp.MatMul(*mats)


def _is_unit(M) -> bool:
    """I_n, or a 1×1 matrix of ones (the 1×1 identity)."""
    return isinstance(M, sp.Identity) or isinstance(M, sp.OneMatrix) and _one(M.shape[0]) and _one(M.shape[1])


def _pair(A, B):
    """A·B rewritten as one factor when an identity applies, else None."""
    KP = sp.KroneckerProduct
    if _is_unit(A):
        return B
    if _is_unit(B):
        return A
    if isinstance(A, sp.OneMatrix) and isinstance(B, sp.OneMatrix):
        k = _cols(A)                                                    # 1_{a×k} 1_{k×b} = k 1_{a×b}
        ones = sp.OneMatrix(_rows(A), _cols(B))
        return ones if _one(k) else sp.MatMul(k, ones)
    if isinstance(A, KP) and isinstance(B, KP) and len(A.args) == 2 and len(B.args) == 2:
        (a1, a2), (b1, b2) = A.args, B.args
        if a1.shape[1] == b1.shape[0] and a2.shape[1] == b2.shape[0]:
            return KP(sp.MatMul(a1, b1), sp.MatMul(a2, b2))            # (A⊗B)(C⊗D) = AC⊗BD
    if isinstance(B, KP) and len(B.args) == 2 and not isinstance(A, (KP, CommutationMatrix)):
        b1, b2 = B.args
        if _one(b1.shape[0]) and A.shape[1] == b2.shape[0]:
            return KP(b1, sp.MatMul(A, b2))                             # M(a⊗B) = a⊗MB, a one row
        if _one(b2.shape[0]) and A.shape[1] == b1.shape[0]:
            return KP(sp.MatMul(A, b1), b2)                             # M(A⊗b) = MA⊗b, b one row
    if isinstance(A, KP) and len(A.args) == 2 and not isinstance(B, (KP, CommutationMatrix)):
        a1, a2 = A.args
        if _one(a1.shape[1]) and a2.shape[1] == B.shape[0]:
            return KP(a1, sp.MatMul(a2, B))                             # (a⊗B)M = a⊗BM, a one column
        if _one(a2.shape[1]) and a1.shape[1] == B.shape[0]:
            return KP(sp.MatMul(a1, B), a2)                             # (A⊗b)M = AM⊗b, b one column
    if isinstance(A, KP) and len(A.args) == 2 and isinstance(B, CommutationMatrix):
        (a1, a2) = A.args                                               # (A⊗B)K_{n,q} = K_{m,p}(B⊗A)
        if (B.m, B.n) == (a1.shape[1], a2.shape[1]) and (_one(a1.shape[0]) or _one(a2.shape[0])):
            return KP(a2, a1)
    if isinstance(B, KP) and len(B.args) == 2 and isinstance(A, CommutationMatrix):
        (b1, b2) = B.args                                               # K_{p,m}(A⊗B) = (B⊗A)K_{q,n}
        if (A.m, A.n) == (b2.shape[0], b1.shape[0]):
            return sp.MatMul(KP(b2, b1), CommutationMatrix(b2.shape[1], b1.shape[1]))
    if isinstance(A, CommutationMatrix) and isinstance(B, CommutationMatrix):
        if A.m == B.n and A.n == B.m:
            return sp.Identity(A.shape[0])                              # K_{m,n}K_{n,m} = I
    if isinstance(A, CommutationMatrix) and isinstance(B, Vec) and B.arg.shape == (A.m, A.n):
        return Vec(sp.Transpose(B.arg))                                 # K_{m,n} vec A = vec Aᵀ
    if isinstance(B, CommutationMatrix) and isinstance(A, sp.Transpose) and isinstance(A.arg, Vec):
        G = A.arg.arg
        if G.shape == (B.n, B.m):
            return sp.Transpose(Vec(sp.Transpose(G)))                   # vec(G)ᵀK_{q,p} = vec(Gᵀ)ᵀ
    if isinstance(A, sp.Inverse) and A.arg == B or isinstance(B, sp.Inverse) and B.arg == A:
        return sp.Identity(A.shape[0])                                  # A⁻¹A = AA⁻¹ = I
    if isinstance(A, Diag) and isinstance(B, Diag):
        return Diag(sp.HadamardProduct(A.arg, B.arg))                   # diag(u)diag(v) = diag(u∘v)
    return None


def _matmul(e, args):
    coeff, mats = _split(sp.MatMul(*args))
    if coeff == 0 or any(isinstance(m, sp.ZeroMatrix) for m in mats):
        return sp.ZeroMatrix(*e.shape)
    if len(mats) > 1:
        kept = [m for m in mats if not _is_unit(m)]
        mats = kept or [mats[0]]
    for i, m in enumerate(mats):
        if isinstance(m, sp.MatAdd) and any(
            isinstance(mats[j], CommutationMatrix) for j in (i - 1, i + 1) if 0 <= j < len(mats)
        ):                                                              # (A + B)K = AK + BK
            return sp.MatAdd(*[_matmul_from(coeff, mats[:i] + [t] + mats[i + 1:]) for t in m.args])
    changed = True
    while changed and len(mats) > 1:
        changed = False
        for i in range(len(mats) - 1):
            r = _pair(mats[i], mats[i + 1])
            if r is not None:
                mats = mats[:i] + [r] + mats[i + 2:]
                changed = True
                break
    # Pull scalar coefficients out of factors (−A)B = −AB.
    flat = []
    for m in mats:
        if isinstance(m, sp.MatMul):
            c, ms = _split(m)
            coeff *= c
            flat.extend(ms)
        else:
            flat.append(m)
    flat = _ones_diag(flat)
    coeff, flat = _softmax(coeff, flat)
    return _matmul_from(coeff, flat)


def _ones_diag(mats):
    """Named rule ``ones_diag``: 1ᵀ diag(v) = vᵀ, diag(v) 1 = v."""
    out = list(mats)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if isinstance(a, sp.OneMatrix) and _one(a.shape[0]) and isinstance(b, Diag):
            return _ones_diag(out[:i] + [sp.Transpose(b.arg)] + out[i + 2:])
        if isinstance(a, Diag) and isinstance(b, sp.OneMatrix) and _one(b.shape[1]):
            return _ones_diag(out[:i] + [a.arg] + out[i + 2:])
    return out


def _exp_of(M):
    """z when M is exp(z) elementwise (z a column), else None."""
    if isinstance(M, ElementwiseApplyFunction) and M.function.expr == sp.exp(M.function.variables[0]) \
            and _one(M.expr.shape[1]):
        return M.expr
    return None


def _softmax(coeff, mats):
    """Named rule ``softmax``: (1ᵀexp z)⁻ᵏ with k exp(z)-factors → k softmax(z)-factors."""
    powers = {}
    for f in sp.Mul.make_args(coeff):
        base, ex = f.as_base_exp()
        if ex.is_Integer and ex < 0:
            powers[base] = powers.get(base, 0) + int(-ex)
    if not powers:
        return coeff, mats
    out = list(mats)
    for i, M in enumerate(out):
        inner = M.arg if isinstance(M, (sp.Transpose, Diag)) else M
        z = _exp_of(inner)
        if z is None:
            continue
        N = softmax_normaliser(z)
        if powers.get(N, 0) > 0:
            powers[N] -= 1
            coeff = coeff * N
            s = Softmax(z)
            out[i] = sp.Transpose(s) if isinstance(M, sp.Transpose) else (Diag(s) if isinstance(M, Diag) else s)
    return coeff, out


def _trace(e, args):
    """tr(cA) = c tr(A) for a scalar c."""
    (a,) = args
    if isinstance(a, sp.MatMul):
        c, ms = _split(a)
        if c != 1 and ms:
            return c * sp.Trace(ms[0] if len(ms) == 1 else sp.MatMul(*ms))
    return sp.Trace(a)


def _elementwise_derivative(e, args):
    """Named rule ``self_derivative``: f′(A) = f(A) when f′ = f (exp)."""
    lam = e.function
    if e.derivative_lambda().expr == lam.expr:
        return ElementwiseApplyFunction(lam, args[1])
    return e.func(*args)


def _kron(e, args):
    flat = []
    for a in args:
        flat.extend(a.args if isinstance(a, sp.KroneckerProduct) else [a])
    coeff = sp.S.One
    parts = []
    for a in flat:
        if isinstance(a, sp.MatMul):
            c, ms = _split(a)
            coeff *= c
            a = _matmul_from(sp.S.One, ms)
        parts.append(a)
    if coeff == 0 or any(isinstance(a, sp.ZeroMatrix) for a in parts):
        return sp.ZeroMatrix(*e.shape)
    parts = [a for a in parts if not (isinstance(a, sp.Identity) and _one(a.shape[0]))] or [sp.Identity(1)]
    merged = []
    for a in parts:
        if merged and isinstance(a, sp.Identity) and isinstance(merged[-1], sp.Identity):
            merged[-1] = sp.Identity(merged[-1].shape[0] * a.shape[0])  # I_a⊗I_b = I_{ab}
        else:
            merged.append(a)
    out = merged[0] if len(merged) == 1 else sp.KroneckerProduct(*merged)
    return out if coeff == 1 else sp.MatMul(coeff, out)


def _hadamard(e, args):
    flat = []
    for a in args:
        flat.extend(a.args if isinstance(a, sp.HadamardProduct) else [a])
    if any(isinstance(a, sp.ZeroMatrix) for a in flat):
        return sp.ZeroMatrix(*e.shape)
    coeff, parts = sp.S.One, []
    for a in flat:                                                      # (cA)∘B = c(A∘B)
        if isinstance(a, sp.MatMul):
            c, ms = _split(a)
            if c != 1:
                coeff *= c
                a = _matmul_from(sp.S.One, ms)
        parts.append(a)
    parts = [a for a in parts if not isinstance(a, sp.OneMatrix)] or parts[:1]   # 1∘A = A
    out = parts[0] if len(parts) == 1 else sp.HadamardProduct(*parts)
    return out if coeff == 1 else sp.MatMul(coeff, out)


# --- sums --------------------------------------------------------------------------

def _matadd(e, args):
    terms = []
    for a in args:
        terms.extend(a.args if isinstance(a, sp.MatAdd) else [a])
    collected: dict = {}
    order = []
    for t in terms:
        if isinstance(t, sp.ZeroMatrix):
            continue
        c, mats = _split(t) if isinstance(t, sp.MatMul) else (sp.S.One, [t])
        key = tuple(mats)
        if key not in collected:
            order.append(key)
            collected[key] = sp.S.Zero
        collected[key] += c
    out = [(collected[k], list(k)) for k in order if collected[k] != 0]
    if not out:
        return sp.ZeroMatrix(*e.shape)
    if len(out) == 1:
        return _matmul_from(*out[0])
    factored = _factor_common(out)
    if factored is not None:
        return factored
    out.sort(key=lambda cm: sum(isinstance(m, CommutationMatrix) for m in cm[1]))
    return sp.MatAdd(*[_matmul_from(c, ms) for c, ms in out])


def _factor_common(terms):
    """Σ cᵢ L Mᵢ R → L (Σ cᵢ Mᵢ) R when every term shares L (left) or R (right) and keeps a factor."""
    if len(terms) < 2 or any(len(ms) < 2 for _, ms in terms):
        return None
    first = terms[0][1]
    if all(ms[-1] == first[-1] for _, ms in terms) and not isinstance(first[-1], CommutationMatrix):
        inner = sp.MatAdd(*[_matmul_from(c, ms[:-1]) for c, ms in terms])
        return sp.MatMul(inner, first[-1])
    if all(ms[0] == first[0] for _, ms in terms) and not isinstance(first[0], CommutationMatrix):
        inner = sp.MatAdd(*[_matmul_from(c, ms[1:]) for c, ms in terms])
        return sp.MatMul(first[0], inner)
    return None


# --- other objects -----------------------------------------------------------------

def _commutation(e, args):
    m, n = args
    if _one(m) or _one(n):
        return sp.Identity(m * n)                                       # K_{m,1} = K_{1,n} = I
    return CommutationMatrix(m, n)


def _vec(e, args):
    (a,) = args
    if _one(a.shape[1]):
        return a                                                        # vec v = v
    if _one(a.shape[0]):
        return sp.Transpose(a)                                          # vec of a row = its transpose
    if isinstance(a, sp.OneMatrix):
        return sp.OneMatrix(a.shape[0] * a.shape[1], 1)                # vec 1_{m×n} = 1_{mn}
    return Vec(a)


def _diag(e, args):
    (a,) = args
    if isinstance(a, Vec):
        return Diag(a.arg) if _one(a.arg.shape[1]) else Diag(a)
    return Diag(a)


_HANDLERS = {
    sp.Transpose: _transpose,
    sp.Inverse: _inverse,
    sp.MatMul: _matmul,
    sp.MatAdd: _matadd,
    sp.KroneckerProduct: _kron,
    sp.HadamardProduct: _hadamard,
    CommutationMatrix: _commutation,
    Vec: _vec,
    Diag: _diag,
    ElementwiseDerivative: _elementwise_derivative,
    sp.Trace: _trace,
}

__all__ = ["tidy"]
