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
from typing import TYPE_CHECKING

if TYPE_CHECKING:                      # annotations only: documents never import derivation at run time
    from symjac.catalogue.derivation import Block, Derivation


# --- LaTeX --------------------------------------------------------------------------------


PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{textcomp}
\usepackage{amsmath,amssymb}
\usepackage[margin=2.2cm]{geometry}
\usepackage{graphicx}
\usepackage{booktabs}
\setcounter{MaxMatrixCols}{40}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6ex}
\setlength{\emergencystretch}{3em}
\newsavebox{\fitbox}
\newcommand{\fitdisplay}[1]{\begin{center}%
\sbox{\fitbox}{$\displaystyle #1$}%
\ifdim\wd\fitbox>\linewidth\sbox{\fitbox}{\small$\displaystyle #1$}\fi
\ifdim\wd\fitbox>\linewidth\sbox{\fitbox}{\footnotesize$\displaystyle #1$}\fi
\usebox{\fitbox}\end{center}}
"""
# The preamble: Latin Modern (Type-1 fonts in the PDF, not bitmaps); a display that is too wide is set
# at \small, then \footnotesize (never smaller); long formulas are broken across lines (multline*, align*).

_UNICODE_TEX = {
    "ᵀ": r"$^{\top}$", "‖": r"$\|$", "∇": r"$\nabla$", "θ": r"$\theta$", "Φ": r"$\Phi$", "σ": r"$\sigma$",
    "×": r"$\times$", "→": r"$\to$", "≠": r"$\neq$", "≤": r"$\leq$", "≥": r"$\geq$", "≈": r"$\approx$",
    "∂": r"$\partial$", "⊗": r"$\otimes$", "∘": r"$\circ$", "—": "---", "–": "--", "−": r"$-$", "…": r"\ldots{}",
    "“": "``", "”": "''", "’": "'", "‘": "`", "⁽": "(", "⁾": ")", "⁰": "0", "¹": "1", "²": r"$^2$", "³": r"$^3$",
    "ℝ": r"$\mathbb{R}$", "·": r"$\cdot$", "δ": r"$\delta$", "λ": r"$\lambda$", "α": r"$\alpha$", "β": r"$\beta$",
    "½": r"\textonehalf{}", "¼": r"\textonequarter{}", "¾": r"\textthreequarters{}", "⊙": r"$\odot$",
    "′": r"$'$", "″": r"$''$", "∑": r"$\sum$", "∈": r"$\in$", "⊤": r"$\top$", "ε": r"$\varepsilon$",
    "η": r"$\eta$", "μ": r"$\mu$", "π": r"$\pi$", "ρ": r"$\rho$", "τ": r"$\tau$", "ϕ": r"$\phi$", "φ": r"$\varphi$",
    "ψ": r"$\psi$", "ω": r"$\omega$", "Σ": r"$\Sigma$", "Λ": r"$\Lambda$", "Δ": r"$\Delta$", "γ": r"$\gamma$",
    "≡": r"$\equiv$", "∞": r"$\infty$", "⋯": r"$\cdots$", "⋮": r"$\vdots$", "√": r"$\surd$", "±": r"$\pm$",
    "é": r"\'e", "è": r"\`e", "ü": r'\"u', "ö": r'\"o', "ä": r'\"a',
}
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


_SUPERSCRIPT = dict(list(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱˡⁿᵏʲᵐ", "0123456789+-=()ilnkjm")) + [("ᵀ", r"\top ")])
_SUBSCRIPT = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₗₘₙ", "0123456789+-=()ijklmn"))
_SCRIPT_RUN = re.compile("([%s]+)|([%s]+)" % ("".join(_SUPERSCRIPT), "".join(_SUBSCRIPT)))
_ADJACENT_MATH = re.compile(r"(?<!\\)\$\$")
_COMMA_RUN = re.compile(r",(?=[^\s])")


def _script(run: str, table: dict, mark: str) -> str:
    body = "".join(table[c] for c in run).strip()
    return "$%s{%s}$" % (mark, body.replace("-", "{-}") if body.startswith("-") else body)


def tex_escape(text: str) -> str:
    r"""Plain text (possibly Unicode) as pdflatex-safe LaTeX: a⁽ˡ⁻¹⁾ → a$^{(l-1)}$, ½ → \textonehalf,
    ⊙ → $\odot$, σ′ → $\sigma'$; adjacent math pieces are merged into one."""
    out = []
    pos = 0
    for m in _SCRIPT_RUN.finditer(text):
        out.append(_escape_plain(text[pos:m.start()]))
        if m.group(1):
            out.append(_script(m.group(1), _SUPERSCRIPT, "^"))
        else:
            out.append(_script(m.group(2), _SUBSCRIPT, "_"))
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    # a line may break after a comma inside an unspaced run such as (M,N)=(3,4),(2,3)
    return _COMMA_RUN.sub(r",\\allowbreak{}", _ADJACENT_MATH.sub("", "".join(out)))


def _escape_plain(text: str) -> str:
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
            out.append(_escape_plain(plain) if plain else "?")
    return "".join(out)


# --- long formulas ------------------------------------------------------------------------

LINE_CHARS = 90       # visible characters of LaTeX per line of a broken formula (estimate)
_CMD = re.compile(r"\\[A-Za-z]+")
_SIZED = ((r"\left(", r"\bigl("), (r"\right)", r"\bigr)"), (r"\left[", r"\bigl["), (r"\right]", r"\bigr]"),
          (r"\left\{", r"\bigl\{"), (r"\right\}", r"\bigr\}"), (r"\left\|", r"\bigl\|"), (r"\right\|", r"\bigr\|"),
          (r"\left|", r"\bigl|"), (r"\right|", r"\bigr|"), (r"\left.", ""), (r"\right.", ""))


def _visible(tex: str) -> int:
    return len(_CMD.sub("x", tex).replace("{", "").replace("}", "").replace(" ", ""))


def _group_end(tex: str, k: int) -> int:
    """Index just past the brace group opening at ``tex[k] == "{"``."""
    depth = 0
    for j in range(k, len(tex)):
        if tex[j] == "\\":
            continue
        if tex[j] == "{" and (j == 0 or tex[j - 1] != "\\"):
            depth += 1
        elif tex[j] == "}" and tex[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(tex)


def _unwrap(tex: str, width: int) -> str:
    r"""Open up long top-level groups so that they can be broken: ``\frac{long}{short}`` →
    ``\frac{1}{short}\bigl(long\bigr)``, a bare group ``{long}`` → ``\bigl(long\bigr)``."""
    out, k = [], 0
    while k < len(tex):
        if tex.startswith(r"\frac{", k):
            a = _group_end(tex, k + 5)
            if a < len(tex) and tex[a] == "{":
                b = _group_end(tex, a)
                num, den = tex[k + 6:a - 1], tex[a + 1:b - 1]
                if _visible(num) > width and _visible(den) <= 12:
                    out.append(r"\frac{1}{%s}\bigl(%s\bigr)" % (den, num))
                    k = b
                    continue
                out.append(tex[k:b])
                k = b
                continue
        if tex[k] == "{" and (k == 0 or tex[k - 1] in " =(") :
            e = _group_end(tex, k)
            inner = tex[k + 1:e - 1]
            if _visible(inner) > width:
                out.append(r"\bigl(%s\bigr)" % inner)
                k = e
                continue
        if tex[k] == "\\":                  # a command: copy its name whole
            j = k + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            out.append(tex[k:max(j, k + 2)])
            k = max(j, k + 2)
            continue
        if tex[k] == "{":                   # an argument group: copy it whole
            e = _group_end(tex, k)
            out.append(tex[k:e])
            k = e
            continue
        out.append(tex[k])
        k += 1
    return "".join(out)


def _cuts(tex: str) -> list[int]:
    cuts, depth, env, k = [], 0, 0, 0
    while k < len(tex):
        c = tex[k]
        if c == "\\":
            if tex.startswith(r"\begin{", k):
                env += 1
            elif tex.startswith(r"\end{", k):
                env -= 1
            k += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c in "+-=" and depth == 0 and env == 0 and k > 0:
            prev = tex[:k].rstrip()
            if prev and prev[-1] not in "+-=(,[{&" and not prev.endswith((r"\bigl(", r"\bigl[", r"\bigl\|")):
                cuts.append(k)
        k += 1
    return cuts


def _greedy(tex: str, width: int) -> list[str]:
    lines, start, last = [], 0, 0
    for cut in _cuts(tex):
        if _visible(tex[start:cut]) > width and last > start:
            lines.append(tex[start:last].strip())
            start = last
        last = cut
    if _visible(tex[start:]) > width and last > start:
        lines.append(tex[start:last].strip())
        start = last
    lines.append(tex[start:].strip())
    return lines


_CASES = re.compile(r"^(?P<lhs>.*?)=\s*\\begin\{cases\}(?P<body>.*)\\end\{cases\}\s*$", re.S)
_ALIGNED = re.compile(r"^\s*\\begin\{aligned\}(?P<body>.*)\\end\{aligned\}\s*$", re.S)


def _split_rows(body: str) -> list[str]:
    rows, depth, env, start, k = [], 0, 0, 0, 0
    while k < len(body):
        if body.startswith(r"\begin{", k):
            env += 1
        elif body.startswith(r"\end{", k):
            env -= 1
        elif body.startswith(r"\\", k) and depth == 0 and env == 0:
            rows.append(body[start:k])
            start = k + 2
            k += 2
            continue
        elif body[k] == "\\":
            k += 2
            continue
        elif body[k] == "{":
            depth += 1
        elif body[k] == "}":
            depth -= 1
        k += 1
    rows.append(body[start:])
    return [r.strip() for r in rows if r.strip()]


def break_formula(tex: str, width: int = LINE_CHARS) -> list[str] | None:
    r"""Lines of a long display formula, broken before top-level ``=``, ``+`` or ``-``.

    ``\left``/``\right`` become ``\bigl``/``\bigr`` (so a break may fall inside them), long
    ``\frac{…}{2}`` become ``\frac{1}{2}\bigl(…\bigr)``, a ``cases`` display becomes one line per case
    and the rows of an ``aligned`` display are broken one by one.  None when the formula is short or
    has no place to break; the caller then sets it whole (at most at footnote size)."""
    if _visible(tex) <= width:
        return None
    for a, b in _SIZED:
        tex = tex.replace(a, b)
    if r"\left" in tex or r"\right" in tex:
        return None
    m = _CASES.match(tex)
    if m and "cases" not in m.group("body"):
        rows = _split_rows(m.group("body"))
        if all(_visible(row.partition("&")[0]) <= width for row in rows):
            return None      # every case fits: keep the cases layout
        lines = []
        for row in rows:
            value, _, cond = row.partition("&")
            lines += _greedy("%s= %s \\quad %s" % (m.group("lhs"), _unwrap(value.strip(), width), cond.strip()), width)
        return lines
    m = _ALIGNED.match(tex)
    if m and "aligned" not in m.group("body"):
        lines = []
        for row in _split_rows(m.group("body")):
            left, amp, right = row.partition("&")
            parts = _greedy(_unwrap(right, width), width) if amp else [row]
            lines.append((left + amp + parts[0]) if amp else parts[0])
            lines += ["&\\quad " + p for p in parts[1:]]
        return lines if len(lines) > 1 else None
    lines = _greedy(_unwrap(tex, width), width)
    if len(lines) < 2 or any(r"\begin{" in line for line in lines):
        return None          # a matrix cannot be broken: set whole, at most at footnote size
    return lines


def _tex_segs(segs) -> str:
    return "".join(tex_escape(s.text) if s.kind == "t" else "$%s$" % s.latex for s in segs)


def _tex_block(b: Block) -> str:
    if b.kind == "para":
        return _tex_segs(b.segs) + "\n"
    if b.kind == "math":
        lines = break_formula(b.math)
        if lines and any(line.startswith("&") or "&=" in line or "& =" in line for line in lines):
            return "\\begin{align*}\n%s\n\\end{align*}\n" % " \\\\\n".join(lines)
        if lines:
            return "\\begin{multline*}\n%s\n\\end{multline*}\n" % " \\\\\n".join(lines)
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


def _md_text_with_math(text: str) -> str:
    """Text whose $…$ spans are LaTeX (claim summaries): the prose escaped, the math kept as Markdown math."""
    parts = re.split(r"(\$[^$\n]+\$)", text)
    return "".join(_md_math_inline(p[1:-1]) if p.startswith("$") and p.endswith("$") and len(p) > 2
                    else _md_escape(p) for p in parts)


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
                         f"{_md_text_with_math(c.brief)}")
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
    from symjac.durable import write_text

    out = Path(out)
    written = []
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or not path.exists() or path.read_text(encoding="utf-8") != content:
            write_text(path, content)           # atomic; a symbolic link there is replaced, not followed
        written.append(path)
    return written


__all__ = ["latex_document", "latex_catalogue", "markdown_document", "markdown_index", "text_document",
           "render_all", "write_files", "tex_escape", "PREAMBLE"]
