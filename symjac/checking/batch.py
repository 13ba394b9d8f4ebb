"""Batch grading: a folder of LaTeX submissions against one problem, Gradescope output.

``grade_directory(problem, folder, workers=N, timeout=T)`` checks every
submission (a file ``*.tex``/``*.txt``/``*.md``/no suffix directly in the
folder, or the single such file inside a per-student sub-folder) in a
:class:`~symjac.checking.sandbox.Sandbox`; one bad submission never stops the batch
(it is reported ``invalid``; a checker bug is reported ``error``, not blamed on
the submission).  Symbolic links, and anything that resolves outside the
folder, are skipped and listed (:func:`scan_submissions`), never read.  Each check is the pure function
``check_pure(problem, answer)``, so a batch can be spread over machines.

Output formats: ``gradescope`` — Gradescope's ``results.json`` (``score``,
``max_score``, ``tests``: one test per submission with its own score,
max_score, status and output) — and ``json`` (a list of reports with the
submission name).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from symjac.durable import dumps, safe_text, write_text
from symjac.errors import SymjacError

SUFFIXES = {".tex", ".txt", ".md", ".latex", ""}
MAX_FILE_BYTES = 1_000_000


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def scan_submissions(folder) -> tuple[list[tuple[str, Path]], list[dict]]:
    """(submissions, skipped): submissions as (name, file) in name order; skipped entries
    ({"path", "reason"}) are symbolic links and files resolving outside ``folder``, which are never read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SymjacError(f"{folder}: not a directory")
    root = folder.resolve()
    subs, skipped = [], []

    def usable(p: Path) -> bool:
        if p.is_symlink():
            skipped.append({"path": str(p), "reason": "symbolic link"})
            return False
        if not _inside(p, root):
            skipped.append({"path": str(p), "reason": "outside the folder"})
            return False
        return True

    def candidate(q: Path) -> bool:
        return not q.name.startswith(".") and q.suffix.lower() in SUFFIXES and (q.is_symlink() or q.is_file())

    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if candidate(p) and not p.is_dir():
            if usable(p):
                subs.append((p.stem if p.suffix else p.name, p))
        elif p.is_dir():
            if not usable(p):
                continue
            files = [q for q in sorted(p.iterdir()) if candidate(q) and not q.is_dir()]
            files = [q for q in files if usable(q)]
            if files:
                subs.append((p.name, files[0]))
    return subs, skipped


def find_submissions(folder) -> list[tuple[str, Path]]:
    """The submissions in ``folder`` as (name, file); see :func:`scan_submissions`."""
    return scan_submissions(folder)[0]


def read_answer(path: Path) -> str:
    try:
        # O_NOFOLLOW: a file swapped for a symbolic link after the scan is not followed either
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return f"\x00unreadable: {exc.strerror}"
    if len(data) > MAX_FILE_BYTES:  # the guard refuses it, naming the file's real size
        from symjac.parsing.latex.guard import Oversized

        try:
            size = path.stat().st_size
        except OSError:
            size = len(data)
        return Oversized(data[:MAX_FILE_BYTES].decode("utf-8", "replace"), max(size, len(data)))
    return data.decode("utf-8", "replace")


class _Progress:
    def __init__(self, total: int, stream=None, enabled: bool = True):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0

    def step(self, *_):
        self.done += 1
        self.done = min(self.done, self.total)
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()


def grade_directory(problem, folder, *, workers: int = 1, timeout: float = 5.0, max_score: float = 1.0,
                    progress: bool = True, sandbox=None, submissions=None, journal=None) -> list[dict]:
    """Check every submission in ``folder`` (or the given ``submissions``, (name, file) pairs from
    :func:`scan_submissions`); returns [{submission, file, report…}] in name order.

    Each result is appended to ``journal`` (a :class:`~symjac.durable.Journal`) as soon as it is
    known, so an interruption keeps what was graded.  If the sandbox is cancelled
    (:meth:`~symjac.checking.sandbox.Sandbox.cancel`), the submissions not graded are left out.
    Names and paths are UTF-8-safe text (undecodable bytes escaped as ``\\xNN``).
    """
    import threading

    from symjac.checking.pool import AnswerSandbox

    subs = find_submissions(folder) if submissions is None else list(submissions)
    answers = [read_answer(p) for _, p in subs]
    bar = _Progress(len(subs), enabled=progress)
    lock = threading.Lock()

    def entry(k, rep):
        name, path = subs[k]
        return {"submission": safe_text(name), "file": safe_text(str(path)), "max_score": max_score,
                **rep, "score": round(rep.get("score", 0.0) * max_score, 4)}

    def done(k, rep):
        with lock:
            if journal is not None and rep.get("verdict") != "cancelled":
                journal.add(entry(k, rep))
            bar.step()

    own = sandbox is None
    box = sandbox or AnswerSandbox(workers=workers, timeout=timeout)
    try:
        reports = box.check_many(problem, answers, timeout=timeout, callback=done)
    finally:
        if own:
            box.close()
    return [entry(k, rep) for k, rep in enumerate(reports) if rep.get("verdict") != "cancelled"]


def counts(results: list[dict]) -> dict:
    """How many results have each verdict (correct, incorrect, invalid, error)."""
    out = {"correct": 0, "incorrect": 0, "invalid": 0, "error": 0}
    for r in results:
        out[r["verdict"]] = out.get(r["verdict"], 0) + 1
    return out


def gradescope_results(results: list[dict], title: str = "", skipped=()) -> dict:
    """Gradescope's results.json: total score, max_score and one test per submission."""
    tests = []
    for r in results:
        status = "passed" if r["verdict"] == "correct" else "failed"
        out = r["message"]
        if r["verdict"] == "error":
            out += "\nnot graded: needs grading by hand"
        if r.get("diagnosis"):
            out += "\ndiagnosis: " + ", ".join(r["diagnosis"])
        tests.append({"name": r["submission"] + (f" — {title}" if title else ""), "score": r["score"],
                      "max_score": r["max_score"], "status": status, "output": out,
                      "extra_data": {"verdict": r["verdict"], "diagnosis": r.get("diagnosis", [])}})
    n = counts(results)
    output = f"{n['correct']} of {len(results)} submissions correct"
    if n["error"]:
        output += f"; {n['error']} not judged (checker error: grade by hand)"
    if skipped:
        output += f"; skipped {len(skipped)}: " + ", ".join(f"{s['path']} ({s['reason']})" for s in skipped)
    return {"score": round(sum(t["score"] for t in tests), 4),
            "max_score": round(sum(t["max_score"] for t in tests), 4),
            "output": output,
            "tests": tests}


def check_writable(path) -> None:
    """Raise a one-line SymjacError unless ``path`` ("-" is standard output) can be written; creates nothing."""
    if str(path) == "-":
        return
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir() and not p.is_symlink():
        raise SymjacError(f"{path}: cannot write the results: it is a directory")
    if not parent.is_dir():
        raise SymjacError(f"{path}: cannot write the results: no directory {parent}")
    if not os.access(parent, os.W_OK):     # the file is replaced by a rename in its folder
        raise SymjacError(f"{path}: cannot write the results: permission denied")


def write_results(results: list[dict], path, fmt: str = "gradescope", title: str = "", skipped=(),
                  total: int | None = None) -> None:
    """Write the results (atomically; ``-`` is standard output) as Gradescope's results.json or JSON.

    ``total`` (when more than ``len(results)``) marks an interrupted batch: the file says how many
    submissions were graded out of how many.  Strict JSON: non-finite numbers are named as strings.
    """
    skipped = [{k: safe_text(v) for k, v in s.items()} for s in skipped]
    data = gradescope_results(results, title, skipped) if fmt == "gradescope" else {
        "results": results, "skipped": list(skipped)}
    if total is not None and total > len(results):
        data["interrupted"] = {"graded": len(results), "total": total}
        if fmt == "gradescope":
            data["output"] += f"; interrupted: {len(results)} of {total} submissions graded"
    text = dumps(data, indent=2)
    if str(path) == "-":
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return
    try:
        write_text(path, text + "\n")
    except SymjacError as exc:
        raise SymjacError(str(exc).replace(": cannot write:", ": cannot write the results:", 1)) from None


__all__ = ["grade_directory", "gradescope_results", "write_results", "find_submissions", "scan_submissions",
           "check_writable", "counts"]
