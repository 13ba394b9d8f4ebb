r"""The formula a student means, taken out of whatever surrounds it.

Answers arrive as a bare formula (``A^T + A``), as text with ``$…$`` in it, or as a
whole ``.tex`` file (``\documentclass``, a preamble, ``\begin{document}``, prose,
``\[…\]``, ``equation`` or ``align``).  :func:`extract_answer` returns the formula
only, by plain string scanning (nothing is parsed or run here):

1. ``%`` comments are dropped; with ``\begin{document}`` only the document body is kept;
2. a ``\boxed{…}`` formula is the answer; else the math segments (``$…$``, ``$$…$$``,
   ``\(…\)``, ``\[…\]``, ``equation``/``align``/``gather``/``multline``, starred or not)
   are found and the **last** one is the answer (the answer comes after the working);
3. in an aligned block the last line is the answer and ``&`` alignment marks go.

Text without any of these markers is returned unchanged (a bare formula).
"""
from __future__ import annotations

import re

from symjac.parsing.latex.guard import InvalidAnswer

_DISPLAY_ENVS = ("equation", "align", "gather", "multline", "eqnarray", "flalign", "displaymath", "math")
_ENV_RE = "|".join(_DISPLAY_ENVS)
_SEGMENT = re.compile(
    r"\$\$(?P<dd>.+?)\$\$|\$(?P<d>.+?)\$|\\\((?P<p>.+?)\\\)|\\\[(?P<b>.+?)\\\]"
    r"|\\begin\s*\{\s*(?P<env>" + _ENV_RE + r")(?P<star>\*?)\s*\}(?P<e>.+?)\\end\s*\{\s*(?P=env)(?P=star)\s*\}",
    re.S,
)
_MARKERS = re.compile(r"\\documentclass|\\begin\s*\{\s*(?:document|" + _ENV_RE + r")\*?\s*\}|\$|\\\[|\\\(|\\boxed")
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")


def _boxed(text: str) -> str | None:
    m = re.search(r"\\boxed\s*\{", text)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        if text[i] == "\\" and i + 1 < len(text):
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    if depth:
        raise InvalidAnswer("unclosed \\boxed{")
    return text[m.end():i - 1]


def _last_line(block: str) -> str:
    """The last non-empty line of an aligned block, without alignment marks."""
    lines = [ln for ln in _split_rows(block) if ln.strip()]
    if not lines:
        raise InvalidAnswer("empty formula")
    line = "".join(" " if ch == "&" and d == 0 else ch for ch, d in _depths(lines[-1]))
    if line.lstrip().startswith("="):   # a continued line "&= result": the result
        line = line.lstrip()[1:]
    return line


def _depths(text: str):
    """(character, nesting depth in braces and environments) for each character."""
    depth, i = 0, 0
    while i < len(text):
        if text.startswith("\\begin", i) or text[i] == "{":
            depth += 1
        elif text.startswith("\\end", i) or text[i] == "}":
            depth -= 1
        step = 2 if text[i] == "\\" else 1
        for ch in text[i:i + step]:
            yield ch, depth
        i += step


def _split_rows(block: str) -> list[str]:
    """Split at ``\\`` outside braces and inner environments (a bmatrix keeps its rows)."""
    out, cur = [], []
    chars = list(_depths(block))
    k = 0
    while k < len(chars):
        ch, d = chars[k]
        if ch == "\\" and d == 0 and k + 1 < len(chars) and chars[k + 1][0] == "\\":
            out.append("".join(cur))
            cur = []
            k += 2
            continue
        cur.append(ch)
        k += 1
    out.append("".join(cur))
    return out


def extract_answer(text: str) -> str:
    """The answer formula inside ``text`` (see the module docstring); ``text`` itself when bare."""
    if not _MARKERS.search(text):
        return text
    text = _COMMENT.sub("", text)
    body = re.search(r"\\begin\s*\{\s*document\s*\}(.*?)\\end\s*\{\s*document\s*\}", text, re.S)
    if body:
        text = body.group(1)
    elif "\\documentclass" in text:
        raise InvalidAnswer("a .tex file needs \\begin{document} … \\end{document} around the answer")
    boxed = _boxed(text)
    if boxed is not None:
        return boxed
    segments = list(_SEGMENT.finditer(text))
    if not segments:
        if body:
            raise InvalidAnswer("the document has no formula ($…$, \\[…\\] or an equation environment)")
        return text
    last = segments[-1]
    if last.group("env"):
        return _last_line(last.group("e"))
    inner = next(g for g in (last.group("dd"), last.group("d"), last.group("p"), last.group("b")) if g is not None)
    inner = re.sub(r"\\begin\s*\{\s*(?:aligned|split|gathered)\s*\}(.*?)\\end\s*\{\s*(?:aligned|split|gathered)\s*\}",
                   lambda m: _last_line(m.group(1)), inner, flags=re.S)
    return inner


__all__ = ["extract_answer"]
