"""Gradescope autograder mode: one submission → ``results/results.json``, and the upload bundle.

Layout (Gradescope's, moved with ``root``): the student's files in ``ROOT/submission/``, the result
in ``ROOT/results/results.json``, the unpacked bundle in ``ROOT/source/``.  results.json has the
documented fields: ``score``, ``execution_time``, ``output``, ``visibility``, ``stdout_visibility``
and ``tests`` — one per problem, with ``name``, ``number``, ``score``, ``max_score``, ``status``,
``output`` (the checker's message in the problem's notation and convention) and ``visibility``.

:func:`build_bundle` writes the zip Gradescope uploads: ``setup.sh`` (installs symjac from the
bundled source), ``run_autograder``, the set file and every spec it reads, and ``symjac-src/``.
"""
from __future__ import annotations

import io
import json
import os
import stat
import time
import zipfile
from pathlib import Path

from symjac.errors import SymjacError
from symjac.checking.problemset import ProblemSet

TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "visibility", "tags", "extra_data",
               "name_format", "output_format"}
TOP_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
              "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def _test_output(sp_, rep: dict) -> str:
    conv = sp_.problem.convention
    lines = [f"{sp_.spec.title} (convention: {conv})", rep["message"]]
    if rep.get("diagnosis") and rep["verdict"] == "incorrect":
        lines.append("diagnosis: " + ", ".join(rep["diagnosis"]))
    if rep["verdict"] == "error":
        lines.append("not graded automatically: your instructor will grade this answer by hand")
    return "\n".join(lines)


def results_json(pset: ProblemSet, result: dict, seconds: float, visibility: str = "visible") -> dict:
    """Gradescope's results.json for one student's result (from :func:`course.grade_student`)."""
    by_label = {p.label: p for p in pset.problems}
    tests = []
    for n, p in enumerate(result["problems"], 1):
        sp_ = by_label[p["label"]]
        tests.append({"name": f"{p['label']}: {sp_.spec.title}", "number": str(n), "score": p["points"],
                      "max_score": p["max_points"], "status": "passed" if p["verdict"] == "correct" else "failed",
                      "output": _test_output(sp_, p), "visibility": visibility,
                      "extra_data": {"verdict": p["verdict"], "diagnosis": p["diagnosis"]}})
    notes = result.get("notes") or []
    out = f"{pset.title}: {result['score']:g} of {result['max_score']:g} points"
    if notes:
        out += "\n" + "\n".join(notes)
    return {"score": result["score"], "execution_time": round(seconds, 3), "output": out,
            "visibility": visibility, "stdout_visibility": "hidden", "tests": tests}


def validate_results(data: dict) -> list[str]:
    """Problems with a results.json against Gradescope's documented fields (empty list: valid)."""
    errs = []
    if not isinstance(data, dict):
        return ["not an object"]
    errs += [f"unknown top-level field {k!r}" for k in data if k not in TOP_FIELDS]
    if "score" not in data and not all("score" in t for t in data.get("tests", [])):
        errs.append("no score: give score, or a score in every test")
    for k in ("score", "execution_time"):
        if k in data and (isinstance(data[k], bool) or not isinstance(data[k], (int, float))):
            errs.append(f"{k} must be a number")
    if "visibility" in data and data["visibility"] not in VISIBILITIES:
        errs.append(f"visibility {data['visibility']!r}")
    if "stdout_visibility" in data and data["stdout_visibility"] not in VISIBILITIES:
        errs.append(f"stdout_visibility {data['stdout_visibility']!r}")
    if not isinstance(data.get("tests", []), list):
        return errs + ["tests must be a list"]
    for n, t in enumerate(data.get("tests", []), 1):
        errs += [f"tests[{n}]: unknown field {k!r}" for k in t if k not in TEST_FIELDS]
        for k in ("score", "max_score"):
            if k in t and (isinstance(t[k], bool) or not isinstance(t[k], (int, float))):
                errs.append(f"tests[{n}].{k} must be a number")
        if "status" in t and t["status"] not in ("passed", "failed"):
            errs.append(f"tests[{n}].status {t['status']!r}")
        if "visibility" in t and t["visibility"] not in VISIBILITIES:
            errs.append(f"tests[{n}].visibility {t['visibility']!r}")
        for k in ("name", "output", "number"):
            if k in t and not isinstance(t[k], str):
                errs.append(f"tests[{n}].{k} must be text")
    return errs


def run_autograder(pset: ProblemSet, root="/autograder", *, timeout: float = 5.0, visibility: str = "visible",
                   backend=None) -> dict:
    """Grade ``ROOT/submission`` against the set; write ``ROOT/results/results.json``; return it."""
    from symjac.checking.course import atomic_write, grade_student

    if pset.instances:
        raise SymjacError("autograder: a generated set grades each student against their own instance; "
                          "use symjac grade with the students' folders")
    root = Path(root)
    sub = root / "submission"
    if not sub.is_dir() or sub.is_symlink():
        raise SymjacError(f"{sub}: no submission folder")
    results = root / "results"
    if results.is_symlink():
        raise SymjacError(f"{results}: is a symbolic link")
    results.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    own = backend is None
    if own:
        from symjac.checking.pool import AnswerSandbox

        backend = AnswerSandbox(workers=1, timeout=timeout, max_tasks_per_child=len(pset.problems))
    try:
        res = grade_student(pset, "submission", sub, backend.check_dict, timeout)
    finally:
        if own:
            backend.close()
    data = results_json(pset, res, time.monotonic() - start, visibility)
    atomic_write(results / "results.json", json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    return data


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (from /autograder/source).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v pip3 >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi
pip3 install -q ./symjac-src || pip3 install -q --break-system-packages ./symjac-src
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission into
# /autograder/results/results.json.  AUTOGRADER_ROOT and SYMJAC_PYTHON move it (for testing).
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{SYMJAC_PYTHON:-python3}}"
cd "$ROOT/source"
exec "$PY" -m symjac.cli autograder "{set_name}" --root "$ROOT" --timeout {timeout:g}
"""


def _package_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _set_files(pset: ProblemSet) -> list[tuple[Path, str]]:
    """(file, name in the bundle) for the set and every spec it reads (relative paths kept)."""
    base = pset.path.parent.resolve()
    out = [(pset.path.resolve(), pset.path.name)]
    for p in pset.problems:
        if "spec" in p.raw:
            f = (pset.path.parent / p.raw["spec"]).resolve()
            if not f.is_relative_to(base):
                raise SymjacError(f"{pset.path}: spec {p.raw['spec']!r} is outside the set's folder; "
                                  "keep specs beside the set to bundle them")
            out.append((f, f.relative_to(base).as_posix()))
    return out


def _zip_add(z: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    z.writestr(info, data)


def build_bundle(pset: ProblemSet, out, *, timeout: float = 5.0) -> list[str]:
    """Write Gradescope's autograder zip to ``out``; returns the names it holds (sorted)."""
    if pset.instances:
        raise SymjacError("autograder-zip: a generated set has one instance per student; bundle a plain set")
    from symjac.checking.course import atomic_write

    pkg = _package_root()
    buf = io.BytesIO()
    names = []
    with zipfile.ZipFile(buf, "w") as z:
        def add(name, data, executable=False):
            _zip_add(z, name, data, executable)
            names.append(name)

        add("setup.sh", SETUP_SH.encode(), True)
        add("run_autograder", RUN_AUTOGRADER.format(set_name=f"set/{pset.path.name}", timeout=timeout).encode(), True)
        for f, name in _set_files(pset):
            add(f"set/{name}", f.read_bytes())
        for extra in ("pyproject.toml", "README.md"):
            if (pkg / extra).is_file():
                add(f"symjac-src/{extra}", (pkg / extra).read_bytes())
        for f in sorted((pkg / "symjac").rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".typed"):
                add(f"symjac-src/{f.relative_to(pkg).as_posix()}", f.read_bytes())
    out = Path(out)
    if out.is_dir():
        raise SymjacError(f"{out}: is a folder; give the zip file's name")
    if not out.parent.is_dir():
        raise SymjacError(f"{out}: no folder {out.parent}")
    atomic_write(out, buf.getvalue())
    os.chmod(out, 0o644)
    return sorted(names)


__all__ = ["results_json", "validate_results", "run_autograder", "build_bundle", "VISIBILITIES"]
