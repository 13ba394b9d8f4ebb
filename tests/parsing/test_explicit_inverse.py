"""inv / det of explicit matrices: the adjugate by memoised cofactors equals SymPy's inverse, and the
derivative of inv(A) at 4×4 is proven exactly (every denominator held as one symbol)."""
import random

import pytest
import sympy as sp

from symjac.conventions import get_convention
from symjac.parsing.instantiate import adjugate_and_det
from symjac.parsing.explicit import build_explicit
from symjac.results import derive
from symjac.symbols import matrix
from symjac.verification import exactly_equal


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_adjugate_and_det_match_sympy(n):
    A = matrix("A", n, n)
    adj, det = adjugate_and_det(A)
    assert sp.expand(det - A.det(method="berkowitz")) == 0
    assert (adj - A.adjugate()).expand() == sp.zeros(n, n)
    assert (A * adj).expand() == sp.expand(det) * sp.eye(n)


def test_adjugate_of_a_composite_matrix_has_the_same_values():
    G, variables = build_explicit("inv(A.T @ A)", {"A": (3, 2)})
    A = variables["A"]
    rng = random.Random(3)
    point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in A}
    want = (A.T * A).subs(point).inv()
    assert G.subs(point) == want


def test_inverse_entries_are_compact_sums_of_cofactors():
    G, _ = build_explicit("inv(A)", {"A": (4, 4)})
    num, den = sp.fraction(G[0, 0])
    assert len(sp.expand(den).args) == 24           # det of a 4×4: 4! terms
    assert len(sp.expand(num).args) == 6            # a 3×3 cofactor: 3! terms
    assert sp.count_ops(den) < 80                   # not Berkowitz's nested form (134 operations)


def test_derivative_of_inv_at_4x4_is_proven_against_brute_force():
    r = derive("inv(A)", ["A"], {"A": (4, 4)}, get_convention("vec"), points=2, seed=1)
    assert r.verification.passed
    text = r.verification.describe()
    assert "proven symbolically: all 256 entries" in text


def test_exactly_equal_holds_denominators_as_symbols_and_still_finds_differences():
    x, y = sp.symbols("x y")
    D = x**2 + x * y + 1
    a = x / D + y * (x + 1) / D**2
    b = (x * D + x * y + y) / D**2
    assert exactly_equal(a, b)                      # x/D = xD/D²
    assert not exactly_equal(a, b + 1 / D**3)
    assert exactly_equal((x**2 - 1) / (x - 1), (x**2 - 1) / (x - 1))
