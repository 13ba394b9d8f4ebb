"""Hostile answers: every one ends in a clear 'invalid input' within the time limit; nothing runs."""
from __future__ import annotations

import os
import time

import pytest

from symjac.checking.engine import Problem
from symjac.checking.pool import AnswerSandbox as Sandbox

PROBLEM = Problem("A @ x", "x", {"A": (2, 2), "x": (2, 1)}, "vec")
MARKER = "/tmp/symjac_pwned_marker"
TIMEOUT = 4.0

HOSTILE = {
    "deep-braces": "{" * 40 + "x" + "}" * 40,
    "deep-parens": "(" * 1000 + "x" + ")" * 1000,
    "deep-20-braces": "{" * 20 + "x" + "}" * 20,
    "exponent-tower": r"x^{10^{10^{10}}}",
    "huge-power": r"x_1^{100000}",
    "frac-tower": r"\frac{1}{2^{2^{40}}}",
    "factorial": r"100000000!",
    "five-megabytes": "x+" * (5 * 1024 * 1024 // 2),
    "thousand-terms": "+".join(["x_1"] * 1000),
    "import-mathrm": r"\mathrm{__import__('os').system('touch " + MARKER + r"')}",
    "import-text": r"\text{__import__('os').system('touch " + MARKER + r"')}",
    "eval-call": r"\eval(x)",
    "exit-call": r"\exit(x)",
    "print-call": r"\print(x)",
    "open-call": r"\operatorname{open}(x)",
    "lambda-text": r"\text{lambda: 1}",
    "unbalanced-env": r"\begin{bmatrix} 1 & 2 \\ 3 & 4",
    "end-without-begin": r"1 & 2 \end{bmatrix}",
    "mismatched-env": r"\begin{bmatrix} 1 \end{pmatrix}",
    "unbalanced-brace": r"x^T A x }",
    "trailing-garbage": r"x + y ) z",
    "nul": "x\x00y",
    "huge-matrix": r"\begin{bmatrix}" + r"\\".join(["&".join(["1"] * 30)] * 30) + r"\end{bmatrix}",
    "assignment": r"y := 2x",
    "set-builder": r"\{x \mid x > 0\}",
    "long-number": "9" * 5000,
    "dots": r"\begin{bmatrix} x_1 \\ \cdots \\ x_n \end{bmatrix}",
    "not-a-string-like": r"\input{/etc/passwd}",
    "def-macro": r"\def\x{1} \x",
    "nested-envs": r"\begin{bmatrix}\begin{bmatrix}\begin{bmatrix}\begin{bmatrix}1\end{bmatrix}\end{bmatrix}\end{bmatrix}\end{bmatrix}",
}


@pytest.fixture(scope="module")
def box():
    with Sandbox(workers=2, timeout=TIMEOUT) as b:
        yield b


def test_hostile_inputs_are_invalid_quickly_and_nothing_runs(box):
    if os.path.exists(MARKER):
        os.remove(MARKER)
    names = list(HOSTILE)
    start = time.monotonic()
    reports = box.map(PROBLEM, [HOSTILE[n] for n in names])
    for name, rep in zip(names, reports):
        assert rep["verdict"] == "invalid", (name, rep["message"])
        assert rep["message"].startswith("invalid input:"), (name, rep["message"])
        assert "\n" not in rep["message"], name
        assert rep["details"].get("seconds", 0) <= TIMEOUT + 1.0, name
    assert not os.path.exists(MARKER)
    assert time.monotonic() - start < 60


def test_time_limit_kills_a_slow_check(box):
    # a 14x14 matrix of entries is slow-ish; a 0.05 s limit must cut it off cleanly
    ans = r"\begin{bmatrix}" + r"\\".join(["&".join([f"x_{1}+x_{2}"] * 14)] * 14) + r"\end{bmatrix}"
    rep = box.check_dict(PROBLEM, ans, timeout=0.05)
    assert rep["verdict"] == "invalid" and "time limit" in rep["message"]
    # the sandbox keeps working afterwards, and judges the next answer normally
    assert box.check_dict(PROBLEM, "A")["verdict"] == "correct"


def test_one_submission_cannot_change_the_next(box):
    first = box.check_dict(PROBLEM, "A")
    box.check_dict(PROBLEM, r"x \in \mathbb{R}^{n \times 1}")
    box.check_dict(PROBLEM, r"k = 5")
    assert box.check_dict(PROBLEM, "A") == {**first, "details": {**first["details"], "seconds": box.check_dict(PROBLEM, "A")["details"]["seconds"]}} or \
        box.check_dict(PROBLEM, "A")["verdict"] == first["verdict"]
    assert box.check_dict(PROBLEM, "A^T")["diagnosis"] == ["transposed"]


def _patched_checker(monkeypatch):
    """check_pure that burns CPU on 'BURN' and has a bug on 'BOOM' (new workers fork with it)."""
    import symjac.checking.engine

    real = symjac.checking.engine.check_pure

    def patched(problem, answer):
        if answer == "BURN":
            t = time.process_time()
            while time.process_time() - t < 3.2:
                pass
            return real(problem, "A")
        if answer == "BOOM":
            raise IndexError("a bug in the checker")
        return real(problem, answer)

    monkeypatch.setattr(symjac.checking.engine, "check_pure", patched)


def test_checker_bug_is_verdict_error_not_invalid(monkeypatch):
    _patched_checker(monkeypatch)
    with Sandbox(workers=1, timeout=TIMEOUT) as b:
        rep = b.check_dict(PROBLEM, "BOOM")
        assert rep["verdict"] == "error" and rep["score"] == 0.0 and rep["diagnosis"] == []
        assert rep["message"].startswith("checker error:") and "IndexError" in rep["message"]
        assert "\n" not in rep["message"]
        assert b.check_dict(PROBLEM, "A")["verdict"] == "correct"


def test_cpu_limit_follows_the_per_call_timeout(monkeypatch):
    # the constructor's 0.1 s allowed 2 s of CPU (3.2 s are burnt); a call with a 20 s limit must get its CPU time
    # (it was killed by RLIMIT_CPU and reported "ran out of memory or crashed")
    _patched_checker(monkeypatch)
    with Sandbox(workers=1, timeout=0.1) as b:
        rep = b.check_dict(PROBLEM, "BURN", timeout=20)
        assert rep["verdict"] == "correct", rep["message"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0, -1, 1e9])
def test_sandbox_rejects_bad_timeouts(bad, box):
    with pytest.raises(ValueError, match="timeout"):
        box.check_dict(PROBLEM, "A", timeout=bad)
    with pytest.raises(ValueError, match="timeout"):
        Sandbox(timeout=bad)
