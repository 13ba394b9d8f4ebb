"""Dask: a LocalCluster of 2 worker processes grades 200 submissions with the same results as the
local sandbox pool; each task keeps its own time limit."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from symjac.checking.course import grade_course  # noqa: E402
from symjac.checking.distributed import check_task  # noqa: E402
from symjac.checking.engine import Problem  # noqa: E402
from symjac.checking.problemset import load_set  # noqa: E402
from symjac.errors import SymjacError  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from batch import make_batch  # noqa: E402

N = 200


def test_local_cluster_grades_like_the_local_pool(tmp_path):
    set_file, subs = make_batch(tmp_path / "batch", N)
    pset = load_set(set_file)
    local = grade_course(pset, subs, tmp_path / "local", workers=2, progress=False, handle_signals=False)
    dask = grade_course(pset, subs, tmp_path / "dask", scheduler="local:2", progress=False, handle_signals=False)
    assert local["graded"] == dask["graded"] == N
    assert (tmp_path / "dask" / "gradebook.csv").read_text() == (tmp_path / "local" / "gradebook.csv").read_text()
    for f in sorted((tmp_path / "local" / "results").iterdir()):
        assert (tmp_path / "dask" / "results" / f.name).read_text() == f.read_text()
    assert dask["verdicts"]["correct"] > 0 and dask["verdicts"]["invalid"] > 0


def test_task_is_pure_and_has_its_own_limits():
    p = Problem("A @ x", "A", {"A": (2, 3), "x": (3, 1)}, "vec")
    assert check_task(p, r"x^T \otimes I_2")["verdict"] == "correct"
    rep = check_task(p, r"I_2 \otimes x^T")
    assert rep["verdict"] == "incorrect" and rep["diagnosis"] == ["input_order"]
    slow = check_task(p, r"x^T \otimes I_2", timeout=0.001)
    assert slow["verdict"] == "invalid" and "time limit" in slow["message"]


def test_bad_scheduler_address_is_one_line_error():
    from symjac.checking.distributed import DaskBackend

    with pytest.raises(SymjacError, match="expected tcp://HOST:PORT or local:N"):
        DaskBackend("http://example")
    with pytest.raises(SymjacError, match="local:N with N from 1 to 64"):
        DaskBackend("local:0")
