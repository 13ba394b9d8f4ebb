"""The count of wrong entries agrees with its verb: "1 of 4 entries is wrong", "2 of 4 entries are wrong"."""
from symjac.checking.engine import Problem, check_pure


def _problem():
    return Problem(function="A @ x", wrt="x", shapes={"A": (2, 2), "x": (2, 1)}, convention="vec")


def test_one_wrong_entry_is_singular():
    r = check_pure(_problem(), r"\begin{bmatrix} A_{11} & A_{12} \\ A_{21} & 7 \end{bmatrix}")
    assert r.verdict == "incorrect"
    assert "incorrect: 1 of 4 entries is wrong: (2,2) should be A_{22}" in r.message


def test_several_wrong_entries_are_plural():
    r = check_pure(_problem(), r"\begin{bmatrix} A_{11} & 5 \\ A_{21} & 7 \end{bmatrix}")
    assert r.verdict == "incorrect"
    assert "incorrect: 2 of 4 entries are wrong:" in r.message
