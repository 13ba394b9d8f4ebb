"""docs/problems.md: every TOML example is a complete problem spec, read by the spec loader and
`Problem.from_spec`, and its `# correct:` / `# incorrect:` answers get those verdicts."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from symjac.checking.spec import spec_from_dict
from symjac.checking.engine import Problem, check_pure

DOC = Path(__file__).parents[2] / "docs" / "problems.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
ANSWER = re.compile(r"^# (correct|incorrect): (.+)$", re.M)


def test_every_feature_has_a_toml_example():
    keys = set().union(*(tomllib.loads(b) for b in BLOCKS))
    assert {"function", "wrt", "shapes", "definitions", "properties", "convention", "index_names",
            "dimensions", "values", "sigma", "symmetric"} <= keys


@pytest.mark.parametrize("block", BLOCKS, ids=[tomllib.loads(b)["title"] for b in BLOCKS])
def test_example(block):
    answers = ANSWER.findall(block)
    assert {v for v, _ in answers} == {"correct", "incorrect"}, "each example shows a right and a wrong answer"
    problem = Problem.from_spec(spec_from_dict(tomllib.loads(block), "problems.md"))
    for verdict, latex in answers:
        r = check_pure(problem, latex)
        assert r.verdict == verdict, f"{latex}: {r.message}"
