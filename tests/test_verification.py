"""Verification records never claim more than was done: one record type for every result."""
import json

import sympy as sp

from symjac import NOTES, VEC, closed_form, gram, jacobian, matrix, relu, vector
from symjac.calculus.indexform import GenericCheck
from symjac.evaluate.numeric import finite_difference_check
from symjac.verification import (EXACT, FINITE_DIFFERENCES, Verification, from_generic, from_numeric, from_proof,
                                 symbolic_check, verify_jacobian)


def test_a_correct_jacobian_is_proven_and_passes():
    A = matrix("A", 3, 2)
    ver = verify_jacobian(gram(A), A, convention=NOTES, points=3)
    assert ver.proven and ver.passed
    assert ver.how == EXACT and ver.independent and ver.complete and ver.entries == 24
    assert ver.also[0].how == FINITE_DIFFERENCES and ver.also[0].points == 3
    assert ver.describe().startswith("proven symbolically: all 24 entries equal SymPy's own differentiation exactly;")
    assert "numerically, at 3 random points" in ver.describe()


def test_a_wrong_layout_is_caught_by_both_checks():
    A = matrix("A", 3, 2)
    J_notes = jacobian(gram(A), A, NOTES)
    ver = verify_jacobian(gram(A), A, J_notes, VEC, points=3)
    assert not ver.passed and not ver.proven
    assert ver.failures == 14   # every entry where NOTES and VEC columns differ
    assert ver.also[0].agrees is False
    assert ver.describe().startswith("FAILED symbolically at 14 entries")


def test_incomplete_symbolic_check_without_points_does_not_pass():
    partial = Verification(EXACT, "every entry", "SymPy's own differentiation", independent=True, complete=False,
                           entries=24, checked=5)
    assert not partial.proven and not partial.passed
    assert "incomplete (5 of 24 entries" in partial.describe()
    assert partial.describe(deterministic=True) == "symbolic check incomplete within its time budget"


def test_records_say_when_the_engine_also_used_sympy_diff_and_then_do_not_say_proven():
    x = vector("x", 2)
    F = sp.Matrix([relu(x[0]) * x[1], sp.Piecewise((x[0], x[1] > 0), (x[1] ** 2, True))])
    check = symbolic_check(F, x, jacobian(F, x))
    assert check.agrees and check.complete and not check.independent
    assert not check.proven and check.passed
    assert "not independently" in check.describe() and "proven" not in check.describe()
    A = matrix("A", 2, 2)
    assert symbolic_check(gram(A), A, jacobian(gram(A), A)).independent


def test_proven_needs_exact_independent_complete_and_agreeing():
    base = dict(how=EXACT, subject="every entry", reference="SymPy's own differentiation", entries=4, checked=4)
    assert Verification(independent=True, **base).proven
    assert not Verification(independent=False, **base).proven
    assert not Verification(independent=True, complete=False, **base).proven
    assert not Verification(independent=True, agrees=False, **base).proven
    fd = Verification(FINITE_DIFFERENCES, "the Jacobian", "central finite differences", True, complete=False,
                      agrees=False, points=3, tolerance=1e-6, seed=0, error=1.0)
    assert not Verification(independent=True, **base).with_also(fd).proven


def test_every_measurement_becomes_the_same_record_and_json():
    x = vector("x", 3)
    F = sp.Matrix([x[0] * x[1], sp.sin(x[2])])
    num = from_numeric(finite_difference_check(F, x, points=4, seed=2))
    proof = from_proof(closed_form(sp.MatrixSymbol("A", 2, 3).T * sp.MatrixSymbol("A", 2, 3),
                                   sp.MatrixSymbol("A", 2, 3)).proof)
    gen = from_generic(GenericCheck(6, [], {"M": 3, "N": 2}))
    for rec in (num, proof, gen):
        assert isinstance(rec, Verification)
        d = json.loads(json.dumps(rec.to_dict()))
        assert d["summary"] == rec.describe() and d["proven"] is False and d["passed"] is True
    assert num.describe().startswith("numerically, at 4 random points (central differences, seed 2")
    assert proof.describe() == "exact agreement with the entry-by-entry engine (symjac.jacobian) at its fixed size"
    assert gen.describe() == "exact agreement with the entries of the explicit derivative at sizes (M,N)=(3,2)"
