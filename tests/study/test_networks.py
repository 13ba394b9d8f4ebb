"""Networks: the chain rule as a product of layer Jacobians, and backprop = brute force."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symjac import VEC, jacobian
from symjac.conventions import NOTES, ROW
from symjac.errors import ConventionError, ShapeError, SymjacError
from symjac.blocks import ACTIVATIONS
from symjac.study.networks import (
    Factor,
    Layer,
    NetworkVerification,
    chain,
    finite_difference_gradients,
    jax_gradients,
    network,
    verify_backprop,
    verify_input_jacobian,
)

ACTS = sorted(ACTIVATIONS)


def _same(A, B):
    return A.shape == B.shape and all(sp.expand(a - b) == 0 for a, b in zip(A, B))


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss", ["squared", "cross_entropy"])
def test_backprop_equals_brute_force_for_every_activation(act, loss):
    """δ recursion = sparse-engine gradient, exactly; and = central differences to 1e-6."""
    net = network([3, 2, 2], [act, act], loss=loss)
    v = verify_backprop(net, seed=3)
    assert v.exact is True
    assert v.max_error_brute < 1e-12
    assert v.max_error_fd < 1e-6
    assert v.ok


@settings(max_examples=8, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    acts=st.lists(st.sampled_from(ACTS), min_size=3, max_size=3),
    loss=st.sampled_from(["squared", "cross_entropy"]),
    seed=st.integers(0, 10_000),
)
def test_backprop_random_networks(sizes, acts, loss, seed):
    """Law: for any small network, every ∂L/∂W⁽ˡ⁾, ∂L/∂b⁽ˡ⁾ from backprop equals brute force."""
    net = network(sizes, acts[: len(sizes) - 1], loss=loss)
    v = verify_backprop(net, seed=seed)
    assert v.exact is True and v.max_error_brute < 1e-12 and v.max_error_fd < 1e-5


@settings(max_examples=6, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    acts=st.lists(st.sampled_from(ACTS), min_size=3, max_size=3),
    seed=st.integers(0, 10_000),
)
def test_input_jacobian_is_product_of_layer_jacobians(sizes, acts, seed):
    """∂a⁽ᴸ⁾/∂x = Π diag(σ′(z⁽ˡ⁾)) W⁽ˡ⁾ equals jacobian(a⁽ᴸ⁾, x, VEC) and finite differences."""
    net = network(sizes, acts[: len(sizes) - 1])
    v = verify_input_jacobian(net, seed=seed)
    assert v.exact is True and v.max_error_brute < 1e-12 and v.max_error_fd < 1e-6
    assert net.input_jacobian().shape == (sizes[-1], sizes[0])


def test_skipped_exact_comparison_is_reported_as_skipped_not_passed():
    net = network([2, 2], ["tanh"])
    for v in (verify_backprop(net, seed=1, exact=False), verify_input_jacobian(net, seed=1, exact=False)):
        assert isinstance(v, NetworkVerification)
        assert v.exact is None                                  # not True: no exact comparison ran
        assert v.max_error_brute < 1e-12 and v.ok               # the numeric checks that did run passed
        rec = v.record()
        assert rec.how == "numeric" and not rec.proven and rec.passed   # no exact check is claimed
        assert v.describe().startswith("numerically, at 1 random point (1 at each of its fixed size), against the brute-force engine")
        assert "exact" not in v.describe()
    ran = verify_input_jacobian(net, seed=1)
    assert ran.exact is True and ran.record().how == "exact" and ran.record().passed
    assert not ran.record().proven           # backprop and brute force share the activations' rules
    assert ran.describe().startswith("exact agreement with the brute-force engine (symjac.jacobian) at its fixed size; ")


def test_a_failed_exact_comparison_is_not_ok():
    v = NetworkVerification(exact=False, max_error_brute=0.0, max_error_fd=0.0, fd_step=1e-6, point_seed=0)
    assert not v.ok and not v.record().passed
    assert v.describe().startswith("FAILED: the network's derivative differs from the brute-force engine")
    assert NetworkVerification(None, 0.0, 0.0, 1e-6, 0).ok
    assert NetworkVerification(None, 1e-3, 0.0, 1e-6, 0).ok is False


def test_network_verification_does_not_shadow_verify_verification():
    import symjac.study.networks as networks
    from symjac.verification import Verification
    assert not hasattr(networks, "Verification") and "NetworkVerification" in networks.__all__
    assert NetworkVerification is not Verification


def test_layer_jacobian_shapes_and_order():
    net = network([4, 3, 2], ["tanh", "sigmoid"])
    facs = net.layer_jacobians()
    assert [f.matrix.shape for f in facs] == [(2, 3), (3, 4)]  # outermost first
    assert facs[1].matrix == sp.diag(*[1 - sp.tanh(z) ** 2 for z in net.forward()[0][0]]) * net.W[0]


def test_deep_linear_jacobian_is_product_of_weights():
    """Identity activations: ∂a⁽ᴸ⁾/∂x = W⁽ᴸ⁾ ⋯ W⁽¹⁾, exactly."""
    net = network([2, 3, 2, 2], "identity")
    W1, W2, W3 = net.W
    assert _same(net.input_jacobian(), W3 * W2 * W1)
    assert net.W[0][0, 0].name == "W1_11" and net.b[1][0].name == "b2_1"


@pytest.mark.parametrize("l", [1, 2])
def test_weight_jacobian_kronecker_form(l):
    """∂a⁽ᴸ⁾/∂vec W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ ⊗ (J_L⋯J_{l+1} D_l) under VEC equals the brute-force Jacobian."""
    net = network([2, 3, 2], ["tanh", "relu"])
    assert _same(net.weight_jacobian(l), jacobian(net.output(), net.W[l - 1], VEC))


def test_two_layer_gradient_closed_form_values():
    """Squared loss, tanh then identity: ∂L/∂W⁽²⁾ = (a⁽²⁾ − y) a⁽¹⁾ᵀ at a point, as numbers."""
    net = network([2, 2, 1], ["tanh", "identity"])
    p = {"x": [[1.0], [-2.0]], "W1": [[0.5, 0.0], [0.0, 0.25]], "b1": [[0.0], [0.0]],
         "W2": [[1.0, 2.0]], "b2": [[0.0]], "y": [[0.0]]}
    subs = net.symbols_at(p)
    a1 = np.tanh([0.5, -0.5])
    out = a1[0] + 2 * a1[1]
    g = np.array(net.backprop()["W2"].xreplace(subs).evalf(), dtype=float)
    assert np.allclose(g, out * a1.reshape(1, 2), atol=1e-14)
    fd = finite_difference_gradients(net, {k: np.array(v) for k, v in p.items()})["W2"]
    assert np.allclose(g, fd, atol=1e-8)


def test_softmax_cross_entropy_delta_is_p_minus_y():
    """Cross-entropy with softmax on the logits: δ⁽ᴸ⁾ = softmax(z) − y for one-hot y."""
    net = network([2, 3], "identity", loss="cross_entropy")
    p = net.random_point(7)
    subs = net.symbols_at(p)
    z = p["W1"] @ p["x"] + p["b1"]
    soft = np.exp(z) / np.exp(z).sum()
    d = np.array(net.deltas()[0].xreplace(subs).evalf(), dtype=float)
    assert np.allclose(d, soft - p["y"], atol=1e-13)


def test_layers_form_and_chain_checks():
    net = network([Layer(3, 2, "relu"), Layer(2, 1, "sigmoid")])
    assert net.sizes == (3, 2, 1) and net.activations == ("relu", "sigmoid")
    with pytest.raises(ShapeError, match="next takes"):
        network([Layer(3, 2), Layer(3, 1)])
    A, B = sp.ones(2, 3), sp.ones(4, 2)
    with pytest.raises(ShapeError, match="takes a 3x1 input"):
        chain([Factor("f", A, (2, 1), (3, 1)), Factor("g", B, (4, 1), (2, 1))])
    # a matrix intermediate flattened row-first by g but read column-first by f
    F = Factor("f", sp.ones(1, 4), (1, 1), (2, 2), VEC)
    G = Factor("g", sp.ones(4, 1), (2, 2), (1, 1), ROW)
    with pytest.raises(ConventionError, match="flattens"):
        chain([F, G])
    assert chain([F, Factor("g", sp.ones(4, 1), (2, 2), (1, 1), NOTES)]) == sp.Matrix([[4]])


@pytest.mark.parametrize(
    "args, message",
    [
        (([3],), "depth 0"),
        (([3, -1],), "positive integers"),
        (([3, 2], "swish"), "unknown activation"),
        (([3, 2], ["tanh", "tanh"]), "1 layers but 2"),
    ],
)
def test_bad_networks(args, message):
    with pytest.raises(SymjacError, match=message):
        network(*args)
    with pytest.raises(SymjacError, match="unknown loss"):
        network([2, 2], loss="hinge")


def test_jax_cross_check_when_installed():
    pytest.importorskip("jax")
    net = network([3, 2, 2], ["tanh", "sigmoid"], loss="cross_entropy")
    p = net.random_point(1)
    bp = {k: np.array(v.xreplace(net.symbols_at(p)).evalf(), dtype=float) for k, v in net.backprop().items()}
    jg = jax_gradients(net, p)
    assert all(np.allclose(bp[k], jg[k], atol=1e-10) for k in bp)
