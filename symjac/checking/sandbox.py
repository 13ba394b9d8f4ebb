"""Running untrusted work in worker processes: hard time limit, memory cap, recycled, never orphaned.

A :class:`Sandbox` runs one task function, ``task(*args) -> result`` (any
picklable result), in up to N worker processes forked from this process.  It
knows nothing about what the task does: the caller passes the task, an
optional ``warm_up()`` run once in the parent before the first fork (so forks
start warm), and an optional ``failure(kind, info) -> result`` that turns a
failure into a result (kinds: ``timeout``, ``crashed``, ``memory``,
``exception``, ``cancelled``).

A worker caps its address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``,
per task), runs tasks sent over a pipe, and exits after
``max_tasks_per_child`` tasks (default 1: every task gets a fresh process).

No worker outlives its parent:

- after fork a worker closes every parent-side pipe end it inherited (its own
  and its siblings'), so when the parent goes its pipe reads end-of-file;
- on Linux it asks for SIGKILL when the parent dies (``PR_SET_PDEATHSIG``;
  workers are forked from one long-lived thread, as the signal follows the
  forking thread), and a watchdog thread exits when ``getppid()`` changes;
- a busy worker also has a wall-clock alarm (``SIGALRM``) a little beyond the
  task's time limit; the parent kills it at the limit itself.

:meth:`Sandbox.cancel` stops handing out work and kills in-flight workers:
every running or waiting task then returns ``failure("cancelled", …)``.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time

DEFAULT_TIMEOUT = 5.0
DEFAULT_MEMORY_MB = 2048
MAX_TIMEOUT = 600.0

# file descriptors of parent-side pipe ends: a fresh worker closes all of them
_PARENT_FDS: set[int] = set()
_FDS_LOCK = threading.Lock()


def valid_timeout(t) -> float:
    """``t`` as a time limit in seconds, 0 < t ≤ 600; ValueError otherwise (nan, inf, 0, negative)."""
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or not 0 < t <= MAX_TIMEOUT:
        raise ValueError(f"timeout must be a number of seconds, more than 0 and at most {MAX_TIMEOUT:g}; got {t!r}")
    return float(t)


def cpu_seconds(timeout: float) -> int:
    """The CPU-time allowance of one task with wall-clock limit ``timeout`` (a backstop: the parent's
    wall-clock kill normally comes first)."""
    return max(2, int(timeout * 2) + 2)


def default_failure(kind: str, info) -> dict:
    """The result of a task that did not finish: ``{"failed": kind, "info": info}``."""
    return {"failed": kind, "info": info}


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


def _die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end when its parent does: PDEATHSIG on Linux, and a getppid watchdog."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover
            pass
    if os.getppid() != parent_pid:                        # the parent died before prctl
        os._exit(1)

    def watch():
        while True:
            time.sleep(0.25)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="symjac-parent-watchdog").start()


def _worker_main(conn, parent_fds, parent_pid, task, memory_mb: int, max_tasks: int) -> None:
    own = conn.fileno()
    for fd in parent_fds:                     # never hold the parent's ends: EOF must reach us
        if fd == own:
            continue
        try:
            os.close(fd)
        except OSError:
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides what an interrupt means
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # wall-clock backstop: the alarm ends the worker
    _die_with_parent(parent_pid)
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):  # pragma: no cover - non-POSIX
        pass
    done = 0
    while done < max_tasks:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        args, limit = job
        _limit_cpu(cpu_seconds(limit))
        signal.alarm(int(math.ceil(limit)) + 2)
        try:
            out = ("ok", task(*args))
        except MemoryError:
            out = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - a failing task must not kill the pool
            out = ("exception", type(exc).__name__)
        signal.alarm(0)
        try:
            conn.send(out)
        except (OSError, ValueError):
            return
        except Exception:  # noqa: BLE001 - an unpicklable result
            try:
                conn.send(("exception", "unpicklable result"))
            except Exception:  # noqa: BLE001
                return
        done += 1


class _Spawner:
    """One long-lived thread that forks every worker (PDEATHSIG follows the forking thread)."""

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True, name="symjac-spawner")
        self.thread.start()

    def _run(self):
        while True:
            fn, box, done = self.jobs.get()
            try:
                box.append((True, fn()))
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                box.append((False, exc))
            done.set()

    def call(self, fn):
        if threading.current_thread() is self.thread:
            return fn()
        box: list = []
        done = threading.Event()
        self.jobs.put((fn, box, done))
        done.wait()
        ok, value = box[0]
        if not ok:
            raise value
        return value


_SPAWNER: _Spawner | None = None
_SPAWNER_LOCK = threading.Lock()


def _spawner() -> _Spawner:
    """The process's spawner thread (a fresh one after a fork: threads do not survive it)."""
    with _SPAWNER_LOCK:
        if _SPAWNER is None or not _SPAWNER.thread.is_alive() or _SPAWNER_PID != os.getpid():
            _set_spawner(_Spawner())
        return _SPAWNER


_SPAWNER_PID = os.getpid()


def _set_spawner(s: _Spawner) -> None:
    global _SPAWNER, _SPAWNER_PID
    _SPAWNER, _SPAWNER_PID = s, os.getpid()


class _Worker:
    def __init__(self, ctx, task, memory_mb, max_tasks):
        parent, child = ctx.Pipe()
        self.conn = parent
        with _FDS_LOCK:
            _PARENT_FDS.discard(child.fileno())      # a number reused since: not a parent end any more
            _PARENT_FDS.add(parent.fileno())
            fds = sorted(_PARENT_FDS)
        self.proc = ctx.Process(target=_worker_main, args=(child, fds, os.getpid(), task, memory_mb, max_tasks),
                                daemon=True)
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
        self.close_conn()

    def close_conn(self) -> None:
        try:
            fd = self.conn.fileno()
        except (OSError, ValueError):
            return
        with _FDS_LOCK:
            _PARENT_FDS.discard(fd)
            try:
                self.conn.close()
            except OSError:  # pragma: no cover
                pass


class Sandbox:
    """A pool of recycled worker processes running ``task(*args)`` with hard limits.

    ``warm_up()`` (optional) runs once in this process before the first fork;
    ``failure(kind, info)`` (optional, default :func:`default_failure`) makes
    the result of a task that timed out, crashed, ran out of memory, raised, or
    was cancelled.
    """

    def __init__(self, task=None, workers: int = 1, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB, max_tasks_per_child: int = 1, warm_up=None, failure=None):
        if task is None:
            raise TypeError("Sandbox(task, …) needs the task function it runs; to check answers use "
                            "symjac.checking.pool.AnswerSandbox(workers=…, timeout=…)")
        if warm_up is not None:
            warm_up()
        self.task = task
        self.failure = failure or default_failure
        methods = mp.get_all_start_methods()
        self.ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self.timeout = valid_timeout(timeout)
        self.memory_mb = memory_mb
        self.max_tasks = max(1, int(max_tasks_per_child))
        self.n = max(1, int(workers))
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._sem = threading.Semaphore(self.n)
        self.cancelled = threading.Event()
        for _ in range(self.n):
            self._idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        return _spawner().call(lambda: _Worker(self.ctx, self.task, self.memory_mb, self.max_tasks))

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                w = self._idle.pop()
                if w.proc.is_alive():
                    self._busy.add(w)
                    return w
                w.kill()
        w = self._spawn()
        with self._lock:
            self._busy.add(w)
        return w

    def _release(self, w: _Worker, reuse: bool) -> None:
        with self._lock:
            self._busy.discard(w)
        if reuse and w.used < w.max_tasks and w.proc.is_alive():
            with self._lock:
                self._idle.append(w)
            return
        w.kill()
        if not self.cancelled.is_set():
            fresh = self._spawn()
            with self._lock:
                self._idle.append(fresh)

    def run(self, *args, timeout: float | None = None):
        """Run ``task(*args)`` in a worker within ``timeout`` seconds; the task's result, or ``failure(…)``."""
        limit = self.timeout if timeout is None else valid_timeout(timeout)
        with self._sem:
            if self.cancelled.is_set():
                return self.failure("cancelled", None)
            w = self._take()
            reuse = False
            try:
                w.conn.send((args, limit))
                if not w.conn.poll(limit):
                    return self.failure("cancelled" if self.cancelled.is_set() else "timeout", limit)
                kind, value = w.conn.recv()
                w.used += 1
                reuse = True
            except (EOFError, OSError, ValueError):
                return self.failure("cancelled" if self.cancelled.is_set() else "crashed", None)
            finally:
                self._release(w, reuse)
            if kind == "ok":
                return value
            return self.failure(kind, value)

    def cancel(self) -> None:
        """Stop handing out work and kill every busy worker (their tasks give ``failure("cancelled")``)."""
        self.cancelled.set()
        with self._lock:
            busy = list(self._busy)
        for w in busy:
            try:
                os.kill(w.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, OSError, TypeError):
                pass

    def pids(self) -> list[int]:
        """Process ids of the current workers (idle and busy)."""
        with self._lock:
            return [w.proc.pid for w in [*self._idle, *self._busy] if w.proc.pid]

    def map(self, args_list, timeout: float | None = None, callback=None) -> list:
        """Run the task on every argument tuple, N at a time; results in input order.

        ``callback(k, result)`` is called as each finishes (from a worker thread).
        After :meth:`cancel`, unfinished entries are ``failure("cancelled", None)``.
        The calling thread waits in short slices, so signal handlers run promptly.
        """
        if timeout is not None:
            valid_timeout(timeout)
        results: list = [None] * len(args_list)
        todo = iter(range(len(args_list)))
        todo_lock = threading.Lock()

        def loop():
            while not self.cancelled.is_set():
                with todo_lock:
                    k = next(todo, None)
                if k is None:
                    return
                try:
                    r = self.run(*args_list[k], timeout=timeout)
                except Exception as exc:  # noqa: BLE001 - one bad task never stops a batch
                    r = self.failure("exception", type(exc).__name__)
                results[k] = r
                if callback is not None and not (self.cancelled.is_set() and _is_cancelled(r)):
                    callback(k, r)

        threads = [threading.Thread(target=loop, daemon=True, name=f"symjac-sandbox-{i}")
                   for i in range(min(self.n, max(1, len(args_list))))]
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.1)
        return [r if r is not None else self.failure("cancelled", None) for r in results]

    def close(self) -> None:
        self.cancelled.set()
        with self._lock:
            workers, self._idle = self._idle + list(self._busy), []
            self._busy = set()
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


def _is_cancelled(r) -> bool:
    return isinstance(r, dict) and (r.get("failed") == "cancelled" or r.get("cancelled") is True)


__all__ = ["Sandbox", "cpu_seconds", "default_failure", "valid_timeout", "MAX_TIMEOUT", "DEFAULT_TIMEOUT",
           "DEFAULT_MEMORY_MB"]
