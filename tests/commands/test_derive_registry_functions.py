"""`symjac derive` with the registry's newer functions (softplus, log_sigmoid, gelu, leaky_relu):
explicit and closed form, each checked against brute force — SymPy ``Matrix.jacobian`` of the
functions' elementary definitions (log(1+eˣ), x/2·(1+erf(x/√2)), …), entry by entry, at
random sizes, square and not."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symjac import elementwise as registry
from symjac.calculus.closedform import closed_form_from_text, instantiate
from symjac.cli import main
from symjac.conventions import VEC
from symjac.results import derive
from symjac.symbols import as_matrix, symbolic

SIZES = [(2, 3), (3, 3), (1, 4), (4, 2)]
NEW = [("softplus", ()), ("log_sigmoid", ()), ("gelu", ()), ("leaky_relu", ("0.2",))]


def _call(name, params):
    return f"{name}(W @ a + b{''.join(', ' + p for p in params)})"


def _brute(name, params, m, n, wrt):
    """Matrix.jacobian of the elementary definition, inputs column-first (VEC)."""
    W, a, b = (as_matrix(symbolic(k, s)) for k, s in (("W", (m, n)), ("a", (n, 1)), ("b", (m, 1))))
    d = registry.get(name)
    ps = [sp.nsimplify(p) for p in params]
    z = W * a + b
    F = sp.Matrix(m, 1, [d.definition(z[i], *ps) for i in range(m)])
    X = {"W": W, "a": a, "b": b}[wrt]
    xs = [X[i, j] for j in range(X.cols) for i in range(X.rows)]
    return F.jacobian(xs), list(W) + list(a) + list(b)


def _values(M, symbols, rng):
    point = {s: float(v) for s, v in zip(symbols, rng.normal(size=len(symbols)))}
    by_name = {s.name: v for s, v in point.items()}
    subs = {s: by_name[s.name] for s in M.free_symbols}
    return np.array(M.subs(subs).evalf(), dtype=float)


@pytest.mark.parametrize("name,params", NEW)
@pytest.mark.parametrize("m,n", SIZES)
def test_explicit_and_closed_form_equal_brute_force(name, params, m, n):
    text = _call(name, params)
    shapes = {"W": (m, n), "a": (n, 1), "b": (m, 1)}
    rng = np.random.default_rng(m * 10 + n)
    for wrt in ("W", "a"):
        J = derive(text, wrt, shapes, VEC, verify=False).matrix
        Jb, symbols = _brute(name, params, m, n, wrt)
        cf = closed_form_from_text(text, wrt, {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1)}, VEC,
                                   kind="jacobian")
        Jc = instantiate(cf, {"m": m, "n": n})
        assert J.shape == Jb.shape == Jc.shape == (m, m * n if wrt == "W" else n)
        for _ in range(2):
            seed = int(rng.integers(1 << 30))
            want = _values(Jb, symbols, np.random.default_rng(seed))
            np.testing.assert_allclose(_values(J, symbols, np.random.default_rng(seed)), want, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(_values(sp.Matrix(Jc), symbols, np.random.default_rng(seed)), want,
                                       rtol=1e-12, atol=1e-13)


def test_softplus_entries_are_a_times_sigmoid(capsys):
    """∂ softplus(Wa+b)_i / ∂W_ij = a_j σ((Wa+b)_i): softplus′ is σ, read from the registry."""
    code = main(["derive", "softplus(W @ a + b)", "--wrt", "W", "--shape", "W=2x3", "--shape", "a=3",
                 "--shape", "b=2"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "shape: 2x6" in out.out
    assert "a_1*sigmoid(W_11*a_1 + W_12*a_2 + W_13*a_3 + b_1)" in out.out
    assert "verified:" in out.out and "5 random points" in out.out and "NOT" not in out.out


def test_softplus_closed_form_cli(capsys):
    code = main(["derive", "softplus(W @ a + b)", "--wrt", "W", "--shape", "W=2x3", "--shape", "a=3",
                 "--shape", "b=2", "--closed-form"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "closed form: aᵀ ⊗ diag(softplus′(W a + b))" in out.out
    assert "against the entry-by-entry engine" in out.out


def test_closed_form_latex_names_the_function_and_the_slope(capsys):
    code = main(["derive", "leaky_relu(W @ a, 0.2)", "--wrt", "a", "--shape", "W=2x2", "--shape", "a=2",
                 "--closed-form", "--format", "latex"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert r"\operatorname{LeakyReLU}'\left(W a, \frac{1}{5}\right)" in out.out


@pytest.mark.parametrize("argv,message", [
    (["leaky_relu(W @ a, a)"], "a parameter of leaky_relu must be a number literal"),
    (["gelu(W @ a, 2)"], "gelu takes 1 argument, got 2"),
])
def test_bad_parameters_are_one_line_exit_2(argv, message, capsys):
    code = main(["derive", *argv, "--wrt", "a", "--shape", "W=2x2", "--shape", "a=2"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
