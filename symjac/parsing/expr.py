"""The safe Python-like expression syntax: ``A.T @ A``, ``norm(y - Phi @ theta)**2``.

Text is parsed with :mod:`ast` (which never runs anything), checked against a
whitelist, and walked; each construct calls one method of a *builder*.  THE
builder is :mod:`symjac.parsing.matrixexpr` (the node set); explicit matrices,
numbers and index notation are those nodes instantiated, evaluated or translated,
never a second reading of the text.  Nothing is ever evaluated as Python: no
``eval``, ``exec``, ``sympify`` or ``parse_expr``.

Grammar (see CONTRIBUTING.md): names (declared variables, letters then digits),
numeric literals (exact: ``0.1`` is 1/10), ``+ - * / @ **``, unary ``-``/``+``,
``X.T``, and calls of the functions in :data:`FUNCTIONS`.  Exponents must be
numbers with absolute value at most :data:`MAX_POWER`.
"""
from __future__ import annotations

import ast
import re
from fractions import Fraction
from typing import Any, Protocol

import sympy as sp

from symjac import elementwise as registry
from symjac.errors import ParseError, ShapeError, UnsupportedError

MAX_LENGTH = 2000
MAX_NESTING = 40
MAX_POWER = 64

# name -> kinds of its arguments: "expr" (built), "int" (a literal integer),
# "dim" (a literal integer or a dimension name, passed unbuilt), "num?" (an optional
# number literal: an elementwise function's parameter, e.g. leaky_relu(x, 0.01)).
# The elementwise functions come from the registry (symjac.elementwise).
FUNCTIONS: dict[str, tuple[str, ...]] = {
    **{name: ("expr",) + ("num?",) * len(d.params) for name, d in registry.text_names().items()},
    "norm": ("expr",), "trace": ("expr",), "det": ("expr",), "logdet": ("expr",),
    "inv": ("expr",), "vec": ("expr",), "diag": ("expr",), "sum": ("expr",),
    "matrix_power": ("expr", "int"), "kron": ("expr", "expr"),
    "hadamard": ("expr", "expr"), "eye": ("dim",),
}
ALIASES = {"tr": "trace", "transpose": None}  # transpose(X) is X.T

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


class Builder(Protocol):
    """What a backend implements; ``pos`` is the 0-based column of the construct."""

    def name(self, ident: str, pos: int) -> Any: ...
    def number(self, value: sp.Rational, pos: int) -> Any: ...
    def binary(self, op: str, left: Any, right: Any, pos: int) -> Any: ...
    def unary(self, op: str, operand: Any, pos: int) -> Any: ...
    def transpose(self, operand: Any, pos: int) -> Any: ...
    def call(self, func: str, args: list, pos: int) -> Any: ...


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise ParseError(f"expression must be text, got {type(text).__name__}")
    if not text.strip():
        raise ParseError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression too long ({len(text)} characters, limit {MAX_LENGTH})")
    if "\x00" in text:
        raise ParseError("expression contains a NUL character")
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                raise ParseError(f"brackets nested deeper than {MAX_NESTING}", i)
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise ParseError(f"unmatched '{ch}'", i)
    if depth:
        raise ParseError("unclosed '(' in expression")


def parse(text: str) -> ast.expr:
    """Parse and validate ``text``; return the (whitelisted) ast expression."""
    _check_text(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = (exc.offset - 1) if exc.offset else None
        raise ParseError(f"syntax error in expression {text.strip()!r}: {exc.msg}", col) from None
    except (RecursionError, MemoryError, ValueError):
        raise ParseError("expression too deeply nested or malformed") from None
    _validate(tree.body)
    return tree.body


def _validate(node: ast.AST) -> None:
    for sub in ast.walk(node):
        pos = getattr(sub, "col_offset", None)
        if isinstance(sub, (ast.BinOp, ast.UnaryOp, ast.Load, ast.operator, ast.unaryop)):
            if isinstance(sub, ast.BinOp) and type(sub.op) not in _BINARY:
                raise UnsupportedError(f"operator {type(sub.op).__name__} is not supported (at column {pos + 1})")
            if isinstance(sub, ast.UnaryOp) and type(sub.op) not in _UNARY:
                raise UnsupportedError(f"operator {type(sub.op).__name__} is not supported (at column {pos + 1})")
            continue
        if isinstance(sub, ast.Name):
            if not _IDENT.match(sub.id) and sub.id not in FUNCTIONS:
                raise ParseError(f"invalid name {sub.id!r}: use letters then digits", pos)
        elif isinstance(sub, ast.Constant):
            if isinstance(sub.value, bool) or not isinstance(sub.value, (int, float)):
                raise ParseError(f"unsupported literal {sub.value!r}: only numbers", pos)
        elif isinstance(sub, ast.Attribute):
            if sub.attr != "T":
                raise UnsupportedError(f"attribute .{sub.attr} is not supported: only .T (at column {pos + 1})")
        elif isinstance(sub, ast.Call):
            fname = sub.func.id if isinstance(sub.func, ast.Name) else None
            if fname is None:
                raise UnsupportedError(f"only named functions can be called (at column {pos + 1})")
            if fname not in FUNCTIONS and fname not in ALIASES:
                raise UnsupportedError(
                    f"unknown function {fname!r} (at column {pos + 1}); known: {', '.join(sorted(FUNCTIONS))}"
                )
            if sub.keywords:
                raise UnsupportedError(f"keyword arguments are not supported (at column {pos + 1})")
        elif isinstance(sub, (ast.Starred,)):
            raise UnsupportedError(f"'*' unpacking is not supported (at column {pos + 1})")
        else:
            what = type(sub).__name__
            raise UnsupportedError(
                f"{what} is not part of the expression syntax" + (f" (at column {pos + 1})" if pos is not None else "")
            )


def _number(node: ast.Constant, text: str) -> sp.Rational:
    if isinstance(node.value, int):
        return sp.Integer(node.value)
    literal = ast.get_source_segment(text, node) or repr(node.value)
    try:
        frac = Fraction(literal)
    except (ValueError, ZeroDivisionError):
        frac = Fraction(node.value)
    if abs(frac.numerator).bit_length() > 256 or frac.denominator.bit_length() > 256:
        raise ParseError(f"number {literal} is too large", node.col_offset)
    return sp.Rational(frac.numerator, frac.denominator)


def _literal_int(node: ast.AST, what: str) -> int:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return sign * node.value
    raise ParseError(f"{what} must be an integer literal", getattr(node, "col_offset", None))


def _literal_number(node: ast.AST, text: str, what: str) -> sp.Rational:
    """A signed int or decimal literal, exactly (0.01 is 1/100)."""
    sign, inner = 1, node
    if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(inner.op, ast.USub) else 1
        inner = inner.operand
    if not (isinstance(inner, ast.Constant) and type(inner.value) in (int, float)):
        raise ParseError(f"{what} must be a number literal", getattr(node, "col_offset", None))
    return sign * _number(inner, text)


def _exponent(node: ast.AST, text: str) -> sp.Rational:
    sign = 1
    inner = node
    if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(inner.op, ast.USub) else 1
        inner = inner.operand
    if not isinstance(inner, ast.Constant):
        raise UnsupportedError(
            "exponents must be numbers, not expressions or towers like 2**3**4; "
            "use matrix_power(A, k) for matrix powers", node.col_offset)
    value = sign * _number(inner, text)
    if abs(value) > MAX_POWER:
        raise UnsupportedError(f"exponent {value} is larger than {MAX_POWER}", node.col_offset)
    return value


def evaluate(text: str, builder: Builder):
    """Parse ``text`` and build it with ``builder``; returns what the builder returns."""
    return _Walker(text, builder).walk(parse(text))


class _Walker:
    def __init__(self, text: str, builder: Builder):
        self.text = text.strip()
        self.b = builder

    def walk(self, node: ast.AST):
        method = getattr(self, "_walk_" + type(node).__name__)
        try:
            return method(node)
        except ShapeError as exc:
            if getattr(exc, "where", None) is None:   # name the innermost failing subexpression once
                exc.where = ast.get_source_segment(self.text, node)
                exc.args = (f"{exc.args[0]} in '{exc.where}'",)
            raise

    def _walk_Name(self, node: ast.Name):
        return self.b.name(node.id, node.col_offset)

    def _walk_Constant(self, node: ast.Constant):
        return self.b.number(_number(node, self.text), node.col_offset)

    def _walk_BinOp(self, node: ast.BinOp):
        op = _BINARY[type(node.op)]
        left = self.walk(node.left)
        if op == "**":
            exponent = _exponent(node.right, self.text)
            right = self.b.number(exponent, node.right.col_offset)
        else:
            right = self.walk(node.right)
        return self.b.binary(op, left, right, node.col_offset)

    def _walk_UnaryOp(self, node: ast.UnaryOp):
        return self.b.unary(_UNARY[type(node.op)], self.walk(node.operand), node.col_offset)

    def _walk_Attribute(self, node: ast.Attribute):
        return self.b.transpose(self.walk(node.value), node.col_offset)

    def _walk_Call(self, node: ast.Call):
        name = node.func.id
        if name == "transpose":
            if len(node.args) != 1:
                raise ParseError("transpose takes one argument", node.col_offset)
            return self.b.transpose(self.walk(node.args[0]), node.col_offset)
        name = ALIASES.get(name, name)
        kinds = FUNCTIONS[name]
        required = sum(not k.endswith("?") for k in kinds)
        if not required <= len(node.args) <= len(kinds):
            count = str(len(kinds)) if required == len(kinds) else f"{required} to {len(kinds)}"
            raise ParseError(
                f"{name} takes {count} argument{'s' if len(kinds) != 1 else ''}, got {len(node.args)}",
                node.col_offset,
            )
        args = []
        for kind, arg in zip(kinds, node.args):
            if kind == "num?":
                args.append(_literal_number(arg, self.text, f"a parameter of {name}"))
            elif kind == "expr":
                args.append(self.walk(arg))
            elif kind == "int":
                k = _literal_int(arg, f"the second argument of {name}")
                if abs(k) > MAX_POWER:
                    raise UnsupportedError(f"{name} power {k} is larger than {MAX_POWER}", arg.col_offset)
                args.append(k)
            else:  # "dim": a literal integer or a dimension name, unbuilt
                if isinstance(arg, ast.Name):
                    args.append(arg.id)
                else:
                    args.append(_literal_int(arg, f"the argument of {name}"))
        return self.b.call(name, args, node.col_offset)


def names_in(text: str) -> set[str]:
    """The variable names an expression uses (function names excluded)."""
    tree = parse(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    dims = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "eye":
            dims.update(id(a) for a in n.args)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called and id(n) not in dims}


__all__ = ["Builder", "FUNCTIONS", "evaluate", "parse", "names_in", "MAX_POWER"]
