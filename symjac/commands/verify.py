"""``symjac verify [SPEC...]``: re-derive and re-verify specs (the catalogue by default); a table; exit 1 on any failure."""
from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "verify",
        help="re-verify the derivation catalogue and print a table (exit 1 if anything fails)",
        description=(
            "Derive every spec in derivations/ (or the SPECs given: files, folders or catalogue names), verify "
            "each step, judge every claimed result, and print one row per derivation. Exit 0 when every "
            "derivation verifies, 1 otherwise. Flagged claims (a source's slips) are reported but are not failures."
        ),
        epilog=(
            "examples:\n"
            "  symjac verify                        # every spec in ./derivations\n"
            "  symjac verify gram least_squares     # catalogue entries by name\n"
            "  symjac verify my_problem.toml specs/ # spec files and folders, from anywhere"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("names", nargs="*", metavar="SPEC",
                   help="spec files (.toml), folders of specs, or catalogue names (default: all of --catalogue)")
    p.add_argument("--catalogue", default="derivations", help="directory of spec files (default derivations)")
    p.set_defaults(func=run)


def failed_steps(d) -> list:
    return [s.title for s in d.steps if s.status == "FAILED"]


def run(args) -> int:
    from symjac.commands.docs import derive_all, load_selected

    specs = load_selected(args.catalogue, args.names, cmd="verify")
    ds = derive_all(specs, label="verify")
    rows = [("derivation", "convention", "verified", "claims", "flagged")]
    failures = 0
    for d in ds:
        bad = failed_steps(d)
        ok = d.verified and not bad
        failures += not ok
        rows.append((d.spec.name, d.spec.convention if d.spec.wrt else "-",
                     "yes" if ok else "FAILED: " + ", ".join(bad), str(len(d.claims)), str(len(d.flagged))))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    flagged = [(d, c) for d in ds for c in d.flagged]
    if flagged:
        print("\nclaims flagged (the source is wrong; the documents give the correct value):")
        for d, c in flagged:
            print(f"  {d.spec.name}: {c.label}: {c.brief}")
    unread = [(d, c) for d in ds for c in d.claims if c.verdict == "unreadable"]
    if unread:
        print("\nclaims not checked (the answer checker cannot read their LaTeX):")
        for d, c in unread:
            print(f"  {d.spec.name}: {c.label}: {c.brief}")
    print(f"\n{len(ds) - failures} of {len(ds)} derivations verified")
    return 1 if failures else 0
