"""An oversized answer is refused with its real size and the limit, the same words in check (file and
standard input) and grade — not the length of the part a reader happened to read."""
import io
import json
import pickle
import sys

import pytest

from symjac.cli import main
from symjac.parsing.latex.guard import MAX_CHARS, InvalidAnswer, Oversized, guard, too_long

SPEC = "derivations/gram.toml"
FIVE_MB = 5_000_000


def test_guard_names_the_real_size_and_the_limit():
    with pytest.raises(InvalidAnswer, match=r"answer too long \(10,001 characters, limit 10,000 characters\)"):
        guard("x" * (MAX_CHARS + 1))
    with pytest.raises(InvalidAnswer, match=r"answer too long \(5,000,000 bytes, limit 10,000 characters\)"):
        guard(Oversized("x" * 100, FIVE_MB))
    assert too_long(12_345, "bytes") == "answer too long (12,345 bytes, limit 10,000 characters)"


def test_oversized_survives_pickling_to_a_worker():
    o = pickle.loads(pickle.dumps(Oversized("abc", 7)))
    assert isinstance(o, Oversized) and o == "abc" and o.size == 7


def test_check_reports_a_5mb_file_by_its_size(tmp_path, capsys):
    f = tmp_path / "big.tex"
    f.write_text("x" * FIVE_MB)
    assert main(["check", SPEC, str(f)]) == 2
    err = capsys.readouterr().err
    assert err == "symjac check: error: invalid input: answer too long (5,000,000 bytes, limit 10,000 characters)\n"


def test_check_reports_5mb_on_standard_input_by_its_size(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"y" * FIVE_MB)))
    assert main(["check", SPEC, "-"]) == 2
    assert "answer too long (5,000,000 bytes, limit 10,000 characters)" in capsys.readouterr().err


def test_grade_says_the_same(tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.tex").write_text("x" * FIVE_MB)
    main(["grade", SPEC, str(subs)])
    out = json.loads(capsys.readouterr().out)
    assert out["tests"][0]["output"].startswith(
        "invalid input: answer too long (5,000,000 bytes, limit 10,000 characters)")
