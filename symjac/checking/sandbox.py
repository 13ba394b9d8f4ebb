"""Checking untrusted answers in worker processes: hard time limit, memory cap, recycled.

A :class:`Sandbox` keeps up to N worker processes, each forked from this
process (whose state is clean: it never parses student text itself).  A
worker caps its address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``)
on start, checks tasks sent over a pipe, and exits after
``max_tasks_per_child`` tasks (default 1: every answer gets a fresh
process, so nothing one submission does — the parser's process-wide caches,
SymPy's caches, memory — can change how the next is judged).  A replacement
is forked as soon as a worker retires, so the fork is off the critical path.

The wall-clock limit is enforced by the parent: a worker that has not
answered within ``timeout`` seconds is killed (SIGKILL, by its pid) and the
answer is reported ``invalid`` ("took longer than …").  A worker that dies
(memory cap, CPU cap, crash) gives ``invalid`` too.  The CPU cap follows the
time limit of each task (``cpu_seconds(timeout)``), so a longer per-call
``timeout`` is not cut short by the constructor's.  An exception the checker
did not expect (a bug in symjac, not a fault of the answer) gives the verdict
``error``, never ``invalid``: the answer was not judged.  Only
:class:`~symjac.checking.engine.Report` dictionaries cross the pipe.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_TIMEOUT = 5.0
DEFAULT_MEMORY_MB = 2048
MAX_TIMEOUT = 600.0


def valid_timeout(t) -> float:
    """``t`` as a time limit in seconds, 0 < t ≤ 600; ValueError otherwise (nan, inf, 0, negative)."""
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or not 0 < t <= MAX_TIMEOUT:
        raise ValueError(f"timeout must be a number of seconds, more than 0 and at most {MAX_TIMEOUT:g}; got {t!r}")
    return float(t)


def cpu_seconds(timeout: float) -> int:
    """The CPU-time allowance of one task with wall-clock limit ``timeout`` (a backstop: the parent's
    wall-clock kill normally comes first)."""
    return max(2, int(timeout * 2) + 2)


def error_report(what: str) -> dict:
    """The report of a check that failed inside symjac (verdict ``error``: the answer was not judged)."""
    return {"verdict": "error", "diagnosis": [], "score": 0.0,
            "message": f"checker error: {what}; the answer was not judged (a bug in symjac, please report it)",
            "details": {}}


def _limit_cpu(seconds: int) -> None:
    """Let this process use ``seconds`` more CPU time (RLIMIT_CPU counts from the process's start)."""
    try:
        import resource

        used = resource.getrusage(resource.RUSAGE_SELF)
        total = int(used.ru_utime + used.ru_stime) + 1 + seconds
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            total = min(total, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (total, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - non-POSIX
        pass


def _worker_main(conn, memory_mb: int, max_tasks: int) -> None:
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # pragma: no cover - non-POSIX
        pass
    from symjac.checking.engine import check_pure

    done = 0
    while done < max_tasks:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        problem, answer, cpu = task
        _limit_cpu(cpu)
        try:
            report = check_pure(problem, answer).to_dict()
        except MemoryError:
            report = {"verdict": "invalid", "diagnosis": ["invalid"], "score": 0.0,
                      "message": "invalid input: the answer needs too much memory to check", "details": {}}
        except BaseException as exc:  # noqa: BLE001 - a bug must not kill the batch, nor be blamed on the answer
            report = error_report(f"unexpected {type(exc).__name__} while checking")
        try:
            conn.send(report)
        except (OSError, ValueError):
            return
        done += 1


_WARM_TEXTS = (
    r"1", r"- \text{zq0}", r"2 \text{zq0} \text{zq1} + \frac{1}{2} \text{zq2} ^ { 2 } - \text{zq3} ^ { T }",
    r"\text{zq0} - \text{zq1} \text{zq2}", r"e ^ { - \text{zq0} }", r"\frac { 1 } { 1 + e ^ { - \text{zq0} } }",
    r"10 ^ { - 3 }", r"3 \times 4 \cdot 2", r"\text{zq0} ^ { - 1 } \text{zq1}", r"( \text{zq0} + \text{zq1} ) ^ { T }",
    r"\text{zq0} / 2", r"5 !", r"\text{zq0} \text{zq1} + \text{zq2} \text{zq3} - 2 \text{zq4}",
)
_WARM = False


def _warm_up() -> None:
    """Import and exercise everything a worker needs, in the parent, so forks start warm.

    Only fixed, trusted inputs are used: the parser's process-wide cache that a
    worker inherits is the same for every submission.
    """
    global _WARM
    if _WARM:
        return
    import sympy as sp

    from symjac.checking import engine as checking
    from symjac.parsing.latex.parser import _call_library

    for text in _WARM_TEXTS:
        names = {f"zq{k}" for k in range(5) if f"zq{k}" in text}
        try:
            _call_library(text, {n: sp.MatrixSymbol(n, 2, 2) for n in sorted(names)[:2]})
        except Exception:  # noqa: BLE001 - warm-up only
            pass
    problem = checking.Problem("A.T @ A", "A", {"A": (2, 2)}, "vec")
    checking.check_pure(problem, r"\begin{bmatrix} 2A_{11} & A_{12} \\ 0.5 & -A_{21} \end{bmatrix} + (I_2 \otimes A^{T})")
    checking.check_pure(checking.Problem("tanh(W @ a)", None, {"W": (1, 2), "a": (2, 1)}, values={"W": [[1, 2]], "a": [0.5, 1]}),
                     r"\begin{bmatrix} 0.76 \end{bmatrix}")
    _WARM = True


class _Worker:
    def __init__(self, ctx, memory_mb, max_tasks):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb, max_tasks), daemon=True)
        self.proc.start()
        child.close()
        self.used = 0
        self.max_tasks = max_tasks

    def kill(self) -> None:
        try:
            if self.proc.is_alive():
                os.kill(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass
        self.proc.join(timeout=2)
        try:
            self.conn.close()
        except OSError:  # pragma: no cover
            pass


class Sandbox:
    """A pool of recycled worker processes checking answers with hard limits."""

    def __init__(self, workers: int = 1, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
                 max_tasks_per_child: int = 1):
        _warm_up()
        methods = mp.get_all_start_methods()
        self.ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.timeout = valid_timeout(timeout)
        self.memory_mb = memory_mb
        self.max_tasks = max(1, int(max_tasks_per_child))
        self.n = max(1, int(workers))
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._sem = threading.Semaphore(self.n)
        for _ in range(self.n):
            self._idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        return _Worker(self.ctx, self.memory_mb, self.max_tasks)

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                w = self._idle.pop()
                if w.proc.is_alive():
                    return w
                w.kill()
        return self._spawn()

    def _give_back(self, w: _Worker) -> None:
        if w.used >= w.max_tasks or not w.proc.is_alive():
            w.kill()
            w = self._spawn()
        with self._lock:
            self._idle.append(w)

    def check_dict(self, problem, answer: str, timeout: float | None = None) -> dict:
        """Check one answer in a worker; returns the report as a dict."""
        limit = self.timeout if timeout is None else valid_timeout(timeout)
        with self._sem:
            w = self._take()
            start = time.monotonic()
            try:
                w.conn.send((problem, answer, cpu_seconds(limit)))
                if not w.conn.poll(limit):
                    w.kill()
                    self._give_back_dead()
                    return _timeout_report(limit)
                report = w.conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                w.kill()
                self._give_back_dead()
                return {"verdict": "invalid", "diagnosis": ["invalid"], "score": 0.0,
                        "message": "invalid input: checking this answer exceeded the memory or CPU limit, "
                                   "or crashed the checker", "details": {}}
            w.used += 1
            report.setdefault("details", {})["seconds"] = round(time.monotonic() - start, 4)
            self._give_back(w)
            return report

    def _give_back_dead(self) -> None:
        with self._lock:
            self._idle.append(self._spawn())

    def check(self, problem, answer: str, timeout: float | None = None):
        from symjac.checking.engine import Report

        return Report.from_dict(self.check_dict(problem, answer, timeout))

    def map(self, problem, answers, timeout: float | None = None, callback=None) -> list[dict]:
        """Check many answers in parallel (one thread per worker slot); results in input order."""
        results: list = [None] * len(answers)
        if timeout is not None:
            valid_timeout(timeout)

        def one(k):
            try:
                r = self.check_dict(problem, answers[k], timeout)
            except Exception as exc:  # noqa: BLE001 - one bad submission never stops a batch
                r = error_report(f"unexpected {type(exc).__name__} in the sandbox")
            results[k] = r
            if callback:
                callback(k, r)
            return r

        with ThreadPoolExecutor(max_workers=self.n) as pool:
            list(pool.map(one, range(len(answers))))
        return results

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
            w.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _timeout_report(limit: float) -> dict:
    return {"verdict": "invalid", "diagnosis": ["invalid"], "score": 0.0,
            "message": f"invalid input: checking took longer than {limit:g} s (time limit)",
            "details": {"timeout": limit}}


_DEFAULT: Sandbox | None = None


def default_sandbox() -> Sandbox:
    """A process-wide sandbox (one worker), created on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Sandbox()
    return _DEFAULT


__all__ = ["Sandbox", "default_sandbox", "cpu_seconds", "error_report", "valid_timeout", "MAX_TIMEOUT", "DEFAULT_TIMEOUT", "DEFAULT_MEMORY_MB"]
