"""Reports: :class:`Report` (verdict, diagnosis codes, score, message, details; JSON and notebook
displays), :func:`invalid`, and the words of messages — shapes (3x2, N²×MN), sizes, numbers,
counts of wrong entries — so that no Python repr reaches a student.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

from symjac.checking.problem import _as_expr


@dataclass
class Report:
    """The outcome of one check: verdict, diagnosis codes, score, message and details."""

    verdict: str                      # correct | incorrect | invalid | error (a checker bug: not judged)
    diagnosis: list = field(default_factory=list)
    score: float = 0.0
    message: str = ""
    details: dict = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "diagnosis": list(self.diagnosis), "score": self.score,
                "message": self.message, "details": _jsonable(self.details)}

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        return cls(d["verdict"], list(d.get("diagnosis", [])), float(d.get("score", 0.0)),
                   d.get("message", ""), dict(d.get("details", {})))

    def __str__(self) -> str:
        return self.message

    def _repr_latex_(self) -> str:
        """Notebook display (LaTeX): the verdict and the message as text."""
        return r"$\text{%s}$" % _tex_text(self.message)

    def _repr_html_(self) -> str:
        """Notebook display (HTML): verdict, message, diagnosis, score and a table of the differing entries."""
        from html import escape

        colour = {"correct": "#1f7a3a"}.get(self.verdict, "#b3261e")
        out = [f'<p><strong style="color:{colour}">{escape(self.verdict)}</strong> — {escape(self.message)}</p>']
        if self.diagnosis:
            out.append("<p>diagnosis: " + ", ".join(f"<code>{escape(c)}</code>" for c in self.diagnosis) + "</p>")
        if self.verdict == "incorrect":
            out.append(f"<p>score: {self.score:g}</p>")
        wrong = self.details.get("wrong_entries") or []
        if wrong:
            rows = "".join(
                f"<tr><td>({w['row']}, {w['col']})</td><td>${escape(str(w.get('given', '')))}$</td>"
                f"<td>{'$' + escape(str(w['expected'])) + '$' if 'expected' in w else ''}</td></tr>" for w in wrong[:50])
            out.append("<table><tr><th>entry</th><th>given</th><th>expected</th></tr>" + rows + "</table>")
        return "\n".join(out)


_TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "_": r"\_", "^": r"\^{}",
             "&": r"\&", "%": r"\%", "#": r"\#", "~": r"\~{}"}


def _tex_text(text: str) -> str:
    """Plain text made safe inside ``\\text{…}`` (one pass, so replacements are not re-escaped)."""
    return re.sub(r"[\\{}$_^&%#~]", lambda m: _TEX_TEXT[m.group()], text)


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def invalid(message: str) -> Report:
    return Report("invalid", ["invalid"], 0.0, f"invalid input: {message}")


def _nice(c: float) -> str:
    f = Fraction(c).limit_denominator(12)
    if abs(float(f) - c) < 1e-6:
        return str(f)
    return f"{c:.6g}"


def _fmt_shape(s) -> str:
    """3x2, mxn; a size the answer leaves open (a bare I or 1) is '?' (never an internal name)."""
    return "x".join("?" if any(isinstance(f, sp.Dummy) for f in getattr(d, "free_symbols", ())) else str(d) for d in s)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _fmt_dim(d) -> str:
    """A size as on paper: N², MN, 2m, m + 1."""
    d = _as_expr(d)
    if d.is_Integer or d.is_Symbol:
        return str(d)
    if d.is_Pow and d.base.is_Symbol and d.exp.is_Integer and 1 < int(d.exp) < 10:
        return d.base.name + str(int(d.exp)).translate(_SUPERSCRIPT)
    if d.is_Mul:
        parts = [_fmt_dim(f) for f in d.as_ordered_factors()]
        tight = all(len(p.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹")) == 1 or p.isdigit() for p in parts)
        return ("" if tight else "·").join(parts)
    return sp.sstr(d)


def _fmt_symbolic_shape(s) -> str:
    return "×".join(_fmt_dim(d) for d in s)


def _unsized(problem, exc) -> str:
    """A shape error's text without the concrete sizes when those were drawn at random (the student
    never chose them): 'cannot add a 3x1 matrix and a 4x1 matrix' → 'cannot add a matrix and a matrix'."""
    text = str(exc)
    if problem.concrete or problem.instance_sizes() is not None:
        return text
    text = re.sub(r"\s*\d+\s*[x×]\s*\d+(?:\s+matrix)?", " matrix", text)
    text = re.sub(r"\bmatrix matrix\b", "matrix", text)
    text = re.sub(r"inner sizes \d+ and \d+ differ", "inner sizes differ", text)
    text = re.sub(r"(?:'s)? shape matrix", "'s shape", text)
    return re.sub(r"\s+", " ", text).strip()


def _fmt_values(a: np.ndarray) -> str:
    rows = [" & ".join(f"{x:.4g}" for x in row) for row in a]
    if a.shape == (1, 1):
        return f"{a[0, 0]:.4g}"
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"


def _sizes_words(sizes: dict, inst=None) -> str:
    """'M = 3, N = 2' (or the variables' shapes 'A: 3×2' when no size is named): no Python reprs in messages."""
    if sizes:
        return ", ".join(f"{k} = {v}" for k, v in sorted(sizes.items()))
    if inst is not None:
        return "shapes " + ", ".join(f"{k}: {r}×{c}" for k, (r, c) in sorted(inst.shapes.items()))
    return "the declared sizes"


def _n_wrong(n: int, total: int, many: str) -> str:
    """"1 of 24 entries is wrong", "3 of 24 entries are wrong" (the verb agrees with the count)."""
    return f"{n} of {total} {many} {'is' if n == 1 else 'are'} wrong"
