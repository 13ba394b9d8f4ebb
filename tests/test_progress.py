"""Progress on stderr: shown when forced (SYMJAC_PROGRESS=1) or on a terminal, quiet otherwise; never on stdout."""
import io
import time

import pytest

from symjac import progress
from symjac.cli import main


@pytest.fixture
def forced(monkeypatch):
    monkeypatch.setenv(progress.ENV, "1")
    monkeypatch.setenv(progress.DELAY_ENV, "0")


@pytest.fixture
def unset(monkeypatch):
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.delenv(progress.DELAY_ENV, raising=False)


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_enabled_follows_the_terminal_unless_forced(unset, monkeypatch):
    assert progress.enabled(io.StringIO()) is False
    assert progress.enabled(_Tty()) is True
    monkeypatch.setenv(progress.ENV, "0")
    assert progress.enabled(_Tty()) is False
    monkeypatch.setenv(progress.ENV, "1")
    assert progress.enabled(io.StringIO()) is True


def test_a_quick_stage_stays_silent_a_slow_one_is_announced(monkeypatch, capsys):
    monkeypatch.setenv(progress.ENV, "1")
    monkeypatch.setenv(progress.DELAY_ENV, "0.2")
    with progress.stage("quick"):
        pass
    assert capsys.readouterr().err == ""
    with progress.stage("slow work"):
        time.sleep(0.6)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "symjac: slow work …"
    assert err[1].startswith("symjac: slow work: done in ") and err[1].endswith(" s")


def test_derive_says_what_it_is_doing_on_stderr_only(forced, capfd):
    assert main(["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2"]) == 0
    cap = capfd.readouterr()     # the derivation runs in a worker process: its stderr is the file descriptor
    for line in ("symjac: building the entries of F = A.T @ A at A=3x2 …",
                 "symjac: differentiating every entry by A (VEC) …",
                 "symjac: exact check: every entry of the 4x6 Jacobian against SymPy's diff (at most 5 s) …",
                 "symjac: numeric check: compiling the Jacobian, central differences at 5 random points …",
                 "symjac: writing the result (text) …"):
        assert line in cap.err, line
    assert "symjac:" not in cap.out and "shape: 4x6" in cap.out


def test_derive_is_quiet_when_stderr_is_not_a_terminal(unset, capfd):
    assert main(["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2"]) == 0
    assert capfd.readouterr().err == ""


def test_derive_quiet_when_forced_off(monkeypatch, capfd):
    monkeypatch.setenv(progress.ENV, "0")
    monkeypatch.setenv(progress.DELAY_ENV, "0")
    assert main(["derive", "x.T @ x", "--wrt", "x", "--shape", "x=3"]) == 0
    assert capfd.readouterr().err == ""


SMALL = ["--k", "4", "--steps", "10", "--depth", "3", "--width", "8", "--ks", "6,12", "--seeds", "2"]


def test_init_study_reports_its_four_parts(forced, tmp_path, capsys):
    assert main(["init-study", *SMALL, "--out", str(tmp_path / "s")]) == 0
    err = capsys.readouterr().err
    for n in range(1, 5):
        assert f"symjac: init-study [{n}/4]" in err
    assert "the circular law: 2 sizes up to k = 12, 2 seeds, 5 schemes" in err


def test_init_study_quiet_otherwise(unset, tmp_path, capsys):
    assert main(["init-study", *SMALL, "--out", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().err == ""


def test_docs_reports_each_spec(forced, tmp_path, capsys):
    from pathlib import Path

    spec = Path(__file__).resolve().parents[1] / "derivations"
    one = sorted(spec.glob("*.toml"))[0]
    assert main(["docs", str(one), "--out", str(tmp_path / "d")]) in (0, 1)
    err = capsys.readouterr().err
    assert f"symjac: docs [1/1] deriving and verifying {one.stem}" in err
