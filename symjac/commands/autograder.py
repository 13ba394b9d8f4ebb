"""``symjac autograder SET [--root DIR]``: Gradescope autograder mode for one submission.

Reads ``ROOT/submission/`` (one ``LABEL.tex`` per problem, or one .tex file with markers) and writes
``ROOT/results/results.json`` (Gradescope's fields; a test per problem).  Exit 0 when the results are
written, 2 on a bad set or layout.
"""
from __future__ import annotations

import argparse
import sys

from symjac.commands import timeout_seconds


def register(sub) -> None:
    p = sub.add_parser(
        "autograder", help="Gradescope autograder: grade ROOT/submission into ROOT/results/results.json",
        description="Grade one Gradescope submission against a problem set (see docs/grading.md).",
        epilog="examples:\n  symjac autograder set/set.toml                                 (inside Gradescope's image)\n"
               "  symjac autograder examples/course/set.toml --root /tmp/ag   (an imitated layout)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("set", metavar="SET", help="problem set (TOML)")
    p.add_argument("--root", default="/autograder", help="the Gradescope layout's root (default /autograder)")
    p.add_argument("--timeout", type=timeout_seconds, default=5.0, help="seconds per answer, at most 600 (default 5)")
    p.add_argument("--visibility", choices=("visible", "hidden", "after_due_date", "after_published"),
                   default="visible", help="when students see the tests (default visible)")
    p.set_defaults(func=run)


def run(args) -> int:
    from symjac.checking.gradescope import run_autograder
    from symjac.checking.problemset import load_set

    pset = load_set(args.set)
    data = run_autograder(pset, args.root, timeout=args.timeout, visibility=args.visibility)
    print(f"symjac autograder: {data['score']:g} of {pset.max_score:g} points -> "
          f"{args.root}/results/results.json", file=sys.stderr)
    return 0
