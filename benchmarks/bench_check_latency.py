"""Latency of checking one typical answer (≤ 4×4 problems), including the sandboxed worker.

Each answer is sent to a :class:`~symjac.checking.sandbox.Sandbox` (a fresh forked
worker per answer, time limit, memory cap) and timed end to end from the
caller: p50 / p95 / max over all runs.

    python benchmarks/bench_check_latency.py [--repeat 5]
    python benchmarks/bench_check_latency.py --answers [--repeat 1]   # the graded set, tests/data/answers/

``--answers`` times every item of the hand-written answer set (issue 13's target: p95 ≤ 1 s) and
lists the slowest ones.
"""
from __future__ import annotations

import argparse
import statistics
import time

from symjac.checking.engine import Problem
from symjac.checking.pool import AnswerSandbox as Sandbox

NOTES_K = (r"\begin{bmatrix} 2A_{11} & 0 & 2A_{21} & 0 & 2A_{31} & 0 \\ A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\"
           r" A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\ 0 & 2A_{12} & 0 & 2A_{22} & 0 & 2A_{32} \end{bmatrix}")
CASES = [
    (Problem("A.T @ A", "A", {"A": (3, 2)}, "notes"), NOTES_K),
    (Problem("A.T @ A", "A", {"A": (3, 2)}, "vec"), NOTES_K),
    (Problem("A.T @ A", "A", {"A": (4, 4)}, "vec"), r"(I_4 \otimes A^{\top}) + (A^{\top} \otimes I_4) K_{44}"),
    (Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec"), r"x^\top \otimes I"),
    (Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec"), r"I_m \otimes x^\top"),
    (Problem("x.T @ A @ x", "x", {"A": (4, 4), "x": (4, 1)}, "gradient"), r"2Ax"),
    (Problem("norm(y - Phi @ theta)**2", "theta", {"Phi": (4, 3), "y": (4, 1), "theta": (3, 1)}, "gradient"), r"-2\Phi^T(y-\Phi\theta)"),
    (Problem("sigmoid(W @ a + b)", "a", {"W": (3, 4), "a": (4, 1), "b": (3, 1)}, "vec"), r"\operatorname{diag}(\sigma'(Wa+b))W"),
    (Problem("log(det(X))", "X", {"X": (4, 4)}, "gradient"), r"X^{-\top}"),
    (Problem("tanh(W @ a + b)", None, {"W": (2, 3), "a": (3, 1), "b": (2, 1)},
             values={"W": [[-2, 4, -1], [6, 0, -3]], "a": [0.3, 0.4, 0.1], "b": [0.1, 0.25]}),
     r"\begin{bmatrix}0.76\\-0.76\end{bmatrix}"),
    (Problem("A.T @ A", "A", {"A": (3, 2)}, "notes"), r"\mathrm{__import__(os)}"),
]


def answer_set_cases() -> list:
    """(problem, answer, label) for every item of tests/data/answers/*.toml."""
    import tomllib
    from pathlib import Path

    out = []
    for path in sorted((Path(__file__).parents[1] / "tests" / "data" / "answers").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        problems = {}
        for name, spec in data["problems"].items():
            kw = dict(spec)
            if "indices" in kw:
                kw["indices"] = tuple(None if i == "" else i for i in kw["indices"])
            problems[name] = Problem(**{"convention": "vec", **kw})
        for k, item in enumerate(data["items"]):
            out.append((problems[item["problem"]], item["latex"], f"{path.stem}-{k + 1:03d}"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--answers", action="store_true", help="time the graded answer set instead")
    args = ap.parse_args(argv)
    if args.answers:
        return _answers(args.repeat or 1)
    args.repeat = args.repeat or 5
    times = []
    per_case = []
    with Sandbox(workers=1, timeout=10.0) as box:
        box.check_dict(*CASES[0])  # first fork
        for problem, answer in CASES:
            ts = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                rep = box.check_dict(problem, answer)
                ts.append(time.perf_counter() - t0)
            times.extend(ts)
            per_case.append((statistics.median(ts), rep["verdict"], rep["diagnosis"], answer[:40]))
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]  # noqa: E731
    for med, verdict, diag, ans in per_case:
        print(f"{med * 1000:7.0f} ms  {verdict:9s} {','.join(diag):20s} {ans}")
    print(f"checks: {len(times)}  p50 {p(0.5) * 1000:.0f} ms  p95 {p(0.95) * 1000:.0f} ms  max {times[-1] * 1000:.0f} ms")
    return 0


def _answers(repeat: int) -> int:
    cases = answer_set_cases()
    times, per_item = [], []
    with Sandbox(workers=1, timeout=10.0) as box:
        box.check_dict(cases[0][0], cases[0][1])  # first fork
        for problem, answer, label in cases:
            for _ in range(repeat):
                t0 = time.perf_counter()
                rep = box.check_dict(problem, answer)
                dt = time.perf_counter() - t0
                times.append(dt)
            per_item.append((dt, label, rep["verdict"], answer[:50]))
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]  # noqa: E731
    for dt, label, verdict, ans in sorted(per_item, reverse=True)[:8]:
        print(f"{dt * 1000:7.0f} ms  {label:28s} {verdict:9s} {ans}")
    print(f"answer set: {len(cases)} items, {len(times)} checks  p50 {p(0.5) * 1000:.0f} ms  "
          f"p95 {p(0.95) * 1000:.0f} ms  max {times[-1] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
