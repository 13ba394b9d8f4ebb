"""``symjac grade SET SUBMISSIONS --out DIR``: grade a course (``grade`` dispatches here for a set).

Exit status: 0 every student graded, 2 bad set/folder/option, 3 graded but some answers hit a
checker error (grade them by hand), 130 interrupted (SIGINT/SIGTERM: what was graded is kept; run
the same command again to grade the rest).
"""
from __future__ import annotations

import sys

from symjac.errors import SymjacError


def run_set(args) -> int:
    from symjac.checking.course import grade_course, status_line
    from symjac.checking.problemset import load_set

    pset = load_set(args.problem)
    if args.out in ("results.json", "-"):
        raise SymjacError("a problem set is graded into a folder: give --out DIR")
    summary = grade_course(pset, args.directory, args.out, workers=args.workers, timeout=args.timeout,
                           scheduler=args.scheduler, progress=not args.quiet and sys.stderr.isatty())
    print(f"symjac grade: {status_line(summary)} -> {args.out}", file=sys.stderr)
    if summary["interrupted"]:
        return 130
    return 3 if summary["verdicts"].get("error") or summary["errors"] else 0
