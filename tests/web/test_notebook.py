"""docs/notebook.ipynb runs top to bottom (nbclient) and every result displays as math."""
from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[2]


def _outputs(cell) -> dict:
    data = {}
    for out in cell.get("outputs", []):
        data.update(out.get("data", {}))
        if out.get("output_type") == "stream":
            data["stream"] = data.get("stream", "") + out["text"]
    return data


def test_notebook_tour_executes_and_displays_math(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))        # the kernel imports this checkout's symjac
    nb = nbformat.read(ROOT / "docs" / "notebook.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "docs")}})
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    by_source = {c.source.splitlines()[-1]: _outputs(c) for c in code}
    assert r"2 A_{11} & 0 & 2 A_{21}" in by_source["r"]["text/latex"]          # JacobianResult
    assert "proven symbolically" in by_source["print(r.verification.describe())"]["stream"]
    cf = by_source["cf"]
    assert cf["text/latex"].startswith(r"$\displaystyle J_{A}") and r"K_{m,n}" in cf["text/latex"]   # ClosedFormResult
    correct = by_source[r'check(p, r"x^\top \otimes I_2")']
    assert ">correct</strong>" in correct["text/html"] and correct["text/latex"] == r"$\text{correct}$"
    wrong = by_source[r'check(p, r"I_2 \otimes x^\top")']
    assert ">incorrect</strong>" in wrong["text/html"] and "<code>input_order</code>" in wrong["text/html"]
    entries = by_source[r'check(q, r"\begin{bmatrix} A_{11} & A_{12} \\ A_{21} & 0 \end{bmatrix}")']
    assert "<td>(2, 2)</td>" in entries["text/html"] and "$A_{22}$" in entries["text/html"]
    deriv = by_source["d"]
    assert deriv["text/markdown"].startswith("# Gradient of K") and "$$" in deriv["text/markdown"]
    assert deriv["text/latex"].startswith(r"$$\begin{gathered}")
    assert "[[ 0.,  0.,  4.,  0.,  8.,  0.]" in by_source["f(A0)"]["text/plain"].replace("array(", "")
