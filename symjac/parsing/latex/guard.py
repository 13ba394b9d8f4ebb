"""Bounds checked on untrusted LaTeX *before* any parser sees it.

Everything here is plain string scanning: no parser, no SymPy.  The limits
keep the ANTLR parser (whose cost grows with nesting and with its process-wide
cache) and SymPy away from inputs that only an attacker writes: megabyte
answers, deep nesting, thousand-term sums, huge matrices, unbalanced
environments, symbolic-length matrices written with dots.
"""
from __future__ import annotations

import re

from symjac.errors import ParseError

MAX_CHARS = 10_000      # a 16×16 Jacobian of short entries fits
MAX_DEPTH = 12          # (), {}, [], \left…\right and environments together
MAX_CELLS = 300         # matrix cells in all environments together
MAX_OPERATORS = 300     # + and - signs: a 1,000-term sum is refused
MAX_TOKENS = 4_000

DOTS = ("\\vdots", "\\cdots", "\\ldots", "\\dots", "\\ddots", "\\dotsc", "\\dotsb")
_ENV = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z*]+)\s*\}")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}


class InvalidAnswer(ParseError):
    """The answer text is refused (too large, unbalanced, unsupported…)."""


class Oversized(str):
    """The start of an answer that was larger than its reader's read limit; ``size`` is the real size in
    bytes, so the refusal names it rather than the length of the part that was read."""

    def __new__(cls, text: str, size: int):
        obj = super().__new__(cls, text)
        obj.size = int(size)
        return obj

    def __reduce__(self):
        return (Oversized, (str(self), self.size))


def too_long(size: int, unit: str = "characters") -> str:
    """The one message for an answer over the limit: its real size and the limit."""
    return f"answer too long ({size:,} {unit}, limit {MAX_CHARS:,} characters)"


def guard(text, *, dots_allowed: bool = False) -> str:
    """Return ``text`` if it is within bounds, else raise :class:`InvalidAnswer` (one line).
    ``dots_allowed``: the first look at a whole submission (prose and sums written with dots are
    handled before the formula itself is guarded)."""
    if not isinstance(text, str):
        raise InvalidAnswer(f"the answer must be text, got {type(text).__name__}")
    if isinstance(text, Oversized):
        raise InvalidAnswer(too_long(text.size, "bytes"))
    if len(text) > MAX_CHARS:
        raise InvalidAnswer(too_long(len(text)))
    if "\x00" in text:
        raise InvalidAnswer("answer contains a NUL character")
    if not text.strip():
        raise InvalidAnswer("empty answer")
    long_number = re.search(r"\d{41}", text)
    if long_number:
        raise InvalidAnswer("number too long (more than 40 digits)", long_number.start())
    for bad in () if dots_allowed else DOTS:
        if bad in text:
            raise InvalidAnswer(
                f"'{bad}' is not accepted: write every entry of the matrix (symjac cannot read dots)"
            )
    # brackets: () [] {} must balance and nest
    stack: list[tuple[str, int]] = []
    depth_max = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "{}[]()|":
            i += 2          # \{ \} are literal braces; \| a norm bar
            continue
        if ch in _OPEN:
            stack.append((ch, i))
        elif ch in _CLOSE:
            if not stack or stack[-1][0] != _CLOSE[ch]:
                raise InvalidAnswer(f"unmatched '{ch}'", i)
            stack.pop()
        depth_max = max(depth_max, len(stack))
        if depth_max > MAX_DEPTH:
            raise InvalidAnswer(f"brackets nested deeper than {MAX_DEPTH}", i)
        i += 1
    if stack:
        ch, pos = stack[-1]
        raise InvalidAnswer(f"unclosed '{ch}'", pos)
    # environments balance and nest
    envs: list[str] = []
    for m in _ENV.finditer(text):
        kind, name = m.group(1), m.group(2)
        if kind == "begin":
            envs.append(name)
            if len(envs) + 0 > 3:
                raise InvalidAnswer("environments nested deeper than 3", m.start())
        else:
            if not envs or envs[-1] != name:
                raise InvalidAnswer(f"\\end{{{name}}} without a matching \\begin{{{name}}}", m.start())
            envs.pop()
    if envs:
        raise InvalidAnswer(f"\\begin{{{envs[-1]}}} without \\end{{{envs[-1]}}}")
    left = len(re.findall(r"\\left(?![a-zA-Z])", text))
    right = len(re.findall(r"\\right(?![a-zA-Z])", text))
    if left != right:
        raise InvalidAnswer(f"unbalanced \\left/\\right ({left} \\left, {right} \\right)")
    ops = text.count("+") + text.count("-")
    if ops > MAX_OPERATORS:
        raise InvalidAnswer(f"answer too long: {ops} '+'/'-' signs (limit {MAX_OPERATORS})")
    cells = 0
    if "\\begin" in text:
        cells = text.count("&") + text.count("\\\\") + 1
        if cells > MAX_CELLS:
            raise InvalidAnswer(f"matrices too large: about {cells} cells (limit {MAX_CELLS})")
    return text


__all__ = ["guard", "InvalidAnswer", "Oversized", "too_long", "MAX_CHARS", "MAX_DEPTH", "MAX_CELLS", "MAX_OPERATORS"]
