"""Entries written by SymPy as sums back into matrix form.

SymPy turns an entry of a product into a ``Sum`` over a dummy index:
``((y − Φθ)ᵀ(y − Φθ))[0, 0]`` becomes Σᵢ (yᵢ − Σⱼ Φᵢⱼθⱼ)(yᵢ − Σₖ Φᵢₖθₖ).
``matrix_form(F)`` rebuilds every such ``Sum`` as ``MatrixElement(P, i, j)`` of
the product P it came from (the rule: Σ_k a[i,k] b[k,j] over the full range
of k is (AB)[i, j]; sums and scalar multiples of entries at one position are
entries of the sum / multiple), so the differential rules see matrices again.
A ``Sum`` that is not an entry of a matrix product is refused (UnsupportedError).
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac.errors import UnsupportedError


def _entry(e):
    """(M, i, j) when the scalar e equals M[i, j] for a matrix expression M, else None."""
    if isinstance(e, MatrixElement):
        return e.parent, e.i, e.j
    if isinstance(e, sp.Add):
        parts = [_entry(a) for a in e.args]
        if all(p is not None for p in parts) and len({(p[1], p[2]) for p in parts}) == 1:
            return sp.MatAdd(*[p[0] for p in parts]), parts[0][1], parts[0][2]
        return None
    if isinstance(e, sp.Mul):
        coeff = [a for a in e.args if not a.has(MatrixElement, sp.Sum)]
        rest = [a for a in e.args if a.has(MatrixElement, sp.Sum)]
        if len(rest) == 1 and coeff:
            p = _entry(rest[0])
            return None if p is None else (sp.MatMul(sp.Mul(*coeff), p[0]), p[1], p[2])
        return None
    if isinstance(e, sp.Sum) and len(e.limits) > 1:            # Σ_{i,j} f = Σ_j (Σ_i f_i) rest
        (i, lo, hi), rest = e.limits[0], e.limits[1:]
        parts = sp.Mul.make_args(e.function)
        inner = sp.Sum(sp.Mul(*[a for a in parts if a.has(i)]), (i, lo, hi))
        return _entry(sp.Sum(inner * sp.Mul(*[a for a in parts if not a.has(i)]), *rest))
    if isinstance(e, sp.Sum) and len(e.limits) == 1:
        k, lo, hi = e.limits[0]
        body = e.function
        factors = []
        for a in sp.Mul.make_args(body):
            if a.has(k):
                factors += [a.base, a.base] if (a.is_Pow and a.exp == 2) else [a]
        coeff = sp.Mul(*[a for a in sp.Mul.make_args(body) if not a.has(k)])
        if len(factors) != 2 or lo != 0:
            return None
        a, b = (_entry(f) for f in factors)
        if a is None or b is None:
            return None
        (A, ai, aj), (B, bi, bj) = a, b
        if aj == k and not ai.has(k):
            L, i = A, ai
        elif ai == k and not aj.has(k):
            L, i = sp.Transpose(A), aj
        else:
            return None
        if bi == k and not bj.has(k):
            R, j = B, bj
        elif bj == k and not bi.has(k):
            R, j = sp.Transpose(B), bi
        else:
            return None
        if sp.expand(L.shape[1] - 1 - hi) != 0:
            return None
        P = sp.MatMul(L, R) if coeff == 1 else sp.MatMul(coeff, L, R)
        return P, i, j
    return None


def matrix_form(F):
    """F with every ``Sum`` that is an entry of a matrix product rebuilt as that entry."""
    if not isinstance(F, sp.Basic) or not F.has(sp.Sum):
        return F

    def rebuild(e):
        if isinstance(e, sp.Sum):
            p = _entry(e)
            if p is None:
                raise UnsupportedError(f"a sum that is not an entry of a matrix product: {e}")
            M, i, j = p
            return MatrixElement(M, i, j)
        if not e.args or not e.has(sp.Sum):
            return e
        return e.func(*[rebuild(a) for a in e.args])

    out = rebuild(F)
    # entries of a whole product, e.g. Σ(...)(...) at [0, 0], are rebuilt once more at the top level
    top = _entry(out) if isinstance(out, (sp.Add, sp.Mul)) and out.has(MatrixElement) else None
    return out if top is None or top[0].shape != (1, 1) else MatrixElement(top[0], top[1], top[2])


__all__ = ["matrix_form"]
