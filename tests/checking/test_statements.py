r"""Statements the checker reads (the one judge of catalogue claims): shape statements
``∇f ∈ ℝ^{a×b}``, value chains ``W a = [...] = [...]``, entry formulas ``K_{pq} = \sum …``, and
``\sum`` with a bound index in index notation."""
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symjac.checking.spec import load_spec
from symjac.checking.engine import Problem, check_pure
from symjac.errors import SymjacError
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex

ROOT = Path(__file__).resolve().parents[2]


def problem(name):
    return Problem.from_spec(load_spec(ROOT / "derivations" / f"{name}.toml"))


@pytest.mark.parametrize("answer, verdict, codes", [
    (r"\nabla_A f \in \mathbb{R}^{(N \times N) \times (M \times N)}", "correct", []),
    (r"\nabla_A f \in \mathbb{R}^{4 \times 6}", "correct", []),
    (r"\nabla_A f \in \mathbb{R}^{(M \times N) \times (N \times N)}", "incorrect", ["shape"]),   # 6×4: transposed
    (r"\nabla_A f \in M_{N N \times M N}", "correct", []),
])
def test_shape_statement_is_the_jacobian_shape_at_the_instance(answer, verdict, codes):
    r = check_pure(problem("gram"), answer)
    assert (r.verdict, r.diagnosis) == (verdict, codes), r.message


def test_shape_statement_with_an_unknown_size_is_invalid():
    r = check_pure(problem("gram"), r"\nabla_A f \in \mathbb{R}^{P \times 6}")
    assert r.verdict == "invalid" and "unknown size 'P'" in r.message


def test_value_chain_every_member_must_equal_the_head():
    p = problem("layer_forward")
    good = r"W^{(1)} a^{(0)} = \begin{bmatrix} -0.6 + 1.6 - 0.1 \\ 1.8 - 0.3 \end{bmatrix} = \begin{bmatrix} 0.9 \\ 1.5 \end{bmatrix}"
    assert check_pure(p, good).verdict == "correct"
    bad = good.replace("1.8 - 0.3", "1.8 + 0.3")
    r = check_pure(p, bad)
    assert (r.verdict, r.diagnosis) == ("incorrect", ["values"])
    assert r.details["wrong_entries"] == [{"row": 2, "col": 1, "given": 2.1, "expected": 1.5}]
    assert "(member 1 of 2 after the first '=')" in r.message
    # the output's name is the function itself: a⁽¹⁾ = tanh(W a + b) = [0.7616; 0.9414]
    assert check_pure(p, r"a^{(1)} = \begin{bmatrix} 0.7616 \\ 0.9414 \end{bmatrix}").verdict == "correct"


@pytest.mark.parametrize("spec, answer, verdict", [
    ("linear_map_x", r"f_i(x) = \sum_{j=1}^N A_{ij}x_j", "correct"),
    ("linear_map_x", r"f_i(x) = \sum_{j=1}^N A_{ji}x_j", "incorrect"),     # A's indices swapped: out of range
    ("gram", r"K_{pq} = \sum_{m=1}^{M} A_{mp} A_{mq}", "correct"),
    ("gram", r"K_{pq} = \sum_{m=1}^{M} A_{mp} A_{mp}", "incorrect"),
    ("gram", r"K_{pq} = \sum_{m=1}^{N} A_{mp} A_{mq}", "incorrect"),        # wrong bound
    ("gram", r"K_{p} = \sum_{m=1}^{M} A_{mp} A_{mp}", "invalid"),          # K has two indices
])
def test_entry_formulas_are_compared_with_the_function_entries(spec, answer, verdict):
    r = check_pure(problem(spec), answer)
    assert r.verdict == verdict, r.message


@pytest.mark.parametrize("text, message", [
    (r"\sum_{p=1}^{M} A_{pq}", "summation index p is already a name"),
    (r"\sum_{M=1}^{2} A_{pq}", "summation index M is already a name"),
    (r"\sum_{a=1}^{65} A_{pa}", "sum limit 65 out of range"),
    (r"\sum_{a=1}^{K} A_{pa}", "unknown sum limit 'K'"),
    (r"\sum_{a}^{N} A_{pa}", "write the sum's index and lower limit"),
    (r"\sum_{a=1}^{2}\sum_{b=1}^{2}\sum_{c=1}^{2}\sum_{d=1}^{2} A_{ab}", "nested more than 3 deep"),
])
def test_bad_sums_are_one_line_errors(text, message):
    with pytest.raises(SymjacError) as info:
        parse_latex(text, {"A": ("M", "N")}, indices=("p", "q"))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_bound_index_does_not_leak_into_a_free_one():
    # Σ_m A_pm + A_pm: the second A_pm is outside the sum, m is not a name there
    with pytest.raises(SymjacError, match="unknown index 'm'"):
        parse_latex(r"\sum_{m=1}^{N} A_{pm} + A_{pm}", {"A": ("M", "N")}, indices=("p",))


def _dims(**kw):
    return {sp.Symbol(k, integer=True, positive=True): v for k, v in kw.items()}


def _idx(**kw):
    return {sp.Symbol(k, integer=True, positive=True): v for k, v in kw.items()}


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000))
def test_index_sum_is_the_matrix_product(m, n, p, seed):
    # law: (AB)_ij = Σ_k A_ik B_kj at every (i, j), any sizes
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, n)), rng.normal(size=(n, p))
    e = parse_latex(r"\sum_{k=1}^{N} A_{ik} B_{kj}", {"A": ("M", "N"), "B": ("N", "P")}, indices=("i", "j"))
    C = A @ B
    for i in range(m):
        for j in range(p):
            v = evaluate(e, Env(_dims(M=m, N=n, P=p), {"A": A, "B": B}, _idx(i=i + 1, j=j + 1)))
            assert float(v) == pytest.approx(C[i, j], rel=1e-12, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 10_000))
def test_double_sum_is_the_sum_of_all_entries(m, n, seed):
    A = np.random.default_rng(seed).normal(size=(m, n))
    e = parse_latex(r"\sum_{a=1}^{M} \sum_{b=1}^{N} A_{ab}", {"A": ("M", "N")}, indices=("i",))
    assert float(evaluate(e, Env(_dims(M=m, N=n), {"A": A}, {}))) == pytest.approx(A.sum(), abs=1e-12)


def test_a_layer_tag_with_a_transpose_is_read():
    # a^{(0)\top} (as the two-layer network's backprop claim writes it): layer 0, transposed
    shapes = {"a0": (3, 1), "d1": (2, 1)}
    e = parse_latex(r"a^{(0)\top}", shapes)
    assert e == sp.Transpose(sp.MatrixSymbol("a0", 3, 1))
    with pytest.raises(SymjacError, match="unreadable superscript|power \\^\\{x\\} of a matrix is not supported"):
        parse_latex(r"a^{(0)x}", shapes)
