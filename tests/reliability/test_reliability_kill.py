"""A grader with 4 workers killed mid-batch (SIGINT, SIGTERM, SIGKILL): no process left, no torn file,
every answer graded before the signal on disk.  Also: a sandbox whose parent vanishes leaves no worker."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symjac.durable import read_journal

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
N = 200
ANSWERS = [r"\begin{bmatrix} 2A_{11} & A_{12} \\ 0.5 & -A_{21} \end{bmatrix}", "A", r"A^T \otimes I_2",
           r"\frac{1}{x", r"I_N \otimes A^\top"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"      # a zombie has ended
    except OSError:
        return False


def _processes_mentioning(marker: str) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != os.getpid():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read() and _alive(int(d)):
                        out.append(int(d))
            except OSError:
                pass
    return out


def _children(pid: int) -> list[int]:
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def _batch(tmp_path):
    d = tmp_path / "subs"
    d.mkdir()
    for k in range(N):
        (d / f"s{k:03d}.tex").write_text(ANSWERS[k % len(ANSWERS)])
    out = tmp_path / "results.json"
    out.write_text('{"old": "results"}\n')
    return d, out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_grader_killed_mid_batch(tmp_path, sig):
    d, out = _batch(tmp_path)
    journal = Path(str(out) + ".journal.jsonl")
    proc = subprocess.Popen([PY, "-m", "symjac.cli", "grade", "derivations/gram.toml", str(d), "--out", str(out),
                             "--workers", "4", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists() and len(read_journal(journal)) >= 8:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the batch ended before the signal"
        workers = _children(proc.pid)
        assert workers, "no worker processes seen"
        before = {r["submission"] for r in read_journal(journal)}
        sent = time.monotonic()
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"grade did not exit within 5 s of {sig.name}")
        took = time.monotonic() - sent
        while time.monotonic() - sent < 5 and (any(map(_alive, workers)) or _processes_mentioning(str(d))):
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)], "workers outlived the grader"
        assert _processes_mentioning(str(d)) == [], "a symjac process is still running"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if sig == signal.SIGKILL:
        # no chance to write: the old results are intact and the journal holds every graded answer
        assert json.loads(out.read_text()) == {"old": "results"}
        graded = read_journal(journal)
        assert before <= {r["submission"] for r in graded}
        assert all(r["verdict"] in ("correct", "incorrect", "invalid") for r in graded)
        return
    assert took < 2.0, f"took {took:.2f} s to stop"
    assert proc.returncode == 128 + sig
    err = err.decode()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"interrupted by {sig.name}" in err
    data = json.loads(out.read_text())
    names = {t["name"].split(" — ")[0] for t in data["tests"]}
    assert before <= names and len(names) < N
    assert data["interrupted"] == {"graded": len(names), "total": N}
    assert f"wrote {len(names)} of {N}" in err
    assert not journal.exists()


def test_sandbox_workers_die_when_their_parent_is_killed(tmp_path):
    # a parent that creates a sandbox (2 idle workers + 1 busy) and vanishes without closing it
    code = r"""
import os, sys, time
from symjac.checking.sandbox import Sandbox
def spin(_):
    while True:
        pass
box = Sandbox(spin, workers=2, timeout=600)
import threading
threading.Thread(target=lambda: box.run(1), daemon=True).start()
time.sleep(0.5)
print(" ".join(map(str, box.pids())), flush=True)
time.sleep(600)
"""
    proc = subprocess.Popen([PY, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, start_new_session=True)
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert len(pids) >= 2 and all(map(_alive, pids))
        proc.kill()
        proc.wait()
        t = time.monotonic()
        while time.monotonic() - t < 5 and any(map(_alive, pids)):
            time.sleep(0.05)
        assert not [p for p in pids if _alive(p)]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sandbox_os_exit_leaves_no_worker():
    code = r"""
import os
from symjac.checking.sandbox import Sandbox
box = Sandbox(abs, workers=2)
print(" ".join(map(str, box.pids())), flush=True)
os._exit(0)
"""
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, timeout=60)
    pids = [int(p) for p in r.stdout.split()]
    assert len(pids) == 2
    t = time.monotonic()
    while time.monotonic() - t < 5 and any(map(_alive, pids)):
        time.sleep(0.05)
    assert not [p for p in pids if _alive(p)]


def test_sandbox_runs_any_task_and_knows_nothing_of_checking():
    import ast

    src = (ROOT / "symjac/checking/sandbox.py").read_text()
    imported = {n.module for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Import) for a in n.names}
    assert not [m for m in imported if m and m.startswith("symjac")]
    from symjac.checking.sandbox import Sandbox

    with Sandbox(divmod, workers=2, timeout=10) as box:
        assert box.map([(7, 2), (9, 4), (1, 0)]) == [(3, 1), (2, 1), {"failed": "exception", "info": "ZeroDivisionError"}]
        assert box.run(10, 3) == (3, 1)


def test_sandbox_cancel_stops_work_and_kills_busy_workers():
    import threading

    from symjac.checking.sandbox import Sandbox

    with Sandbox(time.sleep, workers=2, timeout=60) as box:
        threading.Timer(0.5, box.cancel).start()
        t = time.monotonic()
        out = box.map([(30,)] * 6)
        assert time.monotonic() - t < 5
        assert out == [{"failed": "cancelled", "info": None}] * 6


def test_second_signal_exits_at_once(tmp_path):
    d, out = _batch(tmp_path)
    journal = Path(str(out) + ".journal.jsonl")
    proc = subprocess.Popen([PY, "-m", "symjac.cli", "grade", "derivations/gram.toml", str(d), "--out", str(out),
                             "--workers", "4", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (journal.exists() and read_journal(journal)):
            time.sleep(0.02)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=2)
        assert proc.returncode in (128 + signal.SIGINT, 128 + signal.SIGTERM)
        assert b"Traceback" not in err
        t = time.monotonic()
        while time.monotonic() - t < 5 and (any(map(_alive, workers)) or _processes_mentioning(str(d))):
            time.sleep(0.05)
        assert not [p for p in workers if _alive(p)] and _processes_mentioning(str(d)) == []
        if out.read_text() != '{"old": "results"}\n':          # if the first signal got to write, it is whole
            json.loads(out.read_text())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
