"""One problem per convention through derive (explicit and closed form), check and the documents:
they agree on shape and values, and the references are brute-force SymPy differentiation."""
import json
import random

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symjac import matrix
from symjac.calculus.explicit import derivative, jacobian
from symjac.catalogue.derivation import derive_spec
from symjac.checking.spec import spec_from_dict
from symjac.checking.engine import Problem, check_pure
from symjac.calculus.closedform import closed_form_from_text, instantiate
from symjac.cli import main
from symjac.conventions import (CONVENTIONS, DENOMINATOR, ENTRY, GRADIENT, HESSIAN, NAMES, NOTES, ROW, TENSOR, VEC,
                                get_convention)
from symjac.errors import ConventionError
from symjac.parsing.explicit import build_explicit
from symjac.render.latex import latex_matrix
from symjac.results import derive
from tests.conftest import brute_force_jacobian


def brute_array(F, X):
    """T[i,j,k,l] = ∂F_ij/∂X_kl by SymPy's Matrix.jacobian on the flattened entries (row-first both)."""
    F = F if isinstance(F, sp.MatrixBase) else sp.Matrix([[F]])
    J = brute_force_jacobian(F, X, "row", "row")
    return np.array(J.tolist(), dtype=object).reshape(F.shape + X.shape)


# (name, function, wrt, shapes) — non-square, so that a transpose or an order slip shows
MATRIX_FN = ("A @ B @ A.T", "A", {"A": (2, 3), "B": (3, 3)})
SCALAR_FN = ("trace(A @ B) + x.T @ A @ y", "A", {"A": (2, 3), "B": (3, 2), "x": (2, 1), "y": (3, 1)})
CASES = [
    (VEC, MATRIX_FN), (NOTES, MATRIX_FN), (ROW, MATRIX_FN), (DENOMINATOR, MATRIX_FN),
    (GRADIENT, SCALAR_FN), (GRADIENT, MATRIX_FN), (DENOMINATOR, SCALAR_FN),
    (HESSIAN, ("x.T @ A @ x + sum(x * x * x)", "x", {"A": (3, 3), "x": (3, 1)})),
    (TENSOR, MATRIX_FN), (ENTRY, MATRIX_FN),
]
IDS = [f"{c.name}-{'scalar' if fn is SCALAR_FN else fn[0]}" for c, fn in CASES]


def expected(conv, F, X):
    if conv.second_order:
        g = sp.Matrix([sp.diff(F if not isinstance(F, sp.MatrixBase) else F[0, 0], v) for v in X.T]).reshape(*X.shape[::-1]).T
        return conv.as_matrix(sp.Array(brute_array(g, X).tolist()))
    return conv.as_matrix(sp.Array(brute_array(F, X).tolist()))


def test_every_name_is_one_convention_and_unknown_names_list_the_valid_ones():
    assert NAMES == ("vec", "notes", "row", "denominator", "gradient", "tensor", "entry", "hessian")
    for name, conv in CONVENTIONS.items():
        assert get_convention(name.upper()) is conv and conv.name == name
    with pytest.raises(ConventionError, match="choose one of vec, notes, row, denominator, gradient, tensor, entry, hessian"):
        get_convention("grad")


@pytest.mark.parametrize("conv,fn", CASES, ids=IDS)
def test_derive_matches_brute_force_and_the_answer_shape(conv, fn):
    text, wrt, shapes = fn
    r = derive(text, wrt, shapes, conv, points=2)
    F, variables = build_explicit(text, shapes)
    X = variables[wrt]
    want = expected(conv, F, X)
    assert r.matrix == want
    fshape = F.shape if isinstance(F, sp.MatrixBase) else (1, 1)
    shape = conv.answer_shape(fshape, X.shape)
    if conv.answer_rank == 4:
        assert r.array.shape == shape
        assert r.array == conv.arrange(sp.Array(brute_array(F, X).tolist()))
    else:
        assert r.matrix.shape == shape
    assert r.verification.passed
    assert r.to_dict()["answer_shape"] == list(shape)


def test_gradient_is_the_variables_shape_and_denominator_its_vec_column():
    """∂(tr(AB) + xᵀAy)/∂A = Bᵀ + x yᵀ (2×3) under GRADIENT; vec of it (6×1) under DENOMINATOR."""
    text, wrt, shapes = SCALAR_FN
    g = derive(text, wrt, shapes, GRADIENT, points=1).matrix
    d = derive(text, wrt, shapes, DENOMINATOR, points=1).matrix
    _, v = build_explicit(text, shapes)
    assert g == v["B"].T + v["x"] * v["y"].T
    assert d == sp.Matrix([g[i, j] for j in range(3) for i in range(2)])
    assert d.shape == (6, 1) and g.shape == (2, 3)


CLOSED = [c for c in CASES if c[0].answer_rank == 2]


@pytest.mark.parametrize("conv,fn", CLOSED, ids=[f"{c.name}-{'scalar' if f is SCALAR_FN else f[0]}" for c, f in CLOSED])
def test_closed_form_instantiates_to_the_explicit_derivative(conv, fn):
    text, wrt, shapes = fn
    r = closed_form_from_text(text, wrt, shapes, conv)
    assert r.convention == conv
    explicit = derive(text, wrt, shapes, conv, verify=False).matrix
    assert sp.ImmutableMatrix(instantiate(r.expr, {})) .expand() == explicit.expand()


@pytest.mark.parametrize("conv", [TENSOR, ENTRY])
def test_array_conventions_have_no_closed_matrix_form(conv):
    text, wrt, shapes = MATRIX_FN
    with pytest.raises(Exception, match="no closed matrix form in the %s convention" % conv.name):
        closed_form_from_text(text, wrt, shapes, conv)


def _transposed_is_different(M):
    return M.T.shape != M.shape or M.T != M


MATRIX_CHECKS = [c for c in CASES if c[0].answer_rank == 2]


@pytest.mark.parametrize("conv,fn", MATRIX_CHECKS, ids=[f"{c.name}-{'scalar' if f is SCALAR_FN else f[0]}" for c, f in MATRIX_CHECKS])
def test_check_accepts_the_derived_matrix_and_not_its_transpose(conv, fn):
    text, wrt, shapes = fn
    M = derive(text, wrt, shapes, conv, verify=False).matrix
    problem = Problem(text, wrt, shapes, conv.name)
    assert check_pure(problem, latex_matrix(M, max_shown=100)).verdict == "correct"
    if _transposed_is_different(M):
        report = check_pure(problem, latex_matrix(M.T, max_shown=100))
        assert report.verdict == "incorrect"


def test_check_tensor_generic_entry_agrees_with_the_derived_array():
    """∂(AᵀA)_{pq}/∂A_{ij} = δ_{qj} A_{ip} + δ_{pj} A_{iq}; swapping the roles is wrong."""
    text, wrt, shapes = "A.T @ A", "A", {"A": (3, 2)}
    problem = Problem(text, wrt, shapes, "tensor", indices=("p", "q", "i", "j"))
    right = r"\delta_{qj} A_{ip} + \delta_{pj} A_{iq}"
    assert check_pure(problem, right).verdict == "correct"
    assert check_pure(problem, r"\delta_{qi} A_{jp} + \delta_{pi} A_{jq}").verdict == "incorrect"
    T = derive(text, wrt, shapes, TENSOR, verify=False).array
    _, v = build_explicit(text, shapes)
    A = v["A"]
    for p, q, i, j in [(0, 1, 2, 1), (1, 1, 0, 1), (0, 0, 1, 0), (1, 0, 2, 1)]:
        assert T[p, q, i, j] == (A[i, p] if q == j else 0) + (A[i, q] if p == j else 0)


def test_check_judges_entry_answers_like_derive():
    """ENTRY: ∂(AᵀA)/∂A_ij = J^{ji} A + Aᵀ J^{ij} (Matrix Cookbook §9.7), the array derive gives."""
    problem = Problem("A.T @ A", "A", {"A": (3, 2)}, "entry")
    assert check_pure(problem, r"J^{ji} A + A^\top J^{ij}").verdict == "correct"
    assert check_pure(problem, r"A^\top J^{ij}").verdict == "incorrect"
    E = derive("A.T @ A", "A", {"A": (3, 2)}, ENTRY, verify=False).array
    _, v = build_explicit("A.T @ A", {"A": (3, 2)})
    A = v["A"]
    J = sp.zeros(3, 2)
    J[2, 1] = 1
    assert sp.Matrix(E[2, 1]) == J.T * A + A.T * J


DOC_CASES = [c for c in CASES if c[0].answer_rank == 2]


@pytest.mark.parametrize("conv,fn", DOC_CASES, ids=[f"{c.name}-{'scalar' if f is SCALAR_FN else f[0]}" for c, f in DOC_CASES])
def test_documents_show_and_judge_the_same_matrix(conv, fn):
    text, wrt, shapes = fn
    M = derive(text, wrt, shapes, conv, verify=False).matrix
    claims = [{"label": "the derived matrix", "latex": latex_matrix(M, max_shown=100)},
              {"label": "its shape", "latex": "J \\in \\mathbb{R}^{%d \\times %d}" % M.shape, "shape": list(M.shape)}]
    if _transposed_is_different(M):
        claims.append({"label": "transposed", "latex": latex_matrix(M.T, max_shown=100)})
    spec = spec_from_dict({"title": "t", "function": text, "wrt": wrt, "convention": conv.name,
                           "shapes": {k: list(s) for k, s in shapes.items()}, "claimed": claims})
    d = derive_spec(spec, points=2)
    verdicts = [c.verdict for c in d.claims]
    assert verdicts[:2] == ["agrees", "agrees"]
    if len(verdicts) > 2:
        assert verdicts[2] == "differs"
    assert d.verified


@pytest.mark.parametrize("conv", [TENSOR, ENTRY])
def test_documents_of_array_conventions_show_the_vec_matrix_and_say_so(conv):
    text, wrt, shapes = MATRIX_FN
    spec = spec_from_dict({"title": "t", "function": text, "wrt": wrt, "convention": conv.name,
                           "shapes": {k: list(s) for k, s in shapes.items()},
                           "claimed": [{"label": "vec", "latex": latex_matrix(derive(text, wrt, shapes, VEC, verify=False).matrix, 100)}]})
    d = derive_spec(spec, points=2)
    text_all = json.dumps([[str(b) for b in s.blocks] for s in d.steps])
    assert conv.describe().split(" ")[1] in text_all and "VEC reshaping" in text_all


@pytest.mark.parametrize("conv,fn", [(GRADIENT, SCALAR_FN), (HESSIAN, CASES[7][1]), (TENSOR, MATRIX_FN)],
                         ids=["gradient", "hessian", "tensor"])
def test_cli_derive_json_has_the_conventions_shape(conv, fn, capsys):
    text, wrt, shapes = fn
    argv = ["derive", text, "--wrt", wrt, "--convention", conv.name, "--format", "json", "--points", "2"]
    for k, s in shapes.items():
        argv += ["--shape", f"{k}={s[0]}x{s[1]}"]
    if conv.answer_rank == 2:
        argv.append("--closed-form")
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    F, v = build_explicit(text, shapes)
    fshape = F.shape if isinstance(F, sp.MatrixBase) else (1, 1)
    assert data["answer_shape"] == list(conv.answer_shape(fshape, v[wrt].shape))
    assert data["convention"]["name"] == conv.name
    if conv.answer_rank == 2:
        assert data["shape"] == data["answer_shape"]
        assert data["closed_form"]["convention"]["name"] == conv.name


def test_arrange_is_a_reshape_of_the_same_array_for_every_flattening():
    rng = random.Random(3)
    for _ in range(5):
        m, n, p, q = (rng.randint(1, 4) for _ in range(4))
        T = np.arange(m * n * p * q, dtype=float).reshape(m, n, p, q)
        for conv in (VEC, NOTES, ROW, DENOMINATOR):
            J = conv.arrange(T)
            assert J.shape == conv.answer_shape((m, n), (p, q))
            assert sorted(J.ravel()) == sorted(T.ravel())
        assert np.array_equal(DENOMINATOR.arrange(T), VEC.arrange(T).T)
        assert np.array_equal(TENSOR.arrange(T), T)
        assert ENTRY.arrange(T).shape == (p, q, m, n)


@pytest.mark.parametrize("name,shape_ok,shape_wrong", [("gradient", "in_shape", "column"),
                                                       ("denominator", "column", "in_shape")])
def test_issue_11_gradient_means_one_thing_in_derive_and_check(name, shape_ok, shape_wrong, tmp_path, capsys):
    """derive --convention NAME prints the matrix that check --convention NAME accepts (issue 11, problem 4)."""
    text, shapes = "trace(A @ B)", {"A": (2, 3), "B": (3, 2)}
    argv = ["derive", text, "--wrt", "A", "--shape", "A=2x3", "--shape", "B=3x2", "--convention", name,
            "--closed-form", "--format", "json", "--points", "1"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    _, v = build_explicit(text, shapes)
    forms = {"in_shape": v["B"].T, "column": sp.Matrix([v["B"][i, j] for i in range(3) for j in range(2)])}
    assert data["shape"] == list(forms[shape_ok].shape)
    spec = tmp_path / "p.toml"
    spec.write_text(f'title = "t"\nfunction = "{text}"\nwrt = "A"\nconvention = "{name}"\n'
                    '[shapes]\nA = [2, 3]\nB = [3, 2]\n', encoding="utf-8")
    for form, code in ((shape_ok, 0), (shape_wrong, 1)):
        ans = tmp_path / f"{form}.tex"
        ans.write_text(latex_matrix(forms[form], 100), encoding="utf-8")
        assert main(["check", str(spec), str(ans)]) == code, form
        capsys.readouterr()

small = st.integers(min_value=1, max_value=3)


@given(small, small, small, st.sampled_from(NAMES))
def test_every_convention_is_an_arrangement_of_the_brute_force_array(p, q, n, name):
    """Law: derivative(F, X, c) == c.arrange(T) with T[i,j,k,l] = ∂F_ij/∂X_kl from SymPy's Matrix.jacobian,
    and jacobian(F, X, c) == c.as_matrix(T), for F = sin(X B) (p×n) of X (p×q); scalar F = tr for HESSIAN."""
    conv = get_convention(name)
    X, B = matrix("X", p, q), matrix("B", q, n)
    F = (X * B).applyfunc(sp.sin)
    if conv.second_order:
        F = sp.Matrix([[sum(F)]])
    T = sp.Array(brute_array(F, X).tolist())
    if conv.second_order:
        G = sp.Matrix(p, q, lambda k, l: sp.diff(F[0, 0], X[k, l]))
        T = sp.Array(brute_array(G, X).tolist())
    assert jacobian(F, X, conv) == conv.as_matrix(T)
    got = derivative(F, X, conv)
    want = conv.arrange(T)
    assert got == want and tuple(got.shape) == conv.answer_shape(F.shape, X.shape)


def test_gradient_by_stacked_variables_is_the_column_of_the_stacked_vector():
    """[vec W; a; b] is a column, so a scalar's gradient in its shape is the DENOMINATOR column."""
    shapes = {"W": (2, 3), "a": (3, 1), "b": (2, 1)}
    g = derive("norm(tanh(W @ a + b))**2", ["W", "a", "b"], shapes, GRADIENT, points=2)
    d = derive("norm(tanh(W @ a + b))**2", ["W", "a", "b"], shapes, DENOMINATOR, points=2)
    assert g.matrix == d.matrix and g.matrix.shape == (11, 1) and g.verification.passed
