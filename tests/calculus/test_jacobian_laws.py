"""The core identities, as laws at random sizes against brute-force differentiation."""
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symjac import (DENOMINATOR, GRADIENT, NOTES, ROW, VEC, affine, commutation_matrix, derivative_array, gradient, gram,
                    jacobian, layer, least_squares, matrix, relu, sigmoid, vector)
from symjac.blocks import ACTIVATIONS
from tests.conftest import brute_force_jacobian

sizes = st.integers(min_value=1, max_value=4)
activations = st.sampled_from(["tanh", "sigmoid", "relu"])


def kron(A, B):
    return sp.kronecker_product(sp.Matrix(A), sp.Matrix(B))


def test_notes_reproduce_the_printed_4x6_jacobian_of_AtA():
    A = matrix("A", 3, 2)
    (a11, a12), (a21, a22), (a31, a32) = A.tolist()
    printed = sp.Matrix([
        [2 * a11, 0, 2 * a21, 0, 2 * a31, 0],
        [a12, a11, a22, a21, a32, a31],
        [a12, a11, a22, a21, a32, a31],
        [0, 2 * a12, 0, 2 * a22, 0, 2 * a32],
    ])
    assert jacobian(gram(A), A, NOTES) == printed


def test_vec_gives_the_design_matrix_of_AtA():
    A = matrix("A", 3, 2)
    (a11, a12), (a21, a22), (a31, a32) = A.tolist()
    expected = sp.Matrix([
        [2 * a11, 2 * a21, 2 * a31, 0, 0, 0],
        [a12, a22, a32, a11, a21, a31],
        [a12, a22, a32, a11, a21, a31],
        [0, 0, 0, 2 * a12, 2 * a22, 2 * a32],
    ])
    assert jacobian(gram(A), A) == expected


@given(sizes, sizes)
def test_gram_jacobian_is_I_kron_At_plus_At_kron_I_times_K(m, n):
    """d vec(AᵀA) = ((I_n ⊗ Aᵀ) + (Aᵀ ⊗ I_n) K_{m,n}) d vec A (Magnus & Neudecker)."""
    A = matrix("A", m, n)
    closed = kron(sp.eye(n), A.T) + kron(A.T, sp.eye(n)) * commutation_matrix(m, n)
    J = jacobian(gram(A), A)
    assert J == brute_force_jacobian(gram(A), A)
    assert (J - closed).expand() == sp.zeros(n * n, m * n)


@given(sizes, sizes)
def test_Ax_by_A_is_xT_kron_I_under_vec_and_I_kron_xT_under_notes(m, n):
    A, x = matrix("A", m, n), vector("x", n)
    assert jacobian(A * x, A, VEC) == kron(x.T, sp.eye(m))
    assert jacobian(A * x, A, NOTES) == kron(sp.eye(m), x.T)
    assert jacobian(A * x, A, NOTES) == brute_force_jacobian(A * x, A, "col", "row")


@given(sizes, sizes)
def test_affine_by_x_is_A(m, n):
    A, x, b = matrix("A", m, n), vector("x", n), vector("b", m)
    assert jacobian(affine(A, x, b), x) == A
    assert jacobian(affine(A, x), x, GRADIENT) == A.T


@given(sizes, sizes)
def test_least_squares_gradient_row_and_column(N, D):
    y, Phi, theta = vector("y", N), matrix("Phi", N, D), vector("theta", D)
    L = least_squares(y, Phi, theta)
    e = y - Phi * theta
    row = jacobian(L, theta)
    assert row.shape == (1, D)
    assert (row - (-2 * e.T * Phi)).expand() == sp.zeros(1, D)
    col = jacobian(L, theta, GRADIENT)
    assert (col - (-2 * Phi.T * e)).expand() == sp.zeros(D, 1)
    assert (row - brute_force_jacobian(L, theta)).expand() == sp.zeros(1, D)


@given(sizes, sizes)
def test_least_squares_by_Phi_is_not_a_silent_zero(N, D):
    """SymPy's MatrixSymbol.diff returns 0 here (ANCHORS.md); the gradient is 2(Φθ − y)θᵀ."""
    y, Phi, theta = vector("y", N), matrix("Phi", N, D), vector("theta", D)
    G = gradient(least_squares(y, Phi, theta), Phi)
    assert G.shape == (N, D)
    assert (G - 2 * (Phi * theta - y) * theta.T).expand() == sp.zeros(N, D)


@given(sizes, sizes, activations)
def test_layer_jacobians_by_a_b_and_vec_W(m, n, act):
    W, a, b = matrix("W", m, n), vector("a", n), vector("b", m)
    sigma = ACTIVATIONS[act]
    z = W * a + b
    t = sp.Symbol("t", real=True)
    D = sp.diag(*[sp.diff(sigma(t), t).subs(t, zi) for zi in z])   # diag(σ′(z))
    out = layer(W, a, b, act)
    assert jacobian(out, a) == D * W
    assert jacobian(out, b) == D
    assert jacobian(out, W) == kron(a.T, D)
    assert jacobian(out, [W, a, b]) == sp.Matrix.hstack(kron(a.T, D), D * W, D)
    assert jacobian(out, [W, a, b]) == brute_force_jacobian(out, [W, a, b])


@given(sizes, sizes, sizes)
def test_row_and_notes_are_commutation_reshuffles_of_vec(m, n, p):
    """J_ROW = K_{r,c} J_VEC K_{q,p}, J_NOTES = J_VEC K_{q,p}, J_DENOMINATOR = J_VECᵀ for F r×c of X p×q;
    GRADIENT is the denominator layout too unless F is a scalar (then it has X's shape)."""
    X, B = matrix("X", p, m), matrix("B", m, n)
    F = (X * B).applyfunc(sp.sin)            # p×n
    Jv = jacobian(F, X, VEC)
    assert jacobian(F, X, ROW) == commutation_matrix(p, n) * Jv * commutation_matrix(m, p)
    assert jacobian(F, X, NOTES) == Jv * commutation_matrix(m, p)
    assert jacobian(F, X, DENOMINATOR) == Jv.T
    assert jacobian(F, X, GRADIENT) == (Jv.T if (p, n) != (1, 1) else gradient(F, X))


@given(sizes, sizes)
def test_gradient_has_the_variables_shape_and_is_the_unvec_of_the_denominator_column(p, q):
    """∂tr(XᵀB)/∂X = B: GRADIENT gives X's shape, DENOMINATOR the (pq)×1 column vec B."""
    X, B = matrix("X", p, q), matrix("B", p, q)
    L = (X.T * B).trace()
    assert jacobian(L, X, GRADIENT) == B
    assert jacobian(L, X, DENOMINATOR) == sp.Matrix(p * q, 1, [B[i, j] for j in range(q) for i in range(p)])


@given(sizes, sizes, sizes, activations)
def test_chain_rule_is_a_matrix_product_under_vec(m, n, k, act):
    """J_{f∘g}(X) = J_f(g(X)) · J_g(X) when g's output order equals f's input order."""
    X, A = matrix("X", m, n), matrix("A", k, m)
    Y = matrix("Y", k, n)
    g = A * X
    f_of_Y = gram(Y.applyfunc(ACTIVATIONS[act]))
    sub = dict(zip(list(Y), list(g)))
    Jf_at_g = jacobian(f_of_Y, Y).xreplace(sub)
    J_composed = jacobian(f_of_Y.xreplace(sub), X)
    assert (J_composed - Jf_at_g * jacobian(g, X)).expand() == sp.zeros(n * n, m * n)


def test_derivative_array_is_the_convention_free_tensor():
    A = matrix("A", 3, 2)
    K = gram(A)
    T = derivative_array(K, A)
    assert T.shape == (2, 2, 3, 2)
    for i in range(2):
        for j in range(2):
            for k in range(3):
                for l in range(2):
                    assert T[i, j, k, l] == sp.diff(K[i, j], A[k, l])


def test_relu_derivative_is_heaviside_with_value_zero_at_zero():
    z = sp.Symbol("z", real=True)
    d = jacobian(relu(z), z)[0, 0]
    assert d == sp.Heaviside(z, 0)
    assert d.subs(z, 0) == 0 and d.subs(z, 2) == 1 and d.subs(z, -1) == 0


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    z = sp.Symbol("z", real=True)
    assert jacobian(sigmoid(z), z)[0, 0] == sigmoid(z) * (1 - sigmoid(z))


@pytest.mark.parametrize("make", [
    lambda x: sp.Piecewise((x[0] ** 2, x[0] > 0), (x[1], True)),
    lambda x: sp.Max(x[0], x[1] * x[2]),
    lambda x: sp.Abs(x[0] - x[1]),
    lambda x: (x[0] ** 2 + 1) / (x[1] ** 2 + x[2] ** 2 + 1),
    lambda x: x[0] ** x[1],
    lambda x: sp.exp(sp.sin(x[0] * x[1])) * sp.log(x[2] ** 2 + 1),
    lambda x: sp.Matrix([[x[0], x[1]], [x[2], x[0]]]).det() ** 3,
    lambda x: sp.atan2(x[0], x[1]),
])
def test_any_expression_agrees_with_sympy_diff(make):
    x = vector("x", 3)
    f = make(list(x))
    assert jacobian(f, x) == brute_force_jacobian(f, x)


def test_wrt_must_be_symbols():
    x = vector("x", 2)
    from symjac.errors import SymjacError
    with pytest.raises(SymjacError, match="with respect to symbols"):
        jacobian(x[0] ** 2, sp.Matrix([x[0] + 1]))
    with pytest.raises(SymjacError, match="repeat"):
        jacobian(x[0], [x, x])
