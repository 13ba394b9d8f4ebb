"""Durable results: atomic writes never through a symlink, strict JSON, UTF-8-safe names, the journal."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from symjac.durable import Journal, dumps, json_ready, read_journal, safe_text, write_json, write_text
from symjac.errors import SymjacError

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def cli(*args, timeout=120, **kw):
    return subprocess.run([PY, "-m", "symjac.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          timeout=timeout, **kw)


def test_write_replaces_a_symlink_and_never_writes_its_target(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious")
    link = tmp_path / "results.json"
    link.symlink_to(target)
    write_text(link, "new")
    assert target.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "new"


def test_write_leaves_no_temporary_file_and_keeps_old_file_on_failure(tmp_path, monkeypatch):
    p = tmp_path / "r.json"
    p.write_text('{"old": 1}')

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(SymjacError, match="No space left"):
        write_text(p, "x" * 100)
    assert p.read_text() == '{"old": 1}'
    assert sorted(q.name for q in tmp_path.iterdir()) == ["r.json"]


def test_strict_json_names_non_finite_numbers():
    data = {"a": float("inf"), "b": [float("-inf"), float("nan"), 1.5], "c": (1, 2)}
    text = dumps(data)
    assert json.loads(text) == {"a": "inf", "b": ["-inf", "nan", 1.5], "c": [1, 2]}
    assert "Infinity" not in text and "NaN" not in text


def test_numpy_values_become_json():
    import numpy as np

    assert json_ready({"x": np.float64("inf"), "y": np.int64(3), "z": np.array([1.0, np.nan])}) == \
        {"x": "inf", "y": 3, "z": [1.0, "nan"]}


def test_surrogate_escaped_names_are_escaped_bytes():
    name = os.fsdecode(b"bad\xffname")
    assert safe_text(name) == "bad\\xffname"
    assert safe_text("ok é") == "ok é"
    assert safe_text("\ud800x") == "\\ud800x"


@given(st.text())
def test_any_text_becomes_utf8_json(text):
    out = json.loads(dumps({text: [text]}))
    (k, v), = out.items()
    k.encode("utf-8")
    assert v == [k]


def test_journal_keeps_whole_lines_and_ignores_a_torn_one(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    j.add({"n": 1, "x": float("inf")})
    j.add({"n": 2, "name": os.fsdecode(b"\xfe")})
    j.close()
    with open(tmp_path / "j.jsonl", "ab") as fh:
        fh.write(b'{"n": 3, "tor')
    assert read_journal(tmp_path / "j.jsonl") == [{"n": 1, "x": "inf"}, {"n": 2, "name": "\\xfe"}]


def test_journal_does_not_write_through_a_symlink(tmp_path):
    target = tmp_path / "t"
    target.write_text("keep")
    (tmp_path / "j").symlink_to(target)
    j = Journal(tmp_path / "j")
    j.add({"a": 1})
    j.close()
    assert target.read_text() == "keep"


def test_write_json_roundtrip(tmp_path):
    write_json(tmp_path / "a.json", {"v": math.inf})
    assert json.loads((tmp_path / "a.json").read_text()) == {"v": "inf"}


# --- the reproductions of issue 12, through the CLI ----------------------------------------

def test_grade_with_undecodable_file_name_writes_results(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / os.fsdecode(b"bad\xffname.tex")).write_bytes(b"A")  # a name that is not UTF-8
    out = tmp_path / "r.json"
    out.write_text('{"old":1}')
    r = cli("grade", "derivations/gram.toml", d, "--out", out, "--quiet")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [t["name"].split(" — ")[0] for t in data["tests"]] == ["bad\\xffname"]
    assert b"Traceback" not in r.stderr
    assert not list(tmp_path.glob("*.jsonl"))           # the journal is removed once the file is written


def test_grade_json_format_with_undecodable_name_to_stdout(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / os.fsdecode(b"x\xfe.tex")).write_bytes(b"A")
    r = cli("grade", "derivations/gram.toml", d, "--out", "-", "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["results"][0]["submission"] == "x\\xfe"


def test_grade_out_symlink_replaced_not_followed(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "s.tex").write_text("A")
    target = tmp_path / "elsewhere.json"
    target.write_text("precious")
    (tmp_path / "results.json").symlink_to(target)
    r = cli("grade", "derivations/gram.toml", d, "--out", tmp_path / "results.json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert target.read_text() == "precious"
    assert json.loads((tmp_path / "results.json").read_text())["tests"][0]["status"] == "failed"


OVERFLOW = r"\begin{bmatrix} e^{1000} \\ 1 \end{bmatrix}"


def test_check_json_with_overflow_is_valid_json_and_no_warning(tmp_path):
    a = tmp_path / "a.tex"
    a.write_text(OVERFLOW)
    r = cli("check", "tests/data/check/forward_pass.toml", a, "--format", "json")
    data = json.loads(r.stdout)                        # json.loads accepts Infinity; be strict as well:
    assert b"Infinity" not in r.stdout and b"NaN" not in r.stdout
    assert data["verdict"] == "incorrect" and r.returncode == 1
    assert b"RuntimeWarning" not in r.stderr and b".py:" not in r.stderr


def test_grade_json_with_overflow_writes_the_file(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "s1.tex").write_text(OVERFLOW)
    (d / "s2.tex").write_text(r"\begin{bmatrix} 1 \\ 1 \end{bmatrix}")
    out = tmp_path / "r.json"
    r = cli("grade", "tests/data/check/forward_pass.toml", d, "--out", out, "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert [x["submission"] for x in json.loads(text)["results"]] == ["s1", "s2"]


def test_check_refuses_a_fifo_without_hanging(tmp_path):
    fifo = tmp_path / "answer"
    os.mkfifo(fifo)
    r = cli("check", "derivations/gram.toml", fifo, timeout=60)
    assert r.returncode == 2
    assert r.stderr.decode().strip().endswith("cannot read: not a regular file")
    assert r.stderr.count(b"\n") == 1
