"""Core benchmarks: symjac's sparse Jacobians and batched lambdify vs naive SymPy / hand NumPy.

    python benchmarks/bench_core.py [--sizes 8 16 24] [--layer-sizes 8 16] [--repeats 3] [--quick]

Everything runs in ONE process, interleaved (symjac, baseline, symjac, …), and
reports medians: on a noisy 2-core machine only ratios measured together count
(research/PERFORMANCE.md).  SymPy's cache is cleared before every timed run.

(a) gram K = AᵀA, A n×n, build + differentiate wrt vec A:
    symjac ``gram(A)`` + ``jacobian(K, A)`` vs SymPy ``(A.T*A).vec().jacobian(A.vec())``.
(b) layer tanh(Wa + b) wrt [vec W; a; b]: symjac ``layer`` + ``jacobian`` vs
    SymPy ``(W*a + b).applyfunc(tanh).jacobian(vstack(W.vec(), a, b))``.
(a′, b′) the same two from text, as ``symjac derive`` builds them: ``build_explicit("A.T @ A")`` /
    ``build_explicit("tanh(W @ a + b)")`` (the text read once into nodes, instantiated) + ``jacobian``.
(c) gram Jacobian at n=16 evaluated at 1000 points: ``symjac.evaluate.numeric.lambdify``
    vs a hand-written NumPy closed form (codegen reported separately).

Targets: gram ≥30× at n=16, ≥50× at n=24; layer ≥30× at n=16; batch ≤2× hand.
``--quick`` skips the naive SymPy runs at n ≥ 24 (about 40 s each).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from sympy.core.cache import clear_cache  # noqa: E402

import symjac  # noqa: E402
from symjac.blocks import gram, layer  # noqa: E402
from symjac.calculus.explicit import jacobian  # noqa: E402
from symjac.parsing.explicit import build_explicit  # noqa: E402
from symjac.evaluate.numeric import lambdify  # noqa: E402

SLOW = 20.0  # a single run longer than this (s) is not repeated


def timed(fn):
    clear_cache()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def interleaved(fns: dict, repeats: int):
    """Run each fn ``repeats`` times, interleaved; medians (s) and the last results."""
    times = {k: [] for k in fns}
    results = {}
    for _ in range(repeats):
        for k, fn in fns.items():
            if times[k] and max(times[k]) > SLOW:
                continue
            t, results[k] = timed(fn)
            times[k].append(t)
    return {k: statistics.median(v) for k, v in times.items()}, results


def fmt(t: float) -> str:
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.0f} µs"


# --- (a) gram ------------------------------------------------------------------

def gram_symjac(n):
    A = symjac.matrix("A", n, n)
    return jacobian(gram(A), A)


def gram_naive(n):
    A = sp.Matrix(symjac.matrix("A", n, n))
    K = A.T * A
    return K.vec().jacobian(A.vec())


def gram_text(n):
    F, v = build_explicit("A.T @ A", {"A": (n, n)})
    return jacobian(F, v["A"])


# --- (b) layer -----------------------------------------------------------------

def layer_symjac(n):
    W, a, b = symjac.matrix("W", n, n), symjac.vector("a", n), symjac.vector("b", n)
    return jacobian(layer(W, a, b, "tanh"), [W, a, b])


def layer_text(n):
    F, v = build_explicit("tanh(W @ a + b)", {"W": (n, n), "a": (n, 1), "b": (n, 1)})
    return jacobian(F, [v["W"], v["a"], v["b"]])


def layer_naive(n):
    W = sp.Matrix(symjac.matrix("W", n, n))
    a, b = sp.Matrix(symjac.vector("a", n)), sp.Matrix(symjac.vector("b", n))
    F = (W * a + b).applyfunc(sp.tanh)
    return F.jacobian(sp.Matrix.vstack(W.vec(), a, b))


# --- (c) batched evaluation ------------------------------------------------------

def gram_jacobian_hand(A: np.ndarray) -> np.ndarray:
    """d vec(AᵀA)/d vec(A) for A (B, m, n): (B, n², mn); ∂K_pq/∂A_kl = δ_lq A_kp + δ_lp A_kq."""
    B, m, n = A.shape
    J = np.zeros((B, n * n, m * n))
    J6 = J.reshape(B, n, n, n, m)        # [b, q, p, l, k]: row p + n q, column k + m l
    At = A.transpose(0, 2, 1)            # At[b, p, k] = A[b, k, p]
    i = np.arange(n)
    J6[:, i, :, i, :] += At[None]        # l = q: A_kp  (index dims first: (n, B, p, k))
    J6[:, :, i, i, :] += At[:, :, None, :]   # l = p: A_kq at [b, q, p, p, k] (dims stay)
    return J


def bench_batch(n: int, B: int, repeats: int):
    A = symjac.matrix("A", n, n)
    J = jacobian(gram(A), A)
    t0 = time.perf_counter()
    f = lambdify(J, [A])
    codegen = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    As = rng.standard_normal((B, n, n))
    ok = np.allclose(f(As), gram_jacobian_hand(As), rtol=0, atol=1e-12)
    one = As[0]
    ok = ok and np.allclose(f(one), gram_jacobian_hand(one[None])[0], rtol=0, atol=1e-12)
    t_batch, _ = interleaved({"symjac": lambda: f(As), "hand": lambda: gram_jacobian_hand(As)}, repeats)
    reps = 200
    t1 = {}
    for k, fn in {"symjac": lambda: f(one), "hand": lambda: gram_jacobian_hand(one[None])}.items():
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        t1[k] = (time.perf_counter() - t0) / reps
    return codegen, t_batch, t1, ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 24], help="gram sizes n")
    ap.add_argument("--layer-sizes", type=int, nargs="+", default=[8, 16], help="layer sizes n")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--batch-n", type=int, default=16)
    ap.add_argument("--quick", action="store_true", help="skip naive SymPy at n >= 24")
    opts = ap.parse_args(argv)

    targets = {("gram", 16): 30, ("gram", 24): 50, ("layer", 16): 30}
    rows = []
    for kind, sizes, mine, naive in (
        ("gram", opts.sizes, gram_symjac, gram_naive),
        ("gram (text)", opts.sizes, gram_text, gram_naive),
        ("layer", opts.layer_sizes, layer_symjac, layer_naive),
        ("layer (text)", opts.layer_sizes, layer_text, layer_naive),
    ):
        for n in sizes:
            fns = {"symjac": lambda n=n, f=mine: f(n)}
            if not (opts.quick and n >= 24):
                fns["naive"] = lambda n=n, f=naive: f(n)
            t, res = interleaved(fns, opts.repeats)
            same = "—"
            if "naive" in res:
                same = "yes" if sp.ImmutableMatrix(res["naive"]) == res["symjac"] else "NO"
            target = targets.get((kind, n))
            ratio = t["naive"] / t["symjac"] if "naive" in t else None
            rows.append((kind, n, t["symjac"], t.get("naive"), ratio, target, same))
            print(f"  {kind} n={n}: symjac {fmt(t['symjac'])}"
                  + (f", naive {fmt(t['naive'])}" if "naive" in t else ""), flush=True)

    print()
    print("| problem | n | symjac | naive SymPy | speed-up | target | equal |")
    print("|---|---|---|---|---|---|---|")
    for kind, n, ts, tn, ratio, target, same in rows:
        print(f"| {kind} | {n} | {fmt(ts)} | {fmt(tn) if tn else 'skipped'} | "
              f"{f'×{ratio:.1f}' if ratio else '—'} | "
              f"{(f'≥{target}×' + (' ok' if ratio and ratio >= target else ' MISSED' if ratio else '')) if target else '—'} | {same} |")

    n, B = opts.batch_n, opts.batch
    codegen, tb, t1, ok = bench_batch(n, B, opts.repeats)
    print()
    print(f"gram Jacobian, n={n} ({n * n}x{n * n}), batch of {B}: codegen {fmt(codegen)}, agree with hand: {ok}")
    print("| evaluation | symjac lambdify | hand NumPy | ratio | target |")
    print("|---|---|---|---|---|")
    rb = tb["symjac"] / tb["hand"]
    print(f"| batch {B} | {fmt(tb['symjac'])} | {fmt(tb['hand'])} | ×{rb:.2f} | ≤2× {'ok' if rb <= 2 else 'MISSED'} |")
    r1 = t1["symjac"] / t1["hand"]
    print(f"| 1 point | {fmt(t1['symjac'])} | {fmt(t1['hand'])} | ×{r1:.2f} | — |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
