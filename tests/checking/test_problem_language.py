"""The problem language (issue 13): shape () for scalars and definitions of named intermediates."""
from __future__ import annotations

import numpy as np
import pytest

from symjac.checking.definitions import expand, values
from symjac.checking.engine import CheckError, Problem, check_pure
from symjac.errors import SymjacError

SH = {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1), "y": ("m", 1)}


@pytest.mark.parametrize("shape", [(), []])
def test_empty_shape_is_a_scalar(shape):
    p = Problem("x**3", "x", {"x": shape})
    assert p.shapes["x"] == (1, 1)
    assert check_pure(p, "3x^2").verdict == "correct"
    assert check_pure(p, "x^2").verdict == "incorrect"


def test_definitions_are_expanded_in_order_into_the_function():
    f, exp, shapes = expand("norm(h - y)**2", {"z": "W @ a + b", "h": "sigmoid(z)"}, SH)
    assert f == "norm((sigmoid((W @ a + b))) - y)**2"
    assert exp == {"z": "W @ a + b", "h": "sigmoid((W @ a + b))"}
    assert [str(d) for d in shapes["z"]] == ["m", "1"] and [str(d) for d in shapes["h"]] == ["m", "1"]


def test_definition_values_are_the_expressions_at_the_point():
    rng = np.random.default_rng(0)
    arr = {"W": rng.normal(size=(2, 3)), "a": rng.normal(size=(3, 1)), "b": rng.normal(size=(2, 1))}
    _, exp, _ = expand("z", {"z": "W @ a + b", "h": "tanh(z)"}, {k: v.shape for k, v in arr.items()})
    got = values(exp, arr)
    np.testing.assert_allclose(got["z"], arr["W"] @ arr["a"] + arr["b"])
    np.testing.assert_allclose(got["h"], np.tanh(arr["W"] @ arr["a"] + arr["b"]))


@pytest.mark.parametrize("defs,match", [
    ({"W": "a"}, "clashes"), ({"exp": "a"}, "identifier"), ({"z": "W @ W"}, "z"), ({"z": "q + a"}, "z"),
    ({"z": 3}, "expression"),
])
def test_bad_definitions_are_one_line_errors(defs, match):
    with pytest.raises(SymjacError, match=match) as exc:
        Problem("a", "a", SH, definitions=defs)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("answer,verdict", [
    (r"\operatorname{diag}(\sigma'(z)) W", "correct"),
    (r"\operatorname{diag}(\sigma'(W a + b)) W", "correct"),
    (r"\operatorname{diag}(h \odot (1 - h)) W", "correct"),
    (r"\operatorname{diag}(h) W", "incorrect"),
])
def test_answers_use_defined_names(answer, verdict):
    p = Problem("h", "a", SH, definitions={"z": "W @ a + b", "h": "sigmoid(z)"})
    assert check_pure(p, answer).verdict == verdict


def test_defined_names_in_an_explicit_answer_are_not_compared_exactly():
    p = Problem("sigmoid(z)", "b", {"W": (2, 2), "a": (2, 1), "b": (2, 1)}, definitions={"z": "W @ a + b"})
    r = check_pure(p, r"\operatorname{diag}(\sigma'(z))")
    assert r.verdict == "correct", r.message


def test_undefined_name_in_an_answer_is_invalid():
    p = Problem("sigmoid(z)", "a", SH, definitions={"z": "W @ a + b"})
    assert check_pure(p, r"\sigma'(u)").verdict == "invalid"


def test_problem_without_definitions_is_unchanged():
    p = Problem("W @ a", "a", SH)
    assert p.function == "W @ a" and p.definitions == {} and p.definition_shapes == {}


def test_scalar_parameter_and_vector_inner_product():
    p = Problem("relu(w.T @ x + b)", "b", {"w": ("n", 1), "x": ("n", 1), "b": ()})
    assert check_pure(p, r"\operatorname{relu}'(w^T x + b)").verdict == "correct"
    with pytest.raises(CheckError):
        Problem("b", "b", {"b": (1, 2, 3)})
