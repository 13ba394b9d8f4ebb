"""Entries read as mathematics, never as Python: plain text prints A_11^2 and Σ_{m=1}^{M} …, the
catalogue's Markdown index shows claim values as LaTeX math, `docs --show` has no ** or Sum(…)."""
import re
from pathlib import Path

import sympy as sp

from symjac.cli import main
from symjac.render.latex import text_math, text_matrix
from symjac.symbols import matrix

ROOT = Path(__file__).resolve().parents[2]


def test_text_math_powers_and_sums():
    A = matrix("A", 2, 2)
    assert text_math(A[0, 0] ** 2 + A[1, 0] ** 2) == "A_11^2 + A_21^2"
    m, M = sp.symbols("m M", integer=True, positive=True)
    a, b = sp.symbols("A_mp A_mq")
    assert text_math(sp.Sum(a * b, (m, 1, M))) == "Σ_{m=1}^{M} A_mp*A_mq"
    assert text_math(sp.Sum(a + b, (m, 1, M))) == "Σ_{m=1}^{M} (A_mp + A_mq)"
    assert text_math(sp.sqrt(A[0, 0]) / A[0, 1] ** 3) == "sqrt(A_11)/A_12^3"
    assert text_matrix(sp.Matrix([[A[0, 0] ** 2, 0]])) == "[A_11^2  0]"


def test_docs_show_has_no_python_syntax(capsys):
    assert main(["docs", "--show", "gram"]) == 0
    out = capsys.readouterr().out
    assert "**" not in out and "Sum(" not in out
    assert "K_pq = Σ_{m=1}^{M} A_mp*A_mq" in out
    assert "A_11^2 + A_21^2 + A_31^2" in out


def test_markdown_index_shows_claim_values_as_math():
    text = (ROOT / "docs" / "derivations" / "README.md").read_text()
    assert r"\*\*" not in text and "A\\_11" not in text
    assert "claimed $-0.761594$, correct $0.941376$" in text           # the notes' p. 13 slip, as math
    for line in text.splitlines():
        if "wrong, e.g." in line:
            assert re.search(r"correct \$[^$]+\$", line), line
