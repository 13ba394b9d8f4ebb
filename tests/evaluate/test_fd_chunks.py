"""Finite differences point by point and in chunks of perturbations: the same numbers as all at once,
brute-force checked against SymPy's Matrix.jacobian at random non-square sizes."""
import numpy as np
import pytest
import sympy as sp

from symjac.calculus.explicit import input_atoms
from symjac.conventions import flatten
from symjac.evaluate.numeric import _points_in_domain, finite_difference_check, lambdify
from symjac.symbols import matrix


@pytest.mark.parametrize("p, q", [(2, 3), (3, 2), (4, 4)])
def test_chunked_central_differences_match_the_brute_force_jacobian(p, q):
    A = matrix("A", p, q)
    F = sp.Matrix(A.T * A).applyfunc(lambda e: e + sp.sin(e))
    f = lambdify(F, [A])
    atoms = input_atoms([A], "col")
    cols = np.array([f._pos[a] for a in atoms], dtype=np.intp)
    m, n = F.shape
    runs = [list(_points_in_domain(f, np.random.default_rng(7), 2, f._n_inputs, len(atoms), cols, 1e-6, (m, n),
                                   chunk_floats=c)) for c in (1, 5, 1 << 22)]
    for a, b in zip(runs[0], runs[2]):
        assert np.array_equal(a[0], b[0]) and np.allclose(a[1], b[1], rtol=0, atol=1e-12)
    Jref = sp.Matrix(flatten(F, "row")).jacobian(sp.Matrix(atoms))      # outputs row-first, inputs col-first
    for x, Jfd in runs[1]:
        point = dict(zip([A[i, j] for j in range(q) for i in range(p)], x[[f._pos[a] for a in atoms]]))
        want = np.array(Jref.subs(point), dtype=float)
        assert np.allclose(Jfd, want, atol=1e-5)


def test_a_nan_error_fails_the_check():
    x = matrix("x", 2, 1)
    F = sp.Matrix([x[0] ** 2, x[1]])
    bad = sp.Matrix([[2 * x[0], 0], [0, sp.nan]])
    r = finite_difference_check(F, x, J=bad, points=3, seed=1)
    assert not r.passed
