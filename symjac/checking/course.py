"""Grading a course: every student folder against a problem set, resumable, one result per student.

``grade_course(pset, SUBMISSIONS, OUT)`` writes

- ``OUT/results/<student>.json`` — one result per student (per-problem verdict, diagnosis, points,
  message; the submission's content hash and the set's hash), written atomically as soon as the
  student is graded (temp file in the same folder + ``os.replace``: never through a symbolic link);
- ``OUT/gradebook.csv`` — student, one column per problem label (points), total;
- ``OUT/summary.json`` / ``OUT/summary.md`` — counts, what the class got wrong (most common
  diagnoses per problem), and ``OUT/histogram.png`` (matplotlib, when installed).

A rerun reuses a stored result whose submission hash and set hash both match (nothing is regraded);
SIGINT/SIGTERM stop handing out work, let the students in flight finish (each check is bounded by
its time limit), close the workers and write the gradebook and summary of what was graded, saying so.
Checks run in :class:`~symjac.checking.sandbox.Sandbox` workers, or on a Dask cluster
(:mod:`symjac.checking.distributed`) when ``scheduler`` is given.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from symjac.errors import SymjacError
from symjac.checking.problemset import ProblemSet, collect_answers, scan_students

RESULT_VERSION = 1


def safe_name(name: str) -> str:
    """A student's folder name as text that can be written anywhere (undecodable bytes become
    U+FFFD plus a short stable hash of the original, so two names never collide)."""
    raw = name.encode("utf-8", "surrogateescape")
    text = raw.decode("utf-8", "replace")
    if text != name or "/" in text or text in (".", ".."):
        text = text.replace("/", "_") + "-" + hashlib.sha256(raw).hexdigest()[:8]
    return text


def atomic_write(path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``:
    a reader sees the old file or the new one, never a truncated one; a symbolic link at ``path`` is
    replaced by the file, never followed."""
    path = Path(path)
    blob = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, sort_keys=False) + "\n"


def _clean_report(rep: dict) -> dict:
    """The part of a checker report a result keeps (no timings: equal answers give equal results)."""
    return {"verdict": rep.get("verdict", "error"), "diagnosis": list(rep.get("diagnosis", [])),
            "fraction": float(rep.get("score", 0.0) or 0.0), "message": rep.get("message", "")}


def grade_student(pset: ProblemSet, name: str, folder, check, timeout: float) -> dict:
    """One student's result: every problem of their set checked with ``check(problem, answer, timeout)``
    (a function returning a report dict); a missing answer scores 0 with verdict ``missing``."""
    own = pset.for_student(name)
    answers, notes, digest = collect_answers(own, folder)
    problems, total = [], 0.0
    for sp_ in own.problems:
        if sp_.label in answers:
            rep = _clean_report(check(sp_.problem, answers[sp_.label], timeout))
        else:
            rep = {"verdict": "missing", "diagnosis": [], "fraction": 0.0, "message": "no answer"}
        pts = sp_.score({"verdict": rep["verdict"], "score": rep["fraction"]}) if rep["verdict"] != "missing" else 0.0
        total += pts
        problems.append({"label": sp_.label, "points": pts, "max_points": sp_.points, **rep})
    return {"version": RESULT_VERSION, "student": safe_name(name), "set": own.title, "set_hash": own.digest,
            "submission_hash": digest, "score": round(total, 4), "max_score": own.max_score,
            "problems": problems, "notes": notes}


class _Stop:
    """SIGINT/SIGTERM set a flag (first signal); the second restores the default action and re-raises."""

    def __init__(self, enabled: bool):
        self.event = threading.Event()
        self.signal = None
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self._old = {}

    def _handle(self, signum, frame):
        if self.event.is_set():
            self.restore()
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            os.kill(os.getpid(), signum)
            return
        self.signal = signal.Signals(signum).name
        self.event.set()

    def __enter__(self):
        if self.enabled:
            for s in (signal.SIGINT, signal.SIGTERM):
                self._old[s] = signal.signal(s, self._handle)
        return self

    def restore(self):
        for s, h in self._old.items():
            signal.signal(s, h)
        self._old = {}

    def __exit__(self, *exc):
        self.restore()


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=total, unit="student", file=sys.stderr, leave=True)


def make_backend(workers: int = 1, timeout: float = 5.0, scheduler: str | None = None):
    """The check backend: a local Sandbox pool (default) or a Dask cluster (``scheduler``)."""
    if scheduler:
        from symjac.checking.distributed import DaskBackend

        return DaskBackend(scheduler, timeout=timeout)
    from symjac.checking.pool import AnswerSandbox

    return AnswerSandbox(workers=workers, timeout=timeout, max_tasks_per_child=50)


def result_path(out: Path, name: str) -> Path:
    return out / "results" / f"{safe_name(name)}.json"


def _stored(path: Path) -> dict | None:
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def prepare_out(out) -> Path:
    """Create OUT and OUT/results (refusing symbolic links and files in their place)."""
    out = Path(out)
    for d in (out, out / "results"):
        if d.is_symlink():
            raise SymjacError(f"{d}: is a symbolic link; give a real folder for the results")
        if d.exists() and not d.is_dir():
            raise SymjacError(f"{d}: exists and is not a folder")
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SymjacError(f"{d}: cannot create: {exc.strerror or exc}") from None
    if not os.access(out / "results", os.W_OK):
        raise SymjacError(f"{out}: cannot write the results: permission denied")
    return out


def grade_course(pset: ProblemSet, submissions, out, *, workers: int = 1, timeout: float = 5.0,
                 scheduler: str | None = None, progress: bool | None = None, backend=None,
                 handle_signals: bool = True, log=None) -> dict:
    """Grade every student folder in ``submissions`` against ``pset`` into ``out``; returns the summary."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    out = prepare_out(out)
    students, skipped = scan_students(submissions)
    for s in skipped:
        log(f"symjac grade: skipped {safe_name(s['path'])}: {s['reason']}")
    if not students:
        raise SymjacError(f"{submissions}: no student folders (one sub-folder per student)")
    todo, results, reused = [], {}, 0
    for name, folder in students:
        own = pset.for_student(name)
        _, _, digest = collect_answers(own, folder)
        old = _stored(result_path(out, name))
        if old and old.get("submission_hash") == digest and old.get("set_hash") == own.digest \
                and old.get("version") == RESULT_VERSION:
            results[name] = old
            reused += 1
        else:
            todo.append((name, folder))
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _progress(len(todo), progress)
    lock = threading.Lock()
    queue = list(reversed(todo))
    errors: list = []
    own_backend = backend is None
    with _Stop(handle_signals) as stop:
        box = backend or make_backend(workers, timeout, scheduler)
        check = box.check_dict
        try:
            def worker():
                while not stop.event.is_set():
                    with lock:
                        if not queue:
                            return
                        name, folder = queue.pop()
                    try:
                        res = grade_student(pset, name, folder, check, timeout)
                        if stop.event.is_set():
                            return      # a signal came mid-student (a terminal's Ctrl-C reaches the
                            # workers too): keep nothing half-judged; the next run grades it again
                        atomic_write(result_path(out, name), _json(res))
                    except Exception as exc:  # noqa: BLE001 - one student never stops the batch
                        with lock:
                            errors.append(f"{safe_name(name)}: {type(exc).__name__}: {exc}")
                        continue
                    with lock:
                        results[name] = res
                        if bar is not None:
                            bar.update(1)

            n_threads = max(1, min(len(todo), getattr(box, "slots", workers)))
            threads = [threading.Thread(target=worker, daemon=True) for _ in range(n_threads)]
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():
                    t.join(0.1)
        finally:
            if bar is not None:
                bar.close()
            if own_backend:
                box.close()
    ordered = [results[n] for n, _ in students if n in results]
    summary = write_reports(pset, ordered, out, total=len(students), reused=reused,
                            interrupted=stop.signal, skipped=skipped, errors=errors)
    return summary


def gradebook_csv(pset: ProblemSet, results: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", *pset.labels, "total"])
    for r in sorted(results, key=lambda r: r["student"]):
        pts = {p["label"]: p["points"] for p in r["problems"]}
        w.writerow([r["student"], *[f"{pts.get(lab, 0.0):g}" for lab in pset.labels], f"{r['score']:g}"])
    return buf.getvalue()


def _histogram(scores: list, max_score: float, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is optional
        return False
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if max_score <= 20:     # one bar per whole point (partial credit falls in the nearest)
        edges = [k - 0.5 for k in range(int(max_score) + 2)]
    else:
        edges = [max_score * k / 20 for k in range(21)]
    ax.hist(scores, bins=edges, color="#4a78b0", edgecolor="white")
    ax.set_xlabel(f"total score (out of {max_score:g})")
    ax.set_ylabel("students")
    ax.set_title(f"score distribution ({len(scores)} students)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    atomic_write(path, buf.getvalue())
    return True


def summarise(pset: ProblemSet, results: list[dict], top: int = 3) -> dict:
    """Per problem: verdict counts and the most common diagnoses (what the class got wrong)."""
    per = {}
    for lab in pset.labels:
        verdicts, diags = Counter(), Counter()
        for r in results:
            for p in r["problems"]:
                if p["label"] != lab:
                    continue
                verdicts[p["verdict"]] += 1
                if p["verdict"] == "incorrect":
                    for d in p["diagnosis"] or ["unrecognised mistake"]:
                        diags[d] += 1
                elif p["verdict"] in ("invalid", "missing"):
                    diags[p["verdict"]] += 1
        per[lab] = {"verdicts": dict(sorted(verdicts.items())),
                    "common_mistakes": [[d, n] for d, n in sorted(diags.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]}
    return per


def write_reports(pset: ProblemSet, results: list[dict], out: Path, *, total: int, reused: int = 0,
                  interrupted=None, skipped=(), errors=()) -> dict:
    """gradebook.csv, summary.json, summary.md and histogram.png from the results graded so far."""
    atomic_write(out / "gradebook.csv", gradebook_csv(pset, results))
    scores = [r["score"] for r in results]
    verdicts = Counter(p["verdict"] for r in results for p in r["problems"])
    summary = {
        "set": pset.title, "set_hash": pset.digest, "students": total, "graded": len(results),
        "reused": reused, "complete": len(results) == total and not interrupted,
        "interrupted": interrupted, "max_score": pset.max_score,
        "mean_score": round(sum(scores) / len(scores), 4) if scores else None,
        "verdicts": dict(sorted(verdicts.items())), "problems": summarise(pset, results),
        "skipped": [{"path": safe_name(s["path"]), "reason": s["reason"]} for s in skipped],
        "errors": list(errors),
    }
    summary["histogram"] = "histogram.png" if _histogram(scores, pset.max_score or 1.0, out / "histogram.png") else None
    atomic_write(out / "summary.json", _json(summary))
    atomic_write(out / "summary.md", summary_markdown(summary))
    return summary


def status_line(summary: dict) -> str:
    """One line: how many graded, of how many, and whether the run was interrupted."""
    s = summary
    line = f"graded {s['graded']} of {s['students']} students"
    if s["reused"]:
        line += f" ({s['reused']} unchanged since the last run)"
    if s["interrupted"]:
        line += f"; interrupted by {s['interrupted']}: run the same command again to grade the rest"
    v = s["verdicts"]
    line += "; answers: " + ", ".join(f"{n} {k}" for k, n in v.items()) if v else ""
    return line


def summary_markdown(s: dict) -> str:
    lines = [f"# {s['set']}: grading summary", "", status_line(s) + ".", ""]
    if s["mean_score"] is not None:
        lines += [f"Mean score {s['mean_score']:g} of {s['max_score']:g}.", ""]
    if s.get("histogram"):
        lines += ["![score histogram](histogram.png)", ""]
    lines += ["| problem | verdicts | most common mistakes |", "|---|---|---|"]
    for lab, p in s["problems"].items():
        v = ", ".join(f"{n} {k}" for k, n in p["verdicts"].items())
        m = ", ".join(f"{d} ({n})" for d, n in p["common_mistakes"]) or "—"
        lines.append(f"| {lab} | {v} | {m} |")
    if s["skipped"]:
        lines += ["", "Skipped: " + ", ".join(f"{x['path']} ({x['reason']})" for x in s["skipped"])]
    if s["errors"]:
        lines += ["", "Not graded (grade by hand): " + "; ".join(s["errors"])]
    return "\n".join(lines) + "\n"


__all__ = ["grade_course", "grade_student", "write_reports", "gradebook_csv", "summarise", "atomic_write",
           "safe_name", "status_line", "make_backend", "prepare_out"]
