"""Issue 12, "right blame": over the project's own answers, the hostile corpus and a fuzz sample, no
answer is ever graded ``error`` (a checker failure blamed on nobody), no traceback and no internal name
reaches a message.  In-process (``check_pure``) so that an escaping exception fails the test loudly."""
from __future__ import annotations

import importlib.util
import random
import re
import sys
import tomllib
from pathlib import Path

import pytest

from symjac.checking.engine import Problem, check_pure

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "checking"))
from test_hostile_input import HOSTILE  # noqa: E402

_spec = importlib.util.spec_from_file_location("fuzz_latex", ROOT / "benchmarks" / "fuzz_latex.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

# what must never reach a person: tracebacks, exception class names, SymPy/NumPy internals and dummies
INTERNAL = re.compile(r"Traceback|File \"|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|ComplexInfinity|ImaginaryUnit"
                      r"|\b_n[A-Za-z]*x_n|_nI|zq\d|Dummy|object at 0x|<class|\(TypeError\)|\(ValueError\)")
VERDICTS = {"correct", "incorrect", "invalid"}


def _problem(spec: dict) -> Problem:
    kw = dict(spec)
    if "indices" in kw:
        kw["indices"] = tuple(None if i == "" else i for i in kw["indices"])
    return Problem(**{"convention": "vec", **kw})


def _answer_items():
    out = []
    for path in sorted((ROOT / "tests" / "data" / "answers").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        problems = {name: _problem(spec) for name, spec in data["problems"].items()}
        out += [(problems[item["problem"]], item["latex"]) for item in data["items"]]
    return out


def _judge(problem, answer):
    r = check_pure(problem, answer)
    assert r.verdict in VERDICTS, (answer[:80], r.verdict, r.message)
    assert "\n" not in r.message and not INTERNAL.search(r.message), (answer[:80], r.message)
    return r


def test_the_project_answer_set_never_gives_error_or_leaks():
    items = _answer_items()
    assert len(items) >= 150
    for problem, answer in items:
        _judge(problem, answer)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_hostile_corpus_is_invalid_and_clean(name):
    for problem in fuzz.PROBLEMS:
        r = _judge(problem, HOSTILE[name])
        assert r.verdict != "correct"


def test_a_fuzz_sample_never_gives_error_or_leaks():
    rng = random.Random(20261203)
    for _ in range(400):
        _judge(rng.choice(fuzz.PROBLEMS), fuzz.generate(rng))
