"""Inverses, determinants and matrix powers at symbolic sizes (issue 13): the key is computed
numerically (checking/numeric_key.py) at well-conditioned points, never by symbolic inversion."""
from __future__ import annotations

import numpy as np
import pytest

from symjac.checking import numeric_key
from symjac.checking.engine import Problem, check_pure

INV = Problem("inv(X)", "X", {"X": ("n", "n")}, "vec")


@pytest.mark.parametrize("answer,verdict,codes", [
    (r"-X^{-\top} \otimes X^{-1}", "correct", []),                # Magnus–Neudecker: d vec X⁻¹ = −(X⁻ᵀ ⊗ X⁻¹) d vec X
    (r"-(X^{-1})^T \otimes X^{-1}", "correct", []),
    (r"X^{-\top} \otimes X^{-1}", "incorrect", ["sign"]),
    (r"-X^{-1} \otimes X^{-\top}", "incorrect", ["transposed"]),
    (r"-X^{-1} \otimes X^{-1}", "incorrect", None),
])
def test_inverse_jacobian_at_symbolic_size(answer, verdict, codes):
    r = check_pure(INV, answer)
    assert r.verdict == verdict, r.message
    if codes is not None:
        assert r.diagnosis == codes
    assert "too large" not in r.message


@pytest.mark.parametrize("function,answer,verdict", [
    ("det(X)", r"\det(X) X^{-\top}", "correct"),              # Matrix Cookbook (49)
    ("logdet(X)", r"X^{-T}", "correct"),                       # Cookbook (57)
    ("logdet(X)", r"X^{-1}", "incorrect"),
    ("trace(inv(X) @ A)", r"-X^{-T} A^T X^{-T}", "correct"),   # Cookbook (63)
    ("x.T @ inv(X) @ x", r"-X^{-T} x x^T X^{-T}", "correct"),  # Cookbook (72)
])
def test_scalar_functions_of_an_inverse(function, answer, verdict):
    p = Problem(function, "X", {"X": ("n", "n"), "A": ("n", "n"), "x": ("n", 1)}, "gradient")
    assert check_pure(p, answer).verdict == verdict


def test_numeric_key_matches_the_symbolic_engine_at_small_sizes():
    """Brute force: the numeric T equals SymPy's entry-by-entry derivative where both exist."""
    import sympy as sp

    from symjac.calculus.explicit import derivative_array
    from symjac.parsing.explicit import build_explicit
    from symjac.parsing.latex.nodes import Env, evaluate

    rng = np.random.default_rng(3)
    for f, shapes in [("inv(X) @ A", {"X": (3, 3), "A": (3, 2)}), ("A.T @ inv(X) @ A", {"X": (2, 2), "A": (2, 3)}),
                      ("logdet(X) * (A.T @ A)", {"X": (3, 3), "A": (3, 2)}), ("matrix_power(X, 3)", {"X": (3, 3)})]:
        arrays = numeric_key.well_conditioned(shapes, rng, False)
        F, variables = build_explicit(f, shapes)
        Fm = F if isinstance(F, sp.MatrixBase) else sp.ImmutableMatrix([[F]])
        T = derivative_array(Fm, variables["X"])
        env = Env({}, arrays)
        want = np.array([float(np.asarray(evaluate(e, env)).ravel()[0]) for e in sp.flatten(T.tolist())]).reshape(T.shape)
        np.testing.assert_allclose(numeric_key.derivative(f, arrays, "X"), want, rtol=1e-8, atol=1e-9)


def test_well_conditioned_points_are_invertible_with_positive_determinant():
    rng = np.random.default_rng(0)
    for n in (2, 4, 6):
        X = numeric_key.well_conditioned({"X": (n, n)}, rng, False)["X"]
        assert np.linalg.det(X) > 0 and np.linalg.cond(X) < 10


def test_only_heavy_functions_at_large_sizes_use_the_numeric_key():
    assert numeric_key.needs_numeric_key("inv(X)", {"X": (4, 4)})
    assert not numeric_key.needs_numeric_key("inv(X)", {"X": (3, 3)})
    assert not numeric_key.needs_numeric_key("X @ X", {"X": (5, 5)})


@pytest.mark.parametrize("answer,verdict,codes", [
    (r"A x + A^T x", "correct", []),
    (r"A x - A^T x", "incorrect", ["sign"]),     # one product-rule term with the wrong sign
    (r"A^T x", "incorrect", ["missing_term"]),
    (r"2 A x", "incorrect", ["doubled_term"]),
])
def test_sign_of_one_term(answer, verdict, codes):
    p = Problem("x.T @ A @ x", "x", {"A": ("n", "n"), "x": ("n", 1)}, "gradient")
    r = check_pure(p, answer)
    assert (r.verdict, r.diagnosis) == (verdict, codes), r.message


def test_sign_slip_in_one_term_of_an_index_formula():
    p = Problem("A.T @ A", "A", {"A": ("m", "n")}, "tensor", indices=("i", "j", "k", "l"))
    r = check_pure(p, r"\delta_{lj} A_{ki} - \delta_{li} A_{kj}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["sign"])
    r = check_pure(p, r"\begin{cases} 2A_{ki} & i = j = l \\ -A_{kj} & l = i \neq j \\ A_{ki} & l = j \neq i \\"
                      r" 0 & \text{otherwise} \end{cases}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["sign"]), r.message
    assert "{" not in r.message and "(" not in r.message.split("index combinations")[0]
