r"""Sums written with dots, ``A_{1i}x_1 + \dots + A_{Ni}x_N``, read as the sum they abbreviate.

A run of terms T(a), T(a+1), …, then ``\dots`` (or ``\cdots``, ``\ldots``, ``\dotsb``),
then T(L): the terms are one template in which the same positions hold the
numbers a, a+1, … and, in the last term, the upper limit L (a size name such as
N, or a number).  The run becomes ``\sum_{k=a}^{L} T(k)`` with a letter k that the
text does not use, which the index-notation reader then checks like any sum.
Anything else with dots is left as it is (the guard refuses it with its message).
Plain string work on the answer text: nothing is evaluated.
"""
from __future__ import annotations

import re

DOTS = r"\\(?:dots|cdots|ldots|dotsb|dotsc)(?![A-Za-z])"
_TOKEN = re.compile(r"\\[A-Za-z]+|\d+|[A-Za-z]|\S")
_FRESH = "kqrstuvwabcdeghlop"
MAX_TERMS = 8           # terms written before the dots


def _split_terms(text: str) -> list[tuple[str, str]]:
    """(sign, term) pairs at brace/parenthesis depth 0 of a sum; the first sign may be ''."""
    out, cur, sign, depth = [], "", "", 0
    for ch in text:
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        if depth == 0 and ch in "+-" and cur.strip():
            out.append((sign, cur.strip()))
            cur, sign = "", ch
            continue
        cur += ch
    out.append((sign, cur.strip()))
    return out


def _template(first: list[str], other: list[str]):
    """Positions where ``first`` holds a number and ``other`` something else, if the two token lists
    agree everywhere else (None when they are not one template)."""
    if len(first) != len(other):
        return None
    slots = [i for i, (a, b) in enumerate(zip(first, other)) if a != b]
    if not slots or any(not first[i].isdigit() for i in slots):
        return None
    if len({first[i] for i in slots}) != 1 or len({other[i] for i in slots}) != 1:
        return None
    return slots


def _expand_side(side: str) -> str:
    if not re.search(DOTS, side):
        return side
    parts = _split_terms(re.sub(DOTS, " \\\\DOTS ", side))
    idx = next((i for i, (_, t) in enumerate(parts) if t == "\\DOTS"), None)
    if idx is None or idx == 0 or idx + 1 >= len(parts) or parts[idx][0] != "+" or parts[idx + 1][0] != "+":
        return side
    last = _TOKEN.findall(parts[idx + 1][1])
    # the run before the dots: T(a), T(a+1), … (walk left while the template holds)
    start = idx - 1
    first = _TOKEN.findall(parts[start][1])
    slots = _template(first, last)
    if slots is None:
        return side
    while start > 0 and idx - start < MAX_TERMS:
        prev = _TOKEN.findall(parts[start - 1][1])
        if _template(prev, last) != slots or parts[start][0] != "+" or \
                int(prev[slots[0]]) != int(first[slots[0]]) - 1:
            break
        start, first = start - 1, prev
    lo, hi = int(first[slots[0]]), last[slots[0]]
    for k, (sign, term) in enumerate(parts[start:idx]):            # the written terms count up from lo
        toks = _TOKEN.findall(term)
        if _template(toks, last) != slots or int(toks[slots[0]]) != lo + k:
            return side
    used = set(re.findall(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", " ", side)))
    letter = next((c for c in _FRESH if c not in used), None)
    if letter is None:
        return side
    body = [letter if i in slots else tok for i, tok in enumerate(last)]
    summed = f"\\sum_{{{letter}={lo}}}^{{{hi}}} {' '.join(body)}"
    lead = parts[start][0] if parts[start][0] else ""
    head = " ".join(f"{s} {t}" for s, t in parts[:start]).strip()
    tail = " ".join(f"{s} {t}" for s, t in parts[idx + 2:]).strip()
    return " ".join(x for x in (head, f"{lead} {summed}".strip(), tail) if x)


def expand_dot_sums(text: str) -> str:
    """``text`` with each side of an equation whose sum is written with dots made a ``\\sum``."""
    if not re.search(DOTS, text):
        return text
    return "=".join(_expand_side(side) for side in text.split("="))


__all__ = ["expand_dot_sums"]
