"""Checks as tasks on a Dask distributed cluster (optional extra ``symjac[dask]``).

``--scheduler tcp://host:8786`` connects to an existing cluster; ``--scheduler local:N`` starts a
``LocalCluster`` of N worker processes (one thread each) on this machine, bound to 127.0.0.1.

Each task is the pure function :func:`check_task` ``(problem, answer, timeout, memory_mb) -> report
dict``: inside the Dask worker it forks a child that caps its address space (``RLIMIT_AS``) and CPU
time, runs :func:`~symjac.checking.engine.check_pure`, and sends the report back through a pipe; the
worker kills the child after ``timeout`` seconds.  So an answer that explodes costs a child, never a
Dask worker, and the limits are the same as the local sandbox's.  Workers of an existing cluster need
symjac (same version) installed.
"""
from __future__ import annotations

import json
import os
import select
import signal
import time

from symjac.errors import SymjacError

DEFAULT_MEMORY_MB = 2048


def _invalid(message: str, **details) -> dict:
    return {"verdict": "invalid", "diagnosis": ["invalid"], "score": 0.0,
            "message": f"invalid input: {message}", "details": details}


def check_task(problem, answer: str, timeout: float = 5.0, memory_mb: int = DEFAULT_MEMORY_MB) -> dict:
    """Check one answer in a forked child with a wall-clock limit, a CPU cap and a memory cap."""
    from symjac.checking.engine import check_pure
    from symjac.checking.pool import error_report, warm_up as _warm_up
    from symjac.checking.sandbox import cpu_seconds

    _warm_up()      # once per worker process, on fixed trusted inputs: every forked child starts warm

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            os.close(r)
            import resource

            cap = int(memory_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            used = resource.getrusage(resource.RUSAGE_SELF)
            cpu = int(used.ru_utime + used.ru_stime) + 1 + cpu_seconds(timeout)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.RLIM_INFINITY))
            try:
                rep = check_pure(problem, answer).to_dict()
            except MemoryError:
                rep = _invalid("the answer needs too much memory to check")
            except BaseException as exc:  # noqa: BLE001 - a checker bug is not the answer's fault
                rep = error_report(f"unexpected {type(exc).__name__} while checking")
            data = json.dumps(rep, allow_nan=False).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                return _invalid(f"checking took longer than {timeout:g} s (time limit)", timeout=timeout)
            ready, _, _ = select.select([r], [], [], left)
            if ready:
                block = os.read(r, 1 << 16)
                if not block:
                    break
                chunks.append(block)
    finally:
        os.close(r)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # pragma: no cover
            pass
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return _invalid("checking this answer exceeded the memory or CPU limit, or crashed the checker")


class DaskBackend:
    """``check_dict(problem, answer, timeout)`` as a Dask task; ``slots``: how many to keep in flight."""

    def __init__(self, scheduler: str, timeout: float = 5.0, memory_mb: int = DEFAULT_MEMORY_MB):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise SymjacError("--scheduler needs Dask: pip install 'symjac[dask]'") from None
        self.timeout, self.memory_mb, self.cluster = timeout, memory_mb, None
        if scheduler.startswith("local:"):
            try:
                n = int(scheduler[6:])
            except ValueError:
                n = 0
            if not 1 <= n <= 64:
                raise SymjacError(f"--scheduler {scheduler}: expected local:N with N from 1 to 64")
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                        dashboard_address=None, silence_logs=40)
            self.client = Client(self.cluster)
        elif scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise SymjacError(f"--scheduler {scheduler}: cannot connect: {exc}") from None
        else:
            raise SymjacError(f"--scheduler {scheduler!r}: expected tcp://HOST:PORT or local:N")
        info = self.client.scheduler_info()
        # two submitters per worker thread, so the round trip to the scheduler overlaps the checks
        self.slots = 2 * max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def check_dict(self, problem, answer: str, timeout: float | None = None) -> dict:
        t = self.timeout if timeout is None else timeout
        fut = self.client.submit(check_task, problem, answer, t, self.memory_mb, pure=False)
        try:
            return fut.result(timeout=t + 60)
        except Exception as exc:  # noqa: BLE001 - a lost worker or task is the cluster's fault, not the answer's
            from symjac.checking.sandbox import error_report

            fut.cancel()
            return error_report(f"the Dask task failed ({type(exc).__name__})")

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


__all__ = ["DaskBackend", "check_task"]
