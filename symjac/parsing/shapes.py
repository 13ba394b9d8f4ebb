"""Declared shapes: ``A=3x2`` on the command line, ``A = [3, 2]`` in spec files.

A shape is a pair (rows, cols) of positive integers or dimension names
(``("m", "n")``).  A vector is (n, 1), a scalar (1, 1).
"""
from __future__ import annotations

import re

from symjac.errors import SymjacError

_DIM = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_NAME = re.compile(r"^[A-Za-z]+[0-9]*$")
MAX_DIM = 64

Shape = tuple  # (int | str, int | str)


def _dim(value, where: str):
    if isinstance(value, bool):
        raise SymjacError(f"{where}: size must be a positive integer or a dimension name, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise SymjacError(f"{where}: size must be positive, got {value}")
        if value > MAX_DIM:
            raise SymjacError(f"{where}: size {value} exceeds the limit of {MAX_DIM}")
        return value
    if isinstance(value, str):
        if value.isdigit():
            return _dim(int(value), where)
        if _DIM.match(value):
            return value
    raise SymjacError(f"{where}: size must be a positive integer or a dimension name, got {value!r}")


def normalize_shape(value, where: str) -> Shape:
    """A shape from a spec value: [3, 2], ["m", "n"], [3] (vector) or 1 / [] (scalar)."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        value = [value, 1]
    if not isinstance(value, (list, tuple)) or len(value) > 2:
        raise SymjacError(f"{where}: shape must be [rows, cols], got {value!r}")
    if len(value) == 0:
        return (1, 1)
    if len(value) == 1:
        value = [value[0], 1]
    return (_dim(value[0], where), _dim(value[1], where))


def check_name(name: str, where: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SymjacError(f"{where}: invalid variable name {name!r} (letters, then optional digits)")
    return name


def parse_shape_arg(text: str) -> tuple[str, Shape]:
    """``A=3x2`` → ("A", (3, 2)); ``x=3`` → vector; ``c=1`` / ``c=scalar`` → (1, 1); ``A=mxn``."""
    if "=" not in text:
        raise SymjacError(f"--shape {text!r}: expected NAME=ROWSxCOLS, e.g. A=3x2")
    name, _, spec = text.partition("=")
    name = check_name(name.strip(), f"--shape {text!r}")
    spec = spec.strip()
    if spec.lower() == "scalar":
        return name, (1, 1)
    parts = re.split(r"[x×,]", spec) if re.search(r"[x×,]", spec) and not _DIM.match(spec) else [spec]
    if len(parts) == 1 and "x" in spec:  # "mxn": dimension names joined by x
        parts = spec.split("x")
    parts = [p.strip() for p in parts]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise SymjacError(f"--shape {text!r}: expected NAME=ROWSxCOLS, e.g. A=3x2")
    return name, normalize_shape(parts, f"--shape {text!r}")


def is_concrete(shape: Shape) -> bool:
    return all(isinstance(d, int) for d in shape)


__all__ = ["normalize_shape", "parse_shape_arg", "check_name", "is_concrete", "MAX_DIM"]
