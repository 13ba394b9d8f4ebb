"""Bounded derive: the checker's limits, a time and memory limit, one line and exit 2; clean messages."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTERNAL = ("_nIx_nI", "ComplexInfinity", "ImaginaryUnit", "(TypeError)", "Traceback", "RuntimeWarning", ".py:")


def derive(*args, timeout=150):
    r = subprocess.run([sys.executable, "-m", "symjac.cli", "derive", *args], cwd=ROOT, capture_output=True,
                       timeout=timeout, text=True)
    for name in INTERNAL:
        assert name not in r.stderr, r.stderr
    return r


def one_line_error(r, words):
    assert r.returncode == 2, (r.returncode, r.stdout[-300:], r.stderr)
    assert r.stderr.startswith("symjac derive: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert words in r.stderr, r.stderr


@pytest.mark.parametrize("args, words", [
    (["c / 0", "--wrt", "c", "--shape", "c=1"], "division by zero"),
    (["eye(100000) @ x", "--wrt", "x", "--shape", "x=3"], "exceeds the limit of 64"),
    (["x ** (2 ** (2 ** (2 ** 100)))", "--wrt", "x", "--shape", "x=1"], "exponents must be numbers"),
    (["kron(A, A)", "--wrt", "A", "--shape", "A=64x64", "--timeout", "2"], "took longer than 2 s"),
    (["matrix_power(A, 64)", "--wrt", "A", "--shape", "A=4x4", "--timeout", "2"], "took longer than 2 s"),
])
def test_derive_failures_are_one_line(args, words):
    one_line_error(derive(*args), words)


def test_derive_long_chains_of_plus_work():
    r = derive("+".join(["x"] * 470), "--wrt", "x", "--shape", "x=2", "--points", "1")
    assert r.returncode == 0, r.stderr
    assert "[470    0]" in r.stdout


def test_derive_long_chain_of_matmul_is_bounded():
    r = derive(" @ ".join(["A"] * 490), "--wrt", "A", "--shape", "A=2x2", "--timeout", "3")
    one_line_error(r, "took longer than 3 s")


def test_derive_memory_limit_is_an_option_and_ends_in_one_line():
    # whichever limit is reached first (memory on a quiet machine, time on a busy one), one line, exit 2
    r = derive("kron(A, A)", "--wrt", "A", "--shape", "A=64x64", "--memory-mb", "300", "--timeout", "5")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "memory" in r.stderr or "took longer" in r.stderr


def test_derive_still_derives():
    r = derive("A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--convention", "notes", "--format", "json")
    assert r.returncode == 0
    import json

    assert json.loads(r.stdout)["convention"]


def test_huge_entry_index_in_an_answer_gets_a_sensible_message():
    from symjac.checking.engine import Problem, check_pure

    p = Problem("A @ x", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec")
    rep = check_pure(p, r"x_{99999999999999999999}")
    assert rep.verdict == "invalid" and "larger than any size" in rep.message
    assert "means m = 1" not in rep.message


def test_spec_function_chained_too_long_is_a_spec_error(tmp_path):
    from symjac.checking.spec import load_spec
    from symjac.errors import SpecError

    f = tmp_path / "long.toml"
    f.write_text('title = "t"\nfunction = "' + " @ ".join(["A"] * 490) + '"\nwrt = "A"\n[shapes]\nA = [2, 2]\n')
    with pytest.raises(SpecError) as exc:
        load_spec(f)
    assert str(exc.value).startswith(f"{f}: function:")
