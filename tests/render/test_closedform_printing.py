"""Closed forms print names as the rest of symjac does (W1 → W^{(1)}), ones with their size, one layout."""
import sympy as sp

from symjac.calculus.closedform import closed_form, closed_form_from_text, to_latex, to_text
from symjac.calculus.closedform import identify, objects, readable
from symjac.render.closedform import ClosedFormLatexPrinter, ClosedFormTextPrinter
from symjac.render.latex import SymjacLatexPrinter, latex

m, n = sp.symbols("m n", integer=True, positive=True)


def test_layer_tags_print_as_in_the_rest_of_symjac():
    W1 = sp.MatrixSymbol("W1", 3, 3)
    Phi = sp.MatrixSymbol("Phi", 3, 3)
    x = sp.MatrixSymbol("x", 3, 1)
    assert issubclass(ClosedFormLatexPrinter, SymjacLatexPrinter)
    assert to_latex(W1 * Phi * x) == r"W^{(1)} \Phi x"
    assert to_latex(W1) == latex(sp.Symbol("W1")) == "W^{(1)}"
    assert to_text(W1 * Phi * x) == "W⁽¹⁾ Φ x"
    assert to_latex(sp.Symbol("b2") * W1) == r"b^{(2)} W^{(1)}"


def test_closed_form_of_a_tagged_weight_keeps_the_tag_everywhere():
    r = closed_form_from_text("tanh(W1 @ a)", "W1", {"W1": ("m", "n"), "a": ("n", 1)}, "vec")
    assert r.to_latex() == r"a^{\top} \otimes \operatorname{diag}\left(\tanh'\left(W^{(1)} a\right)\right)"
    assert r.to_text() == "aᵀ ⊗ diag(tanh′(W⁽¹⁾ a))"
    assert r.lhs_latex() == r"J_{W^{(1)}}\left(\tanh\left(W^{(1)} a\right)\right)"
    md = r.to_markdown()
    assert "dW^{(1)}" in md and "W_{1}" not in md


def test_ones_print_with_their_size():
    assert to_latex(sp.OneMatrix(m, 1)) == r"\mathbf{1}_{m}"
    assert to_latex(sp.OneMatrix(1, m)) == r"\mathbf{1}_{m}^{\top}"
    assert to_latex(sp.OneMatrix(m, n)) == r"\mathbf{1}_{m \times n}"
    assert to_text(sp.OneMatrix(m, 1)) == "1_m"
    assert to_text(sp.OneMatrix(1, 3)) == "1₃ᵀ"
    assert to_text(sp.OneMatrix(m, n)) == "1_{m×n}"


def test_sum_of_entries_is_tidy():
    shapes = {"A": ("m", "n")}
    g = closed_form_from_text("sum(A)", "A", shapes)
    assert g.to_text() == "1_{m×n}" and g.to_latex() == r"\mathbf{1}_{m \times n}"
    assert g.expr == sp.OneMatrix(m, n)
    j = closed_form_from_text("sum(A)", "A", shapes, "vec")
    assert j.to_text() == "1_{mn}ᵀ" and j.to_latex() == r"\mathbf{1}_{m n}^{\top}"
    assert j.instantiate({"m": 2, "n": 3}) == sp.ImmutableMatrix([[1] * 6])
    shapes = {"A": ("m", "n"), "x": ("n", 1)}
    assert closed_form_from_text("sum(A @ x)", "x", shapes).to_text() == "Aᵀ 1_m"
    assert closed_form_from_text("sum(A @ x)", "A", shapes).to_text() == "1_m xᵀ"
    assert closed_form_from_text("sum(A * A)", "A", {"A": ("m", "n")}).to_text() == "2 A"


def test_transposed_ones_tidy_to_ones():
    assert readable.tidy(sp.Transpose(sp.OneMatrix(m, n))) == sp.OneMatrix(n, m)
    assert readable.tidy(sp.MatMul(sp.OneMatrix(m, 1), sp.OneMatrix(1, n))) == sp.OneMatrix(m, n)
    assert readable.tidy(sp.MatMul(sp.OneMatrix(m, 3), sp.OneMatrix(3, n))) == sp.MatMul(3, sp.OneMatrix(m, n))
    A = sp.MatrixSymbol("A", m, n)
    assert closed_form(sp.Trace(sp.OneMatrix(1, m) * A * sp.OneMatrix(n, 1)), A).to_text() == "1_{mn}ᵀ"


def test_one_product_layout_and_one_split():
    assert ClosedFormLatexPrinter._print_MatMul is ClosedFormTextPrinter._print_MatMul
    assert ClosedFormLatexPrinter._print_MatAdd is ClosedFormTextPrinter._print_MatAdd
    assert identify._split is readable._split is objects.split_product
    A, B = sp.MatrixSymbol("A", m, n), sp.MatrixSymbol("B", m, n)
    C = sp.MatrixSymbol("C", n, m)
    e = sp.MatMul(-2, sp.MatAdd(A, -B), C)
    assert to_latex(e) == r"-2 \left(A - B\right) C"
    assert to_text(e) == "-2 (A - B) C"
