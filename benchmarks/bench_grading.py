"""Course grading throughput: students/s (one answer file each) and answers/s for the local sandbox
pool with 1 and 2 workers and for a Dask LocalCluster of 2 worker processes.

The batch is the tests' generated batch (tests/checking/course/batch.py: right, wrong, invalid and hostile
answers to a 2×3 Jacobian under vec), graded from scratch into a temporary folder each time.

    python benchmarks/bench_grading.py [--students 400] [--no-dask]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "checking" / "course")]

from batch import make_batch  # noqa: E402

from symjac.checking.course import grade_course  # noqa: E402
from symjac.checking.problemset import load_set  # noqa: E402


def one(pset, subs, out, **kw) -> tuple[float, dict]:
    start = time.perf_counter()
    summary = grade_course(pset, subs, out, progress=False, handle_signals=False, **kw)
    return time.perf_counter() - start, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=400)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        set_file, subs = make_batch(Path(tmp) / "batch", args.students)
        pset = load_set(set_file)
        runs = [("local pool, 1 worker", {"workers": 1}), ("local pool, 2 workers", {"workers": 2})]
        if not args.no_dask:
            runs.append(("Dask LocalCluster, 2 processes", {"scheduler": "local:2"}))
        print(f"{args.students} students, 1 problem each ({sum(1 for p in subs.iterdir() if any(p.iterdir()))} answers)")
        print(f"{'backend':34s} {'seconds':>8s} {'students/s':>11s}")
        for name, kw in runs:
            seconds, summary = one(pset, subs, Path(tmp) / name.replace(" ", "_").replace(",", ""), **kw)
            assert summary["graded"] == args.students
            print(f"{name:34s} {seconds:8.2f} {args.students / seconds:11.1f}")


if __name__ == "__main__":
    main()
