"""Batch grading: a folder of LaTeX submissions against one problem, Gradescope output.

``grade_directory(problem, folder, workers=N, timeout=T)`` checks every
submission (a file ``*.tex``/``*.txt``/``*.md``/no suffix directly in the
folder, or the single such file inside a per-student sub-folder) in a
:class:`~symjac.sandbox.Sandbox`; one bad submission never stops the batch
(it is reported ``invalid``).  Each check is the pure function
``check_pure(problem, answer)``, so a batch can be spread over machines.

Output formats: ``gradescope`` — Gradescope's ``results.json`` (``score``,
``max_score``, ``tests``: one test per submission with its own score,
max_score, status and output) — and ``json`` (a list of reports with the
submission name).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .errors import SymjacError

SUFFIXES = {".tex", ".txt", ".md", ".latex", ""}
MAX_FILE_BYTES = 1_000_000


def find_submissions(folder) -> list[tuple[str, Path]]:
    folder = Path(folder)
    if not folder.is_dir():
        raise SymjacError(f"{folder}: not a directory")
    subs = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_file() and p.suffix.lower() in SUFFIXES:
            subs.append((p.stem if p.suffix else p.name, p))
        elif p.is_dir():
            files = [q for q in sorted(p.iterdir()) if q.is_file() and q.suffix.lower() in SUFFIXES and not q.name.startswith(".")]
            if files:
                subs.append((p.name, files[0]))
    return subs


def read_answer(path: Path) -> str:
    try:
        data = path.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        return f"\x00unreadable: {exc.strerror}"
    if len(data) > MAX_FILE_BYTES:
        return data[:MAX_FILE_BYTES].decode("utf-8", "replace")  # the guard refuses it
    return data.decode("utf-8", "replace")


class _Progress:
    def __init__(self, total: int, stream=None, enabled: bool = True):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0

    def step(self, *_):
        self.done += 1
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()


def grade_directory(problem, folder, *, workers: int = 1, timeout: float = 5.0, max_score: float = 1.0,
                    progress: bool = True, sandbox=None) -> list[dict]:
    """Check every submission in ``folder``; returns [{name, file, report…}] in name order."""
    from .sandbox import Sandbox

    subs = find_submissions(folder)
    answers = [read_answer(p) for _, p in subs]
    bar = _Progress(len(subs), enabled=progress)
    own = sandbox is None
    box = sandbox or Sandbox(workers=workers, timeout=timeout)
    try:
        start = time.monotonic()
        reports = box.map(problem, answers, timeout=timeout, callback=bar.step)
    finally:
        if own:
            box.close()
    out = []
    for (name, path), rep in zip(subs, reports):
        out.append({"submission": name, "file": str(path), "max_score": max_score,
                    **rep, "score": round(rep.get("score", 0.0) * max_score, 4)})
    _ = start
    return out


def gradescope_results(results: list[dict], title: str = "") -> dict:
    """Gradescope's results.json: total score, max_score and one test per submission."""
    tests = []
    for r in results:
        status = "passed" if r["verdict"] == "correct" else "failed"
        out = r["message"]
        if r.get("diagnosis"):
            out += "\ndiagnosis: " + ", ".join(r["diagnosis"])
        tests.append({"name": r["submission"] + (f" — {title}" if title else ""), "score": r["score"],
                      "max_score": r["max_score"], "status": status, "output": out,
                      "extra_data": {"verdict": r["verdict"], "diagnosis": r.get("diagnosis", [])}})
    return {"score": round(sum(t["score"] for t in tests), 4),
            "max_score": round(sum(t["max_score"] for t in tests), 4),
            "output": f"{sum(1 for r in results if r['verdict'] == 'correct')} of {len(results)} submissions correct",
            "tests": tests}


def write_results(results: list[dict], path, fmt: str = "gradescope", title: str = "") -> None:
    data = gradescope_results(results, title) if fmt == "gradescope" else {"results": results}
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if str(path) == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")


__all__ = ["grade_directory", "gradescope_results", "write_results", "find_submissions"]
