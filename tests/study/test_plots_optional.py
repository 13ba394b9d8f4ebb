"""matplotlib is the optional extra symjac[plots]: only study/plots.py imports it, on first use."""
from __future__ import annotations

import subprocess
import sys

import pytest

from symjac.errors import SymjacError


def test_missing_matplotlib_is_one_clear_symjac_error(monkeypatch, tmp_path):
    from symjac.study import plots

    plots._pyplot.cache_clear()
    monkeypatch.setitem(sys.modules, "matplotlib", None)      # import matplotlib now raises ImportError
    try:
        with pytest.raises(SymjacError, match=r"install symjac\[plots\]"):
            plots.plot_norm_quotient({"log10_norms": [0, 1], "quotients": [1, 1], "spectral_radius": 1.0},
                                     tmp_path / "x.png")
    finally:
        plots._pyplot.cache_clear()


def test_importing_symjac_does_not_import_matplotlib():
    code = "import sys, symjac, symjac.study.plots, symjac.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
