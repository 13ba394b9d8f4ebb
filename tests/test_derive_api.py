"""symjac.derive: text in, a verified Jacobian out; called like jacobian (with matrices) it is one SymjacError."""
import pytest
import sympy as sp

from symjac import NOTES, SymjacError, derive, jacobian, matrix


def test_derive_from_text_matches_jacobian():
    r = derive("A.T @ A", "A", {"A": (3, 2)}, NOTES)
    A = matrix("A", 3, 2)
    assert r.matrix == sp.ImmutableMatrix(jacobian(A.T * A, A, NOTES))
    assert r.verification.passed


@pytest.mark.parametrize("args, words", [
    (lambda A: (A.T * A, A), "the function must be text (got ImmutableDenseMatrix)"),
    (lambda A: ("A.T @ A", A), "wrt must be a declared name or a list of names (got ImmutableDenseMatrix)"),
    (lambda A: ("A.T @ A", "A", NOTES), "shapes must be a dict of name -> (rows, cols) (got Convention)"),
])
def test_derive_called_like_jacobian_is_one_clear_error(args, words):
    A = matrix("A", 3, 2)
    with pytest.raises(SymjacError) as info:
        derive(*args(A))
    msg = str(info.value)
    assert words in msg and "use jacobian(F, X, convention)" in msg and "\n" not in msg
