"""symjac.properties: the shared vocabulary, relations read without evaluation, draws that satisfy them."""
import numpy as np
import pytest

from symjac.errors import SymjacError
from symjac.properties import draw, parse_properties, parse_relation, sizes_ok


def test_vocabulary_and_aliases():
    assert parse_properties({"X": ["symmetric", "SPD"], "A": "nonsingular"}) == {
        "X": frozenset({"symmetric", "spd"}), "A": frozenset({"invertible"})}
    with pytest.raises(SymjacError, match="unknown property 'hermitian'"):
        parse_properties({"X": ["hermitian"]})


def test_relations_are_read_not_evaluated():
    r = parse_relation("m >= n")
    assert (r.left, r.op, r.right) == ("m", ">=", "n")
    assert r.holds({"m": 3, "n": 2}) and not r.holds({"m": 2, "n": 3})
    assert parse_relation("n ≥ 2").holds({"n": 2})
    for bad in ["__import__('os')", "m >= n; 1", "m >= n + 1"]:
        with pytest.raises(SymjacError, match="cannot read the size relation"):
            parse_relation(bad)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_draws_satisfy_their_properties(n):
    rng = np.random.default_rng(n)
    S = draw(rng, (n, n), {"symmetric"})
    assert np.allclose(S, S.T)
    P = draw(rng, (n, n), {"spd"})
    assert np.allclose(P, P.T) and np.linalg.eigvalsh(P).min() > 0
    Q = draw(rng, (n, n), {"orthogonal"})
    assert np.allclose(Q.T @ Q, np.eye(n))
    Dg = draw(rng, (n, n), {"diagonal"})
    assert np.allclose(Dg, np.diag(np.diag(Dg))) and np.all(np.diag(Dg) != 0)
    assert np.linalg.cond(draw(rng, (n, n), {"invertible"})) < 1e6
    assert np.all(draw(rng, (n, 2), {"positive"}) > 0)
    assert np.all(draw(rng, (n, 2), {"nonnegative"}) >= 0)
    Z = draw(rng, (n, 2), {"integer"})
    assert np.array_equal(Z, np.round(Z))
    F = draw(rng, (n + 2, n), {"full_column_rank"})
    assert np.linalg.matrix_rank(F) == n


def test_shapes_that_cannot_carry_a_property():
    assert not sizes_ok((2, 3), {"symmetric"}) and not sizes_ok((2, 3), {"full_column_rank"})
    assert sizes_ok((3, 2), {"full_column_rank"})
    with pytest.raises(SymjacError, match="cannot be symmetric"):
        draw(np.random.default_rng(0), (2, 3), {"symmetric"})
