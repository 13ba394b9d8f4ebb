"""``symjac audit SET``: check every claimed key of a problem set with the checker.

Lists each key (a problem's ``key``, a spec's ``[[claimed]]`` Jacobians) with its verdict.  Exit 0 when
every key is judged correct, 1 when some key is wrong or unreadable, 2 on a bad set.
"""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "audit", help="check every claimed answer key of a problem set",
        description="Judge every key a set claims with symjac's checker and report the wrong ones.",
        epilog="example:\n  symjac audit examples/course/set.toml\nexit status: 0 all keys correct, 1 some wrong, 2 bad set",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("set", metavar="SET", help="problem set (TOML)")
    p.set_defaults(func=run)


def run(args) -> int:
    from symjac.checking.generate import audit_set
    from symjac.checking.problemset import load_set

    rows = audit_set(load_set(args.set))
    bad = [r for r in rows if r["verdict"] not in ("correct", "no key")]
    for r in rows:
        mark = "ok   " if r["verdict"] == "correct" else ("--   " if r["verdict"] == "no key" else "WRONG")
        print(f"{mark} {r['label']} [{r['source']}]: {r['message']}")
    print(f"{len(rows) - len(bad)} of {len(rows)} keys judged correct" + (f"; {len(bad)} wrong" if bad else ""))
    return 1 if bad else 0
