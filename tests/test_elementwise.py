"""The elementwise-function registry: each declaration is right, and it is the only one.

Laws checked for every registry entry (property tests over the whole registry):
f′ (symbolic, in terms of the node) = d/dz of f's elementary definition (SymPy,
independent of the declared derivative); NumPy f = the definition; NumPy f′ =
central differences of NumPy f; the LaTeX a function prints parses back to it.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symjac import elementwise as registry
from symjac.blocks import ACTIVATIONS
from symjac.errors import ParseError, SymjacError
from symjac.parsing.explicit import build_explicit
from symjac.parsing.latex.nodes import Env
from symjac.parsing.latex.nodes import evaluate as evaluate_answer
from symjac.parsing.latex.parser import parse_latex
from symjac.render.latex import latex

SRC = Path(registry.__file__).parent
NAMES = sorted(registry.REGISTRY)
z = sp.Symbol("z", real=True)


def _points(d, rng, n=7):
    x = rng.uniform(-3, 3, n)
    x = x[np.abs(x) > 1e-3]                      # keep away from kinks (relu, abs, leaky_relu at 0)
    return np.abs(x) + 0.05 if d.domain == "positive" else x


def _params(d):
    return [sp.Rational(3, 10)] if d.params else []   # a slope other than the default


@pytest.mark.parametrize("name", NAMES)
def test_declared_derivative_equals_derivative_of_definition(name):
    """f′(z) from the declaration = d/dz definition(z), at random points (SymPy diff of elementary functions)."""
    d = registry.get(name)
    ps = _params(d)
    node = d(z, *ps)
    declared = d.derivative(node, z, *ps)
    brute = sp.diff(d.definition(z, *ps), z)
    for x in _points(d, np.random.default_rng(1)):
        a = complex(declared.subs(z, x).evalf()).real
        b = complex(brute.subs(z, x).evalf()).real
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12), (name, x)


@pytest.mark.parametrize("name", NAMES)
def test_numpy_value_and_derivative(name):
    """NumPy f = definition (evalf); NumPy f′ = central differences of NumPy f (h = 1e-6)."""
    d = registry.get(name)
    ps = _params(d)
    x = _points(d, np.random.default_rng(2))
    fp = [float(p) for p in ps]
    want = [float(d.definition(sp.Float(v), *ps).evalf()) for v in x]
    np.testing.assert_allclose(d.numpy(x, *fp), want, rtol=1e-12, atol=1e-14)
    h = 1e-6
    fd = (d.numpy(x + h, *fp) - d.numpy(x - h, *fp)) / (2 * h)
    np.testing.assert_allclose(d.numpy_derivative(x, *fp), fd, rtol=1e-6, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(NAMES), x=st.floats(-6, 6), seed=st.integers(0, 100))
def test_fd_law_over_the_registry(name, x, seed):
    """Law: for every entry and every point off its kinks, f′ (NumPy, from the declaration) ≈ central differences."""
    d = registry.get(name)
    if d.domain == "positive":
        x = abs(x) + 0.1
    if abs(x) < 1e-3:
        x += 0.5
    slope = [np.random.default_rng(seed).uniform(0.0, 0.9)] if d.params else []
    h = 1e-6
    fd = (d.numpy(np.array(x + h), *slope) - d.numpy(np.array(x - h), *slope)) / (2 * h)
    assert float(d.numpy_derivative(x, *slope)) == pytest.approx(float(fd), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_latex_output_parses_back(name):
    """The LaTeX a registry function prints is read back as the same function (same values)."""
    d = registry.get(name)
    x = sp.Symbol("x")
    text = latex(d(x, *_params(d)))
    parsed = parse_latex(text, {"x": (1, 1)})
    for v in _points(d, np.random.default_rng(3), 4):
        got = evaluate_answer(parsed, Env({}, {"x": np.array([[v]])}))
        want = float(d.numpy(np.array(v), *map(float, _params(d))))
        assert float(np.asarray(got).ravel()[0]) == pytest.approx(want, rel=1e-12), (name, text)


@pytest.mark.parametrize("name", NAMES)
def test_every_text_name_parses(name):
    """Each function is a word of the expression syntax, applied entrywise to a matrix."""
    d = registry.get(name)
    M, _ = build_explicit(f"{name}(A)", {"A": (2, 2)})
    A = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"A_{i + 1}{j + 1}", real=True))
    assert M.shape == (2, 2)
    assert sp.ImmutableMatrix(M).subs(dict(zip(A, [1, 2, 3, 4]))) == sp.ImmutableMatrix(
        2, 2, [d(sp.Integer(k)) for k in (1, 2, 3, 4)]
    )


def test_leaky_relu_slope_from_text():
    """leaky_relu(x, 0.01) keeps its slope exactly (1/100); leaky_relu(x) uses the default 0.01."""
    x1, x2 = sp.symbols("x_1 x_2", real=True)
    M, _ = build_explicit("leaky_relu(x, 0.2)", {"x": (2, 1)})
    assert M[0] == registry.leaky_relu(x1, sp.Rational(1, 5))
    assert M.subs({x1: -10, x2: 3}) == sp.ImmutableMatrix([-2, 3])
    D, _ = build_explicit("leaky_relu(x)", {"x": (2, 1)})
    assert D[1].args == (x2, sp.Rational(1, 100))
    assert build_explicit("leaky_relu(x, -0.5)", {"x": (2, 1)})[0][0].args[1] == sp.Rational(-1, 2)


@pytest.mark.parametrize("text,message", [
    ("leaky_relu(x, x)", "a parameter of leaky_relu must be a number literal"),
    ("leaky_relu(x, 0.1, 2)", "leaky_relu takes 1 to 2 arguments, got 3"),
    ("softplus(x, 1)", "softplus takes 1 argument, got 2"),
])
def test_parameter_errors(text, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        build_explicit(text, {"x": (2, 1)})


def test_unknown_name_lists_the_registry():
    with pytest.raises(SymjacError, match="softplus"):
        registry.get("swish")


def test_activations_are_the_real_registry_functions():
    """Network activations = registry functions defined on all reals, plus identity (no log, no sqrt)."""
    assert set(ACTIVATIONS) == {n for n, d in registry.REGISTRY.items() if d.domain == "real"} | {"identity"}
    assert {"softplus", "log_sigmoid", "gelu", "leaky_relu"} <= set(ACTIVATIONS)


def test_values_at_zero_and_numbers():
    """Exact values where they are simple; Floats evaluate; symbols stay unevaluated."""
    x = sp.Symbol("x")
    assert registry.softplus(0) == sp.log(2)
    assert registry.log_sigmoid(0) == -sp.log(2)
    assert registry.gelu(0) == 0
    assert registry.sigmoid(0) == sp.Rational(1, 2)
    assert registry.leaky_relu(-2) == sp.Rational(-1, 50)
    assert registry.leaky_relu(3, sp.Rational(1, 5)) == 3
    assert float(registry.softplus(sp.Float(1.0))) == pytest.approx(np.logaddexp(0, 1.0), rel=1e-14)
    assert registry.gelu(x).func is registry.gelu
    assert float(registry.gelu(1).evalf()) == pytest.approx(0.8413447460685429, rel=1e-14)


# --- one place for each derivative -----------------------------------------------------

def _declared_derivative_sources() -> dict[str, str]:
    """name → the source text of the derivative lambda's body in elementwise.py."""
    text = (SRC / "elementwise.py").read_text(encoding="utf-8")
    out = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Declaration" and node.args:
            name = node.args[0].value
            deriv = node.args[2]
            assert isinstance(deriv, ast.Lambda), name
            # a formula with arithmetic is searched as written (1 - node**2); a bare name or
            # call (node, sp.cos(u)) is too common a string, so its whole lambda is searched
            arithmetic = any(isinstance(n, ast.BinOp) for n in ast.walk(deriv.body))
            out[name] = ast.get_source_segment(text, deriv.body if arithmetic else deriv)
    return out


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in SRC.rglob("*.py")}


def test_each_derivative_formula_is_written_once():
    """grep: each declared derivative formula occurs exactly once in symjac/ (in the registry)."""
    sources = _sources()
    decl = _declared_derivative_sources()
    assert set(decl) == set(registry.REGISTRY)
    for name, formula in decl.items():
        whole = re.compile(re.escape(formula) + r"(?!\s*[\w.*/+\-(\[])")   # not a prefix of a longer formula
        hits = [str(p.relative_to(SRC)) for p, t in sources.items() for _ in whole.finditer(t)]
        assert hits == ["elementwise.py"], (name, formula, hits)


@pytest.mark.parametrize("pattern", [
    r"1(\.0)?\s*-\s*(np|numpy|jnp|sp)\.tanh",      # tanh′ by hand
    r"\bnode\s*\*\s*\(1\s*-\s*node\)",             # σ′ = σ(1 − σ) outside the registry
    r"\(1(\.0)?\s*-\s*s\)",                         # σ′ with a local s
    r"\(z\s*>\s*0\)\.astype",                       # relu′ by hand
    r"def fdiff\(",                                 # derivatives of function classes
    r"[\"']tanh[\"']\s*:",                          # name → function tables
    r"\bsp\.tanh\s*:",
])
def test_no_second_table_of_derivatives(pattern):
    """No module but the registry writes an elementwise derivative or a function-name table."""
    hits = [str(p.relative_to(SRC)) for p, t in _sources().items() if re.search(pattern, t)]
    assert hits in ([], ["elementwise.py"]), (pattern, hits)
