"""``symjac generate SET --students N --seed S --out DIR``: a randomised instance per student.

Each student gets their own sizes, constants and variable within the set's ``[problems.vary]``
ranges; writes the problem text (LaTeX), the key with its verification record and the typical
mistakes with their diagnoses, and a grading set (``DIR/set.toml``).  Exit 0, or 2 on a bad set or a
key the checker does not certify.
"""
from __future__ import annotations

import argparse
import sys

from symjac.commands import bounded_int


def register(sub) -> None:
    p = sub.add_parser(
        "generate", help="generate a problem instance per student, with certified keys and a grading set",
        description="Randomise a problem set per student within its declared ranges (see docs/grading.md).",
        epilog="example:\n  symjac generate examples/course/generate.toml --students 30 --seed 7 --out quiz2/\n"
               "  symjac grade quiz2/set.toml answers/ --out grades/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("set", metavar="SET", help="problem set (TOML) with [problems.vary] ranges")
    p.add_argument("--students", type=bounded_int(1, 5000), required=True, help="how many students (1 to 5000)")
    p.add_argument("--seed", type=bounded_int(0, 2 ** 31), default=0, help="random seed (default 0)")
    p.add_argument("--out", default="generated", help="output folder (default generated/)")
    p.add_argument("--pdf", action="store_true", help="also compile each student's problems.tex with pdflatex")
    p.set_defaults(func=run)


def run(args) -> int:
    from symjac.checking.generate import generate_set
    from symjac.checking.problemset import load_set

    pset = load_set(args.set)
    if args.pdf:
        import shutil

        from symjac.errors import SymjacError

        if shutil.which("pdflatex") is None:    # before generating anything
            raise SymjacError("--pdf needs pdflatex on PATH (scripts/bootstrap installs it on Debian/Ubuntu)")
    n = generate_set(pset, args.out, students=args.students, seed=args.seed)
    if args.pdf:
        from pathlib import Path

        from symjac.commands.docs import compile_pdfs

        for folder in sorted(p for p in Path(args.out).iterdir() if (p / "problems.tex").is_file()):
            compile_pdfs([folder / "problems.tex"], folder)
    print(f"symjac generate: {n['students']} students x {n['problems']} problems; {n['keys']} keys judged correct, "
          f"{n['mistakes']} typical mistakes diagnosed -> {args.out}/set.toml", file=sys.stderr)
    return 0
