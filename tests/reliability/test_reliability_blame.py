"""Blame: answers get correct / incorrect / invalid (never a checker error); a 1×1 matrix expression is a
scalar to a student; faults in a spec are found when it is loaded, naming the file and the key."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from symjac.checking.spec import load_spec
from symjac.checking.engine import Problem, check_pure
from symjac.errors import SpecError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "check"

# f(A) = A x / (x^T x), by A under VEC: (x^T x)^{-1} (x^T ⊗ I_m)
SCALED = Problem("A @ x / (x.T @ x)", "A", {"A": ("m", "n"), "x": ("n", 1)}, "vec")


@pytest.mark.parametrize("answer", [
    r"(x^\top x)^{-1} (x^\top \otimes I_m)",
    r"\operatorname{inv}(x^T x)(x^\top \otimes I_m)",
    r"(x^\top \otimes I_m)/(x^T x)",
    r"\frac{1}{x^T x}(x^\top \otimes I_m)",
    r"\frac{x^\top \otimes I_m}{x^T x}",
    r"(x^T x)^{-1} (x^T \otimes I_m)",
])
def test_one_by_one_matrix_is_a_scalar_correct(answer):
    rep = check_pure(SCALED, answer)
    assert rep.verdict == "correct", rep.message


@pytest.mark.parametrize("answer", [
    r"(x^T x)^{2}(x^\top \otimes I_m)",
    r"e^{x^T x}(x^\top \otimes I_m)",
    r"(x^T x)(x^\top \otimes I_m)",
    r"\frac{2}{x^T x}(x^\top \otimes I_m)",
])
def test_one_by_one_matrix_is_a_scalar_wrong_answers_are_judged(answer):
    rep = check_pure(SCALED, answer)
    assert rep.verdict == "incorrect", rep.message


def test_scalar_factor_times_one_by_one_still_a_scalar_problem():
    p = Problem("(x.T @ x) * (x.T @ x)", "x", {"x": ("n", 1)}, "gradient")
    assert check_pure(p, r"4 (x^T x) x").verdict == "correct"
    assert check_pure(p, r"\frac{4 x}{(x^T x)^{-1}}").verdict == "correct"


def _spec(tmp_path, text, name="p.toml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode())
    return path


NOT_GATE = (DATA / "not_gate.toml").read_text()


@pytest.mark.parametrize("text, key, words", [
    (NOT_GATE.replace("w = 10, b = 0", 'w = "x", b = 0'), "choices[1].values.w", "finite number"),
    ("\n".join(l for l in NOT_GATE.splitlines() if not l.startswith(("[target]", "inputs", "outputs"))),
     "target", "[[choices]] needs a [target]"),
    ((DATA / "forward_pass.toml").read_text().split("[values]")[0], "values", "missing: W, a, b"),
    ("""title = "t"\nfunction = "W @ a"\n[shapes]\nW = [1, 2]\na = [2, 1]\n[values]\nW = [[1e308, 1e308]]\na = [1, 1]\n""",
     "values", "infinite (overflow)"),
    ("""title = "t"\nfunction = "W @ a"\nwrt = "a"\n[shapes]\nW = [1, 2]\na = [2, 1]\n[values]\nW = [[inf, 1]]\na = [1, 1]\n""",
     "values.W", "finite"),
    ("""title = "t"\nfunction = "log(a)"\nwrt = "a"\n[shapes]\na = [1, 1]\n[values]\na = 0\n""",
     "values", "infinite"),
])
def test_spec_faults_are_found_at_load_naming_file_and_key(tmp_path, text, key, words):
    path = _spec(tmp_path, text)
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: {key}:") and words in msg and "\n" not in msg


def test_spec_not_utf8_and_deep_nesting_are_refused(tmp_path):
    with pytest.raises(SpecError, match=r"bad\.toml: not valid UTF-8"):
        load_spec(_spec(tmp_path, b'title = "\xff"\n', "bad.toml"))
    deep = b'title = "t"\nfunction = "A"\n[shapes]\nA = [1, 1]\n[values]\nA = ' + b"[" * 500 + b"1" + b"]" * 500
    with pytest.raises(SpecError, match=r"deep\.toml: invalid TOML: nested too deeply"):
        load_spec(_spec(tmp_path, deep, "deep.toml"))


def test_spec_with_byte_order_mark_is_read(tmp_path):
    spec = load_spec(_spec(tmp_path, b"\xef\xbb\xbf" + (DATA / "ax_vec.toml").read_bytes()))
    assert spec.function == "A @ x" and spec.wrt == "A"


def test_catalogue_and_test_specs_still_load():
    for p in [*sorted((ROOT / "derivations").glob("*.toml")), *sorted(DATA.glob("*.toml"))]:
        load_spec(p)


def test_spec_fault_through_the_cli_is_one_line_exit_2(tmp_path):
    path = _spec(tmp_path, NOT_GATE.replace("w = 10, b = 0", 'w = "x", b = 0'))
    r = subprocess.run([sys.executable, "-m", "symjac.cli", "check", str(path), "-"], input=b"a", cwd=ROOT,
                       capture_output=True, timeout=120)
    assert r.returncode == 2 and r.stderr.count(b"\n") == 1 and b"choices[1].values.w" in r.stderr


def test_answer_with_huge_fixed_sizes_is_refused_before_building_the_key():
    # I_64 ⊗ I_64 to a size-free AᵀA: the shape means M = N = 64 (a 4096×4096 key); refused, not timed out
    p = Problem("A.T @ A", "A", {"A": ("M", "N")}, "vec")
    rep = check_pure(p, r"I_{64}\otimes I_{64}")
    assert rep.verdict == "invalid"
    assert "M = 64, N = 64" in rep.message and "too large" in rep.message
    assert check_pure(p, r"I_{3}\otimes I_{3}").verdict == "incorrect"      # small fixed sizes are still judged
