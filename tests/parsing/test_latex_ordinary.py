r"""The LaTeX people really write (issue 13): spacing and sizing commands, W^{(2)\top}, a scalar
broadcast in an elementwise sum, diag(a, b, c), size expressions, \mathbf{1}, \odot, chained case
conditions, block matrices and whole .tex files.  Each input is evaluated numerically at random
sizes and compared with what it means, computed directly with NumPy."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symjac.errors import SymjacError
from symjac.parsing.latex.document import extract_answer
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex

SH = {"A": ("m", "n"), "B": ("n", "n"), "C": ("m", "m"), "x": ("n", 1), "z": ("n", 1), "d": ("m", 1),
      "W2": ("m", "n"), "X": ("n", "n"), "a": (1, 1), "b": (1, 1), "c": (1, 1)}
SIG = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731


def _arrays(m, n, seed):
    rng = np.random.default_rng(seed)
    out = {}
    for name, (r, c) in SH.items():
        r = {"m": m, "n": n}.get(r, r)
        c = {"m": m, "n": n}.get(c, c)
        out[name] = rng.normal(size=(r, c))
    return out


def value(text, m, n, seed=0, expected=None, indices=()):
    e = parse_latex(text, SH, indices=indices)
    v = _arrays(m, n, seed)
    env = Env({sp.Symbol("m", integer=True, positive=True): m, sp.Symbol("n", integer=True, positive=True): n}, v)
    out = evaluate(e, env, expected)
    return np.atleast_2d(np.asarray(out, dtype=float)), v


CASES = [
    (r"A\,x + \;d\!\quad", lambda v: v["A"] @ v["x"] + v["d"]),
    (r"A \, x\;+\:d\qquad", lambda v: v["A"] @ v["x"] + v["d"]),
    (r"\left( A x \right) + \left[ d \right]", lambda v: v["A"] @ v["x"] + v["d"]),
    (r"\big( A x \big) + \Big[ d \Big]", lambda v: v["A"] @ v["x"] + v["d"]),
    (r"\bigl( A x \bigr) + \Bigl( d \Bigr)", lambda v: v["A"] @ v["x"] + v["d"]),
    (r"W^{(2)\top} d", lambda v: v["W2"].T @ v["d"]),
    (r"W^{(2)T} d", lambda v: v["W2"].T @ v["d"]),
    (r"W^{(2) \top}d", lambda v: v["W2"].T @ v["d"]),
    (r"1-\tanh^2(z)", lambda v: 1 - np.tanh(v["z"]) ** 2),
    (r"2 - \tanh(z) \odot \tanh(z)", lambda v: 2 - np.tanh(v["z"]) ** 2),
    (r"\operatorname{diag}(1-\tanh^2(z)) A^T", lambda v: np.diag(1 - np.tanh(v["z"].ravel()) ** 2) @ v["A"].T),
    (r"\sigma(z) \odot (1 - \sigma(z))", lambda v: SIG(v["z"]) * (1 - SIG(v["z"]))),
    (r"A x \odot A x", lambda v: (v["A"] @ v["x"]) ** 2),
    (r"(A^T d) \odot \sigma'(z)", lambda v: (v["A"].T @ v["d"]) * SIG(v["z"]) * (1 - SIG(v["z"]))),
    (r"\operatorname{diag}(a, b, c)", lambda v: np.diag([v["a"][0, 0], v["b"][0, 0], v["c"][0, 0]])),
    (r"\operatorname{diag}(B, C)", lambda v: np.block([[v["B"], np.zeros((len(v["B"]), len(v["C"])))],
                                                       [np.zeros((len(v["C"]), len(v["B"]))), v["C"]]])),
    (r"\mathbf{1}^T x", lambda v: v["x"].sum(keepdims=True)),
    (r"A \mathbf{1}", lambda v: v["A"].sum(axis=1, keepdims=True)),
    (r"\mathbf{1}_n^\top x", lambda v: v["x"].sum(keepdims=True)),
    (r"\mathbf{1}_m \mathbf{1}_n^T + A", lambda v: 1 + v["A"]),
    (r"0_{m\times n} + A", lambda v: v["A"]),
    (r"\mathbf{0}_{m \times n} + A", lambda v: v["A"]),
    (r"\begin{bmatrix} A & 0 \\ 0 & B \end{bmatrix}",
     lambda v: np.block([[v["A"], np.zeros((v["A"].shape[0], v["B"].shape[1]))],
                         [np.zeros((v["B"].shape[0], v["A"].shape[1])), v["B"]]])),
    (r"\begin{bmatrix} A \\ 2A \end{bmatrix}", lambda v: np.vstack([v["A"], 2 * v["A"]])),
    (r"\begin{bmatrix} B & I \\ I & B^T \end{bmatrix}", lambda v: np.block([[v["B"], np.eye(len(v["B"]))],
                                                                              [np.eye(len(v["B"])), v["B"].T]])),
]


@pytest.mark.parametrize("text,intent", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("m,n", [(2, 3), (4, 2), (3, 3)])
def test_reads_as_intended(text, intent, m, n):
    got, v = value(text, m, n, seed=m * 10 + n)
    want = np.atleast_2d(intent(v))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("text,size", [(r"I_{n^2}", lambda m, n: n * n), (r"I_{mn}", lambda m, n: m * n),
                                       (r"I_{m n}", lambda m, n: m * n), (r"I_{2n}", lambda m, n: 2 * n),
                                       (r"I_{n+1}", lambda m, n: n + 1), (r"I_{m \cdot n}", lambda m, n: m * n)])
@pytest.mark.parametrize("m,n", [(2, 3), (4, 2)])
def test_identity_size_expressions(text, size, m, n):
    got, _ = value(text, m, n)
    np.testing.assert_array_equal(got, np.eye(size(m, n)))


def test_kron_with_size_expression_identity():
    got, v = value(r"I_{n} \otimes A", 2, 3)
    np.testing.assert_allclose(got, np.kron(np.eye(3), v["A"]))


@pytest.mark.parametrize("text", [r"I_{k^2}", r"I_{n^{9}}", r"I_{n)}", r"0_{m\times}", r"\mathbf{1}_{q}"])
def test_bad_sizes_are_one_line_errors(text):
    with pytest.raises(SymjacError) as exc:
        parse_latex(text, SH)
    assert "\n" not in str(exc.value)


def test_block_matrix_with_unknown_block_size_is_refused():
    with pytest.raises(SymjacError, match="block"):
        parse_latex(r"\begin{bmatrix} 0 & 0 \\ 0 & A \end{bmatrix}", SH)


def _delta_case(text, idx):
    e = parse_latex(text, {}, indices=tuple(idx))
    out = {}
    syms = {k: sp.Symbol(k, integer=True, positive=True) for k in idx}
    for vals in np.ndindex(*(3,) * len(idx)):
        env = Env({}, {}, {syms[k]: v + 1 for k, v in zip(idx, vals)})
        out[vals] = float(np.asarray(evaluate(e, env)).ravel()[0])
    return out


@pytest.mark.parametrize("text,rule", [
    (r"\begin{cases} 1 & j = p \neq q \\ 0 & \text{otherwise} \end{cases}", lambda j, p, q: j == p != q),
    (r"\begin{cases} 1 & j = p = q \\ 0 & \text{otherwise} \end{cases}", lambda j, p, q: j == p == q),
    (r"\begin{cases} 1 & p = q,\ j = p \\ 0 & \text{otherwise} \end{cases}", lambda j, p, q: p == q and j == p),
    (r"\begin{cases} 1 & \text{if } p = q \text{ and } j = p \\ 0 & \text{otherwise} \end{cases}",
     lambda j, p, q: p == q and j == p),
    (r"\begin{cases} 1 & j = p,\; p \ne q \\ 0 & \text{else} \end{cases}", lambda j, p, q: j == p and p != q),
])
def test_chained_conditions_in_cases(text, rule):
    got = _delta_case(text, "jpq")
    for (j, p, q), v in got.items():
        assert v == (1.0 if rule(j, p, q) else 0.0)


DOC = r"""\documentclass{article}
\usepackage{amsmath} % the answer is below
\newcommand{\R}{\mathbb{R}}
\begin{document}
Let $A \in \R^{m\times n}$. Differentiating, we get
\[ A x + d \]
\end{document}
"""


@pytest.mark.parametrize("text", [
    DOC,
    r"The answer is $A x + d$.",
    r"$$A x + d$$",
    r"\[A\,x + d\]",
    r"\begin{equation} A x + d \end{equation}",
    r"\begin{align*} \nabla_x f &= A x + d \end{align*}",
    r"\begin{align} J &= A x \\ &\quad + d \end{align}".replace(r"\\ &\quad + d", r"+ d"),
    r"\begin{align} J &= A (x + x) - A x \\ &= A x + d \end{align}",
    r"We find $J = A x + d$ after some work, so \boxed{A x + d}.",
])
def test_formula_extracted_from_a_document(text):
    got, v = value(text, 3, 2)
    np.testing.assert_allclose(got, v["A"] @ v["x"] + v["d"])


def test_align_keeps_matrix_rows():
    assert extract_answer(r"\begin{align*} J &= \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} \end{align*}").strip() \
        .startswith("J  = \\begin{bmatrix} 1 & 2 \\\\ 3 & 4")


def test_bare_formula_is_unchanged():
    assert extract_answer(r"A^T x") == r"A^T x"


@pytest.mark.parametrize("text", [r"\documentclass{article} $x$", r"\begin{document} no formula here \end{document}"])
def test_documents_without_an_answer_are_refused(text):
    with pytest.raises(SymjacError):
        parse_latex(text, SH)


@pytest.mark.parametrize("answer,what", [
    (r"\tanh(Wa)^{-1}", "inverse"), (r"\tanh(W)^2", "power"), (r"\tanh'(W)^{-1}", "inverse"),
])
def test_non_square_elementwise_results_are_named_without_internals(answer, what):
    from symjac.errors import ShapeError
    from symjac.parsing.latex.parser import parse_latex
    with pytest.raises(ShapeError) as info:
        parse_latex(answer, {"W": (2, 3), "a": (3, 1)})
    assert str(info.value) == f"shapes do not fit: {what} of a non-square matrix"
