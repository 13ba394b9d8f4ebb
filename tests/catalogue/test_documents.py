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
from symjac.checking.spec import load_catalogue

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
    assert tex_escape("‖y − Φθ‖²") == r"$\|$y $-$ $\Phi\theta\|^{2}$"     # adjacent math merged
    assert tex_escape("L = ½‖a⁽²⁾ − y‖²") == r"L = \textonehalf{}$\|$a$^{(2)}$ $-$ y$\|^{2}$"
    assert tex_escape("a⁽ˡ⁻¹⁾ ⊙ σ′") == r"a$^{(l-1)}$ $\odot$ $\sigma'$"


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
    assert "claimed $-1$, correct $1.75$" in index


def test_text_document_for_the_terminal():
    txt = text_document(by_name("layer_forward"))
    assert "W1 @ a0 + b1 = [1; 1.75]" in txt
    assert "$" not in txt.replace("\\", "")[:0] + ""  # text has no LaTeX math delimiters in prose
    assert "FLAGGED: 1 of 2 numbers is wrong; the correct value is [1; 1.75]." in txt   # the checker's verdict
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


def test_long_formulas_are_broken_not_shrunk():
    from symjac.catalogue.documents import PREAMBLE, _visible, break_formula

    assert r"\resizebox" not in PREAMBLE and r"\footnotesize" in PREAMBLE and r"\scriptsize" not in PREAMBLE
    terms = " + ".join(r"W_{%d} \tanh\left(x_{%d} + b_{%d}\right)" % (k, k, k) for k in range(12))
    lines = break_formula("F = " + terms)
    assert len(lines) >= 3 and all(_visible(line) <= 90 for line in lines)
    assert "".join(lines).replace(" ", "") == ("F = " + terms).replace(r"\left(", r"\bigl(").replace(
        r"\right)", r"\bigr)").replace(" ", "")
    cases = break_formula(r"\frac{\partial L}{\partial W_{ij}} = \begin{cases} \frac{%s}{2} & \text{if } i=n \\ 0 & \text{otherwise} \end{cases}" % terms)
    assert cases[0].startswith(r"\frac{\partial L}{\partial W_{ij}} = \frac{1}{2}\bigl(") and cases[-1].endswith(r"0 \quad \text{otherwise}")
    assert break_formula("F = A x + b") is None


def _compile(tmp_path, name):
    from symjac.catalogue.documents import latex_document

    tex = tmp_path / f"{name}.tex"
    tex.write_text(latex_document(by_name(name)), encoding="utf-8")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, [ln for ln in r.stdout.splitlines() if ln.startswith("!")][:3]
    return tmp_path / f"{name}.pdf"


@pytest.mark.latex
@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdffonts") is None,
                    reason="pdflatex / pdffonts not installed")
def test_pdfs_embed_type1_fonts_only(tmp_path):
    for name in ("gram", "two_layer_network"):
        out = subprocess.run(["pdffonts", str(_compile(tmp_path, name))], capture_output=True, text=True).stdout
        rows = out.splitlines()[2:]
        assert rows and all(" Type 1 " in row or " Type 1C " in row for row in rows), out
        assert "Type 3" not in out


@pytest.mark.latex
@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="pdflatex / pdftotext not installed")
def test_unicode_in_spec_text_is_typeset(tmp_path):
    """Spec prose with ½, ⊙, a⁽ˡ⁻¹⁾ and σ′: the PDF's text has them (not '12', '?' or 'a(l?1)')."""
    from symjac.catalogue.documents import latex_document
    from symjac.checking.spec import spec_from_dict

    spec = spec_from_dict({
        "title": "A layer", "function": "tanh(W @ a)", "wrt": "a", "shapes": {"W": [2, 2], "a": [2]},
        "description": "L = ½‖a⁽²⁾ − y‖² and δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾) ⊙ σ′(z⁽ˡ⁾) with a⁽ˡ⁻¹⁾ the input.",
    }, "unicode.toml")
    (tmp_path / "u.tex").write_text(latex_document(derive_spec(spec)), encoding="utf-8")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "u.tex"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    text = subprocess.run(["pdftotext", "u.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    prose = " ".join(text.split())
    assert "L = ½∥a(2) − y∥2" in prose
    assert "⊙" in prose and "σ′" in prose.replace("σ ′", "σ′")
    assert "a(l−1)" in prose and "(l+1)" in prose and "?" not in prose


def test_single_entries_are_printed_as_scalars():
    md = markdown_document(by_name("least_squares"))
    components = md.split("## Component functions")[1].split("\n## ")[0]
    assert "$$\nL = \\left(- \\Phi_{11} \\theta_{1} - \\Phi_{12} \\theta_{2} + y_{1}\\right)^{2} + " in components
    assert "bmatrix" not in components and "J_{11}" not in components
