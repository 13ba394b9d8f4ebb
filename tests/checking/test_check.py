"""Answer checking: a hand-written answer set with expected verdicts and diagnoses.

Zero false accepts: every answer marked wrong must be judged wrong, every
right one right; plus a property test on random transformations.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from symjac.checking.engine import CODES, CheckError, Problem, check_pure

DATA = Path(__file__).parents[1] / "data" / "check"

GRAM_NOTES = Problem("A.T @ A", "A", {"A": (3, 2)}, "notes")
GRAM_VEC = Problem("A.T @ A", "A", {"A": (3, 2)}, "vec")
AX_VEC = Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec")
AX_NOTES = Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "notes")
AX_X = Problem("A @ x", "x", {"A": ("m", "n"), "x": ("n", 1)}, "vec")
QUAD = Problem("x.T @ A @ x", "x", {"A": ("n", "n"), "x": ("n", 1)}, "gradient")
LSQ = Problem("norm(y - Phi @ theta)**2", "theta", {"Phi": ("N", "D"), "y": ("N", 1), "theta": ("D", 1)}, "gradient")
LAYER = Problem("sigmoid(W @ a)", "a", {"W": (2, 3), "a": (3, 1)}, "vec")
XTX = Problem("X.T @ X", "X", {"X": ("m", "n")}, "vec")
LOGDET = Problem("log(det(X))", "X", {"X": (3, 3)}, "gradient")
TRACE = Problem("trace(A.T @ B)", "A", {"A": (2, 3), "B": (2, 3)}, "gradient")
TENSOR = Problem("A.T @ A", "A", {"A": (3, 2)}, "tensor", indices=("p", "q", "i", "j"))
FORWARD = Problem.from_file(DATA / "forward_pass.toml")

NOTES_K = (r"\begin{bmatrix} 2A_{11} & 0 & 2A_{21} & 0 & 2A_{31} & 0 \\ A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\"
           r" A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\ 0 & 2A_{12} & 0 & 2A_{22} & 0 & 2A_{32} \end{bmatrix}")
VEC_K = (r"\begin{bmatrix} 2A_{11} & 2A_{21} & 2A_{31} & 0 & 0 & 0 \\ A_{12} & A_{22} & A_{32} & A_{11} & A_{21} & A_{31} \\"
         r" A_{12} & A_{22} & A_{32} & A_{11} & A_{21} & A_{31} \\ 0 & 0 & 0 & 2A_{12} & 2A_{22} & 2A_{32} \end{bmatrix}")
MIXED_K = (r"\begin{bmatrix} 2A_{11} & 0 & 2A_{21} & 0 & 2A_{31} & 0 \\ A_{12} & A_{22} & A_{32} & A_{11} & A_{21} & A_{31} \\"
           r" A_{12} & A_{11} & A_{22} & A_{21} & A_{32} & A_{31} \\ 0 & 2A_{12} & 0 & 2A_{22} & 0 & 2A_{32} \end{bmatrix}")

# (id, problem, answer, verdict, diagnosis codes that must be present)
ANSWERS = [
    # correct, in different forms
    ("gram-notes-explicit", GRAM_NOTES, NOTES_K, "correct", []),
    ("gram-vec-explicit", GRAM_VEC, VEC_K, "correct", []),
    ("gram-vec-pmatrix", GRAM_VEC, VEC_K.replace("bmatrix", "pmatrix"), "correct", []),
    ("gram-vec-closed", GRAM_VEC, r"(I_2 \otimes A^{\top}) + (A^{\top} \otimes I_2) K_{32}", "correct", []),
    ("ax-vec-kron", AX_VEC, r"x^\top \otimes I", "correct", []),
    ("ax-vec-kron-sized", AX_VEC, r"x^{T} \otimes I_m", "correct", []),
    ("ax-vec-bold", AX_VEC, r"\mathbf{x}^\top \otimes I_m", "correct", []),
    ("ax-notes-kron", AX_NOTES, r"I_m \otimes x^{\mathsf{T}}", "correct", []),
    ("ax-x", AX_X, r"A", "correct", []),
    ("quad-sym", QUAD, r"(A + A^{T})x", "correct", []),
    ("quad-expanded", QUAD, r"Ax + A^\top x", "correct", []),
    ("lsq", LSQ, r"-2\Phi^T(y-\Phi\theta)", "correct", []),
    ("lsq-expanded", LSQ, r"2\Phi^\top\Phi\theta - 2\Phi^\top y", "correct", []),
    ("lsq-bold", LSQ, r"2\boldsymbol{\Phi}^{T}(\boldsymbol{\Phi}\boldsymbol{\theta} - \mathbf{y})", "correct", []),
    ("layer-diag", LAYER, r"\operatorname{diag}(\sigma'(Wa))W", "correct", []),
    ("layer-diag-explicit-sigma", LAYER, r"\operatorname{diag}(\sigma(Wa) \odot \sigma(-Wa))W", "correct", []),
    ("xtx-closed", XTX, r"(I_n \otimes X^{\top})+(X^{\top} \otimes I_n)K_{mn}", "correct", []),
    ("logdet", LOGDET, r"X^{-\top}", "correct", []),
    ("logdet-adj", LOGDET, r"\frac{1}{\det X}\operatorname{adj}(X)^{T}", "correct", []),
    ("trace", TRACE, r"B", "correct", []),
    ("tensor-delta", TENSOR, r"\delta_{jq}A_{ip} + \delta_{jp}A_{iq}", "correct", []),
    ("tensor-cases", TENSOR, r"\begin{cases} 2A_{ip} & p=q, j=p \\ A_{iq} & p \neq q, j=p \\ A_{ip} & p\neq q, j=q \\ 0 & \text{otherwise}\end{cases}", "correct", []),
    ("forward-correct", FORWARD, r"\begin{bmatrix}0.76\\0.94\end{bmatrix}", "correct", []),
    # right only under the other layout
    ("ax-x-transposed", AX_X, r"A^T", "incorrect", ["transposed"]),
    ("quad-row", QUAD, r"x^T(A + A^{T})", "incorrect", ["transposed"]),
    ("layer-transposed", LAYER, r"W^T\operatorname{diag}(\sigma'(Wa))", "incorrect", ["transposed"]),
    ("logdet-inverse", LOGDET, r"X^{-1}", "incorrect", ["transposed"]),
    ("trace-transposed", TRACE, r"B^T", "incorrect", ["transposed"]),
    # right only for row-major ordering
    ("gram-vec-given-notes", GRAM_VEC, NOTES_K, "incorrect", ["input_order"]),
    ("gram-notes-given-vec", GRAM_NOTES, VEC_K, "incorrect", ["input_order"]),
    ("ax-vec-swapped-kron", AX_VEC, r"I_m \otimes x^\top", "incorrect", ["input_order"]),
    ("ax-notes-swapped-kron", AX_NOTES, r"x^\top \otimes I_m", "incorrect", ["input_order"]),
    ("gram-mixed", GRAM_NOTES, MIXED_K, "incorrect", ["entries", "convention_mixed"]),
    # sign slips
    ("lsq-sign", LSQ, r"2\Phi^T(y-\Phi\theta)", "incorrect", ["sign"]),
    ("ax-x-sign", AX_X, r"-A", "incorrect", ["sign"]),
    ("logdet-sign", LOGDET, r"-X^{-T}", "incorrect", ["sign"]),
    # missing factor 2
    ("lsq-half", LSQ, r"-\Phi^T(y-\Phi\theta)", "incorrect", ["scale"]),
    ("gram-vec-no2", GRAM_VEC, VEC_K.replace("2A", "A"), "incorrect", ["entries"]),
    ("ax-triple", AX_X, r"3A", "incorrect", ["scale"]),
    # missing / doubled product-rule term
    ("quad-missing", QUAD, r"Ax", "incorrect", ["missing_term"]),
    ("quad-doubled", QUAD, r"2Ax", "incorrect", ["doubled_term"]),
    ("xtx-missing", XTX, r"I_n \otimes X^{\top}", "incorrect", ["missing_term"]),
    ("tensor-missing", TENSOR, r"\delta_{jq}A_{ip}", "incorrect", ["missing_term"]),
    # explicit matrices with wrong entries
    ("gram-one-entry", GRAM_NOTES, NOTES_K.replace("2A_{11}", "A_{11}", 1), "incorrect", ["entries"]),
    ("forward-notes", FORWARD, r"\begin{bmatrix}0.76\\-0.76\end{bmatrix}", "incorrect", ["values"]),
    ("forward-sign", FORWARD, r"\begin{bmatrix}-0.76\\-0.94\end{bmatrix}", "incorrect", ["sign"]),
    ("forward-row", FORWARD, r"\begin{bmatrix}0.76 & 0.94\end{bmatrix}", "incorrect", ["transposed"]),
    # wrong shapes
    ("gram-shape", GRAM_NOTES, r"A^\top", "incorrect", ["shape"]),
    ("gram-2x2", GRAM_NOTES, r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "incorrect", ["shape"]),
    ("ax-vec-shape", AX_VEC, r"x^\top", "incorrect", ["shape"]),
    ("forward-3", FORWARD, r"\begin{bmatrix}0.76\\0.94\\0\end{bmatrix}", "incorrect", ["shape"]),
    ("tensor-matrix", TENSOR, r"A^T", "incorrect", ["shape"]),
    ("lsq-inconsistent", LSQ, r"\Phi\Phi^T\theta", "incorrect", ["shape"]),
    # unparseable / invalid
    ("invalid-unbalanced", GRAM_NOTES, r"\begin{bmatrix} 1 & 2 \\ 3 & 4", "invalid", ["invalid"]),
    ("invalid-undeclared", AX_X, r"B", "invalid", ["invalid"]),
    ("invalid-dots", AX_X, r"\begin{bmatrix} x_1 \\ \vdots \\ x_n \end{bmatrix}", "invalid", ["invalid"]),
    ("invalid-command", AX_X, r"\foo(x)", "invalid", ["invalid"]),
    ("invalid-garbage", AX_X, r"A + ) x", "invalid", ["invalid"]),
    ("invalid-empty", AX_X, "   ", "invalid", ["invalid"]),
    ("invalid-equation", AX_X, r"A = x", "invalid", ["invalid"]),
    ("invalid-ragged", GRAM_NOTES, r"\begin{bmatrix} 1 & 2 \\ 3 \end{bmatrix}", "invalid", ["invalid"]),
]


@pytest.mark.parametrize("name,problem,answer,verdict,codes", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_answer_set(name, problem, answer, verdict, codes):
    report = check_pure(problem, answer)
    assert report.verdict == verdict, report.message
    for code in codes:
        assert code in report.diagnosis, (report.diagnosis, report.message)
    assert set(report.diagnosis) <= set(CODES)
    if verdict == "correct":
        assert report.score == 1.0
    if verdict == "invalid":
        assert report.message.startswith("invalid input:")


def test_answer_set_size_and_no_false_accepts():
    assert len(ANSWERS) >= 40
    false_accepts = [a[0] for a in ANSWERS if a[3] != "correct" and check_pure(a[1], a[2]).verdict == "correct"]
    assert false_accepts == []


def test_explicit_entries_report_the_correct_value_and_partial_credit():
    r = check_pure(GRAM_NOTES, NOTES_K.replace("2A_{11}", "A_{11}", 1))
    (item,) = r.details["wrong_entries"]
    assert (item["row"], item["col"]) == (1, 1)
    assert item["expected"] == "2 A_{11}"
    assert r.score == pytest.approx(23 / 24, abs=1e-4)


def test_partial_credit_can_be_disabled():
    p = Problem("A.T @ A", "A", {"A": (3, 2)}, "notes", partial_credit=False)
    assert check_pure(p, NOTES_K.replace("2A_{11}", "A_{11}", 1)).score == 0.0


def test_scale_reports_the_factor():
    r = check_pure(LSQ, r"-\Phi^T(y-\Phi\theta)")
    assert r.details["factor"] == "1/2"
    assert "factor 2" in r.message


def test_shape_reports_expected_and_given():
    r = check_pure(GRAM_NOTES, r"A^\top")
    assert r.details["expected"] == "4x6" and r.details["given"] == "2x3"


def test_notes_forward_pass_is_wrong_with_the_correct_vector():
    r = check_pure(FORWARD, r"\begin{bmatrix}0.76\\-0.76\end{bmatrix}")
    assert r.verdict == "incorrect"
    assert "0.7616" in r.message and "0.9414" in r.message
    assert [(e["row"], e["col"]) for e in r.details["wrong_entries"]] == [(2, 1)]


def test_not_gate_choice_judged_from_the_numbers():
    p = Problem.from_file(DATA / "not_gate.toml")
    assert check_pure(p, "d").verdict == "correct"
    assert check_pure(p, r"\text{(d)}").verdict == "correct"
    for wrong in "abce":
        r = check_pure(p, wrong)
        assert r.verdict == "incorrect" and r.diagnosis == ["choice"] and r.details["best"] == "d"
    assert check_pure(p, "z").verdict == "invalid"


def test_report_json_round_trip():
    r = check_pure(QUAD, r"2Ax")
    import json

    d = json.loads(r.to_json())
    assert d["verdict"] == "incorrect" and d["diagnosis"] == ["doubled_term"]


def test_sympy_function_problem():
    import sympy as sp

    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    x = sp.MatrixSymbol("x", n, 1)
    p = Problem(A * x, "x", {"A": ("n", "n"), "x": ("n", 1)}, "vec")
    assert check_pure(p, "A").verdict == "correct"
    assert check_pure(p, "A^T").verdict == "incorrect"


# --- property: transformations that change the function are never accepted --------------

_KEYS = [
    (AX_VEC, r"x^\top \otimes I_m", [r"I_m \otimes x^\top", r"-(x^\top \otimes I_m)", r"(x^\top \otimes I_m)^T"]),
    (XTX, r"(I_n \otimes X^{\top})+(X^{\top} \otimes I_n)K_{mn}",
     [r"(X^{\top} \otimes I_n)+(I_n \otimes X^{\top})K_{mn}", r"-(I_n \otimes X^{\top})-(X^{\top} \otimes I_n)K_{mn}",
      r"((I_n \otimes X^{\top})+(X^{\top} \otimes I_n)K_{mn})^T", r"(I_n \otimes X)+(X \otimes I_n)K_{mn}"]),
    (LSQ, r"-2\Phi^T(y-\Phi\theta)", [r"2\Phi^T(y-\Phi\theta)", r"(-2\Phi^T(y-\Phi\theta))^T", r"-2\Phi^T(y+\Phi\theta)"]),
    (QUAD, r"(A + A^{T})x", [r"-(A + A^{T})x", r"((A + A^{T})x)^T", r"(A - A^{T})x"]),
]


def _transforms(key: str, rng: random.Random) -> list[str]:
    out = [rf"-({key})", rf"({key})^T", rf"2({key})"]
    if r"\otimes" in key:
        parts = key.split(r"\otimes", 1)
        out.append(parts[1] + r"\otimes" + parts[0])
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("k", range(len(_KEYS)))
def test_property_transformations_never_accepted(k):
    problem, key, extra = _KEYS[k]
    assert check_pure(problem, key).verdict == "correct"
    rng = random.Random(k)
    for variant in _transforms(key, rng) + extra:
        r = check_pure(problem, variant)
        if r.verdict == "invalid":
            continue  # e.g. a swap that makes shapes inconsistent
        assert r.verdict == "incorrect", (variant, r.message)


def test_checking_module_is_not_shadowed_by_the_check_function():
    import importlib

    import symjac

    mod = importlib.import_module("symjac.checking.pool")
    assert callable(symjac.check) and symjac.check is mod.check
    assert not (Path(symjac.__file__).parent / "check.py").exists()


def test_conventions_are_the_spec_conventions():
    """Specs and problems read the one list of names; an unknown name fails listing them."""
    import symjac.checking.spec
    import symjac.conventions

    assert symjac.checking.spec.CONVENTIONS is symjac.conventions.NAMES
    with pytest.raises(CheckError, match="choose one of vec, notes, row, denominator, gradient, tensor"):
        Problem("A @ x", "x", {"A": (2, 2), "x": (2, 1)}, "vecc")
    assert Problem("A @ x", "x", {"A": (2, 2), "x": (2, 1)}, "NOTES").convention is symjac.conventions.NOTES


def test_sigma_default_from_the_function_and_explicit_override():
    shapes = {"W": (2, 2), "a": (2, 1)}
    assert Problem("tanh(W @ a)", None, shapes).sigma == "tanh"
    assert Problem("sigmoid(W @ a)", None, shapes).sigma == "sigmoid"
    assert Problem("tanh(sigmoid(W @ a))", None, shapes).sigma == "sigmoid"
    assert Problem("W @ a", None, shapes).sigma == "sigmoid"
    assert Problem("tanh(W @ a)", None, shapes, sigma="sigmoid").sigma == "sigmoid"
    with pytest.raises(CheckError, match="sigma"):
        Problem("W @ a", None, shapes, sigma="relu")
    # \sigma in an answer means the problem's sigma
    value = Problem("tanh(W @ a)", None, {"W": (1, 1), "a": (1, 1)}, values={"W": 1, "a": 1})
    assert check_pure(value, r"\sigma(1)").verdict == "correct"            # tanh(1)
    value.sigma = "sigmoid"
    assert check_pure(value, r"\sigma(1)").verdict == "incorrect"          # 0.731 is not tanh(1)


def test_from_spec_takes_sigma_when_the_spec_has_one():
    from symjac.checking.spec import spec_from_dict

    spec = spec_from_dict({"title": "t", "function": "tanh(W @ a)", "shapes": {"W": [1, 1], "a": [1, 1]},
                           "values": {"W": 1, "a": 1}})
    assert Problem.from_spec(spec).sigma == "tanh"
    spec.sigma = "sigmoid"          # the spec format's `sigma` key, once it has one
    assert Problem.from_spec(spec).sigma == "sigmoid"
