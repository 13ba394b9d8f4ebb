r"""⊙, ∘ and ⊗ bind tighter than + and −, also after a superscript group (2aa^\top - aa^\top \odot I
is 2aaᵀ − (aaᵀ ∘ I), not (2aaᵀ − aaᵀ) ∘ I) — checked numerically against NumPy."""
import numpy as np
import pytest

from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex

RNG = np.random.default_rng(7)
a = RNG.normal(size=(3, 1))
A, B, C = (RNG.normal(size=(3, 3)) for _ in range(3))
x = RNG.normal(size=(2, 1))


@pytest.mark.parametrize("latex,shapes,arrays,expected", [
    (r"2aa^\top - aa^\top \odot I", {"a": (3, 1)}, {"a": a}, 2 * a @ a.T - (a @ a.T) * np.eye(3)),
    (r"2 a a^{\top} - a a^{\top} \circ I_3", {"a": (3, 1)}, {"a": a}, 2 * a @ a.T - (a @ a.T) * np.eye(3)),
    (r"A^{T} + B \odot C", {"A": (3, 3), "B": (3, 3), "C": (3, 3)}, {"A": A, "B": B, "C": C}, A.T + B * C),
    (r"A^{-1} - B \odot C", {"A": (3, 3), "B": (3, 3), "C": (3, 3)}, {"A": A, "B": B, "C": C},
     np.linalg.inv(A) - B * C),
    (r"x^\top \otimes I_3 - I_3 \otimes x^\top", {"x": (2, 1)}, {"x": x},
     np.kron(x.T, np.eye(3)) - np.kron(np.eye(3), x.T)),
    (r"-x^\top \otimes I_3", {"x": (2, 1)}, {"x": x}, -np.kron(x.T, np.eye(3))),
])
def test_products_bind_tighter_than_sums(latex, shapes, arrays, expected):
    got = evaluate(parse_latex(latex, shapes), Env({}, arrays))
    assert np.allclose(np.asarray(got, dtype=float), expected)
