"""The web page's jobs without a browser: shapes, NumPy export, answer preview, limited workers."""
from __future__ import annotations

import importlib.util
import random
import time

import numpy as np
import pytest
import sympy as sp

from symjac.checking.engine import Problem
from symjac.conventions import PRESETS
from symjac.errors import SymjacError
from symjac.symbols import as_matrix
from symjac.web.jobs import derive_job, numpy_code, parse_shapes, preview_job
from symjac.web.preview import preview_latex
from symjac.web.worker import WorkerError, run_limited
from tests.conftest import brute_force_jacobian

ORDERS = {"vec": ("col", "col"), "notes": ("col", "row"), "row": ("row", "row")}


def test_parse_shapes_accepts_commas_spaces_and_dimension_names():
    assert parse_shapes("A=3x2, x=3;c=1  B=mxn") == {"A": (3, 2), "x": (3, 1), "c": (1, 1), "B": ("m", "n")}
    with pytest.raises(SymjacError, match="declared twice"):
        parse_shapes("A=3x2, A=2x2")
    with pytest.raises(SymjacError, match="declare every variable"):
        parse_shapes("  ")


def _load(code: str, tmp_path, name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(code)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.jacobian


@pytest.mark.parametrize("conv", ["vec", "notes", "row"])
def test_numpy_code_equals_brute_force_jacobian_at_random_sizes(conv, tmp_path):
    """The exported function, evaluated at a random point, equals SymPy's Matrix.jacobian of flat entries."""
    from symjac.results import derive

    rng = random.Random(f"numpy-{conv}")
    for k in range(3):
        m, n = rng.randint(1, 3), rng.randint(1, 4)
        r = derive("tanh(A @ x) * (A @ x)", "A", {"A": (m, n), "x": (n, 1)}, conv, verify=False)
        f = _load(numpy_code(r), tmp_path, f"jac_{conv}_{k}")
        A, x = np.random.default_rng(k).normal(size=(m, n)), np.random.default_rng(k + 9).normal(size=(n, 1))
        Asym, xsym = (as_matrix(v) for v in r.variables)
        ref = brute_force_jacobian(r.F, Asym, *ORDERS[conv])
        subs = {Asym[i, j]: A[i, j] for i in range(m) for j in range(n)}
        subs.update({xsym[i, 0]: x[i, 0] for i in range(n)})
        expected = np.array(ref.evalf(subs=subs), dtype=float)
        got = f(A, x.ravel() if k % 2 else x)   # a vector as (n,) or (n, 1)
        assert got.shape == (m, m * n)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_derive_job_gives_result_steps_markdown_and_closed_form():
    out = run_limited(derive_job, "A.T @ A", "A", "A=3x2", "notes", "both")
    ex = out["explicit"]
    assert ex["shape"] == [4, 6] and ex["verified"]
    assert r"2 A_{11} & 0 & 2 A_{21} & 0 & 2 A_{31} & 0 \\" in ex["latex_full"]
    assert out["closed"]["latex"] == r"\left(A^{\top} \otimes I_{2}\right) + \left(I_{2} \otimes A^{\top}\right) K_{2,3}"
    titles = [s["title"] for s in out["derivation"]["steps"]]
    assert titles[:2] == ["Problem", "Component functions"]
    assert out["derivation"]["markdown"].startswith("# Jacobian of A.T @ A with respect to A")


def test_derive_job_modes_and_size_free_shapes():
    only_closed = run_limited(derive_job, "A @ x", "x", "A=2x3, x=3", "vec", "closed")
    assert only_closed["explicit"] is None and only_closed["closed"]["latex"] == "A"
    only_explicit = run_limited(derive_job, "A @ x", "x", "A=2x3, x=3", "vec", "explicit")
    assert only_explicit["closed"] is None and only_explicit["explicit"]["shape"] == [2, 3]
    general = run_limited(derive_job, "A @ x", "x", "A=mxn, x=n", "row", "both")
    assert general["explicit"] is None and not general["concrete"] and general["closed"]["latex"] == "A"


@pytest.mark.parametrize("args, message", [
    (("A @ B", "A", "A=3x2, B=3x2", "vec", "both"), "cannot multiply 3x2 by 3x2"),
    (("A @ x", "y", "A=2x3, x=3", "vec", "both"), "'y' has no declared shape"),
    (("A @ x", "x", "A=2x3, x=3", "jax", "both"), "convention: choose one of vec, notes, row, denominator, gradient"),
    (("open('/etc/passwd')", "x", "x=3", "vec", "both"), "open"),
    (("A @ x", "A", "A=2x3", "vec", "both"), "no shape for x"),
])
def test_derive_job_bad_input_is_one_symjac_error(args, message):
    with pytest.raises(SymjacError) as info:
        run_limited(derive_job, *args)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_every_preset_is_offered():
    from symjac.web.jobs import CONVENTION_CHOICES

    assert set(CONVENTION_CHOICES) == set(PRESETS) | {"gradient"}


def test_preview_prints_the_checker_nodes_as_math():
    p = Problem("A @ x", "A", {"A": (2, 3), "x": (3, 1)}, "vec")
    cases = {
        r"x^\top \otimes I_2": r"x^{\top} \otimes I_{2}",
        r"(I_2 + A A^\top) \otimes x^\top": r"\left(I_{2} + A A^{\top}\right) \otimes x^{\top}",
        r"\operatorname{vec}(A)^\top": r"\operatorname{vec}\left(A\right)^{\top}",
        r"\|A x\|^2": r"\left\lVert A x \right\rVert^{2}",
        r"K_{23}": r"K_{2,3}",
        r"\sigma(A x) \odot (A x)": r"\sigma\left(A x\right) \odot \left(A x\right)",
        r"\tanh'(A x)": r"\tanh'\left(A x\right)",
        r"\sqrt{A x}": r"\sqrt{A x}",
        r"\operatorname{sqrt}'(A x)": r"\operatorname{sqrt}'\left(A x\right)",
        r"\operatorname{LeakyReLU}(A x, 0.2)": r"\operatorname{LeakyReLU}\left(A x, \frac{1}{5}\right)",
    }
    for answer, tex in cases.items():
        assert preview_job(p, answer) == {"ok": True, "latex": tex, "error": ""}, answer
    bad = preview_job(p, r"\begin{bmatrix} 1 & \end{")
    assert not bad["ok"] and bad["error"]


def test_preview_of_explicit_matrix_round_trips_entry_names():
    A = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"A_{i + 1}{j + 1}", real=True))
    assert preview_latex(A) == r"\left[\begin{matrix}A_{11} & A_{12}\\A_{21} & A_{22}\end{matrix}\right]" or \
        "A_{11}" in preview_latex(A)


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _allocate(mb):
    return len(bytearray(mb * 1024 * 1024))


def _bug():
    return {}["missing"]


def test_run_limited_enforces_time_memory_and_reports_bugs_without_traceback():
    assert run_limited(_sleep, 0.01, timeout=5) == "woke"
    start = time.monotonic()
    with pytest.raises(SymjacError, match="longer than the time limit of 0.5 s"):
        run_limited(_sleep, 30, timeout=0.5)
    assert time.monotonic() - start < 10
    with pytest.raises(SymjacError, match="memory"):
        run_limited(_allocate, 600, timeout=20, memory_mb=300)
    with pytest.raises(WorkerError, match="unexpected KeyError inside symjac"):
        run_limited(_bug)
