"""lambdify of every registry function, batched: B points at once = a NumPy reference written here."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from symjac import elementwise as registry
from symjac import jacobian, matrix, vector
from symjac.blocks import layer
from symjac.evaluate.numeric import lambdify

B = 6
_erf = np.vectorize(math.erf)

# reference values f(z) and f′(z), written independently of the registry
REFERENCE = {
    "softplus": (lambda z: np.log1p(np.exp(z)), lambda z: 1 / (1 + np.exp(-z))),
    "log_sigmoid": (lambda z: -np.log1p(np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z))),
    "gelu": (lambda z: z * (1 + _erf(z / np.sqrt(2))) / 2,
             lambda z: (1 + _erf(z / np.sqrt(2))) / 2 + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.3 * z), lambda z: np.where(z > 0, 1.0, 0.3)),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_layer_value_and_jacobian_batched(name):
    """f(Wa + b) and ∂f(Wa+b)/∂a = diag(f′(z)) W, for B random (W, a, b) in one call."""
    W, a, b = matrix("W", 3, 4), vector("a", 4), vector("b", 3)
    d = registry.get(name)
    act = d.applied(sp.Rational(3, 10)) if d.params else d.applied()
    F = layer(W, a, b, act)
    f = lambdify(F, [W, a, b])
    jf = lambdify(jacobian(F, a), [W, a, b])
    rng = np.random.default_rng(7)
    Ws, As, Bs = rng.normal(size=(B, 3, 4)), rng.normal(size=(B, 4, 1)), rng.normal(size=(B, 3, 1))
    out, jout = f(Ws, As, Bs), jf(Ws, As, Bs)
    assert out.shape == (B, 3, 1) and jout.shape == (B, 3, 4)
    fz, dfz = REFERENCE[name]
    for k in range(B):
        z = Ws[k] @ As[k] + Bs[k]
        np.testing.assert_allclose(out[k], fz(z), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(jout[k], dfz(z) * Ws[k], rtol=1e-11, atol=1e-13)


def test_every_registry_function_compiles():
    """Each registry function and its derivative compile to NumPy and agree with the registry's NumPy form."""
    x = vector("x", 2)
    X = np.random.default_rng(0).uniform(0.2, 2.0, size=(B, 2, 1))
    for name, d in registry.REGISTRY.items():
        F = sp.ImmutableMatrix([d(x[0]), d(x[1])])
        out = lambdify(F, [x])(X)
        np.testing.assert_allclose(out, d.numpy(X), rtol=1e-12, err_msg=name)
        J = lambdify(jacobian(F, x), [x])(X)
        np.testing.assert_allclose(J[:, [0, 1], [0, 1]], d.numpy_derivative(X[:, :, 0]), rtol=1e-10, err_msg=name)
