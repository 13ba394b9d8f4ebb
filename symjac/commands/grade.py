"""``symjac grade PROBLEM DIR --out results.json``: grade a folder of LaTeX submissions."""
from __future__ import annotations

import argparse
import sys

from ..errors import SymjacError


def register(sub) -> None:
    p = sub.add_parser(
        "grade", help="grade a folder of LaTeX submissions (Gradescope results.json or JSON)",
        description="Check every submission in DIR (one file each, or one file per sub-folder) against "
                    "PROBLEM in sandboxed workers; one bad submission never stops the batch.",
        epilog="example:\n  symjac grade problem.toml submissions/ --out results.json --workers 2",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("problem", metavar="PROBLEM", help="problem spec (TOML)")
    p.add_argument("directory", metavar="DIR", help="folder of submissions")
    p.add_argument("--out", default="results.json", help="output file, or - for standard output")
    p.add_argument("--format", choices=("gradescope", "json"), default="gradescope")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per submission (default 5)")
    p.add_argument("--max-score", type=float, default=1.0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..checking import Problem
    from ..grading import grade_directory, write_results

    if args.workers < 1:
        raise SymjacError("--workers must be at least 1")
    problem = Problem.from_file(args.problem)
    results = grade_directory(problem, args.directory, workers=args.workers, timeout=args.timeout,
                              max_score=args.max_score, progress=not args.quiet and sys.stderr.isatty())
    write_results(results, args.out, args.format, problem.title)
    n_ok = sum(1 for r in results if r["verdict"] == "correct")
    n_bad = sum(1 for r in results if r["verdict"] == "invalid")
    print(f"graded {len(results)} submissions: {n_ok} correct, {len(results) - n_ok - n_bad} incorrect, "
          f"{n_bad} invalid -> {args.out}", file=sys.stderr)
    return 0
