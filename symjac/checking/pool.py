"""Checking answers in a :class:`~symjac.checking.sandbox.Sandbox`: the task, its warm-up, failure reports.

:class:`AnswerSandbox` is a Sandbox whose task is
:func:`~symjac.checking.engine.check_pure` (returning the report as a dict).
A task that runs out of time, memory or CPU gives ``invalid``; an exception
symjac did not expect gives ``error`` (the answer was not judged); a cancelled
task gives the verdict ``cancelled`` (not graded: the batch was interrupted).
"""
from __future__ import annotations

from symjac.checking.sandbox import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Sandbox


def error_report(what: str) -> dict:
    """The report of a check that failed inside symjac (verdict ``error``: the answer was not judged)."""
    return {"verdict": "error", "diagnosis": [], "score": 0.0,
            "message": f"checker error: {what}; the answer was not judged (a bug in symjac, please report it)",
            "details": {}}


def _invalid(message: str, **details) -> dict:
    return {"verdict": "invalid", "diagnosis": ["invalid"], "score": 0.0, "message": message, "details": details}


def failure_report(kind: str, info) -> dict:
    """The report of a check that did not finish (see :class:`~symjac.checking.sandbox.Sandbox`)."""
    if kind == "timeout":
        return _invalid(f"invalid input: checking took longer than {info:g} s (time limit)", timeout=info)
    if kind == "memory":
        return _invalid("invalid input: the answer needs too much memory to check")
    if kind == "crashed":
        return _invalid("invalid input: checking this answer exceeded the memory or CPU limit, or crashed the checker")
    if kind == "cancelled":
        return {"verdict": "cancelled", "cancelled": True, "diagnosis": [], "score": 0.0,
                "message": "not graded: the batch was interrupted", "details": {}}
    return error_report(f"unexpected {info or kind} while checking")


def check_task(problem, answer: str) -> dict:
    """The sandbox task: ``check_pure(problem, answer)`` as a dict (numeric warnings silenced: an
    overflow in an answer is judged, not printed with a source path on stderr)."""
    import warnings

    import numpy as np

    from symjac.checking.engine import check_pure

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return check_pure(problem, answer).to_dict()


_WARM_TEXTS = (
    r"1", r"- \text{zq0}", r"2 \text{zq0} \text{zq1} + \frac{1}{2} \text{zq2} ^ { 2 } - \text{zq3} ^ { T }",
    r"\text{zq0} - \text{zq1} \text{zq2}", r"e ^ { - \text{zq0} }", r"\frac { 1 } { 1 + e ^ { - \text{zq0} } }",
    r"10 ^ { - 3 }", r"3 \times 4 \cdot 2", r"\text{zq0} ^ { - 1 } \text{zq1}", r"( \text{zq0} + \text{zq1} ) ^ { T }",
    r"\text{zq0} / 2", r"5 !", r"\text{zq0} \text{zq1} + \text{zq2} \text{zq3} - 2 \text{zq4}",
)
_WARM = False


def warm_up() -> None:
    """Import and exercise everything a worker needs, in the parent, so forks start warm.

    Only fixed, trusted inputs are used: the parser's process-wide cache that a
    worker inherits is the same for every submission.
    """
    global _WARM
    if _WARM:
        return
    import sympy as sp

    from symjac.checking import engine as checking
    from symjac.parsing.latex.parser import _call_library

    for text in _WARM_TEXTS:
        names = {f"zq{k}" for k in range(5) if f"zq{k}" in text}
        try:
            _call_library(text, {n: sp.MatrixSymbol(n, 2, 2) for n in sorted(names)[:2]})
        except Exception:  # noqa: BLE001 - warm-up only
            pass
    problem = checking.Problem("A.T @ A", "A", {"A": (2, 2)}, "vec")
    checking.check_pure(problem, r"\begin{bmatrix} 2A_{11} & A_{12} \\ 0.5 & -A_{21} \end{bmatrix} + (I_2 \otimes A^{T})")
    checking.check_pure(checking.Problem("tanh(W @ a)", None, {"W": (1, 2), "a": (2, 1)}, values={"W": [[1, 2]], "a": [0.5, 1]}),
                        r"\begin{bmatrix} 0.76 \end{bmatrix}")
    _WARM = True


class AnswerSandbox(Sandbox):
    """A Sandbox checking LaTeX answers: ``check_dict(problem, answer)`` → report dict."""

    def __init__(self, workers: int = 1, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
                 max_tasks_per_child: int = 1):
        super().__init__(check_task, workers=workers, timeout=timeout, memory_mb=memory_mb,
                         max_tasks_per_child=max_tasks_per_child, warm_up=warm_up, failure=failure_report)

    def check_dict(self, problem, answer: str, timeout: float | None = None) -> dict:
        """Check one answer in a worker; the report as a dict (``details.seconds`` added)."""
        import time

        start = time.monotonic()
        report = self.run(problem, answer, timeout=timeout)
        if report.get("verdict") != "cancelled":
            report.setdefault("details", {})["seconds"] = round(time.monotonic() - start, 4)
        return report

    def check(self, problem, answer: str, timeout: float | None = None):
        from symjac.checking.engine import Report

        return Report.from_dict(self.check_dict(problem, answer, timeout))

    def check_many(self, problem, answers, timeout: float | None = None, callback=None) -> list[dict]:
        """Check many answers, N at a time; reports in input order (see :meth:`Sandbox.map`)."""
        return Sandbox.map(self, [(problem, a) for a in answers], timeout=timeout, callback=callback)

    def map(self, problem, answers, timeout: float | None = None, callback=None) -> list[dict]:  # noqa: D102
        return self.check_many(problem, answers, timeout=timeout, callback=callback)


_DEFAULT: AnswerSandbox | None = None


def default_sandbox() -> AnswerSandbox:
    """A process-wide answer sandbox (one worker), created on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = AnswerSandbox()
    return _DEFAULT


def check(problem, answer: str, *, sandbox: bool = True, timeout: float | None = None):
    """Check a LaTeX answer against a problem (:class:`~symjac.checking.problem.Problem`) → a Report.

    By default parsing and checking run in a recycled worker process with a
    hard time limit and a memory cap (:mod:`symjac.checking.sandbox`); ``sandbox=False``
    runs :func:`check_pure` in this process (trusted input only).
    """
    if not sandbox:
        from symjac.checking.engine import check_pure

        return check_pure(problem, answer)
    return default_sandbox().check(problem, answer, timeout=timeout)


__all__ = ["AnswerSandbox", "check", "default_sandbox", "check_task", "warm_up", "failure_report", "error_report"]
