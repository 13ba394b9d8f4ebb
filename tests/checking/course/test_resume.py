"""A 1,000-submission batch interrupted by SIGINT in the middle (this test sends it), resumed: nothing
truncated, no worker left, what was graded kept, and the final gradebook equals a clean run's."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symjac.checking.course import grade_course
from symjac.checking.problemset import load_set

sys.path.insert(0, str(Path(__file__).parent))
from batch import make_batch  # noqa: E402

ROOT = Path(__file__).parents[3]
N = 1000


def _leftovers(marker: str) -> list[int]:
    psutil = pytest.importorskip("psutil")
    out = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if marker in " ".join(p.info["cmdline"] or []):
                out.append(p.info["pid"])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return out


def test_sigint_in_the_middle_then_resume_equals_clean_run(tmp_path):
    set_file, subs = make_batch(tmp_path / "batch", N)
    out = tmp_path / "interrupted-out"
    cmd = [sys.executable, "-m", "symjac.cli", "grade", str(set_file), str(subs), "--out", str(out),
           "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = out / "results"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if results.is_dir() and len(os.listdir(results)) >= 150:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted by SIGINT" in err and "Traceback" not in err
    time.sleep(0.5)
    assert _leftovers(str(out)) == []                       # no worker outlives the grader
    files = sorted(results.iterdir())
    assert all(f.suffix == ".json" for f in files)          # no temporary file left behind
    kept = [json.loads(f.read_text()) for f in files]       # none truncated
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] == "SIGINT" and not summary["complete"]
    assert 150 <= summary["graded"] == len(kept) < N
    assert f"graded {summary['graded']} of {N} students" in err

    pset = load_set(set_file)
    resumed = grade_course(pset, subs, out, workers=2, progress=False, handle_signals=False)
    assert resumed["reused"] == len(kept) and resumed["graded"] == N and resumed["complete"]
    clean = grade_course(pset, subs, tmp_path / "clean-out", workers=2, progress=False, handle_signals=False)
    assert clean["graded"] == N
    assert (out / "gradebook.csv").read_text() == (tmp_path / "clean-out" / "gradebook.csv").read_text()
    assert clean["verdicts"] == resumed["verdicts"]
    assert set(clean["verdicts"]) == {"correct", "incorrect", "invalid", "missing"}
    assert (out / "gradebook.csv").read_text().count("\n") == N + 1


def test_sigterm_stops_cleanly_and_says_how_many_were_graded(tmp_path):
    set_file, subs = make_batch(tmp_path / "batch", 200)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "symjac.cli", "grade", str(set_file), str(subs), "--out", str(out),
                             "--workers", "2", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "results").is_dir() and len(os.listdir(out / "results")) >= 40:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the batch finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted by SIGTERM" in err and "Traceback" not in err
    time.sleep(0.5)
    assert _leftovers(str(out)) == []
    summary = json.loads((out / "summary.json").read_text())
    kept = [json.loads(f.read_text()) for f in (out / "results").iterdir()]
    assert summary["interrupted"] == "SIGTERM" and summary["graded"] == len(kept) >= 40
    assert (out / "gradebook.csv").read_text().count("\n") == len(kept) + 1
