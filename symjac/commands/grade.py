"""``symjac grade PROBLEM DIR [--out results.json]``: grade a folder of LaTeX submissions (to stdout by default).

Exit status: 0 batch graded, 2 bad problem, folder, output or option (nothing graded),
3 batch graded but some submissions were not judged (checker error: grade them by hand).
"""
from __future__ import annotations

import argparse
import sys

from symjac.errors import SymjacError
from symjac.commands import bounded_int, positive_number, timeout_seconds

MAX_WORKERS = 32


def register(sub) -> None:
    p = sub.add_parser(
        "grade", help="grade a folder of LaTeX submissions (Gradescope results.json or JSON)",
        description="Check every submission in DIR (one file each, or one file per sub-folder) against "
                    "PROBLEM in sandboxed workers; one bad submission never stops the batch.",
        epilog="examples:\n  symjac grade problem.toml submissions/ --out results.json --workers 2\n"
               "  symjac grade problem.toml submissions/ --format json | jq '.results[0]'\n"
               "  symjac grade examples/course/set.toml examples/course/submissions --out grades/  (a problem set:\n"
               "  one sub-folder per student; --out is a folder; see docs/grading.md)\n\n"
               "Symbolic links and files resolving outside DIR are skipped (and listed), never read.\n"
               "exit status: 0 graded, 2 bad problem/folder/output/option or no submissions,\n"
               "3 graded but some submissions hit a checker error (grade those by hand).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("problem", metavar="PROBLEM", help="problem spec (TOML)")
    p.add_argument("directory", metavar="DIR", help="folder of submissions")
    p.add_argument("--out", default="-", metavar="FILE",
                   help="write the results to FILE (e.g. results.json); default: standard output")
    p.add_argument("--format", choices=("gradescope", "json"), default="gradescope")
    p.add_argument("--workers", type=bounded_int(1, MAX_WORKERS), default=1,
                   help=f"parallel worker processes, 1 to {MAX_WORKERS} (default 1)")
    p.add_argument("--timeout", type=timeout_seconds, default=5.0, help="seconds per submission, at most 600 (default 5)")
    p.add_argument("--max-score", type=positive_number, default=1.0, help="points per submission (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="problem sets only: run the checks on a Dask cluster, tcp://HOST:PORT or local:N")
    p.set_defaults(func=run)


JOURNAL_SUFFIX = ".journal.jsonl"


def run(args) -> int:
    """Grade the folder; results are journalled as they come in, and the final file is written atomically.

    The first SIGINT/SIGTERM stops handing out work, kills the checks in flight, writes what was
    graded (with the count) and exits 130/143; a second one exits at once.
    """
    from symjac.checking.problemset import is_problem_set

    if is_problem_set(args.problem):           # a problem set: a folder of student folders (issue 16)
        from symjac.commands.grade_set import run_set

        return run_set(args)
    if args.scheduler:
        raise SymjacError("--scheduler grades a problem set (a TOML file with [[problems]]); see docs/grading.md")
    import os
    import signal

    from symjac.checking.engine import Problem
    from symjac.checking.batch import SUFFIXES, check_writable, counts, grade_directory, scan_submissions, write_results
    from symjac.checking.pool import AnswerSandbox
    from symjac.durable import Journal, safe_text

    problem = Problem.from_file(args.problem)
    check_writable(args.out)                       # before grading, not after the whole batch
    subs, skipped = scan_submissions(args.directory)
    for s in skipped:
        print(f"symjac grade: skipped {safe_text(s['path'])}: {s['reason']}", file=sys.stderr)
    if not subs:
        kinds = ", ".join(sorted(x or "no suffix" for x in SUFFIXES))
        raise SymjacError(f"{args.directory}: no submissions (files {kinds}, directly or one per sub-folder)"
                          + (f"; skipped {len(skipped)}" if skipped else ""))
    journal = None if args.out == "-" else Journal(str(args.out) + JOURNAL_SUFFIX)
    box = AnswerSandbox(workers=args.workers, timeout=args.timeout)
    caught: list[int] = []

    def on_signal(signum, _frame):
        if caught:                                  # second signal: leave at once
            for pid in box.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            os.write(2, b"symjac grade: interrupted again: exiting now\n")
            os._exit(128 + signum)
        caught.append(signum)
        box.cancel()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        results = grade_directory(problem, args.directory, workers=args.workers, timeout=args.timeout,
                                  max_score=args.max_score, progress=not args.quiet and sys.stderr.isatty(),
                                  submissions=subs, sandbox=box, journal=journal)
    finally:
        box.close()
    try:
        write_results(results, args.out, args.format, problem.title, skipped, total=len(subs))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if journal is not None:
        journal.close(remove=True)
    out = safe_text(args.out)
    if caught:
        name = signal.Signals(caught[0]).name
        print(f"symjac grade: interrupted by {name}: wrote {len(results)} of {len(subs)} submissions graded "
              f"-> {out}", file=sys.stderr)
        return 128 + caught[0]
    n = counts(results)
    line = (f"graded {len(results)} submissions: {n['correct']} correct, {n['incorrect']} incorrect, "
            f"{n['invalid']} invalid")
    if n["error"]:
        line += f", {n['error']} not judged (checker error: grade by hand)"
    if skipped:
        line += f"; skipped {len(skipped)}"
    print(line + (" -> standard output" if args.out == "-" else f" -> {args.out}"), file=sys.stderr)
    return 3 if n["error"] else 0
