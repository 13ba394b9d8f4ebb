"""lambdify of a closed form compiles the straight-line NumPy program of ``to_source`` once: each compiled
function equals instantiation (the explicit matrix at the same sizes and values) at random non-square
sizes, batched and unbatched; the structural shortcuts (identity Kronecker factors, K_{m,n} products as
permutations) equal the dense products; bad arrays are one-line SymjacErrors."""
import ast

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symjac.blocks import sigmoid
from symjac.calculus.closedform import closed_form, closed_form_gradient, elementwise, instantiate
from symjac.calculus.closedform.objects import CommutationMatrix, Softmax, Vec
from symjac.conventions import commutation_matrix
from symjac.errors import ShapeError, SymjacError
from symjac.evaluate import closedform as cf
from symjac.evaluate.closedform import lambdify_closed_form

m, n = (sp.Symbol(s, integer=True, positive=True) for s in "mn")
M, T, Tr, Det, Inv, Kr = sp.MatrixSymbol, sp.Transpose, sp.Trace, sp.Determinant, sp.Inverse, sp.KroneckerProduct
A, B, X, x, y, z = M("A", m, n), M("B", n, m), M("X", n, n), M("x", n, 1), M("y", m, 1), M("z", n, 1)
c = sp.Symbol("c")
Im, In = sp.Identity(m), sp.Identity(n)
S = Tr(sp.OneMatrix(1, n) * elementwise(sp.exp, z))

EXPRESSIONS = {
    "I_m ⊗ A": Kr(Im, A),
    "A ⊗ I_n": Kr(A, In),
    "I_m ⊗ I_n ⊗ B": Kr(Im, In, B),
    "A ⊗ I_2 ⊗ x": Kr(A, sp.Identity(2), x),
    "A ⊗ B (no identity)": Kr(A, B),
    "K_{m,n} vec A = vec Aᵀ": CommutationMatrix(m, n) * Vec(A),
    "(A ⊗ B) K_{n,m}": Kr(A, B) * CommutationMatrix(n, m),
    "K_{m,n} (A ⊗ B) K_{n,m}": CommutationMatrix(m, n) * Kr(A, B) * CommutationMatrix(n, m),
    "c tr(X) A X⁻¹ x": c * Tr(X) * A * Inv(X) * x,
    "σ(Ax + y) ∘ y": sp.HadamardProduct(elementwise(sigmoid, A * x + y), y),
    "softmax(z) zᵀ": Softmax(z) * z.T,
    "log det X · BA": sp.log(Det(X)) * B * A,
}
RESULTS = {
    "∇_A ½‖σ(Ax) − y‖²": lambda: closed_form_gradient(Tr(T(elementwise(sigmoid, A * x) - y) * (elementwise(sigmoid, A * x) - y)) / 2, A, prove_it=False),
    "J_A(AᵀA)": lambda: closed_form(T(A) * A, A, prove_it=False),
    "J_X(X⁻¹)": lambda: closed_form(Inv(X), X, prove_it=False),
    "J softmax": lambda: closed_form(elementwise(sp.exp, z) / S, z, prove_it=False),
}
SIZES = [{"m": 3, "n": 2}, {"m": 2, "n": 4}, {"m": 1, "n": 3}]


def _values(expr, sizes, rng, batch=None):
    out = {}
    for s in sorted(expr.atoms(sp.MatrixSymbol), key=lambda s: s.name):
        shape = tuple(int(sp.sympify(d).subs({m: sizes["m"], n: sizes["n"]})) for d in s.shape)
        v = rng.uniform(-1, 1, size=((batch,) if batch else ()) + shape)
        out[s.name] = v + shape[0] * np.eye(shape[0]) if shape[0] == shape[1] else v
    for s in expr.free_symbols - {m, n}:
        if isinstance(s, sp.Symbol):
            out[s.name] = rng.uniform(-1, 1, size=(batch,) if batch else None)
    return out


def _reference(expr, sizes, vals):
    vals = {k: (sp.Matrix(v) if np.ndim(v) else sp.Float(v)) for k, v in vals.items()}
    return np.array(instantiate(expr, sizes, vals).evalf(), dtype=float)


CASES = [(k, lambda e=e: e) for k, e in EXPRESSIONS.items()] + list(RESULTS.items())


@pytest.mark.parametrize("name,make", CASES, ids=[k for k, _ in CASES])
def test_compiled_equals_instantiation_unbatched_and_batched(name, make):
    obj = make()
    expr = obj.expr if hasattr(obj, "expr") else obj
    f = lambdify_closed_form(obj)
    assert f.compiled, f"{name} fell back to the tree-walking evaluator"
    rng = np.random.default_rng(7)
    for sizes in SIZES:
        vals = _values(expr, sizes, rng)
        got = f(**vals)
        ref = _reference(expr, sizes, vals)
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
        batch = _values(expr, sizes, rng, batch=4)
        out = f(**batch)
        assert out.shape == (4,) + ref.shape
        for i in range(4):
            one = {k: v[i] for k, v in batch.items()}
            np.testing.assert_allclose(out[i], _reference(expr, sizes, one), rtol=1e-10, atol=1e-12)


def test_compiled_equals_the_tree_walking_evaluator():
    from symjac.calculus.closedform.numeric import evaluate
    rng = np.random.default_rng(3)
    for name, e in EXPRESSIONS.items():
        vals = _values(e, {"m": 3, "n": 2}, rng, batch=3)
        np.testing.assert_allclose(lambdify_closed_form(e)(**vals), evaluate(e, {"m": 3, "n": 2}, vals), rtol=1e-12, err_msg=name)


def test_size_given_by_name_when_no_array_carries_it():
    """∂ tr X / ∂ vec X = vec(I)ᵀ has no array to read n off: n is given by name (the evaluator runs it)."""
    f = lambdify_closed_form(closed_form(Tr(X), X, prove_it=False))
    assert not f.compiled
    np.testing.assert_array_equal(f(n=3), np.eye(3).reshape(1, 9))


# the helpers of the generated module (symjac's own constant text), run as the NumPy module runs them
cf_ns: dict = {"xp": np, "numpy": np}
exec(compile(cf._PREAMBLE, "<symjac preamble>", "exec"), cf_ns)


def _np(a):
    return np.array(a, dtype=float)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2))
def test_permutations_equal_products_with_the_commutation_matrix(p, q, k, batch):
    """K_{p,q} @ Y and Y @ K_{p,q} by reshape + swapaxes equal the products with the dense K (conventions')."""
    rng = np.random.default_rng(p * 100 + q * 10 + k)
    K = _np(commutation_matrix(p, q))
    lead = (batch,) if batch else ()
    Y, Z = rng.normal(size=lead + (p * q, k)), rng.normal(size=lead + (k, p * q))
    np.testing.assert_array_equal(cf_ns["_kperm_rows"](p, q, Y), K @ Y)
    np.testing.assert_array_equal(cf_ns["_kperm_cols"](Z, p, q), Z @ K)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2))
def test_identity_kronecker_factors_equal_np_kron(k, p, q, batch):
    rng = np.random.default_rng(k * 100 + p * 10 + q)
    x = rng.normal(size=((batch,) if batch else ()) + (p, q))
    want_left = np.array([np.kron(np.eye(k), xi) for xi in x]) if batch else np.kron(np.eye(k), x)
    want_right = np.array([np.kron(xi, np.eye(k)) for xi in x]) if batch else np.kron(x, np.eye(k))
    np.testing.assert_array_equal(cf_ns["_kron_eye"](k, x), want_left)
    np.testing.assert_array_equal(cf_ns["_kron_by_eye"](x, k), want_right)


# --- what lambdify compiles, and when it does not ----------------------------------------

def test_generated_program_uses_only_generated_names():
    Weird = M("Ossystem", n, n)
    src = cf._generate(c * Weird * X, "numpy", "_program", free=True)
    body = src[src.index("\ndef _program("):]
    assert "Ossystem" not in body and " c " not in body
    assert cf._only_generated_names(ast.parse(body))
    assert "del " in body                                   # temporaries are freed after their last use
    foreign = ast.parse("def _program(a0):\n    return os.system(a0)\n")
    assert not cf._only_generated_names(foreign)
    assert not cf._only_generated_names(ast.parse("def _program(a0):\n    return a0.__class__\n"))


def test_symbolic_power_falls_back_to_the_evaluator():
    p = sp.Symbol("p", integer=True, positive=True)
    f = lambdify_closed_form(sp.MatPow(X, p) * x)
    assert not f.compiled
    Xv, xv = np.diag([1.0, 2.0]), np.array([1.0, 1.0])
    np.testing.assert_allclose(f(X=Xv, x=xv, p=3), [[1.0], [8.0]])


# --- errors: one line, a SymjacError ------------------------------------------------------

def _error(f, **arrays):
    with pytest.raises(SymjacError) as info:
        f(**arrays)
    msg = str(info.value)
    assert "\n" not in msg
    return info.type, msg


def test_errors_are_one_line_symjac_errors():
    f = lambdify_closed_form(c * A * x)
    ok = {"A": np.ones((3, 2)), "x": np.ones(2), "c": 2.0}
    np.testing.assert_allclose(f(**ok), 4.0 * np.ones((3, 1)))
    assert _error(f, A=ok["A"], x=ok["x"]) == (SymjacError, "missing values for c")
    kind, msg = _error(f, A=np.ones((3, 2)), x=np.ones(3), c=1.0)
    assert kind is ShapeError and msg == "x gives n = 3 but another array gives 2"
    kind, msg = _error(f, A=np.ones((4, 3, 2)), x=np.ones((5, 2)), c=1.0)
    assert kind is ShapeError and msg == "batch sizes differ: A has 4, x has 5"
    kind, msg = _error(f, A=np.ones((2, 3, 2, 2)), x=np.ones(2), c=1.0)
    assert kind is ShapeError and "A must be a matrix or a batch of matrices" in msg
    kind, msg = _error(f, A=[["a", "b"]], x=np.ones(2), c=1.0)
    assert kind is ShapeError and msg.startswith("A is not an array of numbers")
    kind, msg = _error(f, A=np.ones((3, 2)), x=np.ones(2), c=np.ones((2, 2)))
    assert kind is ShapeError and msg == "the scalar c must be a number or a batch (B,), got shape (2, 2)"
    with pytest.raises(SymjacError, match="expected at most 3 arrays"):
        f(1, 2, 3, 4)


def test_fixed_sizes_are_checked():
    F = M("F", 2, 3)
    f = lambdify_closed_form(F * x)
    kind, msg = _error(f, F=np.ones((3, 3)), x=np.ones(3))
    assert kind is ShapeError and msg == "F must be 2x3, got an array of shape (3, 3)"


def test_singular_matrix_is_a_symjac_error():
    f = lambdify_closed_form(Inv(X) * x)
    kind, msg = _error(f, X=np.zeros((2, 2)), x=np.ones(2))
    assert msg == "cannot evaluate the closed form at this point: Singular matrix"


def test_pickles_and_recompiles():
    import pickle
    f = lambdify_closed_form(c * A * x)
    g = pickle.loads(pickle.dumps(f))
    assert g.compiled and g.args == f.args
    vals = {"A": np.arange(6.0).reshape(3, 2), "x": np.ones(2), "c": 0.5}
    np.testing.assert_array_equal(g(**vals), f(**vals))
