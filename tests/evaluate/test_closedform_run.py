"""Closed forms that run: Jupyter display, batched NumPy functions at any sizes, importable NumPy / JAX
source — each checked against the explicit entry-by-entry Jacobian at the same random point."""
import importlib.util

import numpy as np
import pytest
import sympy as sp

from symjac import lambdify
from symjac.blocks import sigmoid
from symjac.calculus.closedform import closed_form, closed_form_gradient, elementwise, instantiate
from symjac.evaluate.closedform import lambdify_closed_form, to_source

m, n = (sp.Symbol(s, integer=True, positive=True) for s in "mn")
M, T, Tr, Det, Inv = sp.MatrixSymbol, sp.Transpose, sp.Trace, sp.Determinant, sp.Inverse
A, X, x, W, a, b = M("A", m, n), M("X", n, n), M("x", n, 1), M("W", m, n), M("a", n, 1), M("b", m, 1)

RESULTS = [
    ("AᵀA (VEC)", lambda: closed_form(T(A) * A, A)),
    ("log det X", lambda: closed_form_gradient(sp.log(Det(X)), X)),
    ("σ(Wa + b) by W", lambda: closed_form(elementwise(sigmoid, W * a + b), W)),
    ("‖Wa + b‖² by a", lambda: closed_form_gradient(Tr(T(W * a + b) * (W * a + b)), a)),
]


def _rand(rng, shape, square):
    v = rng.uniform(-1, 1, size=shape)
    return v + shape[0] * np.eye(shape[0]) / 2 if square and shape[0] == shape[1] else v


def _values(r, sizes, rng):
    out = {}
    for S in sorted(r.expr.atoms(sp.MatrixSymbol) | r.function.atoms(sp.MatrixSymbol), key=lambda s: s.name):
        shape = tuple(int(sp.sympify(d).subs({sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}))
                      for d in S.shape)
        out[S.name] = _rand(rng, shape, True)
    return out


def _reference(r, sizes, vals):
    return np.array(instantiate(r.expr, sizes, {k: sp.Matrix(v) for k, v in vals.items()}).evalf(), dtype=float)


@pytest.mark.parametrize("name,make", RESULTS, ids=[r[0] for r in RESULTS])
@pytest.mark.parametrize("sizes", [{"m": 3, "n": 2}, {"m": 2, "n": 4}, {"m": 4, "n": 4}])
def test_lambdify_matches_instantiation_and_batches(name, make, sizes):
    r = make()
    f = lambdify(r)
    rng = np.random.default_rng(0)
    vals = _values(r, sizes, rng)
    got = f(**{k: v for k, v in vals.items() if k in f.args})
    np.testing.assert_allclose(got, _reference(r, sizes, vals), rtol=1e-10, atol=1e-12)
    # batched: 5 points at once equal 5 single calls
    batch = {k: np.stack([v + 0.01 * i * np.eye(*v.shape) for i in range(5)]) for k, v in vals.items() if k in f.args}
    out = f(**batch)
    assert out.shape == (5,) + got.shape
    for i in range(5):
        np.testing.assert_allclose(out[i], f(**{k: v[i] for k, v in batch.items()}), rtol=1e-12)


def _import(tmp_path, src, modname):
    path = tmp_path / f"{modname}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name,make", RESULTS, ids=[r[0] for r in RESULTS])
def test_numpy_source_imports_and_agrees(tmp_path, name, make):
    r = make()
    src = to_source(r, "numpy", name="grad")
    assert "import jax" not in src
    mod = _import(tmp_path, src, "gen_np")
    sizes = {"m": 3, "n": 2}
    vals = _values(r, sizes, np.random.default_rng(1))
    f = lambdify_closed_form(r)
    got = mod.grad(*[vals[k] for k in f.args])
    np.testing.assert_allclose(got, _reference(r, sizes, vals), rtol=1e-10, atol=1e-12)


def test_source_names_are_generated():
    Bad = M("Ossystem", n, n)
    src = to_source(closed_form_gradient(Tr(Bad * X), X, prove_it=False), "numpy")
    assert "Ossystem" not in src.split('"""')[2]           # only in the docstring's argument list


def test_jax_source_matches_jacfwd(tmp_path):
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    r = closed_form(elementwise(sigmoid, W * a + b), W)
    mod = _import(tmp_path, to_source(r, "jax"), "gen_jax")
    rng = np.random.default_rng(2)
    Wv, av, bv = rng.normal(size=(3, 2)), rng.normal(size=(2, 1)), rng.normal(size=(3, 1))
    F = lambda Wm: jax.nn.sigmoid(Wm @ av + bv)                          # noqa: E731
    J = jax.jacfwd(F)(Wv).reshape(3, 1, 3, 2)[:, 0].transpose(0, 2, 1).reshape(3, 6)   # VEC: columns of W
    np.testing.assert_allclose(np.asarray(mod.f(Wv, av, bv)), J, rtol=1e-10)


def test_repr_latex_for_jupyter():
    r = closed_form_gradient(sp.log(Det(X)), X, prove_it=False)
    s = r._repr_latex_()
    assert s.startswith("$\\displaystyle \\frac{\\partial}{\\partial X}") and s.endswith("X^{-\\top}$")
