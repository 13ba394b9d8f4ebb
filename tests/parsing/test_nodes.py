"""One node set: the LaTeX parser and the closed-form engine build the same classes, and K_{m,n},
vec and diag agree entry by entry with brute force and with conventions.commutation_matrix."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symjac.calculus.closedform import objects
from symjac.parsing.matrixexpr import build_matrix_expr
from symjac.conventions import commutation_matrix, flatten
from symjac.errors import ShapeError
from symjac.parsing import nodes
from symjac.parsing.latex import nodes as latex_nodes
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex
from symjac.symbols import matrix, vector

SH = {"A": ("m", "n"), "x": ("n", 1)}
def col(M):
    """vec M as an explicit column (brute force: the columns stacked)."""
    return sp.ImmutableMatrix(flatten(M, "col"))


SIZES = [(1, 1), (2, 3), (3, 2), (3, 3), (1, 4), (4, 1)]


def test_the_three_modules_share_one_class_per_construct():
    for name in ("CommutationMatrix", "Vec", "Unvec", "Diag", "Norm", "DiagEmbedding", "UnitVector",
                 "ElementwiseDerivative", "ElementwiseApplyFunction", "as_lambda", "elementwise"):
        assert getattr(objects, name) is getattr(nodes, name)
    for name in ("Commutation", "Vec", "Diag", "Norm", "Kron", "Hadamard", "Adjugate"):
        assert getattr(latex_nodes, name) is getattr(nodes, name)
    assert nodes.Commutation is nodes.CommutationMatrix


def test_latex_and_text_produce_the_same_nodes():
    assert type(parse_latex(r"K_{mn}", SH)) is nodes.CommutationMatrix
    assert type(parse_latex(r"\operatorname{vec}(A)", SH)) is nodes.Vec
    assert type(parse_latex(r"\operatorname{diag}(x)", SH)) is nodes.Diag
    assert type(parse_latex(r"\|A\|_F", SH)) is nodes.Norm
    assert type(build_matrix_expr("vec(A)", {"A": ("m", "n")})[0]) is nodes.Vec
    assert type(build_matrix_expr("diag(x)", {"x": ("n", 1)})[0]) is nodes.Diag


@pytest.mark.parametrize("latex,text", [
    (r"\tanh(A)", "tanh(A)"),
    (r"\sigma(A)", "sigmoid(A)"),
    (r"\operatorname{softplus}(A)", "softplus(A)"),
    (r"\operatorname{LeakyReLU}(A, 0.2)", "leaky_relu(A, 0.2)"),
    (r"\exp(A)", "exp(A)"),
])
def test_elementwise_functions_are_one_node_from_latex_and_text(latex, text):
    """f applied entry by entry is SymPy's ElementwiseApplyFunction over the same Lambda from both front ends."""
    from_latex = parse_latex(latex, SH)
    from_text = build_matrix_expr(text, {"A": ("m", "n")})[0]
    assert type(from_latex) is type(from_text) is nodes.ElementwiseApplyFunction
    assert from_latex == from_text


def test_a_prime_is_the_elementwise_derivative_of_the_same_function():
    e = parse_latex(r"\tanh'(A)", SH)
    assert type(e) is nodes.ElementwiseDerivative
    assert e.function == build_matrix_expr("tanh(A)", {"A": ("m", "n")})[0].function
    A = np.array([[0.3, -1.2]])
    got = evaluate(e, Env({sp.Symbol("m", integer=True, positive=True): 1,
                           sp.Symbol("n", integer=True, positive=True): 2}, {"A": A}))
    np.testing.assert_allclose(got, 1 - np.tanh(A) ** 2)


@pytest.mark.parametrize("m,n", SIZES)
def test_commutation_matrix_is_the_conventions_one(m, n):
    """K_{m,n} vec A = vec Aᵀ; the node's entries, as_explicit and the NumPy evaluator all equal
    conventions.commutation_matrix(m, n)."""
    A = matrix("A", m, n)
    K = commutation_matrix(m, n)
    assert K * col(A) == col(A.T)            # brute force: the defining law
    node = nodes.CommutationMatrix(m, n)
    assert node.as_explicit() == K
    assert sp.ImmutableMatrix(m * n, m * n, lambda i, j: node._entry(i, j)) == K
    mm, nn = sp.symbols("m n", integer=True, positive=True)
    got = evaluate(nodes.CommutationMatrix(mm, nn), Env({mm: m, nn: n}, {}))
    np.testing.assert_array_equal(got, np.array(K.tolist(), dtype=float))
    assert node.T == nodes.CommutationMatrix(n, m)


@pytest.mark.parametrize("m,n", SIZES)
def test_vec_unvec_and_diag_entries(m, n):
    A = matrix("A", m, n)
    assert nodes.Vec(A).as_explicit() == col(A)
    assert nodes.Unvec(col(A), m, n).as_explicit() == A
    v = vector("v", m)
    assert nodes.Diag(v).as_explicit() == sp.diag(*v)
    assert nodes.Diag(v.T).as_explicit() == sp.diag(*v)             # a row vector: the same diagonal


def test_diag_refuses_a_matrix_and_norm_keeps_its_kind():
    with pytest.raises(ShapeError, match="diag takes a vector"):
        nodes.Diag(matrix("A", 2, 3))
    A = sp.MatrixSymbol("A", 2, 3)
    assert nodes.Norm(A).kind == "2" and nodes.Norm(A, "F").kind == "F"
    assert nodes.Norm(A, "F").arg == A


def test_latex_norm_evaluates_like_the_frobenius_norm():
    rng = random.Random(3)
    for _ in range(3):
        m, n = rng.randint(1, 4), rng.randint(1, 4)
        a = np.array([[rng.uniform(-1, 1) for _ in range(n)] for _ in range(m)])
        mm, nn = sp.symbols("m n", integer=True, positive=True)
        val = evaluate(parse_latex(r"\|A\|_F", SH), Env({mm: m, nn: n}, {"A": a}))
        assert val == pytest.approx(np.linalg.norm(a))


# --- Kronecker and Hadamard products: one class each (SymPy's), one meaning in both evaluators ---

KH = {"A": ("m", "n"), "B": ("p", "q"), "C": ("m", "n")}


def test_kron_and_hadamard_are_sympys_classes_in_latex_and_text():
    """⊗ and ⊙/∘ read from LaTeX and kron/hadamard/* from text are KroneckerProduct / HadamardProduct."""
    assert nodes.Kron is sp.KroneckerProduct and nodes.Hadamard is sp.HadamardProduct
    assert latex_nodes.Kron is sp.KroneckerProduct and latex_nodes.Hadamard is sp.HadamardProduct
    for tex in (r"A \otimes B", r"I_m \otimes A^{\top}"):
        assert type(parse_latex(tex, KH)) is sp.KroneckerProduct
    for tex in (r"A \odot C", r"A \circ C"):
        assert type(parse_latex(tex, KH)) is sp.HadamardProduct
    assert type(build_matrix_expr("kron(A, B)", KH)[0]) is sp.KroneckerProduct
    assert type(build_matrix_expr("hadamard(A, C)", KH)[0]) is sp.HadamardProduct
    assert type(build_matrix_expr("A * C", KH)[0]) is sp.HadamardProduct


def test_parsed_products_stay_as_written():
    """I ⊗ I is not collapsed to one identity, and nothing is expanded on construction."""
    e = parse_latex(r"I_2 \otimes I_3", {})
    assert type(e) is sp.KroneckerProduct and len(e.args) == 2
    A = parse_latex(r"A \odot A", KH)
    assert type(A) is sp.HadamardProduct and A.args[0] == A.args[1]


def _rand(rng, r, c):
    return np.array([[rng.uniform(-2, 2) for _ in range(c)] for _ in range(r)])


@pytest.mark.parametrize("seed", range(4))
def test_both_evaluators_agree_with_brute_force_on_kron_and_hadamard(seed):
    """At random non-square sizes: the answer evaluator (parsed LaTeX), the closed-form evaluator
    (text) and brute force (explicit SymPy Kronecker/Hadamard of entry matrices) give one value."""
    from symjac.calculus.closedform.numeric import evaluate as cf_evaluate

    rng = random.Random(seed)
    m, n, p, q = (rng.randint(1, 4) for _ in range(4))
    if m == n:
        n += 1
    vals = {"A": _rand(rng, m, n), "B": _rand(rng, p, q), "C": _rand(rng, m, n)}
    sizes = {"m": m, "n": n, "p": p, "q": q}
    syms = {k: sp.Symbol(k, integer=True, positive=True) for k in sizes}
    env = Env({syms[k]: v for k, v in sizes.items()}, vals)
    ent = {k: matrix(k, *v.shape) for k, v in vals.items()}
    at = {s: sp.Float(x) for k in vals for s, x in zip(ent[k], vals[k].flatten())}
    brute = {
        "kron": np.array(sp.kronecker_product(ent["A"], ent["B"]).xreplace(at).tolist(), dtype=float),
        "hadamard": np.array(ent["A"].multiply_elementwise(ent["C"]).xreplace(at).tolist(), dtype=float),
    }
    for op, tex, text in (("kron", r"A \otimes B", "kron(A, B)"), ("hadamard", r"A \odot C", "hadamard(A, C)")):
        got_latex = evaluate(parse_latex(tex, KH), env)
        got_text = cf_evaluate(build_matrix_expr(text, KH)[0], sizes, vals)
        np.testing.assert_allclose(got_latex, brute[op], rtol=1e-12)
        np.testing.assert_allclose(got_text, brute[op], rtol=1e-12)
    # a closed form's three-factor product and the text front end's tree through the answer evaluator
    three = sp.KroneckerProduct(sp.Identity(2), build_matrix_expr("A", KH)[0], sp.Identity(3))
    np.testing.assert_allclose(evaluate(three, env), np.kron(np.kron(np.eye(2), vals["A"]), np.eye(3)))
    np.testing.assert_allclose(evaluate(build_matrix_expr("kron(A, B)", KH)[0], env), brute["kron"])


def test_hadamard_of_unequal_shapes_is_reported_when_evaluated():
    mm, nn = sp.symbols("m n", integer=True, positive=True)
    e = parse_latex(r"A \odot A^{\top}", SH)
    with pytest.raises(ShapeError, match="Hadamard product needs equal shapes, got 2x3 and 3x2"):
        evaluate(e, Env({mm: 2, nn: 3}, {"A": np.ones((2, 3))}))


def test_preview_prints_a_scalar_factor_as_written():
    from symjac.web.preview import preview_latex
    assert preview_latex(parse_latex(r"2 \odot A", SH)) == r"2 \odot A"
    assert preview_latex(parse_latex(r"A \otimes x", SH)) == r"A \otimes x"
