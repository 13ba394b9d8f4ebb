"""Verification records never claim more than was done."""
import sympy as sp

from symjac import NOTES, VEC, gram, jacobian, matrix, relu, vector
from symjac.verification import SymbolicCheck, Verification, symbolic_check, verify_jacobian


def test_a_correct_jacobian_is_proven_and_passes():
    A = matrix("A", 3, 2)
    ver = verify_jacobian(gram(A), A, convention=NOTES, points=3)
    assert ver.proven and ver.passed
    assert ver.symbolic.independent
    assert ver.describe().startswith("proven symbolically: all 24 entries equal SymPy's own differentiation exactly;")
    assert "numerically, at 3 random points" in ver.describe()


def test_a_wrong_layout_is_caught_by_both_checks():
    A = matrix("A", 3, 2)
    J_notes = jacobian(gram(A), A, NOTES)
    ver = verify_jacobian(gram(A), A, J_notes, VEC, points=3)
    assert not ver.passed and not ver.proven
    assert len(ver.symbolic.mismatches) == 14   # every entry where NOTES and VEC columns differ
    assert ver.numeric.passed is False


def test_incomplete_symbolic_check_without_points_does_not_pass():
    partial = SymbolicCheck(entries_checked=5, entries_total=24, complete=False)
    ver = Verification(symbolic=partial, numeric=None)
    assert not ver.proven and not ver.passed
    assert "incomplete (5 of 24 entries" in ver.describe()


def test_records_say_when_the_engine_also_used_sympy_diff():
    x = vector("x", 2)
    F = sp.Matrix([relu(x[0]) * x[1], sp.Piecewise((x[0], x[1] > 0), (x[1] ** 2, True))])
    check = symbolic_check(F, x, jacobian(F, x))
    assert check.passed and not check.independent
    ver = Verification(symbolic=check)
    assert "not independent" in ver.describe()
    A = matrix("A", 2, 2)
    assert symbolic_check(gram(A), A, jacobian(gram(A), A)).independent
