"""Repeated products, spectral radius and initialisation: laws, at random seeds."""
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symjac.errors import SymjacError
from symjac.study.spectral import (
    circular_law,
    classify_trend,
    dominance,
    eigenvalues,
    exact_eigenvalues,
    example_cases,
    init_matrix,
    jacobian_vs_depth,
    matrix_with_eigenvalues,
    power_run,
    radius_samples,
    scheme_variance,
    spectral_radius,
)

SEEDS = st.integers(0, 2**31 - 1)


@settings(max_examples=15, deadline=None)
@given(seed=SEEDS)
def test_quotient_tends_to_spectral_radius_for_dominant_real_eigenvalue(seed):
    """Law: one real eigenvalue of largest modulus ⇒ ‖Aⁿx‖/‖Aⁿ⁻¹x‖ → ρ(A) (error ~ gapⁿ)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 8))
    rho = float(rng.uniform(0.5, 3.0)) * rng.choice([-1.0, 1.0])
    rest = rng.uniform(-0.7, 0.7, size=k - 1) * abs(rho)  # gap ≤ 0.7
    A = matrix_with_eigenvalues([rho, *rest], rng)
    assume(np.linalg.cond(A) < 1e8)
    dom = dominance(eigenvalues(A))
    assert dom.kind == "real" and dom.quotient_converges
    run = power_run(A, rng.normal(size=k), 120)
    assert abs(run.final_quotient - abs(rho)) < 1e-6 * abs(rho)
    assert abs(dom.radius - abs(rho)) < 1e-8 * abs(rho)


@settings(max_examples=15, deadline=None)
@given(seed=SEEDS, k=st.integers(2, 12))
def test_quotient_law_on_gaussian_matrices(seed, k):
    """Random N(0,1) matrices whose dominant eigenvalue is real: quotient → ρ at the predicted rate."""
    rng = np.random.default_rng(seed)
    A = init_matrix(k, k, "standard", rng)
    dom = dominance(eigenvalues(A))
    assume(dom.kind == "real" and dom.gap < 0.9)
    steps = int(math.ceil(math.log(1e-9) / math.log(max(dom.gap, 1e-3)))) + 20
    run = power_run(A, rng.normal(size=k), steps)
    assert abs(run.final_quotient - dom.radius) < 1e-5 * dom.radius


def test_quotient_oscillates_for_complex_pair_and_plus_minus():
    """Complex pair / ±ρ: the quotient keeps oscillating; root rate and tail-fit rate still → ρ."""
    cases = example_cases(seed=4)
    x = np.random.default_rng(4).normal(size=5)
    kinds = {}
    for name, A in cases.items():
        dom = dominance(eigenvalues(A))
        kinds[name] = dom.kind
        run = power_run(A, x, 400)
        assert abs(dom.radius - 2.0) < 1e-9
        assert abs(run.tail_rate - 2.0) < 5e-3
        assert abs(run.root_rate[-1] - 2.0) < 0.05
        if dom.quotient_converges:
            assert run.oscillation() < 1e-8
        else:
            assert run.oscillation() > 0.05
    assert sorted(kinds.values()) == ["complex_pair", "plus_minus", "real"]


def test_power_run_norms_are_the_norms_of_powers():
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(4, 4)), rng.normal(size=4)
    run = power_run(A, x, 10)
    for n in (0, 3, 10):
        direct = np.linalg.norm(np.linalg.matrix_power(A, n) @ x)
        assert run.log10_norms[n] == pytest.approx(math.log10(direct), abs=1e-10)
    assert run.quotients[4] == pytest.approx(10 ** (run.log10_norms[5] - run.log10_norms[4]), rel=1e-12)
    big = power_run(50 * np.eye(3), np.ones(3), 300)  # 50^300 overflows a float; the log does not
    assert big.log10_norms[-1] == pytest.approx(300 * math.log10(50) + math.log10(math.sqrt(3)))


def test_exact_eigenvalues_small_matrices():
    assert set(exact_eigenvalues(sp.Matrix([[0, -1], [1, 0]]))) == {sp.I, -sp.I}
    assert sorted(exact_eigenvalues(sp.Matrix([[2, 1], [1, 2]]))) == [1, 3]
    rng = np.random.default_rng(11)
    for k in (3, 4):
        A = rng.normal(size=(k, k))
        ex = np.array([complex(e.evalf(30)) for e in exact_eigenvalues(A)])
        num = eigenvalues(A)
        assert np.allclose(np.sort_complex(ex), np.sort_complex(num), atol=1e-10)
    with pytest.raises(SymjacError, match="k <= 4"):
        exact_eigenvalues(np.eye(5))


def test_dominance_kinds():
    assert dominance([3, 1j, -1j]).kind == "real"
    d = dominance([2j, -2j, 1])
    assert d.kind == "complex_pair" and d.gap == pytest.approx(0.5) and d.angle == pytest.approx(math.pi / 2)
    assert dominance([2, -2, 0.5]).kind == "plus_minus"
    assert dominance([2, 2, 1]).kind == "repeated"


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_xavier_spectral_radius_near_one_for_large_k(seed):
    """Circular law: k×k with N(0, 1/k) entries (Xavier, square) ⇒ ρ ∈ [0.9, 1.2] for k ≥ 200."""
    seeds = [seed * 10 + i for i in range(4)]
    for k in (200, 256):
        for scheme in ("xavier", "xavier_uniform"):
            rho = radius_samples(k, scheme, seeds)
            assert np.all((rho > 0.9) & (rho < 1.2)), (k, scheme, rho)
            assert abs(rho.mean() - 1.0) < 0.1
    rho_he = radius_samples(200, "kaiming", seeds)
    assert np.all(np.abs(rho_he / math.sqrt(2) - 1) < 0.2)


def test_circular_law_band_tightens_with_k():
    res = circular_law([10, 150], ["xavier", "standard"], n_seeds=12, seed=1)
    x = res["schemes"]["xavier"]
    spread = [hi - lo for lo, hi in zip(x["min"], x["max"])]
    assert spread[1] < spread[0] / 2
    s = res["schemes"]["standard"]
    assert s["mean"][1] / math.sqrt(150) == pytest.approx(x["mean"][1], rel=1e-9)  # same draws, scaled


@pytest.mark.parametrize("scheme", ["standard", "xavier", "xavier_uniform", "kaiming"])
def test_init_variances(scheme):
    W = init_matrix(300, 200, scheme, 5)
    assert W.shape == (300, 200)
    assert W.var() == pytest.approx(scheme_variance(scheme, 200, 300), rel=0.03)
    assert scheme_variance("xavier", 200, 300) == pytest.approx(2 / 500)
    assert scheme_variance("kaiming", 200, 300) == pytest.approx(2 / 200)
    if scheme == "xavier_uniform":
        assert np.abs(W).max() <= math.sqrt(6 / 500)


def test_deep_jacobian_regimes():
    """Linear: standard explodes like √width per layer, Xavier RMS σ stays ≈ 1; tanh + Xavier vanishes."""
    w, L = 32, 20
    std = jacobian_vs_depth(w, L, "standard", "linear", n_seeds=3, seed=2)
    xav = jacobian_vs_depth(w, L, "xavier", "linear", n_seeds=3, seed=2)
    tanh_x = jacobian_vs_depth(w, L, "xavier", "tanh", n_seeds=3, seed=2)
    slope = (std["log10_rms"][-1] - std["log10_rms"][0]) / (L - 1)
    assert slope == pytest.approx(0.5 * math.log10(w), abs=0.05)
    assert abs(xav["log10_rms"][-1]) < 0.3
    assert classify_trend(std["log10_rms"], L) == "exploding"
    assert classify_trend(xav["log10_rms"], L) == "stable"
    assert classify_trend(tanh_x["log10_rms"], L) == "vanishing"
    assert xav["log10_sigma_max"][-1] > xav["log10_sigma_median"][-1] + 1  # far from an isometry


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: init_matrix(-3, 3), "rows must be a positive integer"),
        (lambda: init_matrix(3, 3, "orthogonalish"), "unknown initialisation scheme"),
        (lambda: power_run(np.eye(2), [1, 1], 0), "steps must be"),
        (lambda: power_run(np.eye(2), [0, 0], 3), "zero"),
        (lambda: jacobian_vs_depth(8, 0, "xavier"), "depth must be"),
        (lambda: spectral_radius(np.ones((2, 3))), "square"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(SymjacError, match=message):
        call()


# --- orthogonal initialisation (dynamical isometry) ------------------------------------

@pytest.mark.parametrize("rows, cols", [(7, 7), (9, 4), (3, 8), (1, 5), (30, 30)])
@pytest.mark.parametrize("gain", [1.0, 0.5, 2.5])
def test_orthogonal_every_singular_value_is_the_gain(rows, cols, gain):
    from symjac.study.spectral import orthogonal_matrix
    W = init_matrix(rows, cols, "orthogonal", 11, gain=gain)
    assert W.shape == (rows, cols)
    sv = np.linalg.svd(W, compute_uv=False)
    assert np.allclose(sv, gain, rtol=0, atol=1e-12)
    small = W.T @ W if rows >= cols else W @ W.T           # orthonormal columns, or rows, times g
    assert np.allclose(small, gain**2 * np.eye(min(rows, cols)), atol=1e-12)
    assert np.array_equal(W, orthogonal_matrix(rows, cols, gain, 11))
    if rows == cols:
        ev = eigenvalues(W)
        assert np.allclose(np.abs(ev), gain, atol=1e-10)   # every eigenvalue on the circle |λ| = g
        assert spectral_radius(W) == pytest.approx(gain, abs=1e-12)


def test_orthogonal_is_the_sign_corrected_qr_factor():
    """Q = G R⁻¹ with R upper triangular, positive diagonal (the Cholesky factor of GᵀG): Haar, not QR's signs."""
    G = np.random.default_rng(4).normal(size=(6, 6))
    R = np.linalg.cholesky(G.T @ G).T
    Q = init_matrix(6, 6, "orthogonal", 4)
    assert np.allclose(Q, G @ np.linalg.inv(R), atol=1e-10)
    assert scheme_variance("orthogonal", 6, 6) == pytest.approx(1 / 6)
    assert scheme_variance("orthogonal", 200, 300, gain=2.0) == pytest.approx(4 / 300)


def test_orthogonal_gain_must_be_positive():
    with pytest.raises(SymjacError, match="gain"):
        init_matrix(3, 3, "orthogonal", 0, gain=0.0)
    with pytest.raises(SymjacError, match="gain"):
        init_matrix(3, 3, "orthogonal", 0, gain=float("nan"))


def test_orthogonal_radius_is_exactly_the_gain_at_every_size():
    res = circular_law([5, 40, 120], ["orthogonal", "xavier"], n_seeds=4, seed=2)
    o = res["schemes"]["orthogonal"]
    for key in ("mean", "min", "max", "limit"):
        assert np.allclose(o[key], 1.0, atol=1e-12), key
    assert max(o["std"]) < 1e-12
    assert res["schemes"]["xavier"]["max"][0] - res["schemes"]["xavier"]["min"][0] > 0.05  # Gaussian: a band


def test_orthogonal_linear_network_is_an_exact_isometry_at_every_depth():
    """Dynamical isometry: the Jacobian W_L ⋯ W_1 of orthogonal layers has every singular value 1."""
    d = jacobian_vs_depth(24, 15, "orthogonal", "linear", n_seeds=2, seed=3)
    for key in ("log10_sigma_max", "log10_sigma_min", "log10_sigma_median", "log10_rms"):
        assert np.allclose(d[key], 0.0, atol=1e-10), key
    xav = jacobian_vs_depth(24, 15, "xavier", "linear", n_seeds=2, seed=3)
    assert xav["log10_sigma_max"][-1] - xav["log10_sigma_median"][-1] > 0.5   # Gaussian layers are not
    tanh = jacobian_vs_depth(24, 15, "orthogonal", "tanh", n_seeds=2, seed=3)
    assert tanh["log10_rms"][-1] < -0.1                                        # σ′ ≤ 1 shrinks it
    assert classify_trend(d["log10_rms"], 15) == "stable"


def test_study_has_orthogonal_beside_xavier_and_kaiming():
    from symjac.study.spectral import init_study
    r = init_study(k=4, steps=10, depth=3, width=8, ks=(6, 12), n_seeds=2, depth_seeds=1, scheme="orthogonal")
    assert r["power"]["spectral_radius"] == pytest.approx(1.0, abs=1e-12)
    assert set(r["circular_law"]["schemes"]) >= {"xavier", "kaiming", "orthogonal"}
    assert set(r["depth"]["curves"]["linear"]) >= {"xavier", "kaiming", "orthogonal"}
    assert np.allclose(np.hypot(*np.array(r["circle"]["orthogonal_eigenvalues"]).T), 1.0, atol=1e-10)
