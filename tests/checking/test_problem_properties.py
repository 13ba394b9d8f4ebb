"""The problem language (issue 13): declared ``properties`` decide the random points and sizes at
which answers are compared (symmetric, spd, orthogonal, full_column_rank, size relations m ≥ n),
in Python ``Problem(...)`` and in spec TOML ``[properties]``; spec TOML ``definitions``."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symjac.checking.spec import spec_from_dict
from symjac.checking.engine import CheckError, Problem, check_pure
from symjac.checking.instances import _Instance, _size_assignments
from symjac.errors import SpecError, SymjacError
from symjac.properties import Relation, split_properties

QUAD = {"B": ("n", "n"), "x": ("n", 1)}


# --- the vocabulary, read and validated ------------------------------------------------

def test_split_properties_separates_relations_from_properties():
    props, rels = split_properties({"A": ["full_column_rank", "m >= n"], "X": "spd"},
                                   {"A": ("m", "n"), "X": ("n", "n")})
    assert props == {"A": frozenset({"full_column_rank"}), "X": frozenset({"spd"})}
    assert rels == (Relation("m", ">=", "n"),)


@pytest.mark.parametrize("props,shapes,match", [
    ({"X": ["spd"]}, {"X": ("m", "n")}, "square"),
    ({"X": ["symmetric"]}, {"X": (3, 2)}, "3x2"),
    ({"X": ["shiny"]}, {"X": ("n", "n")}, "unknown property"),
    ({"Y": ["spd"]}, {"X": ("n", "n")}, "no declared shape"),
    ({"X": ["k >= 2"]}, {"X": ("n", "n")}, "not a dimension name"),
])
def test_bad_properties_are_refused_by_name(props, shapes, match):
    with pytest.raises(SymjacError, match=match):
        split_properties(props, shapes)
    with pytest.raises(CheckError, match=match):
        Problem("trace(X)" if "X" in shapes else "X", None if "Y" in props else "X", shapes,
                "gradient", properties=props)


# --- sizes and points --------------------------------------------------------------------

def test_size_relation_holds_at_every_comparison_size():
    p = Problem("inv(A.T @ A) @ A.T @ y", "y", {"A": ("m", "n"), "y": ("m", 1)},
                properties={"A": ["full_column_rank", "m >= n"]})
    sizes = _size_assignments(p)
    assert len(sizes) == 2 and sizes[0] != sizes[1]
    assert all(s["m"] >= s["n"] for s in sizes)
    assert all(s["m"] != s["n"] for s in sizes)        # distinct sizes first: A stays non-square


def test_impossible_relations_are_a_check_error():
    p = Problem("A @ x", "x", {"A": ("m", "n"), "x": ("n", 1)}, properties={"A": ["m > n", "n > m"]})
    with pytest.raises(CheckError, match="no sizes satisfy"):
        _size_assignments(p)


@pytest.mark.parametrize("prop,law", [
    ("symmetric", lambda B: np.allclose(B, B.T)),
    ("spd", lambda B: np.allclose(B, B.T) and np.linalg.eigvalsh(B).min() > 0),
    ("orthogonal", lambda B: np.allclose(B.T @ B, np.eye(len(B)))),
    ("diagonal", lambda B: np.allclose(B, np.diag(np.diag(B)))),
    ("positive", lambda B: (B > 0).all()),
])
def test_points_satisfy_the_properties(prop, law):
    p = Problem("x.T @ B @ x", "x", QUAD, "gradient", properties={"B": [prop]})
    for sizes in _size_assignments(p):
        inst = _Instance(p, sizes)
        rng = np.random.default_rng(1)
        for positive in (False, True):
            arrays = inst.draw(rng, positive)
            assert arrays["B"].shape == (sizes["n"], sizes["n"]) and law(arrays["B"])


# --- verdicts: right only with the property; never accepted without it ------------------------

@pytest.mark.parametrize("answer", ["2Bx", "2B^T x", "(B + B^T) x"])
def test_symmetric_quadratic_form(answer):
    """Matrix Cookbook (81): ∇ₓ xᵀBx = (B + Bᵀ)x, = 2Bx for symmetric B."""
    assert check_pure(Problem("x.T @ B @ x", "x", QUAD, "gradient", properties={"B": "symmetric"}),
                      answer).verdict == "correct"


def test_without_the_property_the_symmetric_answer_is_wrong():
    r = check_pure(Problem("x.T @ B @ x", "x", QUAD, "gradient"), "2Bx")
    assert r.verdict == "incorrect" and r.diagnosis == ["doubled_term"]


def test_orthogonal_norm_preserved():
    """‖Qx‖² = xᵀQᵀQx: gradient 2QᵀQx, = 2x for orthogonal Q."""
    shapes = {"Q": ("n", "n"), "x": ("n", 1)}
    assert check_pure(Problem("norm(Q @ x)**2", "x", shapes, "gradient", properties={"Q": ["orthogonal"]}),
                      "2x").verdict == "correct"
    assert check_pure(Problem("norm(Q @ x)**2", "x", shapes, "gradient"), "2x").verdict == "incorrect"


def test_logdet_of_spd_matrix_with_inverse_at_symbolic_size():
    """Cookbook (57): ∂ ln det X / ∂X = X⁻ᵀ = X⁻¹ for symmetric X."""
    p = Problem("logdet(X)", "X", {"X": ("n", "n")}, "gradient", properties={"X": ["spd"]})
    assert check_pure(p, r"X^{-1}").verdict == "correct"
    assert check_pure(p, r"-X^{-1}").diagnosis == ["sign"]


@settings(max_examples=6, deadline=None)
@given(n=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_symmetric_key_is_brute_force_jacobian_at_symmetric_points(n, seed):
    """The compared key at a symmetric point equals SymPy's Matrix.jacobian of the flattened
    function evaluated there, and the answer 2Bx agrees with it (law: B = Bᵀ ⇒ (B + Bᵀ)x = 2Bx)."""
    p = Problem("x.T @ B @ x", "x", {"B": (n, n), "x": (n, 1)}, "gradient", properties={"B": "symmetric"})
    inst = _Instance(p, {})
    arrays = inst.draw(np.random.default_rng(seed), False)
    Bs, xs = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"b{i}{j}")), sp.Matrix(n, 1, lambda i, j: sp.Symbol(f"x{i}"))
    f = (xs.T * Bs * xs)
    J = f.jacobian(xs)                                   # 1×n, entries independent
    at = {Bs[i, j]: arrays["B"][i, j] for i in range(n) for j in range(n)}
    at.update({xs[i]: arrays["x"][i, 0] for i in range(n)})
    brute = np.array(J.subs(at), dtype=float).reshape(n)
    np.testing.assert_allclose(brute, 2 * arrays["B"] @ arrays["x"][:, 0], rtol=1e-10)
    assert check_pure(p, "2Bx").verdict == "correct"


# --- spec TOML: [properties] and definitions ------------------------------------------------

SPEC = {
    "title": "weighted least squares", "function": "(x - A @ s).T @ W @ (x - A @ s)", "wrt": "s",
    "convention": "gradient",
    "shapes": {"x": ["m", 1], "A": ["m", "n"], "s": ["n", 1], "W": ["m", "m"]},
    "properties": {"W": ["symmetric"], "A": ["m >= n"]},
}


def test_spec_properties_reach_the_checker():
    """Cookbook (84): ∂/∂s (x − As)ᵀW(x − As) = −2AᵀW(x − As) for symmetric W."""
    spec = spec_from_dict(SPEC)
    assert spec.properties == {"W": ["symmetric"], "A": ["m >= n"]}
    p = Problem.from_spec(spec)
    assert p.variable_properties == {"W": frozenset({"symmetric"})}
    assert all(s["m"] >= s["n"] for s in _size_assignments(p))
    assert check_pure(p, r"-2A^\top W(x - As)").verdict == "correct"
    assert check_pure(p, r"2A^\top W(x - As)").diagnosis == ["sign"]
    plain = Problem.from_spec(spec_from_dict({k: v for k, v in SPEC.items() if k != "properties"}))
    assert check_pure(plain, r"-2A^\top W(x - As)").verdict == "incorrect"


@pytest.mark.parametrize("props,match", [
    ({"V": ["symmetric"]}, "properties.V"), ({"W": ["shiny"]}, "unknown property"),
    ({"A": ["spd"]}, "square"), ("symmetric", "must be a table"),
])
def test_spec_bad_properties(props, match):
    with pytest.raises(SpecError, match=match):
        spec_from_dict({**SPEC, "properties": props})


def test_spec_definitions_reach_the_checker():
    """Backprop (Deep Learning §6.5): z = Wa + b, h = σ(z); ∇_b ‖h − y‖² = 2σ′(z) ⊙ (h − y)."""
    spec = spec_from_dict({
        "title": "output layer", "function": "norm(h - y)**2", "wrt": "b", "convention": "gradient",
        "shapes": {"W": ["m", "n"], "a": ["n", 1], "b": ["m", 1], "y": ["m", 1]},
        "definitions": {"z": "W @ a + b", "h": "sigmoid(z)"},
    })
    assert spec.definitions == {"z": "W @ a + b", "h": "sigmoid(z)"}
    p = Problem.from_spec(spec)
    assert check_pure(p, r"2\sigma'(z) \odot (h - y)").verdict == "correct"
    assert check_pure(p, r"2\operatorname{diag}(\sigma'(z))(h - y)").verdict == "correct"
    assert check_pure(p, r"-2\sigma'(z) \odot (h - y)").diagnosis == ["sign"]


@pytest.mark.parametrize("defs,match", [({"W": "a"}, "clashes"), ({"z": "W @ W"}, "definitions"),
                                         ({"z": 3}, "definitions")])
def test_spec_bad_definitions(defs, match):
    with pytest.raises(SpecError, match=match):
        spec_from_dict({"title": "t", "function": "z", "wrt": "a", "definitions": defs,
                        "shapes": {"W": ["m", "n"], "a": ["n", 1]}})


def test_cli_check_with_properties(tmp_path):
    spec = tmp_path / "p.toml"
    spec.write_text(textwrap.dedent("""\
        title = "gradient of log det"
        function = "logdet(X)"
        wrt = "X"
        convention = "gradient"
        [shapes]
        X = ["n", "n"]
        [properties]
        X = ["spd"]
        """))
    run = lambda ans: subprocess.run([sys.executable, "-m", "symjac.cli", "check", str(spec), "-"],
                                     input=ans, capture_output=True, text=True, timeout=120)
    ok, bad = run(r"X^{-1}"), run(r"X^{-1} X^{-1}")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


# --- gradients by a symmetric variable: symmetric = "free" | "frobenius" ------------------------

@settings(max_examples=5, deadline=None)
@given(n=st.integers(2, 4), seed=st.integers(0, 10_000))
def test_free_rule_is_the_derivative_by_the_distinct_entries(n, seed):
    """Matrix Cookbook §2.8: with X symmetric parametrised by x_ij (i ≤ j), ∂f/∂x_ij is entry (i, j)
    of G + Gᵀ − G∘I; brute force: SymPy differentiates tr(AX) with X_ji := X_ij."""
    from symjac.checking.engine import symmetric_gradient

    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    xs = {(i, j): sp.Symbol(f"x{i}{j}") for i in range(n) for j in range(i, n)}
    X = sp.Matrix(n, n, lambda i, j: xs[(min(i, j), max(i, j))])
    f = (sp.Matrix(A) * X).trace()
    G = A.T                                           # the unstructured gradient of tr(AX)
    free = symmetric_gradient(G, "free")
    for (i, j), s in xs.items():
        assert float(sp.diff(f, s)) == pytest.approx(free[i, j])
    np.testing.assert_allclose(symmetric_gradient(G, "frobenius"), (A + A.T) / 2)


@pytest.mark.parametrize("rule,right,other", [
    ("free", r"A + A^\top - (A \circ I)", r"\frac{1}{2}(A + A^\top)"),
    ("frobenius", r"\frac{1}{2}(A + A^\top)", r"A + A^\top - (A \circ I)"),
])
def test_symmetric_rules_and_the_other_one_named(rule, right, other):
    p = Problem("trace(A @ X)", "X", {"A": ("n", "n"), "X": ("n", "n")}, "gradient", symmetric=rule)
    assert "symmetric" in p.variable_properties["X"]
    assert check_pure(p, right).verdict == "correct"
    r = check_pure(p, other)
    assert (r.verdict, r.diagnosis) == ("incorrect", ["other_symmetric"])
    assert "the problem asks for the" in r.message and ("Frobenius" in r.message and "free-parameter" in r.message)


def test_symmetric_ignored_is_named_for_the_free_rule():
    p = Problem("trace(A @ X)", "X", {"A": ("n", "n"), "X": ("n", "n")}, "gradient", symmetric="free")
    assert check_pure(p, r"A^\top").diagnosis == ["symmetry_ignored"]


@pytest.mark.parametrize("kw,match", [
    ({"symmetric": "upper"}, "free' or 'frobenius"),
    ({"symmetric": "free", "convention": "vec"}, "gradient convention"),
])
def test_symmetric_rule_refused_where_it_means_nothing(kw, match):
    with pytest.raises(CheckError, match=match):
        Problem("trace(A @ X)", "X", {"A": ("n", "n"), "X": ("n", "n")}, **{"convention": "gradient", **kw})
    with pytest.raises(CheckError, match="square"):
        Problem("trace(A @ X)", "X", {"A": ("n", "m"), "X": ("m", "n")}, "gradient", symmetric="free")


def test_spec_symmetric_rule():
    base = {"title": "t", "function": "logdet(X)", "wrt": "X", "convention": "gradient",
            "shapes": {"X": ["n", "n"]}, "properties": {"X": ["spd"]}}
    p = Problem.from_spec(spec_from_dict({**base, "symmetric": "free"}))
    assert check_pure(p, r"2X^{-1} - (X^{-1} \circ I)").verdict == "correct"
    assert check_pure(p, r"X^{-1}").diagnosis == ["other_symmetric"]
    with pytest.raises(SpecError, match="symmetric"):
        spec_from_dict({**base, "symmetric": "both"})
    with pytest.raises(SpecError, match="symmetric"):
        spec_from_dict({**base, "convention": "vec", "symmetric": "free"})
