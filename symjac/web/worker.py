"""Run one job on untrusted input in a forked worker with a wall-clock, CPU and memory limit.

``run_limited(fn, *args, timeout=…, memory_mb=…)`` forks a process that caps
its address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``, from
:func:`symjac.checking.sandbox.cpu_seconds`), calls ``fn(*args)`` and sends
back the (picklable) result.  The parent kills the worker when ``timeout``
seconds pass.  A :class:`~symjac.errors.SymjacError` raised by ``fn`` is
re-raised here with its message; a time-out, a memory/CPU cap or a crash is a
:class:`~symjac.errors.SymjacError` naming the limit; any other exception is
:class:`WorkerError` (a bug in symjac, reported without a traceback).
Checking answers goes through :class:`symjac.checking.sandbox.Sandbox`; this is
the same discipline for the web page's other jobs (derive, spec reading, preview).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal

from symjac.checking.sandbox import DEFAULT_MEMORY_MB, cpu_seconds, valid_timeout
from symjac.errors import SymjacError


class WorkerError(Exception):
    """A job failed inside symjac (not the input's fault); the page says so without a traceback."""


def _child(conn, fn, args, memory_mb: int, cpu: int) -> None:
    try:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(used.ru_utime + used.ru_stime) + 1 + cpu
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    except (ImportError, ValueError, OSError):  # pragma: no cover - non-POSIX
        pass
    try:
        out = ("ok", fn(*args))
    except SymjacError as exc:
        out = ("input", str(exc))
    except MemoryError:
        out = ("input", "the input needs more memory than the limit allows")
    except RecursionError:
        out = ("input", "the input is nested too deeply")
    except BaseException as exc:  # noqa: BLE001 - reported as a symjac bug, never as a traceback
        out = ("bug", type(exc).__name__)
    try:
        conn.send(out)
    except Exception:  # noqa: BLE001 - an unpicklable result is a bug too
        conn.send(("bug", "unpicklable result"))
    finally:
        conn.close()


def run_limited(fn, *args, timeout: float = 20.0, memory_mb: int = DEFAULT_MEMORY_MB):
    """``fn(*args)`` in a forked worker; its result, or SymjacError / WorkerError (see module doc)."""
    limit = valid_timeout(timeout)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, memory_mb, cpu_seconds(limit)), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limit):
            raise SymjacError(f"this took longer than the time limit of {limit:g} s; try smaller sizes")
        try:
            kind, value = parent.recv()
        except (EOFError, OSError):
            raise SymjacError("this exceeded the memory or CPU limit of the worker; try smaller sizes") from None
    finally:
        if proc.is_alive():
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, OSError):  # pragma: no cover - already gone
                pass
        proc.join(timeout=2)
        parent.close()
    if kind == "ok":
        return value
    if kind == "input":
        raise SymjacError(value)
    raise WorkerError(f"unexpected {value} inside symjac (a bug, please report it)")


__all__ = ["run_limited", "WorkerError"]
