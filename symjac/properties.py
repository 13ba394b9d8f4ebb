"""Declared properties of variables and constants, and random instances that satisfy them.

One vocabulary, shared by the closed-form engine and the checker's problem
language:

    symmetric, diagonal, spd, invertible, orthogonal,      (square matrices)
    full_column_rank,                                      (rows ≥ columns, rank = columns)
    positive, nonnegative, integer                         (every entry / the scalar)

plus size relations between dimension names, written ``"m >= n"`` (also
``>``, ``<=``, ``<``, ``==``, and an integer on the right: ``"n >= 2"``).

``parse_properties({"X": ["symmetric"], "A": "spd"})`` validates names →
``{"X": frozenset({"symmetric"})}``; ``parse_relation("m >= n")`` reads a
relation without evaluating anything; ``draw(rng, shape, props)`` returns a
NumPy array of that shape with those properties (well-conditioned: square
invertible draws have their smallest singular value bounded away from 0).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from symjac.errors import ShapeError, SymjacError

PROPERTIES = {
    "symmetric": "X = Xᵀ",
    "diagonal": "X_ij = 0 for i ≠ j",
    "spd": "symmetric positive definite",
    "invertible": "square and nonsingular",
    "orthogonal": "XᵀX = I",
    "full_column_rank": "rank X = number of columns (rows ≥ columns)",
    "positive": "every entry > 0",
    "nonnegative": "every entry ≥ 0",
    "integer": "every entry an integer",
}
SQUARE = {"symmetric", "diagonal", "spd", "invertible", "orthogonal"}
ALIASES = {"symmetric positive definite": "spd", "pd": "spd", "nonsingular": "invertible",
           "full column rank": "full_column_rank", "full-column-rank": "full_column_rank"}


def normalise(name: str) -> str:
    """A property name in its canonical spelling, or a SymjacError naming the known ones."""
    if not isinstance(name, str):
        raise SymjacError(f"a property is a name, got {type(name).__name__}")
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in PROPERTIES:
        raise SymjacError(f"unknown property {name!r}; known: {', '.join(sorted(PROPERTIES))}")
    return key


def parse_properties(mapping) -> dict[str, frozenset]:
    """{variable name: property name or list of names} → {name: frozenset of canonical names}."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise SymjacError("properties must be a mapping {name: [property, …]}")
    out = {}
    for name, props in mapping.items():
        if isinstance(props, str):
            props = [props]
        out[str(getattr(name, "name", name))] = frozenset(normalise(p) for p in props)
    return out


_REL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|==|>|<|≥|≤)\s*([A-Za-z][A-Za-z0-9_]*|\d+)\s*$")
_OPS = {">=": np.greater_equal, "≥": np.greater_equal, "<=": np.less_equal, "≤": np.less_equal,
        ">": np.greater, "<": np.less, "==": np.equal}


@dataclass(frozen=True)
class Relation:
    """left op right between dimension names (or a name and an integer)."""

    left: str
    op: str
    right: str

    def holds(self, sizes: dict) -> bool:
        def val(t):
            if t.isdigit():
                return int(t)
            if t not in sizes:
                raise SymjacError(f"the relation {self} names the unknown size {t}")
            return int(sizes[t])
        return bool(_OPS[self.op](val(self.left), val(self.right)))

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


def parse_relation(text: str) -> Relation:
    """``"m >= n"`` → Relation('m', '>=', 'n'); read by a regular expression, never evaluated."""
    if not isinstance(text, str):
        raise SymjacError("a size relation is text such as 'm >= n'")
    match = _REL.match(text)
    if not match:
        raise SymjacError(f"cannot read the size relation {text!r}; write e.g. 'm >= n'")
    return Relation(*match.groups())


def split_properties(mapping, shapes: dict | None = None) -> tuple[dict, tuple]:
    """A problem's ``properties`` → ({name: frozenset of properties}, (Relation, …)).

    Each value is a property name or a list mixing property names and size relations
    (``{"A": ["full_column_rank", "m >= n"], "X": "spd"}``).  With ``shapes`` (name → (rows,
    cols), ints or dimension names) the names must be declared, relations may only name
    dimensions, and a square property needs a square shape (equal sizes or the same name)."""
    if mapping is None:
        return {}, ()
    if not isinstance(mapping, dict):
        raise SymjacError("properties must be a mapping {name: [property, …]}")
    props, rels = {}, []
    for name, items in mapping.items():
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, (list, tuple, set, frozenset)):
            raise SymjacError(f"properties of {name} must be a list of names")
        plain = []
        for item in items:
            if isinstance(item, str) and _REL.match(item):
                rels.append(parse_relation(item))
            else:
                plain.append(item)
        props.update(parse_properties({name: plain}))
    if shapes is not None:
        dims = {d for s in shapes.values() for d in s if isinstance(d, str)}
        for name, ps in props.items():
            if name not in shapes:
                raise SymjacError(f"properties name {name}, which has no declared shape")
            r, c = shapes[name]
            if isinstance(r, int) and isinstance(c, int) and not sizes_ok((r, c), ps):
                raise SymjacError(f"{name} is {r}x{c} and cannot be {', '.join(sorted(ps))}")
            if ps & SQUARE and (isinstance(r, str) or isinstance(c, str)) and r != c:
                raise SymjacError(f"{name} must be square to be {', '.join(sorted(ps & SQUARE))}: "
                                  f"declare it [\"n\", \"n\"]")
        for rel in rels:
            for t in (rel.left, rel.right):
                if not t.isdigit() and t not in dims:
                    raise SymjacError(f"the relation {rel} names {t}, which is not a dimension name")
    return {k: v for k, v in props.items() if v}, tuple(rels)


def sizes_ok(shape, props) -> bool:
    """Whether a (rows, cols) shape can carry the properties."""
    r, c = shape
    if props & SQUARE and r != c:
        return False
    if "full_column_rank" in props and r < c:
        return False
    return True


def draw(rng: np.random.Generator, shape, props=frozenset()) -> np.ndarray:
    """A random array of ``shape`` with the properties ``props`` (entries O(1), well-conditioned)."""
    props = frozenset(normalise(p) for p in props)
    r, c = shape
    if not sizes_ok(shape, props):
        raise ShapeError(f"a {r}x{c} matrix cannot be {', '.join(sorted(props))}")
    if "integer" in props:
        lo = 1 if "positive" in props else (0 if "nonnegative" in props else -3)
        A = rng.integers(lo, 4, size=shape).astype(float)
        if r == c and props & {"invertible", "spd"}:
            A = A + (np.abs(A).sum(axis=1).max() + 1) * np.eye(r)           # diagonally dominant
        return A
    if "orthogonal" in props:
        Q, R = np.linalg.qr(rng.standard_normal((r, r)))
        return Q * np.sign(np.diag(R))
    if "spd" in props:
        B = rng.uniform(-1, 1, size=shape)
        return B @ B.T + r * np.eye(r) / 2
    if "diagonal" in props:
        d = rng.uniform(0.5, 1.5, size=r) * (1 if props & {"positive", "invertible"} else rng.choice([-1, 1], size=r))
        return np.diag(d)
    if "positive" in props:
        A = rng.uniform(0.25, 1.5, size=shape)
    elif "nonnegative" in props:
        A = rng.uniform(0.0, 1.0, size=shape)
    else:
        A = rng.uniform(-1, 1, size=shape)
    if "symmetric" in props:
        A = (A + A.T) / 2
    if r == c and (props & {"invertible", "symmetric"} or not props):
        A = A + r * np.eye(r) / 2
    if "full_column_rank" in props and r > c:
        A[:c, :c] += c * np.eye(c) / 2
    return A


def draw_scalar(rng: np.random.Generator, props=frozenset()) -> float:
    """A random number with the properties (positive, nonnegative, integer)."""
    return float(draw(rng, (1, 1), frozenset(props) - SQUARE)[0, 0])


__all__ = ["PROPERTIES", "Relation", "split_properties", "parse_properties", "parse_relation", "normalise", "draw", "draw_scalar", "sizes_ok"]
