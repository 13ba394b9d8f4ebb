"""LaTeX input: declared names become matrices, products keep their order, constructs are symjac's."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symjac import matrix, vector
from symjac.errors import SymjacError
from symjac.render.latex import latex as render, latex_matrix
from symjac.parsing.latex.parser import parse_latex
from symjac.parsing.latex.nodes import Commutation, Diag, Env, Hadamard, Kron, evaluate
from symjac.parsing.nodes import ElementwiseDerivative
from symjac.symbols import entry_symbol

SH = {"A": ("m", "n"), "B": ("n", "n"), "x": ("n", 1), "Phi": ("m", "n"), "theta": ("n", 1), "y": ("m", 1), "X": ("n", "n")}


def P(text, shapes=SH, **kw):
    return parse_latex(text, shapes, **kw)


def num(expr, arrays, dims, expected=None):
    env = Env({sp.Symbol(k, integer=True, positive=True): v for k, v in dims.items()}, arrays)
    return evaluate(expr, env, expected)


@pytest.mark.parametrize("text", [r"A^\top", r"A^{T}", r"A^{\top}", r"A^\intercal", r"A^{\mathsf{T}}", r"A'", r"\mathbf{A}^T"])
def test_transpose_spellings(text):
    assert P(text) == sp.Transpose(sp.MatrixSymbol("A", *P("A").shape))


def test_products_keep_their_order():
    e = P(r"x^T A^T")
    assert isinstance(e, sp.MatMul)
    rng = np.random.default_rng(0)
    arr = {"A": rng.normal(size=(3, 2)), "x": rng.normal(size=(2, 1))}
    np.testing.assert_allclose(num(e, arr, {"m": 3, "n": 2}), arr["x"].T @ arr["A"].T)


def test_symbols_keep_case_and_greek():
    e = P(r"-2\Phi^T(y-\Phi\theta)")
    names = {s.name for s in e.atoms(sp.MatrixSymbol)}
    assert names == {"Phi", "y", "theta"}


@pytest.mark.parametrize("name,i,j,text", [("A", 1, 1, r"A_{11}"), ("A", 1, 10, r"A_{1,10}"), ("W1", 2, 3, r"W^{(1)}_{23}"),
                                           ("W1", 2, 3, r"W_{23}^{(1)}")])
def test_entry_round_trip(name, i, j, text):
    shapes = {name: (12, 12)}
    assert P(text, shapes) == entry_symbol(name, i, j)
    assert P(text, shapes).is_real


def test_printed_matrix_parses_back_to_the_same_symbols():
    for M, shapes in ((matrix("A", 3, 2), {"A": (3, 2)}), (matrix("W1", 2, 3), {"W1": (2, 3)}), (vector("x", 3), {"x": (3, 1)})):
        text = latex_matrix(2 * M)
        assert P(text, shapes) == 2 * M
        for e in M:
            assert P(render(e), shapes) == e


def test_kronecker_hadamard_commutation_identity():
    assert isinstance(P(r"I_n \otimes A^{\top}"), Kron)
    assert isinstance(P(r"A \odot A"), Hadamard)
    assert isinstance(P(r"A \circ A"), Hadamard)
    assert isinstance(P(r"K_{mn}"), Commutation)
    e = P(r"(x^T \otimes I_m)K_{mn}")
    v = num(e, {"x": np.arange(1.0, 3.0).reshape(2, 1)}, {"m": 3, "n": 2})
    assert v.shape == (3, 6)


def test_commutation_matrix_matches_core():
    from symjac.conventions import commutation_matrix

    K = num(P(r"K_{mn}"), {}, {"m": 2, "n": 3})
    np.testing.assert_array_equal(K, np.array(commutation_matrix(2, 3), dtype=float))


def test_functions_norms_inverse():
    assert isinstance(P(r"\operatorname{diag}(\sigma'(Wz))W", {"W": (2, 2), "z": (2, 1)}).args[0], Diag)
    e = P(r"\operatorname{diag}(\sigma'(z))", {"z": (2, 1)})
    assert isinstance(e.args[0], ElementwiseDerivative)
    X = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(num(P(r"X^{-\top}"), {"X": X}, {"n": 2}), np.linalg.inv(X).T)
    np.testing.assert_allclose(num(P(r"\operatorname{adj}(X)"), {"X": X}, {"n": 2}), np.linalg.det(X) * np.linalg.inv(X))
    assert num(P(r"\|y - \Phi\theta\|^2"), {"y": np.ones((2, 1)), "Phi": np.zeros((2, 2)), "theta": np.ones((2, 1))},
               {"m": 2, "n": 2}) == pytest.approx(2.0)
    assert num(P(r"\operatorname{tr}(X)"), {"X": X}, {"n": 2}) == pytest.approx(5.0)
    assert num(P(r"\det X"), {"X": X}, {"n": 2}) == pytest.approx(5.0)


def test_numbers_are_exact():
    M = P(r"\begin{bmatrix}0.76\\0.94\end{bmatrix}", {})
    assert M == sp.ImmutableMatrix([sp.Rational(19, 25), sp.Rational(47, 50)])
    assert P(r"\frac12", {}) == sp.Rational(1, 2) or float(num(P(r"\frac12", {}), {}, {})) == 0.5
    assert float(num(P("1.5e-3", {}), {}, {})) == pytest.approx(0.0015)


def test_index_notation():
    e = P(r"\delta_{jq}A_{ip}", {"A": (3, 2)}, indices=("p", "q", "i", "j"))
    assert e.has(sp.KroneckerDelta)


@pytest.mark.parametrize("text,fragment", [
    (r"B + C", "unknown symbol C"),
    (r"\foo(x)", "unknown command"),
    (r"\mathrm{__import__(os)}", "unknown name"),
    (r"\begin{bmatrix} x_1 \\ \vdots \end{bmatrix}", "write every entry"),
    (r"A_{45}", "outside"),
    (r"x^{100}", "larger than 64"),
    (r"x + ) y", "unmatched"),
    (r"\begin{bmatrix} 1 & 2 \\ 3 \end{bmatrix}", "ragged"),
    (r"\sum_{i=1}^n x_i", "cannot be used"),
])
def test_refusals_are_one_clear_line(text, fragment):
    with pytest.raises(SymjacError) as exc:
        P(text, {"A": (3, 3), "B": (2, 2), "x": (2, 1)})
    assert fragment in str(exc.value)
    assert "\n" not in str(exc.value)


def test_library_gets_objects_never_strings(monkeypatch):
    import latex2sympy2_extended.latex2sympy2 as l2s

    seen = []
    real = l2s.latex2sympy

    def spy(text, variable_values=None, **kw):
        seen.append(variable_values)
        return real(text, variable_values=variable_values, **kw)

    monkeypatch.setattr(l2s, "latex2sympy", spy)
    P(r"-2\Phi^T(y-\Phi\theta) + 2\Phi^T y")
    assert seen and all(isinstance(v, sp.MatrixSymbol) for vv in seen for v in (vv or {}).values())


def test_inverse_transpose_of_a_scalar_entry_is_its_inverse():
    """Found by benchmarks/fuzz_latex.py: A_{11}^{-\\top} crashed (a scalar has no .shape)."""
    from symjac.checking.engine import Problem, check_pure

    problem = Problem("A @ x", "x", {"A": (2, 2), "x": (2, 1)}, "vec")
    report = check_pure(problem, r"A_{11}^{-\top}")
    assert report.verdict == "incorrect" and report.diagnosis == ["shape"]
    assert check_pure(problem, r"A").verdict == "correct"


@pytest.mark.parametrize("answer", [
    r"x_1 \otimes 1 \cdot 0.5",
    r"|\operatorname{vec}(A_{11})| \circ \operatorname{adj}(I^{-1})^2",
    r"A_{11} \odot \mathbf{x}^{-\top} \cdot \sigma(\sigma(\frac{1}{2})) \times I",
])
def test_products_of_scalar_entries_never_crash(answer):
    """Found by benchmarks/fuzz_latex.py (seed 7): ⊗ and ∘ with a scalar operand had no shape."""
    from symjac.checking.engine import Problem, check_pure

    for problem in (Problem("A.T @ A", "A", {"A": (3, 2)}, "notes"),
                    Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec")):
        report = check_pure(problem, answer)
        assert report.verdict in ("incorrect", "invalid")   # never "error" (a checker crash)
