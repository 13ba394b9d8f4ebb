"""Property: grading a folder of answer files with random bytes and random (even non-UTF-8) names never
raises, never loses a result, and writes strict JSON that holds every submission."""
import json
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symjac.checking.batch import grade_directory, scan_submissions, write_results
from symjac.checking.engine import Problem
from symjac.checking.pool import AnswerSandbox
from symjac.durable import Journal, read_journal

PROBLEM = Problem("A.T @ A", "A", {"A": ("M", "N")}, "vec")
FRAGMENTS = [b"A", b"A^T", b"\\otimes", b"I_N", b"(", b")", b"{", b"}", b"\\frac{1}{x}", b"\xff", b"\x00",
             b"K_{NN}", b"+", b"-", b"^{-1}", b"\\begin{bmatrix}", b"\\end{bmatrix}", b"&", b"\\\\", b"e^{1000}"]

names = st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")) \
    .filter(lambda b: not b.startswith(b".")).map(lambda b: b + b".tex")
contents = st.one_of(st.binary(max_size=60), st.lists(st.sampled_from(FRAGMENTS), max_size=8).map(b" ".join))


@pytest.fixture(scope="module")
def box():
    with AnswerSandbox(workers=2, timeout=5) as b:
        yield b


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(names, contents, min_size=1, max_size=6))
def test_grading_random_files_never_raises_nor_loses_a_result(box, files):
    root = tempfile.mkdtemp()
    try:
        folder = os.path.join(root, "subs")
        os.mkdir(folder)
        for name, data in files.items():
            with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
                fh.write(data)
        subs, skipped = scan_submissions(folder)
        assert len(subs) == len(files) and not skipped
        journal = Journal(os.path.join(root, "r.json.journal.jsonl"))
        results = grade_directory(PROBLEM, folder, sandbox=box, submissions=subs, progress=False, journal=journal)
        journal.close()
        assert len(results) == len(files)
        assert {r["verdict"] for r in results} <= {"correct", "incorrect", "invalid"}
        assert len(read_journal(journal.path)) == len(files)
        out = os.path.join(root, "r.json")
        for fmt in ("gradescope", "json"):
            write_results(results, out, fmt)
            with open(out, encoding="utf-8") as fh:
                text = fh.read()
            data = json.loads(text)
            assert "Infinity" not in text and "NaN" not in text
            n = len(data["tests"] if fmt == "gradescope" else data["results"])
            assert n == len(files)
    finally:
        shutil.rmtree(root)
