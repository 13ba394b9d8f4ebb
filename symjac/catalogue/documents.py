r"""Render derivations as LaTeX documents (article + amsmath), GitHub Markdown and plain text.

``latex_document(d)`` is a complete document that compiles with pdflatex
(packages from texlive-latex-base/recommended only); ``latex_catalogue(ds)``
is one document for the whole catalogue; ``markdown_document(d)`` uses
``$…$`` / ``$$…$$`` math as GitHub renders it; ``text_document(d)`` is for
the terminal.  ``build_docs(specs, out)`` writes everything under
``out/derivations/`` deterministically (sorted, no timestamps).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from symjac.catalogue.derivation import Block, Derivation

# --- LaTeX --------------------------------------------------------------------------------

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2.2cm]{geometry}
\usepackage{graphicx}
\usepackage{booktabs}
\setcounter{MaxMatrixCols}{40}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6ex}
\newcommand{\fitdisplay}[1]{\begin{center}\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}\end{center}}
"""

_UNICODE_TEX = {
    "ᵀ": r"$^{\top}$", "‖": r"$\|$", "∇": r"$\nabla$", "θ": r"$\theta$", "Φ": r"$\Phi$", "σ": r"$\sigma$",
    "×": r"$\times$", "→": r"$\to$", "≠": r"$\neq$", "≤": r"$\leq$", "≥": r"$\geq$", "≈": r"$\approx$",
    "∂": r"$\partial$", "⊗": r"$\otimes$", "∘": r"$\circ$", "—": "---", "–": "--", "−": "-", "…": r"\ldots{}",
    "“": "``", "”": "''", "’": "'", "‘": "`", "⁽": "(", "⁾": ")", "⁰": "0", "¹": "1", "²": r"$^2$", "³": r"$^3$",
    "ℝ": r"$\mathbb{R}$", "·": r"$\cdot$", "δ": r"$\delta$", "λ": r"$\lambda$", "α": r"$\alpha$", "β": r"$\beta$",
}
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


_SUPERSCRIPT = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))
_TAG = re.compile("⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾")


def tex_escape(text: str) -> str:
    """Plain text (possibly Unicode) as pdflatex-safe LaTeX."""
    parts = _TAG.split(text)
    if len(parts) > 1:   # layer tags W⁽¹⁾ → W$^{(1)}$
        return "".join(tex_escape(p) if k % 2 == 0 else "$^{(%s)}$" % "".join(_SUPERSCRIPT[c] for c in p)
                       for k, p in enumerate(parts))
    out = []
    for ch in text:
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _UNICODE_TEX:
            out.append(_UNICODE_TEX[ch])
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(tex_escape(plain) if plain else "?")
    return "".join(out)


def _tex_segs(segs) -> str:
    return "".join(tex_escape(s.text) if s.kind == "t" else "$%s$" % s.latex for s in segs)


def _tex_block(b: Block) -> str:
    if b.kind == "para":
        return _tex_segs(b.segs) + "\n"
    if b.kind == "math":
        return "\\fitdisplay{%s}\n" % b.math
    if b.kind == "table":
        ncol = len(b.header)
        lines = [r"\begin{center}\small", r"\begin{tabular}{%s}" % ("l" * ncol), r"\toprule",
                 " & ".join(_tex_segs(h) for h in b.header) + r" \\", r"\midrule"]
        for row in b.rows:
            lines.append(" & ".join(_tex_segs(c) for c in row) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
        return "\n".join(lines) + "\n"
    raise ValueError(b.kind)  # pragma: no cover


def _status_tex(status: str) -> str:
    if not status:
        return ""
    return r"\hfill\textnormal{\small [%s]}" % tex_escape(status)


def _summary(d: Derivation) -> list[str]:
    """One-line statements: verification, and each claim's verdict."""
    lines = []
    if d.spec.wrt is not None and d.verification:
        lines.append(("Verified: " if d.verified else "FAILED: ") + d.verification + ".")
    flagged = d.flagged
    if d.claims:
        agree = sum(c.verdict == "agrees" for c in d.claims)
        other = len(d.claims) - agree - len(flagged)
        lines.append(f"Claims: {len(d.claims)} checked — {agree} agree, {len(flagged)} flagged"
                     + (f", {other} not checked" if other else "") + ".")
    return lines


def latex_body(d: Derivation, level: str = "section") -> str:
    spec = d.spec
    parts = [r"\%s{%s}" % (level, tex_escape(spec.title)), ""]
    for line in _summary(d):
        parts.append(tex_escape(line) + "\n")
    sub = "subsection*" if level == "section" else "subsection*"
    for step in d.steps:
        parts.append(r"\%s{%s%s}" % (sub, tex_escape(step.title), _status_tex(step.status)))
        for b in step.blocks:
            parts.append(_tex_block(b))
    return "\n".join(parts)


def latex_document(d: Derivation) -> str:
    """A standalone LaTeX document for one derivation."""
    return PREAMBLE + "\\begin{document}\n" + latex_body(d) + "\n\\end{document}\n"


def latex_catalogue(ds: list) -> str:
    """One LaTeX document for the whole catalogue, with a summary table."""
    rows = []
    for d in ds:
        flag = len(d.flagged)
        rows.append("%s & %s & %d & %d \\\\" % (
            tex_escape(d.spec.title), "yes" if d.verified else "NO", len(d.claims), flag))
    summary = "\n".join([
        r"\begin{center}\small", r"\begin{tabular}{p{0.6\linewidth}lll}", r"\toprule",
        r"derivation & verified & claims & flagged \\", r"\midrule", *rows, r"\bottomrule",
        r"\end{tabular}", r"\end{center}",
    ])
    body = "\n\\clearpage\n".join(latex_body(d) for d in ds)
    return (PREAMBLE + "\\title{The symjac derivation catalogue}\n\\date{}\n\\begin{document}\n\\maketitle\n"
            "Every step below was computed and verified by symjac; every claim from a source was checked.\n\n"
            + summary + "\n\\tableofcontents\n\\clearpage\n" + body + "\n\\end{document}\n")


# --- Markdown -------------------------------------------------------------------------------

def _md_escape(text: str) -> str:
    for ch in "\\`*_[]<>|$":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_math_inline(tex: str, in_table: bool = False) -> str:
    tex = tex.replace("\n", " ")
    if in_table:
        tex = tex.replace(r"\|", r"\Vert ").replace("|", r"\vert ")
    return "$%s$" % tex


def _md_segs(segs, in_table=False) -> str:
    return "".join(_md_escape(s.text) if s.kind == "t" else _md_math_inline(s.latex, in_table) for s in segs)


def _md_block(b: Block) -> str:
    if b.kind == "para":
        return _md_segs(b.segs)
    if b.kind == "math":
        return "$$\n%s\n$$" % b.math
    if b.kind == "table":
        lines = ["| " + " | ".join(_md_segs(h, True) for h in b.header) + " |",
                 "|" + "---|" * len(b.header)]
        for row in b.rows:
            lines.append("| " + " | ".join(_md_segs(c, True) for c in row) + " |")
        return "\n".join(lines)
    raise ValueError(b.kind)  # pragma: no cover


def markdown_document(d: Derivation) -> str:
    """GitHub Markdown for one derivation."""
    spec = d.spec
    parts = [f"# {_md_escape(spec.title)}", "",
             f"Generated by `symjac docs` from [`derivations/{spec.name}.toml`](../../derivations/{spec.name}.toml); "
             "do not edit by hand.", ""]
    for line in _summary(d):
        parts += [_md_escape(line), ""]
    for step in d.steps:
        status = f" — *{step.status}*" if step.status else ""
        parts += [f"## {_md_escape(step.title)}{status}", ""]
        for b in step.blocks:
            parts += [_md_block(b), ""]
    return "\n".join(parts).rstrip() + "\n"


def markdown_index(ds: list) -> str:
    """The index page of docs/derivations/."""
    lines = ["# Derivation catalogue", "",
             "Generated by `symjac docs` from `derivations/*.toml`; `symjac verify` re-checks every entry. "
             "Each page gives the problem and its convention, the component functions, the general partial "
             "derivative with its case analysis, the assembled Jacobian, the closed form, the verification "
             "record and a verdict on every claimed result. LaTeX sources sit next to each page "
             "(`NAME.tex`; the whole catalogue in `catalogue.tex`).", "",
             "| derivation | convention | verified | claims | flagged |", "|---|---|---|---|---|"]
    for d in ds:
        s = d.spec
        conv = s.convention.upper() if s.wrt else "—"
        ver = "yes" if d.verified else "**NO**"
        lines.append(f"| [{_md_escape(s.title)}]({s.name}.md) | {conv} | {ver} | {len(d.claims)} | {len(d.flagged)} |")
    flagged = [(d, c) for d in ds for c in d.flagged]
    if flagged:
        lines += ["", "## Claims symjac flags", ""]
        for d, c in flagged:
            lines.append(f"- [{_md_escape(d.spec.title)}]({d.spec.name}.md), {_md_escape(c.label)}: "
                         f"{_md_escape(c.brief)}")
    return "\n".join(lines) + "\n"


# --- plain text ------------------------------------------------------------------------------

def _text_segs(segs) -> str:
    return "".join(s.text for s in segs)


def text_document(d: Derivation) -> str:
    """Plain text for the terminal."""
    spec = d.spec
    out = [spec.title, "=" * len(spec.title)]
    out += _summary(d)
    for step in d.steps:
        head = step.title + (f"  [{step.status}]" if step.status else "")
        out += ["", head, "-" * len(head)]
        for b in step.blocks:
            if b.kind == "para":
                out.append(_text_segs(b.segs))
            elif b.kind == "math":
                out.append("    " + b.text.replace("\n", "\n    "))
            else:
                table = [[_text_segs(c) for c in b.header]] + [[_text_segs(c) for c in r] for r in b.rows]
                widths = [max(len(r[k]) for r in table) for k in range(len(b.header))]
                for r in table:
                    out.append("    " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(out) + "\n"


# --- building the docs tree ---------------------------------------------------------------

def render_all(ds: list) -> dict:
    """{relative path: content} for every generated file (sorted by name)."""
    files = {}
    for d in ds:
        files[f"derivations/{d.spec.name}.md"] = markdown_document(d)
        files[f"derivations/{d.spec.name}.tex"] = latex_document(d)
    files["derivations/catalogue.tex"] = latex_catalogue(ds)
    files["derivations/README.md"] = markdown_index(ds)
    return dict(sorted(files.items()))


def write_files(files: dict, out: str | Path) -> list[Path]:
    """Write ``files`` under ``out``, only rewriting changed files; returns the paths."""
    out = Path(out)
    written = []
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


__all__ = ["latex_document", "latex_catalogue", "markdown_document", "markdown_index", "text_document",
           "render_all", "write_files", "tex_escape", "PREAMBLE"]
