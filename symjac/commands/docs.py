"""``symjac docs [--out docs] [--pdf]``: build the catalogue's documents from ``derivations/``."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from symjac.errors import SymjacError


def register(sub) -> None:
    p = sub.add_parser(
        "docs",
        help="build LaTeX and Markdown documents for the derivation catalogue",
        description=(
            "Derive and verify every spec in derivations/ and write docs/derivations/NAME.md, NAME.tex, "
            "catalogue.tex and the index README.md. Progress goes to stderr."
        ),
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="only these specs (default: all)")
    p.add_argument("--out", default="docs", help="output directory (default docs)")
    p.add_argument("--catalogue", default="derivations", help="directory of spec files (default derivations)")
    p.add_argument("--pdf", action="store_true", help="also compile every .tex with pdflatex into OUT/derivations/pdf/")
    p.add_argument("--show", metavar="NAME", help="print one derivation as plain text instead of writing files")
    p.set_defaults(func=run)


def load_selected(directory, names):
    from symjac.catalogue.spec import load_catalogue

    specs = load_catalogue(directory)
    if names:
        known = {s.name: s for s in specs}
        missing = [n for n in names if n not in known]
        if missing:
            raise SymjacError(f"no spec named {', '.join(missing)} in {directory} (known: {', '.join(sorted(known))})")
        specs = [known[n] for n in names]
    return specs


def derive_all(specs, label="docs"):
    from symjac.catalogue.derivation import derive_spec

    out = []
    for n, spec in enumerate(specs, 1):
        print(f"symjac {label}: [{n}/{len(specs)}] {spec.name}", file=sys.stderr, flush=True)
        out.append(derive_spec(spec))
    return out


def run(args) -> int:
    from symjac.catalogue.documents import render_all, text_document, write_files

    if args.show:
        (spec,) = load_selected(args.catalogue, [args.show])
        (d,) = derive_all([spec])
        print(text_document(d), end="")
        return 0
    specs = load_selected(args.catalogue, args.names)
    ds = derive_all(specs)
    files = render_all(ds)
    if args.names:   # a partial build must not overwrite the catalogue-wide pages
        files = {k: v for k, v in files.items() if not k.endswith(("catalogue.tex", "README.md"))}
    paths = write_files(files, args.out)
    print(f"symjac docs: wrote {len(paths)} files under {Path(args.out) / 'derivations'}", file=sys.stderr)
    if args.pdf:
        compile_pdfs([p for p in paths if p.suffix == ".tex"], Path(args.out) / "derivations" / "pdf")
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
        print(f"symjac docs: pdflatex [{n}/{len(tex_files)}] {tex.name}", file=sys.stderr, flush=True)
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
