"""Conventions, laws, errors, printing and the safe-syntax builder of the closed-form engine."""
from __future__ import annotations

import json

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symjac import GRADIENT, NOTES, ROW, VEC, Convention, commutation_matrix, jacobian, matrix
from symjac.calculus.closedform import (
    ClosedFormCheckError,
    CommutationMatrix,
    closed_form,
    closed_form_from_text,
    closed_form_gradient,
    instantiate,
    tidy,
)
from symjac.calculus.closedform.proof import ProofRecord, prove
from symjac.verification import from_proof
from symjac.errors import ParseError, ShapeError, SymjacError, UnsupportedError

m, n, p = (sp.Symbol(s, integer=True, positive=True) for s in "m n p".split())
A, X = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("X", n, n)
x = sp.MatrixSymbol("x", n, 1)
ALL = [VEC, NOTES, ROW, GRADIENT, Convention("row", "col", "denominator")]


@pytest.mark.parametrize("conv", ALL, ids=lambda c: c.label)
@pytest.mark.parametrize("text,wrt,shapes", [
    ("A.T @ A", "A", {"A": ("m", "n")}),                                 # matrix by matrix
    ("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}),                    # vector by matrix
    ("sigmoid(W @ a + b)", "a", {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1)}),   # vector by vector
    ("trace(A @ X)", "X", {"A": ("m", "n"), "X": ("n", "m")}),           # scalar by matrix
    ("A @ B", "B", {"A": ("m", "n"), "B": ("n", "p")}),
])
def test_every_convention_matches_the_elementwise_engine(conv, text, wrt, shapes):
    r = closed_form_from_text(text, wrt, shapes, conv, kind="jacobian")
    assert r.convention == conv and r.proof.convention == conv.to_dict()
    assert len(r.proof.sizes) >= 3
    assert any(len(set(s)) > 1 for s in r.proof.sizes)                  # a non-square size was tried


def test_vec_and_notes_differ_for_ax():
    """DESIGN.md: ∇_A Ax is xᵀ⊗I under VEC and I⊗xᵀ under NOTES."""
    assert closed_form(A * x, A, VEC).expr == sp.KroneckerProduct(x.T, sp.Identity(m))
    assert closed_form(A * x, A, NOTES).expr == sp.KroneckerProduct(sp.Identity(m), x.T)


def test_gradient_preset_is_transpose_of_vec():
    J = instantiate(closed_form(A.T * A, A, VEC), {"m": 3, "n": 2})
    G = instantiate(closed_form(A.T * A, A, GRADIENT), {"m": 3, "n": 2})
    assert G == J.T


def test_proof_record_describes_itself():
    """The closed form's measurement is worded by the one verification record: never "proven"."""
    r = closed_form(A.T * A, A)
    ver = from_proof(r.proof)
    d = ver.describe()
    assert ver.passed and not ver.proven and not ver.complete and ver.how == "exact"
    vals = ",".join("(%d,%d)" % s for s in r.proof.sizes)
    assert d == "exact agreement with the entry-by-entry engine (symjac.jacobian) at sizes (m,n)=" + vals
    assert "proven" not in d and r.proof.method == "exact at sizes" and r.proof.exact
    rn = closed_form_gradient(sp.log(sp.Determinant(X)), X)
    dn = from_proof(rn.proof).describe()
    assert rn.proof.method == "numeric at points" and not rn.proof.exact
    assert dn.startswith("numerically, at 9 random points (3 at each of sizes n=")
    assert "against the entry-by-entry engine (symjac.gradient), relative tolerance 1e-09, seed 0" in dn
    assert json.loads(json.dumps(rn.to_dict()))["proof"]["method"] == "numeric at points"


def test_proof_record_at_a_fixed_size_says_exact_agreement_not_proven():
    B = sp.MatrixSymbol("B", 2, 3)
    d = from_proof(closed_form(B.T * B, B).proof).describe()
    assert d == "exact agreement with the entry-by-entry engine (symjac.jacobian) at its fixed size"


def test_to_dict_markdown_latex_text():
    r = closed_form_from_text("norm(y - Phi @ theta)**2", "theta",
                              {"y": ("N", 1), "Phi": ("N", "D"), "theta": ("D", 1)})
    assert r.to_text() == "-2 Φᵀ (y - Φ θ)"
    assert r.to_latex() == r"-2 \Phi^{\top} \left(y - \Phi \theta\right)"
    d = r.to_dict()
    assert d["kind"] == "gradient" and d["proof"]["method"] == "exact at sizes" and d["latex"] == r.to_latex()
    assert "$$" in r.to_markdown(from_proof(r.proof)) and "- exact agreement with the entry-by-entry engine (symjac.gradient) at sizes (D,N)=" in r.to_markdown(from_proof(r.proof))


def test_hessian_least_squares():
    r = closed_form_from_text("norm(y - Phi @ theta)**2", "theta",
                              {"y": ("N", 1), "Phi": ("N", "D"), "theta": ("D", 1)}, kind="hessian")
    assert r.to_text() == "2 Φᵀ Φ" and r.proof.method == "exact at sizes"


def test_textbook_forms():
    assert closed_form_from_text("tanh(W @ a + b)", "W", {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1)},
                                 "vec").to_text() == "aᵀ ⊗ diag(tanh′(W a + b))"
    assert closed_form_from_text("sigmoid(W @ a + b)", "a", {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1)},
                                 "vec").to_latex() == r"\operatorname{diag}\left(\sigma'\left(W a + b\right)\right) W"
    assert closed_form_from_text("x.T @ A @ x", "x", {"x": ("n", 1), "A": ("n", "n")}).to_text() == "(A + Aᵀ) x"


def test_scalar_variable_from_text():
    r = closed_form_from_text("c * A", "c", {"c": (1, 1), "A": ("m", "n")}, "vec", kind="jacobian")
    assert instantiate(r, {"m": 2, "n": 3}) == jacobian(sp.Symbol("c", real=True) * matrix("A", 2, 3),
                                                        sp.Matrix([[sp.Symbol("c", real=True)]]))


# --- laws (hypothesis, few examples) --------------------------------------------

@settings(max_examples=6, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4))
def test_commutation_object_matches_core(a, b):
    K = CommutationMatrix(a, b)
    assert instantiate(K, {}) == commutation_matrix(a, b)
    assert instantiate(tidy(K.T * K), {}) == sp.eye(a * b)


@settings(max_examples=5, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_vec_of_product_law(a, b, c):
    """vec(AXB) = (Bᵀ⊗A) vec X at random sizes: the closed form of AXB by X."""
    Am, Xm, Bm = sp.MatrixSymbol("A", p, m), sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("B", n, p)
    r = closed_form(Am * Xm * Bm, Xm, prove_it=False)
    sizes = {"p": a, "m": b, "n": c}
    Xe = instantiate(Xm, sizes)                      # X_11 …, or x-style X_1 … for a column, X for 1×1
    ref = jacobian(instantiate(Am * Xm * Bm, sizes), Xe)
    assert (instantiate(r, sizes) - ref).applyfunc(sp.expand) == sp.zeros(*ref.shape)


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(ALL))
def test_tidy_preserves_value(conv):
    raw = sp.MatMul(sp.KroneckerProduct(sp.Identity(n), A.T), sp.Identity(m * n), CommutationMatrix(n, m),
                    CommutationMatrix(m, n))
    assert instantiate(tidy(raw), {"m": 2, "n": 3}) == instantiate(raw, {"m": 2, "n": 3})


# --- errors ------------------------------------------------------------------------

def test_errors_are_symjac_errors_with_one_line():
    with pytest.raises(ShapeError, match="cannot add shapes m x n|cannot add shapes mxn and nxm"):
        closed_form_from_text("A + A.T", "A", {"A": ("m", "n")})
    with pytest.raises(ShapeError, match="needs a square matrix"):
        closed_form_from_text("det(A)", "A", {"A": ("m", "n")})
    with pytest.raises(ParseError):
        closed_form_from_text("A @", "A", {"A": ("m", "n")})
    with pytest.raises(SymjacError, match="no shape was declared"):
        closed_form_from_text("A", "B", {"A": ("m", "n")})


def test_construct_without_rule_is_named():
    class Mystery(sp.MatrixExpr):
        shape = property(lambda self: self.args[0].shape)
    with pytest.raises(UnsupportedError, match="no differentiation rule for Mystery"):
        closed_form(Mystery(A), A)


def test_variable_exponent_unsupported():
    with pytest.raises(UnsupportedError, match="variable exponent"):
        closed_form_gradient(sp.Trace(A.T * A) ** sp.Trace(A.T * A), A)


def test_wrong_closed_form_is_caught():
    """A deliberately wrong closed form fails its proof: never a silent wrong answer."""
    with pytest.raises(ClosedFormCheckError):
        prove("jacobian", A.T * A, A, sp.KroneckerProduct(sp.Identity(n), A.T), VEC)


def test_symmetric_variable_convention_is_stated():
    r = closed_form_gradient(sp.Trace(sp.MatrixSymbol("B", n, n) * X), X)
    assert "unstructured" in r.describe_convention()
    assert isinstance(r.proof, ProofRecord)
