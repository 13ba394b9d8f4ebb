"""The one NumPy interpreter of the node set (symjac.parsing.numeric).

Answers (latex.nodes.Env / evaluate), closed forms (calculus.closedform.numeric), compiled closed
forms' fallback (evaluate.closedform) and proofs all evaluate through the same Evaluator; its value
of every node class is checked against the exact symbolic instantiation (instantiate, entries
substituted) at several sizes, square and not, batched and not.
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symjac.calculus.closedform import numeric as closedform_numeric
from symjac.calculus.closedform.instantiate import instantiate
from symjac.errors import ShapeError
from symjac.evaluate import closedform as compiled
from symjac.parsing import nodes, numeric
from symjac.parsing.latex import nodes as latex_nodes

m, n = sp.symbols("m n", integer=True, positive=True)
A, B = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("B", n, m)
X, x, y = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("y", m, 1)
t = sp.Symbol("t", real=True)
Z = sp.Symbol("zeta_", real=True)

# One expression per node class (and the paper rules they meet), each a function of A, B, X, x, y, t.
EXPRESSIONS = {
    "matmul, transpose, add": A * B + 2 * (B.T * A.T),
    "kronecker": sp.KroneckerProduct(A, X.T),
    "hadamard": sp.HadamardProduct(A, B.T),
    "hadamard power": sp.HadamardPower(A, 3),
    "commutation": nodes.CommutationMatrix(m, n) * nodes.Vec(A),
    "vec, unvec": nodes.Unvec(nodes.Vec(A), m, n) + A,
    "diag": nodes.Diag(x) * X,
    "diag of a row": nodes.Diag(x.T),
    "diagonal of": sp.DiagonalOf(X),
    "diag embedding": nodes.DiagEmbedding(n) * x,
    "unit vector": nodes.UnitVector(0, n).T * X,
    "inverse, power": sp.Inverse(X * X.T + n * sp.Identity(n)) + sp.MatPow(X, 2),
    "trace, det, norm": t * sp.Trace(X) + sp.Determinant(X) - nodes.Norm(A) ** 2,
    "elementwise registry": nodes.elementwise(sp.tanh, A) + nodes.ElementwiseDerivative(nodes.as_lambda(sp.tanh), A),
    "elementwise lambda": nodes.elementwise(sp.Lambda(Z, Z ** 2 + sp.sin(Z) - 1), A),
    "lambda derivative": nodes.ElementwiseDerivative(sp.Lambda(Z, sp.exp(2 * Z) * Z), A),
    "ones and zeros": sp.OneMatrix(m, n) + sp.ZeroMatrix(m, n) - A,
    "matrix element": A[0, n - 1] * X,
    "abs, max, heaviside": nodes.elementwise(sp.Lambda(Z, sp.Abs(Z) + sp.Max(Z, 0) + sp.Heaviside(Z)), A),
}

SIZES = [(1, 1), (2, 3), (3, 2), (3, 3), (1, 4)]


def _point(rng, mv, nv, batch=()):
    return {
        "A": rng.normal(size=batch + (mv, nv)), "B": rng.normal(size=batch + (nv, mv)),
        "X": rng.normal(size=batch + (nv, nv)), "x": rng.normal(size=batch + (nv, 1)),
        "y": rng.normal(size=batch + (mv, 1)), "t": rng.normal(size=batch),
    }


def _exact(expr, sizes, point):
    """The exact instantiation with the point's values substituted, as floats."""
    M = instantiate(expr, sizes, {k: sp.Matrix(v) if np.ndim(v) == 2 else sp.Float(float(v)) for k, v in point.items()})
    return np.array(M.evalf().tolist(), dtype=float)


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
@pytest.mark.parametrize("mv,nv", SIZES)
def test_every_node_class_equals_the_exact_instantiation(name, mv, nv):
    expr = EXPRESSIONS[name]
    sizes = {"m": mv, "n": nv}
    rng = np.random.default_rng(mv * 10 + nv)
    point = _point(rng, mv, nv)
    got = numeric.evaluate(expr, sizes, point)
    np.testing.assert_allclose(got, _exact(expr, sizes, point), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_a_batch_is_the_points_one_by_one(name):
    expr, sizes = EXPRESSIONS[name], {"m": 2, "n": 3}
    rng = np.random.default_rng(7)
    batch = _point(rng, 2, 3, batch=(5,))
    got = numeric.evaluate(expr, sizes, batch)
    for k in range(5):
        one = numeric.evaluate(expr, sizes, {name_: v[k] for name_, v in batch.items()})
        np.testing.assert_allclose(got[k], one, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 32 - 1))
def test_random_products_and_sums_agree_with_numpy(mv, nv, seed):
    """A random chain (A Bᵀ …) built from the nodes equals the same chain computed by hand."""
    rng = np.random.default_rng(seed)
    point = _point(rng, mv, nv)
    expr, ref = A, point["A"]
    for step in rng.integers(0, 4, size=4):
        if step == 0:
            expr, ref = expr * B * A, ref @ point["B"] @ point["A"]
        elif step == 1:
            expr, ref = sp.HadamardProduct(expr, A), ref * point["A"]
        elif step == 2:
            expr, ref = expr + 3 * A, ref + 3 * point["A"]
        else:
            expr, ref = nodes.elementwise(sp.tanh, expr), np.tanh(ref)
    np.testing.assert_allclose(numeric.evaluate(expr, {"m": mv, "n": nv}, point), ref, rtol=1e-10, atol=1e-12)


def test_answers_closed_forms_and_compiled_forms_share_the_one_evaluator():
    assert issubclass(latex_nodes.Env, numeric.Evaluator)
    assert closedform_numeric.Evaluator is numeric.Evaluator
    assert compiled.Evaluator is numeric.Evaluator
    assert closedform_numeric.InvalidInstance is numeric.InvalidInstance


def test_no_second_numpy_interpreter_of_the_nodes():
    """Only parsing/numeric.py dispatches node classes to NumPy: no other module of symjac/ both names
    a node class in an isinstance test and calls np.kron / einsum / linalg.inv on it."""
    root = Path(numeric.__file__).resolve().parents[1]
    node_names = {"KroneckerProduct", "HadamardProduct", "CommutationMatrix", "Commutation", "Kron", "Hadamard",
                  "ElementwiseApplyFunction", "ElementwiseDerivative", "Vec", "Diag", "DiagEmbedding"}
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "numeric.py" and path.parent.name == "parsing":
            continue
        text = path.read_text(encoding="utf-8")
        if "np." not in text:
            continue
        tree = ast.parse(text)
        tested = {n.id if isinstance(n, ast.Name) else n.attr for c in ast.walk(tree)
                  if isinstance(c, ast.Call) and getattr(c.func, "id", None) == "isinstance" and len(c.args) == 2
                  for n in ast.walk(c.args[1]) if isinstance(n, (ast.Name, ast.Attribute))}
        if tested & node_names and any(s in text for s in ("np.kron(", "np.einsum(", "np.linalg.inv(")):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_paper_rules_of_answers():
    """A 1×1 factor acts as a scalar; I and 1 written without a size take it from their context."""
    k = sp.Symbol("k", integer=True, positive=True)
    env = latex_nodes.Env({n: 3}, {"x": np.arange(1.0, 4.0).reshape(3, 1), "X": np.eye(3) * 2})
    xs = sp.MatrixSymbol("x", n, 1)
    np.testing.assert_allclose(latex_nodes.evaluate((xs.T * xs) * sp.MatrixSymbol("X", n, n), env), 28 * np.eye(3))
    np.testing.assert_allclose(latex_nodes.evaluate(sp.MatAdd(sp.MatrixSymbol("X", n, n), sp.Identity(k)), env),
                               3 * np.eye(3))
    assert latex_nodes.evaluate(sp.Trace(sp.MatrixSymbol("X", n, n)), env) == 6.0      # a scalar is a float
    with pytest.raises(ShapeError, match="cannot multiply a 3x1 matrix by a 3x1 matrix"):
        latex_nodes.evaluate(sp.MatMul(xs, xs, evaluate=False), env)


def test_an_entry_outside_the_matrix_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"entry \[0, 1\] outside a 1x1 matrix"):
        numeric.evaluate(A[0, 1] * X, {"m": 1, "n": 1}, _point(np.random.default_rng(0), 1, 1))


def test_strict_mode_refuses_points_outside_the_domain():
    Xs = sp.MatrixSymbol("X", 2, 2)
    with pytest.raises(numeric.InvalidInstance, match="singular or ill-conditioned"):
        numeric.evaluate(sp.Inverse(Xs), {}, {"X": np.ones((2, 2))}, strict=True)
    with pytest.raises(numeric.InvalidInstance, match="not finite"):
        numeric.evaluate(nodes.elementwise(sp.log, Xs), {}, {"X": -np.ones((2, 2))}, strict=True)
    assert np.isnan(numeric.evaluate(nodes.elementwise(sp.log, Xs), {}, {"X": -np.ones((2, 2))})).all()


def test_odd_roots_of_negative_numbers_are_real_and_even_roots_nan():
    s = sp.Symbol("s", real=True)
    got = numeric.evaluate(s ** sp.Rational(1, 3), {}, {"s": np.array([-8.0, 27.0])})
    np.testing.assert_allclose(got[:, 0, 0], [-2.0, 3.0])
    assert numeric.evaluate(s ** sp.Rational(-2, 3), {}, {"s": -8.0})[0, 0] == pytest.approx(0.25)
    assert np.isnan(numeric.evaluate(sp.sqrt(s), {}, {"s": -4.0})[0, 0])


def test_strict_piecewise_only_counts_the_chosen_branch():
    P = sp.MatrixSymbol("P", 2, 2)
    safe_log = nodes.elementwise(sp.Lambda(Z, sp.Piecewise((sp.log(Z), Z > 0), (0, True))), P)
    val = np.array([[-1.0, 2.0], [np.e, -3.0]])
    np.testing.assert_allclose(numeric.evaluate(safe_log, {}, {"P": val}, strict=True), [[0, np.log(2)], [1, 0]])
    unsafe = nodes.elementwise(sp.Lambda(Z, sp.Piecewise((sp.log(Z), Z < 0), (0, True))), P)
    with pytest.raises(numeric.InvalidInstance):
        numeric.evaluate(unsafe, {}, {"P": val}, strict=True)


def test_block_matrices_take_batches():
    P = sp.MatrixSymbol("P", 2, 2)
    vals = np.random.default_rng(3).normal(size=(4, 2, 2))
    got = numeric.evaluate(sp.BlockMatrix([[P, sp.Identity(2)]]), {}, {"P": vals})
    assert got.shape == (4, 2, 4)
    np.testing.assert_allclose(got[:, :, :2], vals)
    np.testing.assert_allclose(got[:, :, 2:], np.broadcast_to(np.eye(2), (4, 2, 2)))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_adjugate_is_the_cofactor_matrix_also_when_singular(k):
    P = sp.MatrixSymbol("P", k, k)
    rng = np.random.default_rng(k)
    val = rng.normal(size=(k, k))
    exact = np.array(instantiate(nodes.Adjugate(P), {}, {"P": sp.Matrix(val)}).evalf().tolist(), dtype=float)
    np.testing.assert_allclose(numeric.evaluate(nodes.Adjugate(P), {}, {"P": val}), exact, atol=1e-10)
    v = rng.normal(size=(k, 1))
    singular = numeric.evaluate(nodes.Adjugate(P), {}, {"P": v @ v.T})       # rank 1
    exact = np.array(instantiate(nodes.Adjugate(P), {}, {"P": sp.Matrix(v @ v.T)}).evalf().tolist(), dtype=float)
    np.testing.assert_allclose(singular, exact, atol=1e-10)
    if k >= 3:
        np.testing.assert_allclose(singular, 0, atol=1e-12)
