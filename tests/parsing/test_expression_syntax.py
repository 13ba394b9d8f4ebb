"""The safe expression syntax: what it builds, what it refuses, and that nothing runs."""
import os

import pytest
import sympy as sp

from symjac import gram, least_squares, matrix, vector
from symjac.errors import ParseError, ShapeError, SymjacError, UnsupportedError
from symjac.parsing.explicit import build_explicit
from symjac.parsing.expr import names_in
from symjac.parsing.shapes import parse_shape_arg

SHAPES = {"A": (3, 2), "x": (2, 1), "b": (3, 1), "y": (3, 1), "Phi": (3, 2), "theta": (2, 1), "c": (1, 1)}


def build(text, shapes=SHAPES):
    return build_explicit(text, shapes)[0]


def test_builds_the_seed_functions():
    A, x, b = matrix("A", 3, 2), vector("x", 2), vector("b", 3)
    assert build("A.T @ A") == gram(A)
    assert build("A @ x + b") == A * x + b
    y, Phi, theta = vector("y", 3), matrix("Phi", 3, 2), vector("theta", 2)
    assert (build("norm(y - Phi @ theta)**2") - least_squares(y, Phi, theta)).expand() == 0
    assert build("tanh(A @ x + b)") == (A * x + b).applyfunc(sp.tanh)


def test_decimals_are_exact_and_scalars_broadcast():
    A = matrix("A", 3, 2)
    assert build("0.1 * A") == A / 10
    assert build("A / 4") == A / 4
    assert build("c * A") == sp.Symbol("c", real=True) * A
    assert build("x.T @ x") == vector("x", 2)[0] ** 2 + vector("x", 2)[1] ** 2


def test_functions():
    A = matrix("A", 2, 2)
    s = {"A": (2, 2), "v": (2, 1)}
    assert build("trace(A)", s) == A[0, 0] + A[1, 1]
    assert build("det(A)", s) == A.det()
    assert build("kron(eye(2), A)", s) == sp.kronecker_product(sp.eye(2), A)
    assert build("diag(v)", s) == sp.diag(*vector("v", 2))
    assert (build("matrix_power(A, 2)", s) - A * A).expand() == sp.zeros(2, 2)
    assert (build("inv(A)", s) * A).applyfunc(sp.simplify) == sp.eye(2)
    assert build("vec(A)", s) == sp.Matrix([A[0, 0], A[1, 0], A[0, 1], A[1, 1]])


@pytest.mark.parametrize("text, error, message", [
    ("A @ A", ShapeError, "cannot multiply 3x2 by 3x2"),
    ("A + x", ShapeError, "cannot add shapes 3x2 and 2x1"),
    ("A * x", ShapeError, "elementwise"),
    ("x ** 2", ShapeError, "scalar base"),
    ("B @ x", ParseError, "unknown name 'B'"),
    ("A @", ParseError, "syntax error"),
    ("A.T @ (A", ParseError, "unclosed"),
    ("foo(A)", UnsupportedError, "unknown function 'foo'"),
    ("A.shape", UnsupportedError, "only .T"),
    ("A[0]", UnsupportedError, "Subscript"),
    ("c ** 1000", UnsupportedError, "larger than 64"),
    ("c ** c", UnsupportedError, "exponents must be numbers"),
    ("'text'", ParseError, "only numbers"),
    ("trace(A)", ShapeError, "square"),
    ("", ParseError, "empty"),
])
def test_bad_expressions_get_one_clear_error(text, error, message):
    with pytest.raises(error, match=message):
        build(text)


@pytest.mark.parametrize("payload", [
    "__import__('os').system('touch /tmp/symjac_pwned')",
    "open('/tmp/symjac_pwned', 'w')",
    "(lambda: 1)()",
    "A.__class__.__bases__",
    "[c for c in ()]",
    "exec('1')",
    "eval('1')",
    "c; import os",
])
def test_hostile_expressions_are_refused_and_nothing_runs(payload):
    with pytest.raises(SymjacError):
        build(payload)
    assert not os.path.exists("/tmp/symjac_pwned")


def test_size_and_nesting_are_bounded():
    with pytest.raises(ParseError, match="too long"):
        build("c+" * 2000 + "c")
    with pytest.raises(ParseError, match="nested deeper"):
        build("(" * 100 + "c" + ")" * 100)


def test_names_in_excludes_functions_and_dimensions():
    assert names_in("norm(y - Phi @ theta)**2 + trace(eye(n))") == {"y", "Phi", "theta"}


@pytest.mark.parametrize("arg, expected", [
    ("A=3x2", ("A", (3, 2))), ("x=3", ("x", (3, 1))), ("c=1", ("c", (1, 1))),
    ("c=scalar", ("c", (1, 1))), ("A=mxn", ("A", ("m", "n"))), ("Phi=4x3", ("Phi", (4, 3))),
])
def test_shape_arguments(arg, expected):
    assert parse_shape_arg(arg) == expected


@pytest.mark.parametrize("arg, message", [
    ("A", "expected NAME=ROWSxCOLS"), ("A=0x2", "must be positive"), ("A=3x2x1", "expected"),
    ("1A=3x2", "invalid variable name"), ("A=1000x2", "exceeds the limit"),
])
def test_bad_shape_arguments(arg, message):
    with pytest.raises(SymjacError, match=message):
        parse_shape_arg(arg)


@pytest.mark.parametrize("call", [
    lambda: __import__("symjac").unvec("__import__('os').system('touch /tmp/symjac_pwned')", (1, 1)),
    lambda: __import__("symjac").vec("__import__('os').system('touch /tmp/symjac_pwned')"),
    lambda: __import__("symjac").jacobian("__import__('os').system('touch /tmp/symjac_pwned')", vector("x", 1)),
])
def test_library_functions_refuse_text_instead_of_sympifying_it(call):
    with pytest.raises(SymjacError, match="type str"):
        call()
    assert not os.path.exists("/tmp/symjac_pwned")


def test_spec_values_must_be_numbers_not_text():
    from symjac.errors import SpecError
    from symjac.checking.spec import spec_from_dict

    with pytest.raises(SpecError, match=r"x.toml: values.A: must be a number"):
        spec_from_dict({"title": "t", "function": "A", "shapes": {"A": [2, 1]},
                        "values": {"A": "__import__('os')"}}, "x.toml")
