"""The graded answer set (tests/data/answers/, issue 13): every item gets its expected verdict and
diagnosis, no wrong answer is accepted, and no message shows a Python repr, an internal name or a
size the problem did not state."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from symjac.checking.engine import Problem, check_pure

ANSWERS = Path(__file__).parents[1] / "data" / "answers"
PROBLEM_KEYS = {"function", "wrt", "shapes", "convention", "indices", "dimensions", "values", "sigma", "tolerance",
                "definitions", "properties", "symmetric"}


def load_items():
    """(id, Problem, item dict) for every item of every file."""
    out = []
    for path in sorted(ANSWERS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        problems = {}
        for name, spec in data["problems"].items():
            assert set(spec) <= PROBLEM_KEYS, f"{path.name}:{name}: unknown keys {set(spec) - PROBLEM_KEYS}"
            kw = dict(spec)
            if "indices" in kw:
                kw["indices"] = tuple(None if i == "" else i for i in kw["indices"])
            problems[name] = Problem(**{"convention": "vec", **kw})
        for k, item in enumerate(data["items"]):
            out.append((f"{path.stem}-{k + 1:03d}-{item['problem']}", problems[item["problem"]], item))
    return out


ITEMS = load_items()

# what a student must never see: Python reprs, SymPy/NumPy internals, exception names, placeholders
LEAKS = re.compile(
    r"\{'|': |\[\(|Symbol\(|MatrixSymbol|ImmutableMatrix|Matrix\(|Dummy|Traceback|Error\b|Exception|zq\d"
    r"|\bnp\.|sympy|numpy|Elementwise\w*\(|Lambda\(|zeta_|Hadamard\(|Kron\(|\(\d+, \d+\)|_Unsized|<class|object at 0x|_n[I1]\b"
)


def test_at_least_150_items():
    assert len(ITEMS) >= 150


@pytest.mark.parametrize("ident,problem,item", ITEMS, ids=[i[0] for i in ITEMS])
def test_item(ident, problem, item):
    r = check_pure(problem, item["latex"])
    assert r.verdict == item["verdict"], f"{ident}: {r.message}"
    if "diagnosis" in item:
        assert r.diagnosis == item["diagnosis"], f"{ident}: {r.message}"
    # feedback: one or two sentences, no reprs, no sizes the student never chose
    assert "\n" not in r.message
    assert not LEAKS.search(r.message), f"{ident}: {r.message}"
    for d in problem.dims:
        if d not in problem.dimensions:
            assert not re.search(rf"\b{re.escape(d)} = \d", r.message), f"{ident}: random size shown: {r.message}"


def test_no_false_accepts():
    false = [i for i, p, item in ITEMS if item["verdict"] != "correct" and check_pure(p, item["latex"]).correct]
    assert false == []
