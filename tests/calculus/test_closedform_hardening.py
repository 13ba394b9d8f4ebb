"""closedform never evaluates caller text: strings are refused with a SymjacError before anything runs."""
import numpy as np
import pytest
import sympy as sp

from symjac.calculus.closedform import (
    CommutationMatrix,
    Vec,
    closed_form,
    closed_form_gradient,
    closed_form_hessian,
    differential,
    instantiate,
)
from symjac.errors import SymjacError

m, n = sp.symbols("m n", integer=True, positive=True)
A = sp.MatrixSymbol("A", m, n)


def _payload(tmp_path):
    marker = tmp_path / "pwned"
    return marker, f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"


@pytest.mark.parametrize("call", [
    lambda p: closed_form(p, A),
    lambda p: closed_form_gradient(p, A),
    lambda p: closed_form_hessian(p, A),
    lambda p: differential(p, A),
    lambda p: instantiate(p, {"m": 2, "n": 2}),
    lambda p: instantiate(A, {"m": 1, "n": 1}, {"A": [[p]]}),
    lambda p: instantiate(A, {"m": 1, "n": 2}, {"A": [[p, p]]}),
    lambda p: instantiate(A, {"m": 1, "n": 1}, {"A": np.array([[p]])}),
    lambda p: instantiate(A, {"m": 1, "n": 1}, {"A": p}),
    lambda p: Vec(p),
    lambda p: CommutationMatrix(p, 2),
    lambda p: __import__("symjac.calculus.closedform.objects", fromlist=["x"]).as_expr(p.encode()),
])
def test_a_string_payload_is_refused_and_never_runs(tmp_path, call):
    marker, payload = _payload(tmp_path)
    with pytest.raises(SymjacError):
        call(payload)
    assert not marker.exists()


def test_refusal_is_one_clear_line():
    with pytest.raises(SymjacError) as info:
        closed_form("A", A)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg == "the function F must be a SymPy expression, not text; parse text with closed_form_from_text"


def test_numbers_and_arrays_still_instantiate():
    assert instantiate(A, {"m": 2, "n": 2}, {"A": np.eye(2)}) == sp.ImmutableMatrix([[1.0, 0.0], [0.0, 1.0]])
    assert instantiate(A, {"m": 2, "n": 1}, {"A": [1, 2]}) == sp.ImmutableMatrix([[1], [2]])
    assert instantiate(A, {"m": 2, "n": 1}, {"A": np.array([3, 4])}) == sp.ImmutableMatrix([[3], [4]])
    t = sp.MatrixSymbol("t", 1, 1)
    assert instantiate(t, {}, {"t": 5}) == sp.ImmutableMatrix([[5]])
    assert closed_form(3 * A, A).instantiate({"m": 1, "n": 1}) == sp.ImmutableMatrix([[3]])


def test_ragged_values_are_a_shape_error():
    with pytest.raises(SymjacError, match="rows of different lengths"):
        instantiate(A, {"m": 2, "n": 2}, {"A": [[1, 2], [3]]})
