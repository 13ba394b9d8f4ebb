"""symbols.exactly_equal: the one exact-equality helper (structural, expand, expand_trig, cancel)."""
import sympy as sp
from hypothesis import given, settings, strategies as st

from symjac.symbols import exactly_equal, matrix

x, y = sp.symbols("x y", real=True)


def test_equal_after_expansion():
    assert exactly_equal((x + y) ** 2, x**2 + 2 * x * y + y**2)


def test_equal_as_rational_functions():
    assert exactly_equal(x / (x + 1) + 1 / (x + 1), sp.S.One)


def test_equal_by_trig_expansion():
    assert exactly_equal(sp.sin(2 * x), 2 * sp.sin(x) * sp.cos(x))
    assert exactly_equal(sp.tanh(x + y), (sp.tanh(x) + sp.tanh(y)) / (1 + sp.tanh(x) * sp.tanh(y)))


def test_unequal():
    assert not exactly_equal(x, x + 1)
    assert not exactly_equal(sp.sin(x), sp.cos(x))


def test_matrices_entry_by_entry_and_shapes():
    A = matrix("A", 2, 3)
    assert exactly_equal(A, sp.ImmutableMatrix(2, 3, list(A)))
    assert not exactly_equal(A, A.T)                       # shapes differ
    assert not exactly_equal(A, A + sp.ones(2, 3))
    assert not exactly_equal(A, A[0, 0])                   # a matrix is not a scalar


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=3, max_size=3))
def test_polynomial_identity_law(c):
    """(p + q)² = p² + 2pq + q² for random polynomials p, q."""
    p = c[0] * x**2 + c[1] * x + c[2]
    q = c[2] * y + c[0]
    assert exactly_equal((p + q) ** 2, p**2 + 2 * p * q + q**2)
    assert exactly_equal((p + q) ** 2, p**2 + q**2) == (sp.expand(p * q) == 0)
