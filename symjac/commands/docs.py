"""``symjac docs [SPEC…] [--out DIR] [--pdf]``: documents of derivation specs (the catalogue by default)."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from symjac import progress
from symjac.errors import SymjacError


DEFAULT_CATALOGUE = "derivations"
NO_CATALOGUE_HINT = ("run symjac in the symjac checkout (the folder holding derivations/), pass --catalogue DIR, "
                     "or name spec files or folders, e.g. symjac {cmd} path/to/spec.toml")


def register(sub) -> None:
    p = sub.add_parser(
        "docs",
        help="build LaTeX and Markdown documents for the derivation catalogue",
        description=(
            "Derive and verify specs and write their documents. With no SPEC, every spec in derivations/ "
            "is built into docs/derivations/ (NAME.md, NAME.tex, catalogue.tex, README.md). Spec files or "
            "folders given as SPEC are printed as Markdown on standard output unless --out DIR says where "
            "to write. Progress goes to stderr."
        ),
        epilog=(
            "examples:\n"
            "  symjac docs                                # the checkout's derivations/ -> docs/\n"
            "  symjac docs gram least_squares             # only these catalogue entries\n"
            "  symjac docs my_problem.toml > my_problem.md\n"
            "  symjac docs specs/ --out build/ --pdf      # a folder of specs, with PDFs\n"
            "  symjac docs --show gram                    # one derivation as plain text"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("names", nargs="*", metavar="SPEC",
                   help="spec files (.toml), folders of specs, or names in the catalogue (default: the whole catalogue)")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default: docs for the catalogue; standard output for SPEC files or folders)")
    p.add_argument("--catalogue", default=DEFAULT_CATALOGUE, metavar="DIR",
                   help="folder of spec files that names refer to (default derivations)")
    p.add_argument("--pdf", action="store_true", help="also compile every .tex with pdflatex into OUT/derivations/pdf/")
    p.add_argument("--show", metavar="NAME", help="print one derivation as plain text instead of writing files")
    p.set_defaults(func=run)


def _missing_catalogue(directory, cmd: str) -> SymjacError:
    return SymjacError(f"{directory}: no such folder of specs; " + NO_CATALOGUE_HINT.format(cmd=cmd))


def load_selected(directory, names, cmd: str = "docs"):
    """Specs from ``names``: spec files, folders of specs, or names of specs in ``directory``
    (every spec of ``directory`` when ``names`` is empty).  A missing catalogue folder is one
    error line with a hint."""
    from symjac.checking.spec import load_catalogue, load_spec

    directory = Path(directory)
    if not names:
        if not directory.is_dir():
            raise _missing_catalogue(directory, cmd)
        return load_catalogue(directory)
    specs, known = [], None
    for item in names:
        path = Path(item)
        if path.is_dir():
            found = load_catalogue(path)
            if not found:
                raise SymjacError(f"{path}: no spec files (*.toml) in this folder")
            specs += found
        elif path.is_file() or item.endswith(".toml") or "/" in item:
            specs.append(load_spec(path))
        else:
            if known is None:
                if not directory.is_dir():
                    raise _missing_catalogue(directory, cmd)
                known = {s.name: s for s in load_catalogue(directory)}
            if item not in known:
                raise SymjacError(f"no spec named {item} in {directory} (known: {', '.join(sorted(known))})")
            specs.append(known[item])
    return specs


def _paths_given(names) -> bool:
    return any(Path(n).is_dir() or Path(n).is_file() or n.endswith(".toml") or "/" in n for n in names)


def derive_all(specs, label="docs"):
    from symjac.catalogue.derivation import derive_spec

    out = []
    for n, spec in enumerate(specs, 1):
        progress.note(f"{label} [{n}/{len(specs)}] deriving and verifying {spec.name}")
        out.append(derive_spec(spec))
    return out


def run(args) -> int:
    from symjac.catalogue.documents import markdown_document, render_all, text_document, write_files

    if args.show:
        (spec,) = load_selected(args.catalogue, [args.show])
        (d,) = derive_all([spec])
        print(text_document(d), end="")
        return 0
    specs = load_selected(args.catalogue, args.names)
    out = args.out
    if out is None and (_paths_given(args.names) or args.catalogue != DEFAULT_CATALOGUE):
        if args.pdf:
            raise SymjacError("--pdf writes files: say where with --out DIR")
        ds = derive_all(specs)
        print("\n".join(markdown_document(d) for d in ds), end="")
        return _verdict(ds)
    out = out or "docs"
    ds = derive_all(specs)
    files = render_all(ds)
    if args.names:   # a partial build must not overwrite the catalogue-wide pages
        files = {k: v for k, v in files.items() if not k.endswith(("catalogue.tex", "README.md"))}
    paths = write_files(files, out)
    print(f"symjac docs: wrote {len(paths)} files under {Path(out) / 'derivations'}", file=sys.stderr)
    if args.pdf:
        compile_pdfs([p for p in paths if p.suffix == ".tex"], Path(out) / "derivations" / "pdf")
    return _verdict(ds)


def _verdict(ds) -> int:
    bad = [d.spec.name for d in ds if not d.verified]
    if bad:
        print(f"symjac docs: verification FAILED for {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


def compile_pdfs(tex_files, out_dir: Path) -> list[Path]:
    """pdflatex each file (twice, for the table of contents) in a scratch directory; PDFs go to out_dir."""
    if shutil.which("pdflatex") is None:
        raise SymjacError("--pdf needs pdflatex on PATH (scripts/bootstrap installs it on Debian/Ubuntu)")
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for n, tex in enumerate(tex_files, 1):
        progress.note(f"docs --pdf [{n}/{len(tex_files)}] pdflatex {tex.name} (twice)")
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(tex, tmp)
            for _ in range(2):
                r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                                   cwd=tmp, capture_output=True, text=True, timeout=120)
                if r.returncode != 0:
                    tail = [ln for ln in r.stdout.splitlines() if ln.startswith("!")][:1]
                    raise SymjacError(f"pdflatex failed on {tex}: {tail[0] if tail else 'see its log'}")
            pdf = out_dir / (tex.stem + ".pdf")
            shutil.copy(Path(tmp) / (tex.stem + ".pdf"), pdf)
            made.append(pdf)
    return made
