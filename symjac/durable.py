"""Durable output: every file symjac writes goes through here.

- :func:`write_text` / :func:`write_bytes` write to a temporary file in the
  destination's folder, flush it to disk and rename it into place, so a reader
  (or a crash, or a kill) sees the old file or the new one, never a truncated
  one.  A symbolic link at the destination is *replaced* by the new file; its
  target is never written.
- :func:`safe_text` makes any text (file names decoded with surrogateescape,
  lone surrogates) encodable as UTF-8: undecodable bytes become ``\\xff``.
- :func:`json_ready` / :func:`dumps`: strict JSON (``allow_nan=False``); a
  non-finite number is written as the string ``"inf"``, ``"-inf"`` or ``"nan"``.
- :class:`Journal`: a JSON-lines file appended one complete line per record
  (one ``write`` call), so results survive an interruption as they come in;
  :func:`read_journal` reads it back, ignoring a torn last line.

Imports nothing from symjac but :mod:`symjac.errors` (first stage).
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from symjac.errors import SymjacError


def safe_text(text) -> str:
    """``text`` as str that encodes as UTF-8: surrogate-escaped bytes become ``\\xNN`` escapes."""
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    text = str(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "backslashreplace") \
            .decode("utf-8", "backslashreplace")


def _only_escapes(text: str) -> bool:
    """True when every surrogate in ``text`` is one surrogateescape makes (U+DC80..U+DCFF)."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


def json_ready(obj):
    """``obj`` with non-finite floats named as strings, text made UTF-8-safe, tuples as lists,
    NumPy scalars as Python numbers; anything else unknown becomes its safe ``str``."""
    if obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, str):
        return safe_text(obj)
    if isinstance(obj, dict):
        return {safe_text(k) if not isinstance(k, (int, float, bool)) or k is None else str(k): json_ready(v)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, os.PathLike):
        return safe_text(os.fspath(obj))
    item = getattr(obj, "item", None)            # NumPy scalars
    if callable(item) and getattr(obj, "shape", None) == ():
        try:
            return json_ready(item())
        except (TypeError, ValueError):
            pass
    tolist = getattr(obj, "tolist", None)        # NumPy arrays
    if callable(tolist):
        try:
            return json_ready(tolist())
        except (TypeError, ValueError):
            pass
    return safe_text(str(obj))


def dumps(obj, **kw) -> str:
    """Strict JSON of :func:`json_ready` ``(obj)`` (never NaN/Infinity, always valid UTF-8)."""
    kw.setdefault("ensure_ascii", False)
    return json.dumps(json_ready(obj), allow_nan=False, **kw)


def write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, rename).

    A symbolic link at ``path`` is replaced, never followed.  The file gets the
    usual permissions (0666 less the umask).  SymjacError (one line) on failure.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() and not path.is_symlink():
        raise SymjacError(f"{safe_text(path)}: cannot write: it is a directory")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=folder)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)        # replaces a symlink itself, not its target
        tmp = None
        _fsync_dir(folder)
    except OSError as exc:
        raise SymjacError(f"{safe_text(path)}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


def write_text(path, text: str) -> Path:
    """:func:`write_bytes` of ``text`` as UTF-8 (undecodable characters escaped)."""
    return write_bytes(path, safe_text(text).encode("utf-8"))


def write_json(path, obj, **kw) -> Path:
    """:func:`write_text` of :func:`dumps` ``(obj)`` plus a newline."""
    return write_text(path, dumps(obj, **kw) + "\n")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Journal:
    """An append-only JSON-lines file: :meth:`add` writes one record as one complete line.

    The file is opened with ``O_NOFOLLOW`` (a symbolic link there is refused) and
    truncated on open; each record is a single ``write`` so a kill leaves whole lines.
    """

    def __init__(self, path):
        self.path = Path(path)
        if self.path.is_symlink():
            self.path.unlink()
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        try:
            self.fd = os.open(self.path, flags, 0o666)
        except OSError as exc:
            raise SymjacError(f"{safe_text(self.path)}: cannot write: {exc.strerror or exc}") from None
        self.count = 0

    def add(self, record) -> None:
        if self.fd is None:
            return
        line = (dumps(record, ensure_ascii=True) + "\n").encode("ascii")
        os.write(self.fd, line)
        self.count += 1

    def close(self, remove: bool = False) -> None:
        if self.fd is not None:
            try:
                os.fsync(self.fd)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None
        if remove:
            try:
                self.path.unlink()
            except OSError:
                pass


def read_journal(path) -> list:
    """The records of a :class:`Journal` file (a torn last line is ignored)."""
    out = []
    with open(path, "rb") as fh:
        for raw in fh:
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue
    return out


__all__ = ["safe_text", "json_ready", "dumps", "write_bytes", "write_text", "write_json", "Journal", "read_journal"]
