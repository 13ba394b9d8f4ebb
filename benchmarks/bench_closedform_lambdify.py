"""Lambdified closed forms vs hand-written NumPy, batched (run from the repository root: PYTHONPATH=. python benchmarks/bench_closedform_lambdify.py).

For each closed form: the time per call of ``symjac.lambdify(result)`` on a batch of B points and of the
NumPy a person would write for the same formula, and the max difference between the two."""
from __future__ import annotations

import time

import numpy as np

from symjac import lambdify
import sympy as sp

from symjac.blocks import sigmoid
from symjac.calculus.closedform import closed_form, closed_form_gradient, elementwise

m, n = (sp.Symbol(s, integer=True, positive=True) for s in "mn")
M, T, Tr, Det = sp.MatrixSymbol, sp.Transpose, sp.Trace, sp.Determinant
A, X, W, a, b, y = M("A", m, n), M("X", n, n), M("W", m, n), M("a", n, 1), M("b", m, 1), M("y", m, 1)


def _sig(z):
    return 1 / (1 + np.exp(-z))


CASES = [
    ("∇ log det X", lambda: closed_form_gradient(sp.log(Det(X)), X),
     lambda v: np.linalg.inv(v["X"]).swapaxes(-1, -2), {"X": "nn"}),
    ("∇_W ½‖σ(Wa+b) − y‖²", lambda: closed_form_gradient(Tr(T(elementwise(sigmoid, W * a + b) - y) * (elementwise(sigmoid, W * a + b) - y)) / 2, W),
     lambda v: (((_sig(v["W"] @ v["a"] + v["b"]) - v["y"]) * _sig(v["W"] @ v["a"] + v["b"]) * (1 - _sig(v["W"] @ v["a"] + v["b"])))
                @ v["a"].swapaxes(-1, -2)), {"W": "mn", "a": "n1", "b": "m1", "y": "m1"}),
    ("J_A(AᵀA) (VEC, Kronecker form)", lambda: closed_form(T(A) * A, A), None, {"A": "mn"}),
]


def main(B=2000, sizes={"m": 8, "n": 6}, reps=20):
    rng = np.random.default_rng(0)
    for name, make, hand, shapes in CASES:
        r = make()
        f = lambdify(r)
        dims = {"m": sizes["m"], "n": sizes["n"], "1": 1}
        v = {k: rng.uniform(-1, 1, size=(B, dims[s[0]], dims[s[1]])) for k, s in shapes.items()}
        if "X" in v:
            v["X"] = v["X"] + sizes["n"] * np.eye(sizes["n"])
        args = {k: v[k] for k in f.args}
        f(**args)
        t0 = time.perf_counter()
        for _ in range(reps):
            got = f(**args)
        t_sym = (time.perf_counter() - t0) / reps
        line = f"{name:40s} B={B}: lambdified {t_sym * 1e3:8.2f} ms/call"
        if hand is not None:
            hand(v)
            t0 = time.perf_counter()
            for _ in range(reps):
                ref = hand(v)
            t_hand = (time.perf_counter() - t0) / reps
            line += f", hand-written {t_hand * 1e3:8.2f} ms/call, ratio {t_sym / t_hand:5.2f}, max |diff| {np.abs(got - ref).max():.1e}"
        print(line)


if __name__ == "__main__":
    main()
