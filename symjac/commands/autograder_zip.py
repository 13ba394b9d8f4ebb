"""``symjac autograder-zip SET --out autograder.zip``: the bundle Gradescope uploads.

The zip holds ``setup.sh`` (installs symjac from the bundled source), ``run_autograder`` (runs
``symjac autograder``), the set and every spec it reads (under ``set/``) and ``symjac-src/``.
"""
from __future__ import annotations

import argparse
import sys

from symjac.commands import timeout_seconds


def register(sub) -> None:
    p = sub.add_parser(
        "autograder-zip", help="write the Gradescope autograder bundle (setup.sh, run_autograder, the set)",
        description="Bundle a problem set as a Gradescope autograder zip (see docs/grading.md).",
        epilog="example:\n  symjac autograder-zip examples/course/set.toml --out autograder.zip",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("set", metavar="SET", help="problem set (TOML)")
    p.add_argument("--out", default="autograder.zip", help="the zip to write (default autograder.zip)")
    p.add_argument("--timeout", type=timeout_seconds, default=5.0, help="seconds per answer, at most 600 (default 5)")
    p.set_defaults(func=run)


def run(args) -> int:
    from symjac.checking.gradescope import build_bundle
    from symjac.checking.problemset import load_set

    pset = load_set(args.set)
    names = build_bundle(pset, args.out, timeout=args.timeout)
    print(f"symjac autograder-zip: {len(names)} files ({len(pset.problems)} problems) -> {args.out}", file=sys.stderr)
    return 0
