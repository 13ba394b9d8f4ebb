"""symjac.evaluate.numeric: batched lambdify and finite-difference checks, on real values."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symjac
from symjac import NOTES, VEC, jacobian, matrix, scalar, vector
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.blocks import affine, gram, layer, least_squares, relu, sigmoid
from symjac.evaluate.numeric import NumericCheck, finite_difference_check, lambdify, numeric_agreement
from symjac.verification import from_numeric

A_VAL = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 6.0]])


def gram_vec_by_hand(A):
    """d vec(AᵀA)/d vec(A), column-major both sides: ∂K_pq/∂A_kl = δ_lq A_kp + δ_lp A_kq."""
    m, n = A.shape
    J = np.zeros((n * n, m * n))
    for p in range(n):
        for q in range(n):
            for k in range(m):
                for l in range(n):
                    J[p + n * q, k + m * l] = (l == q) * A[k, p] + (l == p) * A[k, q]
    return J


def sig(z):
    return 1 / (1 + np.exp(-z))


# --- lambdify: values ----------------------------------------------------------

def test_gram_jacobian_vec_equals_hand_formula_3x2():
    A = matrix("A", 3, 2)
    f = lambdify(jacobian(gram(A), A), [A])
    a11, a12, a21, a22, a31, a32 = A_VAL.ravel()
    expected = np.array([
        [2 * a11, 2 * a21, 2 * a31, 0, 0, 0],
        [a12, a22, a32, a11, a21, a31],
        [a12, a22, a32, a11, a21, a31],
        [0, 0, 0, 2 * a12, 2 * a22, 2 * a32],
    ])
    out = f(A_VAL)
    assert out.shape == (4, 6)
    np.testing.assert_allclose(out, expected, rtol=0, atol=0)
    np.testing.assert_allclose(out, gram_vec_by_hand(A_VAL), rtol=0, atol=0)


def test_gram_jacobian_notes_equals_lecture_notes_rows():
    A = matrix("A", 3, 2)
    out = lambdify(jacobian(gram(A), A, NOTES), [A])(A_VAL)
    a11, a12, a21, a22, a31, a32 = A_VAL.ravel()
    expected = np.array([
        [2 * a11, 0, 2 * a21, 0, 2 * a31, 0],
        [a12, a11, a22, a21, a32, a31],
        [a12, a11, a22, a21, a32, a31],
        [0, 2 * a12, 0, 2 * a22, 0, 2 * a32],
    ])
    np.testing.assert_array_equal(out, expected)


def test_batched_shape_and_slices_equal_unbatched_calls():
    A = matrix("A", 4, 3)
    f = lambdify(jacobian(gram(A), A), [A])
    As = np.random.default_rng(1).standard_normal((7, 4, 3))
    out = f(As)
    assert out.shape == (7, 9, 12)
    for b in range(7):
        np.testing.assert_array_equal(out[b], f(As[b]))
        np.testing.assert_allclose(out[b], gram_vec_by_hand(As[b]), rtol=0, atol=1e-14)


def test_constant_entries_batched_affine_wrt_x_and_b():
    # J of Ax + b wrt [x; b] is [A | I]: entries that are inputs of A, and constants 1.
    A, x, b = matrix("A", 2, 3), vector("x", 3), vector("b", 2)
    J = jacobian(affine(A, x, b), [x, b])
    f = lambdify(J, [A, x, b])
    rng = np.random.default_rng(2)
    As, xs, bs = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    out = f(As, xs, bs)
    assert out.shape == (5, 2, 5)
    np.testing.assert_array_equal(out[:, :, :3], As)
    np.testing.assert_array_equal(out[:, :, 3:], np.broadcast_to(np.eye(2), (5, 2, 2)))


def test_purely_constant_jacobian_batched():
    # Mx for a numeric M: J = M at every point, also batched (plain sympy.lambdify fails here).
    M = sp.Matrix([[1, 2, 0], [0, -3, sp.Rational(1, 2)]])
    x = vector("x", 3)
    f = lambdify(jacobian(M * x, x), [x])
    out = f(np.zeros((4, 3, 1)))
    assert out.shape == (4, 2, 3)
    np.testing.assert_array_equal(out, np.broadcast_to(np.array(M, dtype=float), (4, 2, 3)))
    np.testing.assert_array_equal(f(np.ones(3)), np.array(M, dtype=float))


@pytest.mark.parametrize(
    "act, fn, dfn",
    [
        ("tanh", np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        ("sigmoid", sig, lambda z: sig(z) * (1 - sig(z))),
        ("relu", lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
    ],
)
def test_layer_values_and_jacobian_wrt_a(act, fn, dfn):
    # a1 = σ(Wa + b); J_a = diag(σ′(z)) W.
    W, a, b = matrix("W", 3, 2), vector("a", 2), vector("b", 3)
    F = layer(W, a, b, act)
    rng = np.random.default_rng(3)
    Ws, av, bs = rng.standard_normal((6, 3, 2)), rng.standard_normal(2), rng.standard_normal((6, 3))
    z = Ws @ av + bs                                    # (6, 3)
    out = lambdify(F, [W, a, b])(Ws, av, bs)            # a unbatched: broadcasts
    np.testing.assert_allclose(out[:, :, 0], fn(z), rtol=1e-14, atol=1e-15)
    Ja = lambdify(jacobian(F, a), [W, a, b])(Ws, av, bs)
    np.testing.assert_allclose(Ja, dfn(z)[:, :, None] * Ws, rtol=1e-13, atol=1e-15)


def test_relu_derivative_is_zero_at_zero():
    z = scalar("z")
    f = lambdify(jacobian(relu(z), z), [z])
    np.testing.assert_array_equal(f(np.array([-1.0, 0.0, 2.0]))[:, 0, 0], [0.0, 0.0, 1.0])


def test_scalar_expression_and_scalar_arguments():
    s, t = scalar("s"), scalar("t")
    f = lambdify(s * t + 1, [s, t])
    assert f(2.0, 3.0).shape == (1, 1) and f(2.0, 3.0)[0, 0] == 7.0
    out = f(np.array([1.0, 2.0]), 3.0)
    assert out.shape == (2, 1, 1)
    np.testing.assert_array_equal(out[:, 0, 0], [4.0, 7.0])
    np.testing.assert_allclose(lambdify(sigmoid(s), [s])(0.0), [[0.5]])


def test_least_squares_gradient_value():
    # ∇_θ ‖y − Φθ‖² = −2 Φᵀ(y − Φθ)
    y, P, th = vector("y", 4), matrix("Phi", 4, 2), vector("theta", 2)
    g = lambdify(jacobian(least_squares(y, P, th), th), [y, P, th])
    rng = np.random.default_rng(4)
    yv, Pv, tv = rng.standard_normal(4), rng.standard_normal((4, 2)), rng.standard_normal(2)
    np.testing.assert_allclose(g(yv, Pv, tv)[0], -2 * Pv.T @ (yv - Pv @ tv), rtol=1e-12)


def test_object_with_matrix_and_variables():
    class Result:
        def __init__(self, matrix, variables):
            self.matrix, self.variables = matrix, variables

    A = matrix("A", 3, 2)
    f = lambdify(Result(jacobian(gram(A), A), [A]))
    np.testing.assert_array_equal(f(A_VAL), gram_vec_by_hand(A_VAL))


# --- lambdify: errors ------------------------------------------------------------

def test_missing_argument_names_the_symbols():
    A, x, b = matrix("A", 2, 2), vector("x", 2), vector("b", 2)
    with pytest.raises(SymjacError, match=r"no argument provides the symbol\(s\) b_1, b_2$"):
        lambdify(affine(A, x, b), [A, x])


def test_args_required_for_a_plain_matrix():
    with pytest.raises(SymjacError, match="needs args"):
        lambdify(gram(matrix("A", 2, 2)))


def test_undefined_function_is_not_compiled():
    x = scalar("x")
    evil = sp.Function("__import__('os').system")
    with pytest.raises(UnsupportedError):
        lambdify(evil(x), [x])


def test_bad_shapes_and_batch_sizes():
    A, x = matrix("A", 2, 3), vector("x", 3)
    f = lambdify(affine(A, x), [A, x])
    with pytest.raises(ShapeError, match=r"argument A has shape \(3, 2\)"):
        f(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ShapeError, match="batch size: 4 and 5"):
        f(np.zeros((4, 2, 3)), np.zeros((5, 3)))
    with pytest.raises(SymjacError, match=r"expected 2 argument\(s\) \(A, x\), got 1"):
        f(np.zeros((2, 3)))
    # a batch of 1 broadcasts against a batch of 4
    assert f(np.ones((1, 2, 3)), np.ones((4, 3))).shape == (4, 2, 1)


# --- finite differences ------------------------------------------------------------

FEW = settings(max_examples=4, deadline=None)


@FEW
@given(m=st.integers(1, 4), n=st.integers(1, 3), seed=st.integers(0, 100))
def test_fd_gram_passes(m, n, seed):
    A = matrix("A", m, n)
    check = finite_difference_check(gram(A), A, seed=seed)
    assert check.passed, check
    assert check.max_rel_error < 1e-7


@FEW
@given(m=st.integers(1, 4), n=st.integers(1, 4), act=st.sampled_from(["tanh", "sigmoid"]))
def test_fd_layer_passes_in_every_preset(m, n, act):
    W, a, b = matrix("W", m, n), vector("a", n), vector("b", m)
    F = layer(W, a, b, act)
    for conv in ("vec", "notes", "row", "gradient"):
        check = finite_difference_check(F, [W, a, b], convention=conv, points=3)
        assert check.passed, (conv, check)


@FEW
@given(N=st.integers(1, 5), D=st.integers(1, 3))
def test_fd_least_squares_passes_with_parameters(N, D):
    # y and Phi are parameters (not differentiated): they get random values too.
    y, P, th = vector("y", N), matrix("Phi", N, D), vector("theta", D)
    check = finite_difference_check(least_squares(y, P, th), th)
    assert check.passed, check


def test_fd_fails_for_convention_mismatch():
    # Ax wrt A: x^T ⊗ I under VEC, I ⊗ x^T under NOTES — checking the NOTES matrix as VEC fails.
    A, x = matrix("A", 2, 3), vector("x", 3)
    F = affine(A, x)
    wrong = jacobian(F, A, NOTES)
    check = finite_difference_check(F, A, J=wrong, convention=VEC)
    assert not check.passed and check.max_rel_error > 0.1
    assert from_numeric(check).describe().startswith("NOT verified")
    assert finite_difference_check(F, A, J=wrong, convention=NOTES).passed


def test_fd_fails_for_transposed_gram_jacobian_and_record_fields():
    A = matrix("A", 2, 2)
    K = gram(A)
    check = finite_difference_check(K, A, J=jacobian(K, A).T)
    assert isinstance(check, NumericCheck) and not check.passed
    ok = finite_difference_check(K, A, points=5, seed=0)
    d = ok.to_dict()
    assert d["method"] == "central finite differences" and d["points"] == 5 and d["seed"] == 0
    assert d["step"] == 1e-6 and d["tolerance"] == 1e-6 and d["passed"] is True
    assert from_numeric(ok).describe().startswith("numerically, at 5 random points (central differences, seed 0, max rel. error ")
    with pytest.raises(Exception):
        ok.passed = False                                   # frozen


def test_fd_wrong_shape_is_a_shape_error():
    A = matrix("A", 3, 2)
    with pytest.raises(ShapeError, match="J has shape 6x4"):
        finite_difference_check(gram(A), A, J=jacobian(gram(A), A).T)


def test_numeric_agreement():
    A = matrix("A", 3, 2)
    same = symjac.blocks.matmul(A.T, A)
    assert numeric_agreement(gram(A), same, A) < 1e-14
    assert numeric_agreement(gram(A), 2 * same, A, points=3, seed=1) > 0.1
    with pytest.raises(ShapeError):
        numeric_agreement(gram(A), A, A)


def test_symbolic_constants_piecewise_max_and_non_real():
    x = vector("x", 2)
    M = sp.Matrix([[sp.sqrt(2) * x[0], sp.pi], [sp.Max(x[0], 1), sp.Piecewise((x[1], x[1] > 0), (0, True))]])
    out = lambdify(M, [x])(np.array([[3.0, -1.0], [0.5, 2.0]]))
    np.testing.assert_allclose(out[0], [[3 * np.sqrt(2), np.pi], [3.0, 0.0]])
    np.testing.assert_allclose(out[1], [[0.5 * np.sqrt(2), np.pi], [1.0, 2.0]])
    with pytest.raises(UnsupportedError, match="non-real"):
        lambdify(sp.Matrix([[sp.I, x[0]]]), [x])
    with pytest.raises(UnsupportedError, match="non-real"):
        lambdify(sp.Matrix([[sp.I * x[0]]]), [x])(np.ones(2))


def test_fd_check_skips_points_outside_the_domain_but_still_catches_wrong_jacobians():
    """log and sqrt are undefined at negative draws: those points are skipped and counted."""
    x = vector("x", 2)
    F = x.applyfunc(lambda e: sp.log(e) + sp.sqrt(e))
    check = finite_difference_check(F, x, points=5, seed=0)
    assert check.passed and check.points == 5 and check.rejected > 0
    assert "outside the domain skipped" in from_numeric(check).describe()
    wrong = sp.diag(*[1 / e for e in x])           # forgot the sqrt term
    bad = finite_difference_check(F, x, J=wrong, points=5, seed=0)
    assert not bad.passed and bad.points == 5


def test_fd_check_with_no_point_in_the_domain_says_so():
    x = vector("x", 1)
    F = sp.Matrix([sp.log(-(x[0] ** 2) - 1)])      # defined nowhere on the reals
    check = finite_difference_check(F, x, J=sp.Matrix([[-2 * x[0] / (-(x[0] ** 2) - 1)]]), points=3)
    assert check.points == 0 and not check.passed
    assert from_numeric(check).describe().startswith("NOT verified: no random point found")
