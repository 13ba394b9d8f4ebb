"""Fuzz the LaTeX answer checker: ≥10,000 generated inputs, count crashes, report the slowest.

A *crash* is anything other than a Report with verdict correct / incorrect /
invalid and a one-line message — an exception escaping ``check_pure``, or a
worker that dies.  Inputs mix grammar-generated answers (valid and nearly
valid), random token soup, mutations of real answers (deletions, duplications,
swaps) and hostile patterns.  Runs ``check_pure`` in this process for speed
and a sample through the sandbox.

    python benchmarks/fuzz_latex.py [N] [--seed S]
"""
from __future__ import annotations

import argparse
import random
import sys
import time

from symjac.checking.engine import Problem, check_pure

PROBLEMS = [
    Problem("A.T @ A", "A", {"A": (3, 2)}, "notes"),
    Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec"),
    Problem("norm(y - Phi @ theta)**2", "theta", {"Phi": (3, 2), "y": (3, 1), "theta": (2, 1)}, "gradient"),
    Problem("tanh(W @ a + b)", None, {"W": (2, 3), "a": (3, 1), "b": (2, 1)},
            values={"W": [[-2, 4, -1], [6, 0, -3]], "a": [0.3, 0.4, 0.1], "b": [0.1, 0.25]}),
]
ATOMS = ["A", "x", "y", r"\Phi", r"\theta", "W", "a", "b", "I", "I_n", "K_{mn}", "A_{11}", "A_{21}", "x_1", "2", "0.5",
         "1", r"\frac{1}{2}", "e", "B", r"\lambda", "A_{99}", "z"]
UNARY = [r"@^T", r"@^\top", r"@^{-1}", r"@^{-\top}", r"-@", r"(@)", r"\operatorname{diag}(@)", r"\sigma(@)",
         r"\sigma'(@)", r"\tanh(@)", r"\|@\|^2", r"\operatorname{tr}(@)", r"\det(@)", r"\operatorname{vec}(@)",
         r"\mathbf{@}", r"@^2", r"\sqrt{@}", r"|@|", r"\exp(@)", r"\operatorname{adj}(@)"]
BINARY = [" + ", " - ", " ", r" \otimes ", r" \odot ", r" \circ ", r" \cdot ", r" \times ", "/"]
SOUP = list("{}()[]^_&|'+-*/=!,.0123456789 AxyzIKe") + [r"\\", r"\begin{bmatrix}", r"\end{bmatrix}", r"\frac", r"\left(",
                                                         r"\right)", r"\otimes", r"\sigma", r"\top", r"\operatorname", r"\text{",
                                                         r"\mathrm{", r"\vdots", r"\partial", r"\foo", "__import__", r"\sum"]
HOSTILE = [lambda r: "{" * r.randint(5, 60) + "x" + "}" * r.randint(5, 60),
           lambda r: "(" * r.randint(5, 400) + "x" + ")" * r.randint(5, 400),
           lambda r: "x" + "^{10" * r.randint(2, 8) + "}" * r.randint(2, 8),
           lambda r: "+".join(["x_1"] * r.randint(100, 1200)),
           lambda r: r"\mathrm{__import__('os').system('" + "x" * r.randint(1, 30) + "')}",
           lambda r: str(r.randint(1, 10 ** 6)) + "!",
           lambda r: "9" * r.randint(10, 5000)]


def expr(r: random.Random, depth: int = 0) -> str:
    if depth > 3 or r.random() < 0.3:
        return r.choice(ATOMS)
    if r.random() < 0.4:
        return r.choice(UNARY).replace("@", expr(r, depth + 1))
    if r.random() < 0.1:
        rows, cols = r.randint(1, 4), r.randint(1, 6)
        return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(expr(r, 3) for _ in range(cols)) for _ in range(rows)) + r"\end{bmatrix}"
    return expr(r, depth + 1) + r.choice(BINARY) + expr(r, depth + 1)


def mutate(s: str, r: random.Random) -> str:
    s = list(s)
    for _ in range(r.randint(1, 4)):
        if not s:
            break
        k = r.randrange(len(s))
        op = r.random()
        if op < 0.4:
            del s[k]
        elif op < 0.7:
            s.insert(k, r.choice(SOUP))
        else:
            j = r.randrange(len(s))
            s[k], s[j] = s[j], s[k]
    return "".join(s)


def generate(r: random.Random) -> str:
    p = r.random()
    if p < 0.45:
        return expr(r)
    if p < 0.75:
        return mutate(expr(r), r)
    if p < 0.95:
        return "".join(r.choice(SOUP) for _ in range(r.randint(0, 40)))
    return r.choice(HOSTILE)(r)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--sandbox-sample", type=int, default=200)
    args = ap.parse_args(argv)
    r = random.Random(args.seed)
    crashes = []
    verdicts = {"correct": 0, "incorrect": 0, "invalid": 0}
    slowest = (0.0, "")
    start = time.monotonic()
    inputs = []
    for k in range(args.n):
        text = generate(r)
        problem = PROBLEMS[k % len(PROBLEMS)]
        inputs.append((problem, text))
        t0 = time.perf_counter()
        try:
            rep = check_pure(problem, text)
            if rep.verdict not in verdicts or "\n" in rep.message:
                crashes.append((text, f"bad report {rep.verdict!r}"))
            else:
                verdicts[rep.verdict] += 1
        except BaseException as exc:  # noqa: BLE001 - that is what we count
            crashes.append((text, f"{type(exc).__name__}: {exc}"))
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, text)
    total = time.monotonic() - start
    # a sample through the sandbox (fresh worker per answer, time limit)
    from symjac.checking.pool import AnswerSandbox as Sandbox

    sample = r.sample(inputs, min(args.sandbox_sample, len(inputs)))
    with Sandbox(workers=2, timeout=5.0) as box:
        t0 = time.monotonic()
        reps = []
        for prob, text in sample:
            reps.append(box.check_dict(prob, text))
        sandbox_time = time.monotonic() - t0
    sandbox_bad = [x for x in reps if x.get("verdict") not in verdicts]
    shown = slowest[1] if len(slowest[1]) < 120 else slowest[1][:117] + "..."
    print(f"inputs: {args.n} (seed {args.seed}) in {total:.1f} s")
    print(f"verdicts: {verdicts}")
    print(f"crashes: {len(crashes)}")
    for text, why in crashes[:10]:
        print(f"  CRASH {why[:120]!s} <- {text[:120]!r}")
    print(f"slowest: {slowest[0] * 1000:.0f} ms for {shown!r}")
    print(f"sandbox sample: {len(sample)} answers in {sandbox_time:.1f} s, bad reports: {len(sandbox_bad)}")
    return 1 if crashes or sandbox_bad else 0


if __name__ == "__main__":
    sys.exit(main())
