"""Networks and the spectral study with the registry's newer activations."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symjac import elementwise as registry
from symjac.errors import SymjacError
from symjac.study.networks import network, verify_backprop, verify_input_jacobian
from symjac.study.spectral import jacobian_vs_depth, one_blas_thread


@pytest.mark.parametrize("act", ["softplus", "log_sigmoid", "gelu", "leaky_relu"])
def test_layer_with_new_activation_input_jacobian(act):
    """network([3, 2, 1], [act, identity]): chain-rule product = engine = brute force on the definition."""
    net = network([3, 2, 1], [act, "identity"])
    v = verify_input_jacobian(net, seed=2)
    assert v.exact is True and v.max_error_brute < 1e-12 and v.max_error_fd < 1e-6
    # brute force independent of the registry's derivative: Matrix.jacobian of the elementary definition
    d = registry.get(act)
    W1, b1, W2, b2, x = net.W[0], net.b[0], net.W[1], net.b[1], net.x
    z = W1 * x + b1
    out = W2 * sp.Matrix([d.definition(zi, *d.with_defaults(())) for zi in z]) + b2
    Jb = out.jacobian(list(x))
    point = net.random_point(5)
    subs = net.symbols_at(point)
    got = np.array(net.input_jacobian().subs(subs).evalf(), dtype=float)
    want = np.array(Jb.subs(subs).evalf(), dtype=float)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_backprop_with_softplus_hidden_layer():
    net = network([3, 2, 1], ["softplus", "identity"])
    v = verify_backprop(net, seed=4)
    assert v.exact is True and v.max_error_brute < 1e-12 and v.max_error_fd < 1e-6


def test_numpy_forward_uses_the_registry_function():
    net = network([2, 2], ["softplus"])
    point = net.random_point(1)
    zs, acts = net.numpy_forward(point)
    np.testing.assert_allclose(acts[-1], np.log1p(np.exp(zs[-1])), rtol=1e-13)


def test_functions_not_defined_on_all_reals_are_not_activations():
    with pytest.raises(SymjacError, match="unknown activation 'log'"):
        network([2, 2], ["log"])


def test_depth_study_accepts_registry_activations():
    """σ′ in the depth study comes from the registry: softplus′ = σ ∈ (0, 1) shrinks the Jacobian vs linear."""
    lin = jacobian_vs_depth(8, 4, "xavier", "linear", n_seeds=2)
    sp_ = jacobian_vs_depth(8, 4, "xavier", "softplus", n_seeds=2)
    assert sp_["depths"] == [1, 2, 3, 4]
    assert sp_["log10_rms"][-1] < lin["log10_rms"][-1] - 0.5
    with pytest.raises(SymjacError, match="unknown activation 'swish'"):
        jacobian_vs_depth(8, 2, "xavier", "swish")


def test_one_blas_thread_limits_and_restores():
    from threadpoolctl import threadpool_info

    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    with one_blas_thread():
        assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
