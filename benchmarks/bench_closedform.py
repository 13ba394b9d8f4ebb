"""Closed form vs elementwise for K = AᵀA.

1. Deriving the closed form d vec(AᵀA)/d(vec A)ᵀ = (Iₙ⊗Aᵀ) + (Aᵀ⊗Iₙ)K_{m,n} at
   symbolic size takes the same time whatever n (it never sees n).
2. Instantiating it at n = 8, 16, 24 (A n×n) vs ``symjac.calculus.explicit(gram(A), A)``
   (building AᵀA explicitly, then elementwise differentiation).  Both give the
   identical matrix (checked).

Run: python benchmarks/bench_closedform.py
"""
from __future__ import annotations

import time

import sympy as sp

import symjac
from symjac.calculus.closedform import closed_form, instantiate
from symjac.blocks import gram


def best(f, repeat=3):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    m, n = sp.Symbol("m", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", m, n)
    t_derive, r = best(lambda: closed_form(A.T * A, A, prove_it=False))
    t_proof, _ = best(lambda: closed_form(A.T * A, A), repeat=1)
    print(f"closed form {r.to_text()}")
    print(f"derive (symbolic m, n): {t_derive * 1e3:.1f} ms   with proof at 3 sizes: {t_proof * 1e3:.0f} ms")
    for N in (8, 16, 24):
        Ab = sp.MatrixSymbol("A", N, N)
        t_fixed, _ = best(lambda: closed_form(Ab.T * Ab, Ab, prove_it=False))
        print(f"derive at fixed n={N}: {t_fixed * 1e3:.1f} ms")
    print()
    print(f"{'n':>3} {'instantiate':>12} {'elementwise':>12} {'speed-up':>9} equal")
    for N in (8, 16, 24):
        t_inst, J1 = best(lambda: instantiate(r, {"m": N, "n": N}))
        Ae = symjac.matrix("A", N, N)
        t_elem, J2 = best(lambda: symjac.jacobian(gram(Ae), Ae))
        print(f"{N:>3} {t_inst:>11.3f}s {t_elem:>11.3f}s {t_elem / t_inst:>8.1f}x {J1 == J2}")


if __name__ == "__main__":
    main()
