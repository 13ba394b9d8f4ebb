"""Reliability benchmark: peak memory of a checking worker on the hostile corpus, and grading
throughput (answers/s) with 1 and 2 workers.

    python benchmarks/bench_reliability.py [--repeat 40]

Each answer runs in a fresh forked worker (``max_tasks_per_child=1``); the worker reports its own
peak resident set (``ru_maxrss``) beside the verdict.  The cap is the sandbox's ``RLIMIT_AS``
(DEFAULT_MEMORY_MB); every peak should be under it.  Numbers vary with the machine and its load.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from symjac.checking.engine import Problem  # noqa: E402
from symjac.checking.pool import check_task, failure_report, warm_up  # noqa: E402
from symjac.checking.sandbox import DEFAULT_MEMORY_MB, Sandbox  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "checking"))
from test_hostile_input import HOSTILE, PROBLEM  # noqa: E402

EXTRA = {
    "kron-64": (Problem("A.T @ A", "A", {"A": ("M", "N")}, "vec"), r"I_{64}\otimes I_{64}"),
    "one-by-one": (Problem("A @ x / (x.T @ x)", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec"),
                   r"\frac{1}{x^T x}(x^\top \otimes I_m)"),
    "overflow": (Problem("tanh(W @ a)", None, {"W": (1, 2), "a": (2, 1)}, values={"W": [[1, 2]], "a": [0.5, 1]}),
                 r"\begin{bmatrix} e^{1000} \end{bmatrix}"),
}


def measured_task(problem, answer):
    """check_task plus the worker's peak resident set in MB."""
    import resource

    report = check_task(problem, answer)
    report["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=40, help="answers per throughput run (default 40)")
    args = ap.parse_args()
    cases = {k: (PROBLEM, v) for k, v in HOSTILE.items()}
    cases.update(EXTRA)

    print(f"peak memory per worker (cap {DEFAULT_MEMORY_MB} MB), hostile corpus:")
    with Sandbox(measured_task, workers=2, timeout=5, warm_up=warm_up, failure=failure_report) as box:
        names = list(cases)
        reports = box.map([cases[n] for n in names])
    peaks = []
    for name, rep in zip(names, reports):
        peak = rep.get("peak_mb")
        shown = f"{peak:7.1f} MB" if peak else "  killed  "
        if peak:
            peaks.append(peak)
        print(f"  {name:20s} {shown}  {rep['verdict']:9s} {rep['message'][:70]}")
    print(f"  max {max(peaks):.1f} MB, all under the cap: {all(p < DEFAULT_MEMORY_MB for p in peaks)}")

    answers = [r"\begin{bmatrix} 2A_{11} & A_{12} \\ 0.5 & -A_{21} \end{bmatrix}", "A", r"A^T \otimes I_2",
               r"I_N \otimes A^\top", r"(I_N \otimes A^T) + (A^T \otimes I_N) K_{MN}"]
    problem = Problem("A.T @ A", "A", {"A": ("M", "N")}, "vec")
    work = [(problem, answers[k % len(answers)]) for k in range(args.repeat)]
    print("grading throughput:")
    for workers in (1, 2):
        with Sandbox(check_task, workers=workers, timeout=10, warm_up=warm_up, failure=failure_report) as box:
            t = time.perf_counter()
            out = box.map(work)
            dt = time.perf_counter() - t
        verdicts = {v: sum(r["verdict"] == v for r in out) for v in ("correct", "incorrect", "invalid", "error")}
        print(f"  {workers} worker(s): {len(work) / dt:6.2f} answers/s ({len(work)} answers in {dt:.1f} s) {verdicts}")


if __name__ == "__main__":
    main()
