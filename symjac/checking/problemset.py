r"""Problem sets: several problems, points, partial credit, and how a submission maps to problems.

A set is a TOML file (format in ``docs/grading.md``)::

    title = "Homework 3"
    partial_credit = "checker"        # checker (the checker's fraction) | none (all or nothing)
    submission = "auto"               # files (LABEL.tex per problem) | single (one .tex with markers) | auto
    [[problems]]
    label = "jac_vec"                 # letters, digits, _ and -; names the file LABEL.tex
    spec = "specs/linear_map.toml"    # a derivation spec, relative to the set file …
    points = 2
    [[problems]]
    label = "grad"
    points = 1
    key = '-2X^T(y - Xw)'             # optional: the answer key (LaTeX), audited by ``symjac audit``
    [problems.inline]                 # … or the spec's keys inline
    title = "…"
    function = "norm(y - X @ w)**2"
    …

A generated set (``symjac generate``) has instead ``instances = "{student}/set.toml"``: the set each
student is graded against (same labels and points for everyone, problems differ).

The set's hash (:attr:`ProblemSet.digest`) covers the set file and every spec it reads, so a stored
result is reused only while neither the submission nor the set changed.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from symjac.errors import SpecError, SymjacError

SET_KEYS = {
    "title": "the set's title",
    "partial_credit": "checker (score = points × the checker's fraction) | none (all or nothing); default checker",
    "submission": "files | single | auto (default): how a submission maps to problems",
    "problems": "array of tables, one per problem (see PROBLEM_KEYS)",
    "instances": "generated sets: path pattern of each student's own set, with {student}",
    "generate": "generated sets: how they were made (seed, students)",
}
PROBLEM_KEYS = {
    "label": "the problem's name: letters, digits, _ and - (a submission file is LABEL.tex)",
    "spec": "path of a derivation spec (TOML), relative to the set file",
    "inline": "table: the spec's keys inline (instead of spec)",
    "points": "points for this problem (default 1)",
    "partial_credit": "overrides the set's policy for this problem",
    "key": "the answer key as LaTeX (optional; checked by symjac audit)",
    "vary": "table: what symjac generate randomises (see docs/grading.md)",
}
POLICIES = ("checker", "none")
MAPPINGS = ("files", "single", "auto")
LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
ANSWER_SUFFIXES = (".tex", ".txt", ".md", ".latex")
MAX_FILE_BYTES = 1_000_000
MAX_PROBLEMS = 200


@dataclass
class SetProblem:
    """One problem of a set: its label, points, policy, the checker's Problem and the spec it came from."""

    label: str
    points: float
    partial_credit: str
    problem: object            # symjac.checking.problem.Problem
    spec: object               # symjac.checking.spec.Spec
    key: str | None = None
    vary: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    def score(self, report: dict) -> float:
        """Points earned for a report (a dict with verdict and score in [0, 1])."""
        if report.get("verdict") == "correct":
            return self.points
        if self.partial_credit == "none":
            return 0.0
        frac = float(report.get("score", 0.0) or 0.0)
        return round(self.points * min(max(frac, 0.0), 1.0), 4)


@dataclass
class ProblemSet:
    """A validated problem set; ``problems`` in file order, ``digest`` the hash of everything it reads."""

    title: str
    problems: list
    submission: str = "auto"
    path: Path | None = None
    digest: str = ""
    instances: str | None = None
    generate: dict = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.problems]

    @property
    def max_score(self) -> float:
        return round(sum(p.points for p in self.problems), 4)

    def for_student(self, student: str) -> "ProblemSet":
        """The set a student is graded against: this one, or their own instance for a generated set."""
        if not self.instances:
            return self
        if not LABEL.match(student.replace(".", "_")):
            raise SymjacError(f"{student!r}: not a student name of this generated set")
        own = load_set(self.path.parent / self.instances.format(student=student))
        if own.labels != self.labels:
            raise SpecError(f"{own.path}: labels {own.labels} differ from the set's {self.labels}")
        return own


def _fail(path, key, problem) -> SpecError:
    return SpecError(f"{path}: {key}: {problem}")


def _load_toml(path: Path) -> tuple[dict, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig")), raw
    except UnicodeDecodeError:
        raise SpecError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}") from None


def is_problem_set(path) -> bool:
    """True when ``path`` is a TOML file with a ``problems`` array or ``instances`` (a set, not a spec)."""
    p = Path(path)
    if p.suffix.lower() != ".toml" or not p.is_file():
        return False
    try:
        data = tomllib.loads(p.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("problems"), list) or "instances" in data


def load_set(path) -> ProblemSet:
    """Read and validate a set file; every error is one line naming the file and the key."""
    path = Path(path)
    data, raw = _load_toml(path)
    return set_from_dict(data, path, raw)


def set_from_dict(data: dict, path, raw: bytes = b"") -> ProblemSet:
    from symjac.checking.spec import load_spec, spec_from_dict
    from symjac.checking.engine import Problem

    path = Path(path)
    unknown = set(data) - set(SET_KEYS)
    if unknown:
        raise _fail(path, ", ".join(sorted(unknown)), f"unknown key; allowed: {', '.join(SET_KEYS)}")
    title = data.get("title", path.stem)
    if not isinstance(title, str):
        raise _fail(path, "title", "must be text")
    policy = data.get("partial_credit", "checker")
    if policy not in POLICIES:
        raise _fail(path, "partial_credit", f"must be one of {', '.join(POLICIES)}, got {policy!r}")
    mapping = data.get("submission", "auto")
    if mapping not in MAPPINGS:
        raise _fail(path, "submission", f"must be one of {', '.join(MAPPINGS)}, got {mapping!r}")
    instances = data.get("instances")
    if instances is not None and (not isinstance(instances, str) or "{student}" not in instances
                                  or ".." in Path(instances).parts or Path(instances).is_absolute()):
        raise _fail(path, "instances", "must be a relative path containing {student}")
    items = data.get("problems", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(path, "problems", "must be an array of tables ([[problems]])")
    if not items:
        raise _fail(path, "problems", "a set needs at least one problem")
    if len(items) > MAX_PROBLEMS:
        raise _fail(path, "problems", f"at most {MAX_PROBLEMS} problems")
    hasher = hashlib.sha256(raw or json.dumps(data, sort_keys=True, default=str).encode())
    problems, seen = [], set()
    for n, item in enumerate(items, 1):
        where = f"problems[{n}]"
        bad = set(item) - set(PROBLEM_KEYS)
        if bad:
            raise _fail(path, f"{where}.{', '.join(sorted(bad))}", f"unknown key; allowed: {', '.join(PROBLEM_KEYS)}")
        label = item.get("label")
        if not isinstance(label, str) or not LABEL.match(label):
            raise _fail(path, f"{where}.label", f"must be letters, digits, _ or - (starting with a letter), got {label!r}")
        if label in seen:
            raise _fail(path, f"{where}.label", f"duplicate label {label!r}")
        seen.add(label)
        points = item.get("points", 1)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1e6:
            raise _fail(path, f"{where}.points", f"must be a number more than 0, got {points!r}")
        pc = item.get("partial_credit", policy)
        if pc not in POLICIES:
            raise _fail(path, f"{where}.partial_credit", f"must be one of {', '.join(POLICIES)}, got {pc!r}")
        if ("spec" in item) == ("inline" in item):
            raise _fail(path, where, "give exactly one of spec (a file) or inline (a table)")
        if "spec" in item:
            rel = item["spec"]
            if not isinstance(rel, str):
                raise _fail(path, f"{where}.spec", "must be a path")
            spec_path = (path.parent / rel)
            spec = load_spec(spec_path)
            try:
                hasher.update(spec_path.read_bytes())
            except OSError:  # pragma: no cover - load_spec just read it
                pass
        else:
            if not isinstance(item["inline"], dict):
                raise _fail(path, f"{where}.inline", "must be a table of spec keys")
            spec = spec_from_dict(item["inline"], f"{path} [{label}]")
        key = item.get("key")
        if key is not None and not isinstance(key, str):
            raise _fail(path, f"{where}.key", "must be LaTeX text")
        vary = item.get("vary", {})
        if not isinstance(vary, dict):
            raise _fail(path, f"{where}.vary", "must be a table")
        try:
            problem = Problem.from_spec(spec)
        except SymjacError as exc:
            raise _fail(path, label, str(exc)) from None
        problems.append(SetProblem(label, float(points), pc, problem, spec, key, vary, item))
    gen = data.get("generate", {})
    return ProblemSet(title, problems, mapping, path, hasher.hexdigest()[:16], instances,
                      gen if isinstance(gen, dict) else {})


# --- submissions -> answers ---------------------------------------------------------------

_BEGIN = re.compile(r"\\begin\s*\{answer\}\s*\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}")
_END = re.compile(r"\\end\s*\{answer\}")
_MARK = re.compile(r"^[ \t]*%+[ \t]*problem[ \t]*:[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*$", re.M | re.I)


def split_answers(text: str, labels) -> tuple[dict, list[str]]:
    r"""({label: answer text}, notes) from one file with ``\begin{answer}{label} … \end{answer}``
    blocks or ``% problem: label`` lines (each answer runs to the next marker).  Unknown labels and
    repeated labels are named in ``notes`` (the first answer of a label counts)."""
    labels = set(labels)
    found: dict = {}
    notes: list[str] = []

    def put(label, body):
        if label not in labels:
            notes.append(f"unknown problem label {label!r} ignored")
        elif label in found:
            notes.append(f"problem {label!r} answered twice: the first answer is graded")
        else:
            found[label] = body.strip()

    blocks = list(_BEGIN.finditer(text))
    if blocks:
        for m in blocks:
            end = _END.search(text, m.end())
            stop = end.start() if end else len(text)
            nxt = _BEGIN.search(text, m.end())
            if nxt and nxt.start() < stop:
                stop = nxt.start()
                notes.append(f"answer {m.group(1)!r} has no \\end{{answer}} before the next one")
            put(m.group(1), text[m.end():stop])
        return found, notes
    marks = list(_MARK.finditer(text))
    for k, m in enumerate(marks):
        stop = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        put(m.group(1), text[m.end():stop])
    return found, notes


def read_text(path: Path) -> tuple[str, bytes]:
    """(text, raw bytes) of an answer file, never following a symbolic link; at most 1 MB is read
    (a longer file is cut there, and the LaTeX guard refuses it)."""
    import os

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    return data[:MAX_FILE_BYTES].decode("utf-8", "replace"), data


def _answer_files(folder: Path) -> list[Path]:
    out = []
    for q in sorted(folder.iterdir()):
        if q.name.startswith(".") or q.is_symlink() or not q.is_file():
            continue
        if q.suffix.lower() in ANSWER_SUFFIXES:
            out.append(q)
    return out


def collect_answers(pset: ProblemSet, folder) -> tuple[dict, list[str], str]:
    """What a student's folder answers: ({label: answer text}, notes, content hash).

    ``files``: ``LABEL.tex`` (or .txt/.md/.latex) per problem; ``single``: the one answer file, split
    by markers (:func:`split_answers`); ``auto``: files when any is named after a label, else single.
    A missing answer is absent from the dict (and named in notes); symbolic links are never read."""
    folder = Path(folder)
    files = _answer_files(folder)
    by_stem: dict = {}
    for f in files:
        by_stem.setdefault(f.stem, []).append(f)
    labels = pset.labels
    mode = pset.submission
    if mode == "auto":
        mode = "files" if any(lab in by_stem for lab in labels) else "single"
    answers, notes = {}, []
    h = hashlib.sha256(mode.encode())
    if mode == "files":
        for lab in labels:
            got = by_stem.get(lab, [])
            if not got:
                notes.append(f"{lab}: no answer (expected {lab}.tex)")
                continue
            if len(got) > 1:
                notes.append(f"{lab}: {len(got)} files ({', '.join(g.name for g in got)}); graded {got[0].name}")
            text, raw = read_text(got[0])
            answers[lab] = text
            h.update(lab.encode() + b"\0" + hashlib.sha256(raw).digest())
        extra = [f.name for f in files if f.stem not in labels]
        if extra:
            notes.append("ignored files not named after a problem: " + ", ".join(extra))
    else:
        if not files:
            notes.append("no answer file")
        else:
            if len(files) > 1:
                notes.append(f"{len(files)} answer files; graded {files[0].name}")
            text, raw = read_text(files[0])
            h.update(hashlib.sha256(raw).digest())
            answers, more = split_answers(text, labels)
            notes += more
            notes += [f"{lab}: no answer" for lab in labels if lab not in answers]
    return answers, notes, h.hexdigest()[:16]


def scan_students(folder) -> tuple[list[tuple[str, Path]], list[dict]]:
    """(students, skipped): every sub-folder of ``folder`` is a student (name order); files beside them
    and symbolic links are skipped and listed, never read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SymjacError(f"{folder}: not a directory")
    root = folder.resolve()
    students, skipped = [], []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_symlink():
            skipped.append({"path": str(p), "reason": "symbolic link"})
        elif not p.is_dir():
            skipped.append({"path": str(p), "reason": "not a student folder"})
        elif not p.resolve().is_relative_to(root):  # pragma: no cover - not a symlink, so inside
            skipped.append({"path": str(p), "reason": "outside the folder"})
        else:
            students.append((p.name, p))
    return students, skipped


__all__ = ["ProblemSet", "SetProblem", "load_set", "set_from_dict", "is_problem_set", "split_answers",
           "collect_answers", "scan_students", "SET_KEYS", "PROBLEM_KEYS", "read_text"]
