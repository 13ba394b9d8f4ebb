"""`derive --format latex` is a complete statement: F defined, the variables' spaces, the convention
named, the Jacobian, the verification record — and it compiles."""
import shutil
import subprocess

import pytest

from symjac.cli import main


def _latex(capfd, *argv):
    assert main(["derive", *argv, "--format", "latex"]) == 0
    return capfd.readouterr().out


def test_statement_defines_f_names_the_convention_and_the_record(capfd):
    out = _latex(capfd, "A @ x", "--wrt", "x", "--shape", "A=2x3", "--shape", "x=3", "--convention", "notes")
    assert r"Let $F = A x$ (a $2 \times 1$ vector), where $A \in \mathbb{R}^{2 \times 3}$, $x \in \mathbb{R}^{3}$." in out
    assert ("Under the NOTES convention (outputs column-first, inputs row-first, numerator layout), "
            r"the Jacobian of $F$ with respect to $x$ is the $2 \times 3$ matrix") in out
    assert r"\frac{\partial F}{\partial x^{\top}} = \begin{bmatrix}" in out
    assert "A_{11} & A_{12} & A_{13}" in out
    assert "Verified: proven symbolically: all 6 entries equal SymPy's own differentiation exactly" in out


def test_special_characters_of_the_source_are_escaped(capfd):
    out = _latex(capfd, "norm(y - Phi @ theta)**2", "--wrt", "theta", "--shape", "y=2", "--shape", "Phi=2x2",
                 "--shape", "theta=2")
    first = out.splitlines()[0]
    assert first == "% symjac derive: the Jacobian of norm(y - Phi @ theta)**2 by theta (needs amsmath, amssymb)"
    assert r"(a $1 \times 1$ scalar)" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_statement_compiles(capfd, tmp_path):
    body = _latex(capfd, "tanh(W @ a + b)", "--wrt", "W", "--wrt", "b", "--shape", "W=2x2", "--shape", "a=2",
                  "--shape", "b=2")
    doc = "\\documentclass{article}\\usepackage{amsmath,amssymb}\\begin{document}\n%s\n\\end{document}\n" % body
    (tmp_path / "s.tex").write_text(doc)
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:]
