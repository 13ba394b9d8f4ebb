"""Progress on stderr for long work: say what is being done, only when a person is watching.

- :func:`enabled`: progress is shown when stderr is a terminal; the environment
  variable ``SYMJAC_PROGRESS`` forces it on (``1``) or off (``0``) — tests and
  logs use it.  Nothing is ever written to stdout.
- :func:`stage`: a context manager announcing one step (``symjac: exact check …``)
  — but only once it has run for :data:`DELAY_S` seconds (``SYMJAC_PROGRESS_DELAY``
  overrides it), so quick work stays silent; a step that was announced says
  ``done in N s`` when it ends.
- :func:`bar`: a tqdm bar over an iterable, on stderr, shown under the same
  rules (tqdm's ``delay``).

Imports nothing from symjac (first stage): any stage may report progress.
"""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time

ENV = "SYMJAC_PROGRESS"
DELAY_ENV = "SYMJAC_PROGRESS_DELAY"
DELAY_S = 1.0
PREFIX = "symjac: "


def enabled(stream=None) -> bool:
    """True when progress should be written to ``stream`` (default stderr)."""
    flag = os.environ.get(ENV, "").strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def delay() -> float:
    """Seconds a step runs before it is announced (``SYMJAC_PROGRESS_DELAY``, default 1)."""
    try:
        return max(0.0, float(os.environ.get(DELAY_ENV, DELAY_S)))
    except ValueError:
        return DELAY_S


def _write(text: str) -> None:
    try:
        sys.stderr.write(PREFIX + text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stderr never stops the work
        pass


def note(message: str) -> None:
    """One line on stderr now (when enabled)."""
    if enabled():
        _write(message)


@contextlib.contextmanager
def stage(message: str):
    """Announce ``message`` if the enclosed work is still running after :func:`delay` seconds."""
    if not enabled():
        yield
        return
    start = time.perf_counter()
    lock = threading.Lock()
    state = {"shown": False, "over": False}

    def show():
        with lock:
            if not state["over"]:
                state["shown"] = True
                _write(message + " …")

    wait = delay()
    timer = None
    if wait <= 0:
        show()
    else:
        timer = threading.Timer(wait, show)
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        with lock:
            state["over"] = True
        if timer is not None:
            timer.cancel()
        if state["shown"]:
            _write(f"{message}: done in {time.perf_counter() - start:.1f} s")


def bar(iterable, total: int | None = None, desc: str = "", unit: str = "it"):
    """``iterable`` wrapped in a tqdm bar on stderr (shown after :func:`delay` seconds, when enabled)."""
    if not enabled():
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=PREFIX + desc if desc else PREFIX.strip(), unit=unit,
                file=sys.stderr, delay=delay(), leave=False, mininterval=0.5, dynamic_ncols=True)


__all__ = ["ENV", "DELAY_ENV", "enabled", "delay", "note", "stage", "bar"]
