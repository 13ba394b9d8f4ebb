"""The checker on catalogue-style specs: explicit instances ([dimensions]), sizes implied by an
explicit answer, index letters (index_names), numeric answers at [values], and the CLI on
derivations/gram.toml."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import sympy as sp

from symjac.checking.engine import CheckError, Problem, check_pure
from symjac.cli import main
from symjac.checking.spec import load_spec, spec_from_dict

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parents[1] / "data" / "check"

GRAM = Problem.from_file(DATA / "gram_dims.toml")
LINEAR_A = Problem.from_file(DATA / "linear_map_indices.toml")
LAYER = Problem.from_file(DATA / "layer_jacobian_values.toml")
AX_NO_DIMS = Problem.from_file(DATA / "ax_vec.toml")      # A m×n, no [dimensions]
LSQ_NO_DIMS = Problem("norm(y - Phi @ theta)**2", "theta", {"Phi": ("N", "D"), "y": ("N", 1), "theta": ("D", 1)}, "vec")

# ∇_A(AᵀA) at the notes' 3×2 instance: NOTES (the notes' p. 8 matrix), VEC, and the NOTES one transposed
NOTES_K = (r"\begin{bmatrix} 2A_{11} & 0 & 2A_{21} & 0 & 2A_{31} & 0 \\ A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\"
           r" A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\ 0 & 2A_{12} & 0 & 2A_{22} & 0 & 2A_{32} \end{bmatrix}")
VEC_K = (r"\begin{bmatrix} 2A_{11} & 2A_{21} & 2A_{31} & 0 & 0 & 0 \\ A_{12} & A_{22} & A_{32} & A_{11} & A_{21} & A_{31} \\"
         r" A_{12} & A_{22} & A_{32} & A_{11} & A_{21} & A_{31} \\ 0 & 0 & 0 & 2A_{12} & 2A_{22} & 2A_{32} \end{bmatrix}")
NOTES_K_T = (r"\begin{bmatrix} 2A_{11} & A_{12} & A_{12} & 0 \\ 0 & A_{11} & A_{11} & 2A_{12} \\ 2A_{21} & A_{22} & A_{22} & 0 \\"
             r" 0 & A_{21} & A_{21} & 2A_{22} \\ 2A_{31} & A_{32} & A_{32} & 0 \\ 0 & A_{31} & A_{31} & 2A_{32} \end{bmatrix}")

# the layer's Jacobian diag(1 − tanh²(Wa + b)) W at the notes' numbers
J_LAYER = r"\begin{bmatrix} -0.84 & 1.68 & -0.42 \\ 0.683 & 0 & -0.341 \end{bmatrix}"


# --- Problem.from_spec carries the spec ----------------------------------------------------

def test_from_spec_carries_dimensions_and_index_letters():
    assert GRAM.dimensions == {"M": 3, "N": 2}
    assert GRAM.indices == ("p", "q", "i", "j") and GRAM.generic_entries
    assert GRAM.instance_sizes() == {"M": 3, "N": 2}
    # a vector output has one letter, a matrix variable two: None marks the size-1 axis
    assert LINEAR_A.indices == ("i", None, "k", "j")
    assert AX_NO_DIMS.dimensions == {} and AX_NO_DIMS.instance_sizes() is None and not AX_NO_DIMS.generic_entries


def test_from_spec_wrong_number_of_index_letters_is_one_line_error():
    spec = spec_from_dict({"title": "t", "function": "A @ x", "wrt": "A", "index_names": ["i", "j"],
                           "shapes": {"A": ["M", "N"], "x": ["N"]}})
    with pytest.raises(CheckError, match=r"index_names needs 3 letters \(1 for the function, 2 for A\), got 2"):
        Problem.from_spec(spec)


# --- explicit answers at the instance ----------------------------------------------------------

@pytest.mark.parametrize("answer, verdict, codes", [
    (NOTES_K, "correct", []),
    (VEC_K, "incorrect", ["input_order"]),
    (NOTES_K_T, "incorrect", ["transposed"]),
    (r"\nabla_A K = " + NOTES_K, "correct", []),
])
def test_explicit_matrix_is_compared_at_the_instance(answer, verdict, codes):
    r = check_pure(GRAM, answer)
    assert (r.verdict, r.diagnosis) == (verdict, codes), r.message


def test_explicit_correct_answer_is_checked_exactly_at_the_instance():
    r = check_pure(GRAM, NOTES_K)
    assert r.details["method"].startswith("exact (entry by entry)")
    assert r.details["method"].endswith("sizes M = 3, N = 2") and "{" not in r.details["method"]


def test_explicit_wrong_entry_lists_expected_entry():
    wrong = NOTES_K.replace(r"0 & 2A_{12} & 0 & 2A_{22} & 0 & 2A_{32}", r"0 & 2A_{12} & 0 & 2A_{22} & 0 & A_{32}")
    r = check_pure(GRAM, wrong)
    assert r.verdict == "incorrect" and r.diagnosis == ["entries"]
    assert r.details["wrong_entries"] == [{"row": 4, "col": 6, "given": "A_{32}", "expected": "2 A_{32}"}]
    assert r.score == pytest.approx(23 / 24, abs=1e-4)


def test_explicit_matrix_of_another_size_is_a_shape_error_at_the_instance():
    r = check_pure(GRAM, r"\begin{bmatrix} 2A_{11} & 0 \\ 0 & 2A_{22} \end{bmatrix}")
    assert r.verdict == "incorrect" and r.diagnosis == ["shape"]
    assert r.details == {"expected": "4x6", "given": "2x2", "expected_symbolic": "N²×MN", "given_symbolic": "2×2",
                         "sizes": {"M": 3, "N": 2}}
    assert r.message == "incorrect: expected N²×MN (4x6 at M = 3, N = 2), the answer is 2x2"


def test_shape_of_a_size_free_answer_is_given_symbolically_and_at_the_instance():
    # the comparison ran at random sizes (9x12 at M = 4, N = 3); the message must not quote those
    r = check_pure(GRAM, r"A^\top")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"])
    assert r.message == "incorrect: expected N²×MN (4x6 at M = 3, N = 2), the answer is N×M (2x3 there)"
    assert r.details["expected"] == "4x6" and r.details["given"] == "2x3" and "9x12" not in r.message


def test_size_free_answer_is_compared_at_random_sizes_and_at_the_instance():
    r = check_pure(GRAM, r"\delta_{jq}A_{ip} + \delta_{jp}A_{iq}")
    assert r.verdict == "correct"
    method = r.details["method"]
    assert "M = 3, N = 2" in method and method.count("M = ") == 3 and "{" not in method


# --- no [dimensions]: sizes implied by the answer's shape ----------------------------------------

AX_VEC_EXPLICIT = r"\begin{bmatrix} x_1 & 0 & x_2 & 0 & x_3 & 0 \\ 0 & x_1 & 0 & x_2 & 0 & x_3 \end{bmatrix}"
AX_NOTES_EXPLICIT = r"\begin{bmatrix} x_1 & x_2 & x_3 & 0 & 0 & 0 \\ 0 & 0 & 0 & x_1 & x_2 & x_3 \end{bmatrix}"


def test_no_dimensions_explicit_answer_at_the_sizes_its_shape_implies():
    r = check_pure(AX_NO_DIMS, AX_VEC_EXPLICIT)        # m × mn = 2 × 6: m = 2, n = 3
    assert r.verdict == "correct" and "m = 2, n = 3" in r.details["method"]
    r = check_pure(AX_NO_DIMS, AX_NOTES_EXPLICIT)
    assert (r.verdict, r.diagnosis) == ("incorrect", ["input_order"])


def test_no_dimensions_shape_no_size_gives_is_a_shape_diagnosis():
    r = check_pure(AX_NO_DIMS, r"\begin{bmatrix} x_1 & 0 & x_2 \\ 0 & x_1 & 0 \end{bmatrix}")   # m = 2, mn = 3: none
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"])
    assert "no sizes of m, n give the answer's shape 2x3" in r.message


def test_no_dimensions_ambiguous_sizes_is_a_shape_diagnosis():
    # the gradient is 1 × D: the shape fixes D = 2 but not N, and the answer names Φ's entries
    r = check_pure(LSQ_NO_DIMS, r"\begin{bmatrix} 2\Phi_{11} & 2\theta_2 \end{bmatrix}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"])
    assert "does not determine them" in r.message and r.details == {"expected": "1×D", "given": "1x2"}


def test_entry_of_a_vector_that_is_a_scalar_at_the_instance():
    # at n = 1 the vector x is the scalar symbol x; the answer's x_1 is that symbol (exact check included)
    p = Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, dimensions={"m": 1, "n": 1})
    for answer in (r"\begin{bmatrix} x_1 \end{bmatrix}", "x_1"):
        r = check_pure(p, answer)
        assert (r.verdict, r.diagnosis) == ("correct", []), r.message
        assert r.details["method"].startswith("exact")
    r = check_pure(p, r"\begin{bmatrix} 2x_1 \end{bmatrix}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["scale"])


def test_an_answer_cannot_choose_a_size_of_1():
    # no [dimensions]: a 1x1 answer would mean m = n = 1, where x and xᵀ coincide; it was reported
    # "incorrect: right only if " with no diagnosis
    r = check_pure(AX_NO_DIMS, r"\begin{bmatrix} x_1 \end{bmatrix}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"])
    assert "means m = 1, n = 1" in r.message and "cannot choose a size of 1" in r.message
    assert not r.message.endswith("if ")


def test_diagnosis_never_names_the_key_itself():
    # numerically equal, exactly different: the wrong entry is listed, not "right only if <nothing>"
    p = Problem("A @ x / 3", "A", {"A": (1, 2), "x": (2, 1)})
    r = check_pure(p, r"\begin{bmatrix} 0.333333333333 x_1 & \frac{x_2}{3} \end{bmatrix}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["entries"])
    assert [(w["row"], w["col"], w["expected"]) for w in r.details["wrong_entries"]] == [(1, 1, "\\frac{x_{1}}{3}")]
    assert r.score == 0.5
    assert check_pure(p, r"\frac13 x^T").verdict == "correct"


def test_function_shape_checks_inner_sizes():
    from symjac.checking.engine import function_shape
    from symjac.errors import ShapeError

    m, n = (sp.Symbol(d, integer=True, positive=True) for d in "mn")
    assert function_shape("A.T @ A", {"A": ("m", "n")}) == (n, n)
    assert function_shape("x.T @ A @ x", {"A": ("n", "n"), "x": ("n", 1)}) == (1, 1)
    with pytest.raises(ShapeError, match="inner sizes"):
        function_shape("A @ B", {"A": ("m", "n"), "B": ("m", "n")})
    with pytest.raises(ShapeError):
        Problem("A @ B", "A", {"A": ("m", "n"), "B": ("m", "n")})


def test_sized_constant_fixes_only_what_it_determines():
    r = check_pure(AX_NO_DIMS, r"x^\top \otimes I_2")   # m = 2; n stays free (random sizes)
    assert r.verdict == "correct" and "m = 2" in r.details["method"]
    r = check_pure(AX_NO_DIMS, r"I_2 \otimes x^\top")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["input_order"])


# --- index notation in the spec's letters ------------------------------------------------------

@pytest.mark.parametrize("problem, answer, verdict, codes", [
    (GRAM, r"\delta_{jq}A_{ip} + \delta_{jp}A_{iq}", "correct", []),
    (GRAM, r"\frac{\partial K_{pq}}{\partial A_{ij}} = \begin{cases} 2A_{ip} & p = q, j = p \\ A_{iq} & p \neq q, j = p \\"
           r" A_{ip} & p \neq q, j = q \\ 0 & \text{otherwise} \end{cases}", "correct", []),
    (GRAM, r"\delta_{jq}A_{ip}", "incorrect", ["missing_term"]),
    (LINEAR_A, r"\delta_{ik} x_j", "correct", []),
    (LINEAR_A, r"\frac{\partial f_i}{\partial A_{kj}} = \begin{cases} x_j & k = i \\ 0 & k \neq i \end{cases}", "correct", []),
])
def test_index_notation_in_the_spec_letters(problem, answer, verdict, codes):
    r = check_pure(problem, answer)
    assert (r.verdict, r.diagnosis) == (verdict, codes), r.message


def test_index_notation_wrong_formula_names_an_index_combination():
    # the notes' p. 7 slip: −A_iq where p ≠ q, j = p
    r = check_pure(GRAM, r"\begin{cases} 2A_{ip} & p = q, j = p \\ -A_{iq} & p \neq q, j = p \\ A_{ip} & p \neq q, j = q \\"
                         r" 0 & \text{otherwise} \end{cases}")
    assert r.verdict == "incorrect" and "index formula is wrong" in r.message
    assert r.details["first_wrong"] == "p = 1, q = 2, i = 1, j = 1"
    r = check_pure(LINEAR_A, r"x_j")      # the δ_ik is missing
    assert r.verdict == "incorrect" and r.details["first_wrong"] == "i = 1, k = 2, j = 1"
    r = check_pure(LINEAR_A, r"\delta_{ij} x_k")   # k runs to M = 2 … but x has N entries: at M = 4 it is outside
    assert (r.verdict, r.diagnosis) == ("incorrect", ["shape"]) and "outside x's shape" in r.message


def test_index_letters_not_in_the_spec_are_refused():
    r = check_pure(LINEAR_A, r"\delta_{pq} x_j")
    assert r.verdict == "invalid" and "unknown index" in r.message


# --- numeric answers to a derivative problem with [values] ----------------------------------------

@pytest.mark.parametrize("answer, verdict, codes", [
    (J_LAYER, "correct", []),
    (r"\begin{bmatrix} -0.8399 & 1.6799 & -0.42 \\ 0.6829 & 0.0 & -0.3414 \end{bmatrix}", "correct", []),
    (r"\begin{bmatrix} -0.84 & 0.683 \\ 1.68 & 0 \\ -0.42 & -0.341 \end{bmatrix}", "incorrect", ["transposed"]),
    (r"\begin{bmatrix} 0.84 & -1.68 & 0.42 \\ -0.683 & 0 & 0.341 \end{bmatrix}", "incorrect", ["sign"]),
    (r"\begin{bmatrix} -0.42 & 0.84 & -0.21 \\ 0.3415 & 0 & -0.1705 \end{bmatrix}", "incorrect", ["scale"]),
    (r"\operatorname{diag}(\sigma'(Wa + b))W", "correct", []),       # symbolic: as before
    (r"W", "incorrect", []),
])
def test_numeric_answer_compared_with_jacobian_at_values(answer, verdict, codes):
    r = check_pure(LAYER, answer)
    assert (r.verdict, r.diagnosis) == (verdict, codes), r.message


def test_numeric_answer_wrong_entries_listed_with_correct_value():
    # the notes' slip W a + b = (1, −1): tanh'(−1) W₂ instead of tanh'(1.75) W₂ in the second row
    r = check_pure(LAYER, r"\begin{bmatrix} -0.84 & 1.68 & -0.42 \\ 2.52 & 0 & -1.26 \end{bmatrix}")
    assert r.verdict == "incorrect" and r.diagnosis == ["entries"]
    assert [(e["row"], e["col"]) for e in r.details["wrong_entries"]] == [(2, 1), (2, 3)]
    assert r.details["wrong_entries"][0]["expected"] == pytest.approx(0.682873, abs=1e-6)
    assert r.score == pytest.approx(4 / 6, abs=1e-4)
    assert "0.6829" in r.message


def test_numeric_answer_without_values_is_checked_symbolically():
    p = Problem("tanh(W @ a + b)", "a", {"W": (2, 3), "a": (3, 1), "b": (2, 1)}, "vec")
    r = check_pure(p, J_LAYER)
    assert r.verdict == "incorrect"


# --- the CLI on the catalogue ----------------------------------------------------------------

def _cli(argv, stdin, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.skipif(not (ROOT / "derivations" / "gram.toml").exists(), reason="catalogue not present")
@pytest.mark.parametrize("answer, code, needle", [
    (NOTES_K, 0, "correct"),
    (VEC_K, 1, "diagnosis: input_order"),
    (NOTES_K_T, 1, "diagnosis: transposed"),
])
def test_cli_check_catalogue_gram(answer, code, needle, monkeypatch, capsys):
    assert load_spec(ROOT / "derivations" / "gram.toml").dimensions == {"M": 3, "N": 2}
    got, out, _ = _cli(["check", str(ROOT / "derivations" / "gram.toml"), "-"], answer, monkeypatch, capsys)
    assert got == code and needle in out.splitlines()[-2 if code else 0]


def test_cli_check_help_shows_a_catalogue_example(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--help"])
    assert exc.value.code == 0
    assert "symjac check derivations/gram.toml answer.tex" in capsys.readouterr().out


def test_value_problem_with_dimension_names_uses_the_instance():
    p = Problem("A @ x", None, {"A": ("m", "n"), "x": ("n", 1)}, values={"A": [[1, 2], [3, 4], [5, 6]], "x": [1, -1]})
    assert p.instance_sizes() == {"m": 3, "n": 2}     # from the shapes of the values
    r = check_pure(p, r"\begin{bmatrix} -1 \\ -1 \\ -1 \end{bmatrix}")
    assert r.verdict == "correct"
    r = check_pure(p, r"\begin{bmatrix} -1 & -1 & -1 \end{bmatrix}")
    assert (r.verdict, r.diagnosis) == ("incorrect", ["transposed"])
