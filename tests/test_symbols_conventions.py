"""Explicit symbols and the convention helpers: names, vec/unvec, commutation matrices."""
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symjac import GRADIENT, NOTES, ROW, VEC, Convention, commutation_matrix, matrix, scalar, unvec, vec, vector
from symjac.conventions import get_convention
from symjac.errors import ConventionError, SymjacError
from symjac.render.latex import latex
from symjac.symbols import entry_symbol, parse_entry_name

sizes = st.integers(min_value=1, max_value=5)


def test_matrix_entries_are_named_as_the_notes_write_them():
    A = matrix("A", 3, 2)
    assert A.shape == (3, 2)
    assert [str(e) for e in A] == ["A_11", "A_12", "A_21", "A_22", "A_31", "A_32"]
    assert latex(A[2, 1]) == "A_{32}"
    assert all(e.is_real for e in A)


def test_two_digit_indices_are_separated_by_a_comma():
    A = matrix("A", 2, 11)
    assert str(A[0, 9]) == "A_1,10"
    assert latex(A[0, 9]) == "A_{1,10}"
    assert str(A[0, 8]) == "A_19"


def test_base_zero_and_vectors_and_scalars():
    W = matrix("w", 2, 3, base=0)
    assert str(W[0, 0]) == "w_00" and str(W[1, 2]) == "w_12"
    x = vector("x", 3)
    assert x.shape == (3, 1) and [str(e) for e in x] == ["x_1", "x_2", "x_3"]
    assert str(vector("a", 2, base=0)[1]) == "a_1"
    b = scalar("b")
    assert isinstance(b, sp.Symbol) and b.is_real


def test_greek_and_layer_names_print_as_latex():
    assert latex(matrix("Phi", 2, 2)[0, 1]) == r"\Phi_{12}"
    assert latex(vector("theta", 2)[1]) == r"\theta_{2}"
    assert latex(matrix("W1", 2, 2)[1, 0]) == r"W^{(1)}_{21}"


def test_entry_names_round_trip():
    assert entry_symbol("A", 1, 10) == matrix("A", 1, 10)[0, 9]
    e = parse_entry_name("A_1,10")
    assert (e.name, e.indices) == ("A", (1, 10))
    e = parse_entry_name("W1_23")
    assert (e.name, e.indices, e.vector_index) == ("W1", (2, 3), 23)
    assert parse_entry_name("alpha") is None


@pytest.mark.parametrize("bad", ["", "1A", "A_1", "A B", "__import__"])
def test_bad_names_are_refused(bad):
    with pytest.raises(SymjacError, match="invalid symbol name"):
        matrix(bad, 2, 2)


@pytest.mark.parametrize("rows", [0, -1, 2.5, True])
def test_bad_sizes_are_refused(rows):
    with pytest.raises(SymjacError, match="rows must be a positive integer"):
        matrix("A", rows, 2)


def test_vec_stacks_columns_and_row_order_stacks_rows():
    A = matrix("A", 2, 3)
    assert list(vec(A)) == [A[0, 0], A[1, 0], A[0, 1], A[1, 1], A[0, 2], A[1, 2]]
    assert list(vec(A, "row")) == list(A)
    assert vec(A, "row") == vec(A.T)


@given(sizes, sizes, st.sampled_from(["col", "row"]))
def test_unvec_inverts_vec(m, n, order):
    A = matrix("A", m, n)
    assert unvec(vec(A, order), (m, n), order) == A


@given(sizes, sizes)
def test_commutation_matrix_maps_vec_A_to_vec_A_transpose(m, n):
    A = matrix("A", m, n)
    K = commutation_matrix(m, n)
    assert K * vec(A) == vec(A.T)
    assert K.T == commutation_matrix(n, m)
    assert K * commutation_matrix(n, m) == sp.eye(m * n)


def test_presets_are_defined_as_in_design():
    assert (VEC.outputs, VEC.inputs, VEC.layout) == ("col", "col", "numerator")
    assert (NOTES.outputs, NOTES.inputs, NOTES.layout) == ("col", "row", "numerator")
    assert (ROW.outputs, ROW.inputs, ROW.layout) == ("row", "row", "numerator")
    assert (GRADIENT.outputs, GRADIENT.inputs, GRADIENT.layout) == ("col", "col", "denominator")
    assert get_convention("NOTES") is NOTES and get_convention(None) is VEC


def test_unknown_conventions_are_refused_by_name():
    with pytest.raises(ConventionError, match="unknown convention 'foo'"):
        get_convention("foo")
    with pytest.raises(ConventionError, match="unknown layout"):
        Convention("col", "col", "sideways")
