"""The index form is translated from the node tree (MatrixExprBuilder's), and is right at every index.

The generic entry ∂F_ij/∂X_kl (symbolic sizes) is evaluated as displayed — entry, derivative and
every case — at all index combinations of random concrete sizes, square and not, and compared with
the brute-force Jacobian: ``sp.diff`` of every entry of the explicit F by every entry of X.
"""
from __future__ import annotations

import random
import zlib

import pytest
import sympy as sp

from symjac import elementwise as registry
from symjac.calculus import indexform
from symjac.calculus.indexform import IndexTranslator, dim_symbol, generic_entry, index_symbol, verify_displayed
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.parsing.explicit import build_explicit
from symjac.parsing.matrixexpr import MatrixExprBuilder, build_matrix_expr
from symjac.parsing.nodes import Norm, elementwise, elementwise_node

SHAPES = {"A": ("M", "N"), "C": ("M", "N"), "B": ("N", "P"), "Q": ("N", "N"), "x": ("N", 1), "y": ("M", 1),
          "c": (1, 1)}

CASES = [
    ("A @ B", "A"), ("A @ B", "B"), ("A.T @ A", "A"), ("A @ x", "A"), ("A @ x", "x"), ("(A @ B).T", "B"),
    ("A * C", "A"), ("hadamard(A, A)", "A"), ("tanh(A @ x + y)", "A"), ("leaky_relu(A @ x, 0.2)", "x"),
    ("leaky_relu(A.T @ y, 0.2)", "A"), ("sigmoid(A) * C", "A"), ("trace(Q @ Q)", "Q"), ("trace(A.T @ C)", "A"),
    ("norm(A @ x - y)**2", "x"), ("norm(A)**2", "A"), ("sum(A * C)", "C"), ("x.T @ Q @ x", "x"), ("c * A / 2", "c"),
    ("tanh(c) * A", "c"),
]

NETWORK = {"W1": ("H", "D"), "a0": ("D", 1), "b1": ("H", 1), "W2": ("O", "H"), "b2": ("O", 1), "y": ("O", 1)}
NETWORK_TEXT = "0.5 * norm(tanh(W2 @ tanh(W1 @ a0 + b1) + b2) - y)**2"
NETWORK_CHAIN = [{"name": "z1", "function": "W1 @ a0 + b1"}, {"name": "a1", "function": "tanh(z1)"},
                 {"name": "z2", "function": "W2 @ a1 + b2"}, {"name": "a2", "function": "leaky_relu(z2, 0.2)"},
                 {"name": "L", "function": "0.5 * norm(a2 - y)**2"}]
NETWORK_FLAT = "0.5 * norm(leaky_relu(W2 @ tanh(W1 @ a0 + b1) + b2, 0.2) - y)**2"


def _sizes(dims, seed):
    """Three assignments of sizes 2..3 to ``dims``: all equal (square), all different where possible, random."""
    rng = random.Random(seed)
    square = {d: 2 for d in dims}
    apart = {d: 2 + k % 2 for k, d in enumerate(dims)}
    drawn = {d: rng.randint(2, 3) for d in dims}
    return [square, apart, drawn]


def _concrete(shapes, sizes):
    return {k: tuple(d if isinstance(d, int) else sizes[d] for d in s) for k, s in shapes.items()}


def _brute_force(text, wrt, concrete):
    """F explicitly, and ∂F_ab/∂X_cd by sp.diff of every entry (a rank-4 array)."""
    F, variables = build_explicit(text, concrete)
    F = F if isinstance(F, sp.MatrixBase) else sp.Matrix([[F]])
    X = variables[wrt]
    X = X if isinstance(X, sp.MatrixBase) else sp.Matrix([[X]])
    T = sp.MutableDenseNDimArray.zeros(*F.shape, *X.shape)
    for a in range(F.rows):
        for c in range(F.cols):
            for r in range(X.rows):
                for s in range(X.cols):
                    T[a, c, r, s] = sp.diff(F[a, c], X[r, s])
    return F, T


def _check(g, text, wrt, shapes, sizes):
    concrete = _concrete(shapes, sizes)
    F, T = _brute_force(text, wrt, concrete)
    chk = verify_displayed(g, sizes, concrete, T, F, F.shape, concrete[wrt])
    assert chk.passed, (text, wrt, sizes, chk.mismatches[:2])
    combos = F.rows * F.cols * concrete[wrt][0] * concrete[wrt][1]
    assert chk.checked >= F.rows * F.cols + combos      # every entry of F, the derivative (and cases) at every index


@pytest.mark.parametrize("text, wrt", CASES)
def test_index_form_equals_the_brute_force_jacobian_at_random_sizes(text, wrt):
    g = generic_entry(text, wrt, SHAPES)
    dims = sorted({d for s in SHAPES.values() for d in s if isinstance(d, str)})
    for sizes in _sizes(dims, seed=zlib.crc32(f"{text}|{wrt}".encode())):
        _check(g, text, wrt, SHAPES, sizes)


@pytest.mark.parametrize("wrt", ["W1", "W2", "b1"])
def test_two_layer_network_with_a_chain(wrt):
    g = generic_entry(NETWORK_FLAT, wrt, NETWORK, chain=NETWORK_CHAIN)
    assert [n.name for n in g.names] == ["z1", "a1", "z2", "a2"]
    assert sp.IndexedBase("a2") in g.derivative.atoms(sp.IndexedBase)     # written with the links' names
    for sizes in _sizes(["D", "H", "O"], seed=7):
        _check(g, NETWORK_FLAT, wrt, NETWORK, sizes)


def test_a_chain_with_a_scalar_link():
    """A 1×1 link (s = sum(z)) is a scalar name in later links; the formula verifies at every index."""
    chain = [{"name": "z", "function": "A @ x"}, {"name": "s", "function": "sum(z)"},
             {"name": "q", "function": "s * tanh(z)"}]
    g = generic_entry("sum(A @ x) * tanh(A @ x)", "A", SHAPES, chain=chain)
    assert [(n.name, n.indices) for n in g.names] == [("z", (index_symbol("i"),)), ("s", ())]
    assert sp.Symbol("s") in g.entry.free_symbols
    for sizes in _sizes(["M", "N", "P"], seed=3):
        _check(g, "sum(A @ x) * tanh(A @ x)", "A", SHAPES, sizes)


def test_the_chain_of_the_catalogue_network_is_named():
    g = generic_entry(NETWORK_TEXT, "W1", NETWORK, chain=[*NETWORK_CHAIN[:3], {"name": "a2", "function": "tanh(z2)"},
                                                          NETWORK_CHAIN[4]])
    i = index_symbol("i")
    z1, a0, W1, b1 = (sp.IndexedBase(name) for name in ("z1", "a0", "W1", "b1"))
    defs = {link.name: link for link in g.names}
    (k,) = defs["z1"].definition.atoms(sp.Sum).pop().variables
    assert defs["z1"].definition == sp.Sum(W1[i, k] * a0[k], (k, 1, sp.Symbol("D", integer=True, positive=True))) + b1[i]
    assert defs["a1"].definition == sp.tanh(z1[i])


# --- built from the node tree -------------------------------------------------------------------

m, n = (sp.Symbol(d, integer=True, positive=True) for d in "mn")
W, x = sp.MatrixSymbol("W", m, n), sp.MatrixSymbol("x", n, 1)
i, j = index_symbol("i"), index_symbol("j")
Wb, xb = sp.IndexedBase("W"), sp.IndexedBase("x")


def test_a_node_tree_built_in_sympy_is_translated():
    """No text: SymPy's own nodes and symjac's (ElementwiseApplyFunction with leaky ReLU's slope, Norm)."""
    t = IndexTranslator({"W": ("m", "n"), "x": ("n", 1)}, reserved="ij")
    node = elementwise_node(registry.get("leaky_relu"), sp.MatMul(W, x), params=(sp.Rational(1, 5),))
    entry = t.translate(node).entry(i, 1)
    k = t.dummies[-1]
    assert entry == registry.leaky_relu(sp.Sum(Wb[i, k] * xb[k], (k, 1, n)), sp.Rational(1, 5))
    # the tree MatrixExprBuilder builds from the text is the same tree, and translates the same
    text_node, _ = build_matrix_expr("leaky_relu(W @ x, 0.2)", {"W": ("m", "n"), "x": ("n", 1)})
    assert text_node == node
    t2 = IndexTranslator({"W": ("m", "n"), "x": ("n", 1)}, reserved="ij")
    assert t2.translate(text_node).entry(i, 1) == entry

    t = IndexTranslator({}, reserved="ij")
    z = sp.Symbol("z")
    squares = t.translate(elementwise(sp.Lambda(z, z**2 + 1), sp.Transpose(W))).entry(i, j)   # not a registry function
    assert squares == Wb[j, i] ** 2 + 1
    norm2 = t.translate(Norm(x) ** 2).entry(1, 1)
    (k, lo, hi), = norm2.limits
    assert norm2 == sp.Sum(xb[k] ** 2, (k, 1, n))


def test_scalars_one_by_one_matrices_and_sums():
    """A (1, 1) variable as tr(S) of a 1×1 MatrixSymbol, a 1×1 product read as a scalar (tr adds no sum),
    sum(M) = tr(1ᵀ M 1) as one double sum, integer sizes as placeholder bounds."""
    s = sp.Symbol("s", real=True)
    t = IndexTranslator({}, reserved="ij")
    xx = t.translate(sp.Trace(sp.MatrixSymbol("s", 1, 1)) * sp.Trace(sp.MatMul(sp.Transpose(x), x))).entry(1, 1)
    (k,) = t.dummies
    assert xx == s * sp.Sum(xb[k] ** 2, (k, 1, n))
    node, _ = build_matrix_expr("s * sum(W)", {"W": ("m", "n"), "s": (1, 1)}, variable="s")
    t = IndexTranslator({"W": ("m", "n"), "s": (1, 1)}, reserved="ij")
    total = t.translate(node).entry(1, 1)
    k, l = t.dummies
    assert total == s * sp.Sum(Wb[k, l], (k, 1, m), (l, 1, n))
    node, _ = build_matrix_expr("trace(A)", {"A": (3, 3)})
    t = IndexTranslator({"A": (3, 3)})
    tr = t.translate(node).entry(1, 1)
    (k,) = t.dummies
    assert tr == sp.Sum(sp.IndexedBase("A")[k, k], (k, 1, dim_symbol(3)))


def test_generic_entry_reads_the_text_once_into_nodes(monkeypatch):
    seen = []
    index = IndexTranslator.index

    def spy(self, node):
        seen.append(type(node).__name__)
        return index(self, node)

    monkeypatch.setattr(IndexTranslator, "index", spy)
    generic_entry("leaky_relu(A @ x, 0.2) * y", "A", SHAPES)
    assert {"HadamardProduct", "ElementwiseApplyFunction", "MatMul", "MatrixSymbol"} <= set(seen)
    assert not hasattr(indexform, "IndexBuilder")
    assert not any(hasattr(IndexTranslator, f) for f in ("name", "number", "binary", "unary", "call"))


def test_shape_errors_come_from_the_node_builder_and_unsupported_nodes_are_one_line():
    with pytest.raises(ShapeError, match="cannot multiply"):
        generic_entry("A @ y", "A", SHAPES)
    with pytest.raises(UnsupportedError) as info:
        generic_entry("det(Q)", "Q", SHAPES)
    assert "has no index form" in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, SymjacError)
    assert MatrixExprBuilder(SHAPES).symbols["c"] == sp.Symbol("c", real=True)
