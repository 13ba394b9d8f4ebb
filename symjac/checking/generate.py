r"""Problem generation with certified keys, and auditing a set's keys.

``generate_set(pset, OUT, students=N, seed=S)`` draws, per student and problem, an instance within
the problem's declared ranges (``[problems.vary]``)::

    [problems.vary]
    dimensions = { M = [2, 4], N = [2, 3] }   # each dimension name: an integer in [lo, hi]
    wrt = ["A", "x"]                            # which variable to differentiate by (one of)
    constants = { c = [1, 5] }                  # a name declared 1x1: replaced by an integer in [lo, hi]

and writes for each student ``OUT/<student>/problems.tex`` (the problem text, LaTeX),
``OUT/<student>/set.toml`` (their instance as a set with inline specs and keys),
``OUT/<student>/key.json`` (each key with its verification record — the checker's verdict on it —
and the typical mistakes: transposed, other vec order, sign, each with the checker's diagnosis), and
``OUT/set.toml`` (the grading set: ``instances = "{student}/set.toml"``).  Every key is explicit: the
Jacobian entry by entry at the instance's sizes under the problem's convention.  A key the checker
does not judge correct, or a mistake it does not diagnose as that mistake, stops the generation.

``audit_set(pset)`` checks every claimed key of a set (``key`` of each problem, and the spec's
``[[claimed]]`` Jacobians with LaTeX) with the checker and lists the ones judged wrong.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import sympy as sp

from symjac.conventions import get_convention
from symjac.errors import SpecError, SymjacError
from symjac.checking.problemset import ProblemSet, load_set

MAX_STUDENTS = 5000
MAX_SIZE = 6
MISTAKES = {"transposed": "transposed", "other_vec_order": "input_order", "sign": "sign"}


def _draw(rng: random.Random, rng_spec, where: str) -> int:
    if (not isinstance(rng_spec, list) or len(rng_spec) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in rng_spec) or rng_spec[0] > rng_spec[1]):
        raise SpecError(f"{where}: must be [lo, hi] with integers lo <= hi, got {rng_spec!r}")
    return rng.randint(*rng_spec)


def instance_spec(sp_, rng: random.Random, where: str) -> dict:
    """The inline spec (a dict of spec keys) of one random instance of a set problem."""
    spec, vary = sp_.spec, sp_.vary
    unknown = set(vary) - {"dimensions", "wrt", "constants"}
    if unknown:
        raise SpecError(f"{where}.vary: unknown key {', '.join(sorted(unknown))}; allowed: dimensions, wrt, constants")
    dims = dict(spec.dimensions)
    for d, r in (vary.get("dimensions") or {}).items():
        if d not in {x for s in spec.shapes.values() for x in s if isinstance(x, str)}:
            raise SpecError(f"{where}.vary.dimensions: {d!r} is not a dimension name of the problem")
        dims[d] = _draw(rng, r, f"{where}.vary.dimensions.{d}")
        if not 1 <= dims[d] <= MAX_SIZE:
            raise SpecError(f"{where}.vary.dimensions.{d}: sizes from 1 to {MAX_SIZE}")
    wrt = spec.wrt
    choices = vary.get("wrt")
    if choices is not None:
        if not isinstance(choices, list) or not choices or not all(c in spec.shapes for c in choices):
            raise SpecError(f"{where}.vary.wrt: must be a list of declared variables, got {choices!r}")
        wrt = rng.choice(choices)
    function = spec.function
    shapes = dict(spec.shapes)
    for c, r in (vary.get("constants") or {}).items():
        if tuple(shapes.get(c, ())) != (1, 1) or c == wrt:
            raise SpecError(f"{where}.vary.constants: {c!r} must be a variable declared [1, 1] (not wrt)")
        value = _draw(rng, r, f"{where}.vary.constants.{c}")
        function = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", f"({value})", function)
        del shapes[c]
    tensor = get_convention(spec.convention).index_notation
    out_shapes = {k: [dims.get(x, x) if not tensor else x for x in v] for k, v in shapes.items()}
    out = {"title": spec.title, "function": function, "wrt": wrt, "convention": spec.convention,
           "shapes": out_shapes}
    if spec.description:
        out["description"] = spec.description
    if tensor:
        if spec.index_names:
            out["index_names"] = list(spec.index_names)
        if dims:
            out["dimensions"] = {d: v for d, v in dims.items() if any(d in s for s in shapes.values())}
    elif any(isinstance(x, str) for v in out_shapes.values() for x in v):
        raise SpecError(f"{where}: give every dimension a size (vary.dimensions or the spec's dimensions)")
    return out


def _latex(M) -> str:
    from symjac.render.latex import latex, latex_matrix

    return latex_matrix(M, max_shown=10 ** 6) if isinstance(M, sp.MatrixBase) else latex(M)


def keys_for(problem) -> tuple[str, dict]:
    """(key LaTeX, {mistake: LaTeX}) of a concrete derivative problem: explicit matrices at its sizes."""
    from symjac.calculus.explicit import jacobian
    from symjac.checking.instances import _Instance
    from symjac.conventions import Convention

    inst = _Instance(problem, problem.instance_sizes() or {})
    X = inst.variables[problem.wrt]
    Xm = X if isinstance(X, sp.MatrixBase) else sp.ImmutableMatrix([[X]])
    conv = problem.convention
    key = jacobian(inst.Fm, X, conv)
    other = None                                       # a gradient has X's shape: no flattening order
    if conv.is_flattening:
        flip = Convention(conv.outputs, "row" if conv.inputs == "col" else "col", conv.layout)
        other = jacobian(inst.Fm, X, flip)
    mistakes = {"transposed": key.T, "sign": -key}
    if other is not None and Xm.rows > 1 and Xm.cols > 1:
        mistakes["other_vec_order"] = other
    # a mistake that coincides with the key (a symmetric key, a zero one) is no mistake
    mistakes = {k: v for k, v in mistakes.items() if v.shape != key.shape or sp.expand(v - key) != sp.zeros(*key.shape)}
    return _latex(key), {k: _latex(v) for k, v in mistakes.items()}


def _problem_tex(label: str, points: float, spec: dict, problem) -> str:
    from symjac.parsing.matrixexpr import build_matrix_expr
    from symjac.render.closedform import to_latex

    expr, _ = build_matrix_expr(spec["function"], {k: tuple(v) for k, v in spec["shapes"].items()})
    shapes = ", ".join(rf"${k} \in \mathbb{{R}}^{{{v[0]} \times {v[1]}}}$" for k, v in spec["shapes"].items())
    conv = spec["convention"]
    ask = {"vec": r"the Jacobian $\partial \operatorname{vec} F / \partial \operatorname{vec} " + spec["wrt"] + "$ (vec convention: column-first, numerator layout)",
           "notes": "the Jacobian in the notes' convention (outputs column-first, inputs row-first, numerator layout)",
           "row": "the Jacobian with rows and inputs flattened row-first (numerator layout)",
           "gradient": rf"the gradient $\nabla_{{{spec['wrt']}}} F$, in the shape of ${spec['wrt']}$",
           "tensor": None}[conv]
    if ask is None:
        fi = "".join(i for i in problem.indices[:2] if i)
        xi = "".join(i for i in problem.indices[2:] if i)
        ask = (rf"the generic entry $\partial F_{{{fi}}} / \partial {spec['wrt']}_{{{xi}}}$ in index notation "
               r"(Kronecker deltas $\delta$ allowed)")
    unit = "point" if points == 1 else "points"
    return (f"\\section*{{Problem {label} ({points:g} {unit})}}\n"
            f"Let $F = {to_latex(expr)}$ with {shapes}. Find {ask}.\n")


def _document(student: str, title: str, parts: list[str]) -> str:
    return ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
            f"\\title{{{title}}}\n\\author{{{student}}}\n\\date{{}}\n\\maketitle\n"
            + "\n".join(parts) + "\\end{document}\n")


def _toml_str(s: str) -> str:
    if "'''" not in s and "\n" not in s and "'" not in s:
        return f"'{s}'"
    return json.dumps(s, ensure_ascii=False)


def _toml_value(v) -> str:
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))  # pragma: no cover


def set_toml(title: str, problems: list[dict], extra: dict | None = None) -> str:
    """A set file with inline specs: problems as [{label, points, partial_credit, key, inline}]."""
    lines = [f"title = {_toml_str(title)}"]
    for k, v in (extra or {}).items():
        lines.append(f"{k} = {_toml_value(v)}")
    for p in problems:
        lines += ["", "[[problems]]"]
        for k in ("label", "points", "partial_credit", "key"):
            if p.get(k) is not None:
                lines.append(f"{k} = {_toml_value(p[k])}")
        if "inline" in p:
            lines.append("[problems.inline]")
            for k, v in p["inline"].items():
                lines.append(f"{k} = {_toml_value(v)}")
    return "\n".join(lines) + "\n"


def generate_set(pset: ProblemSet, out, *, students: int, seed: int = 0, check=None) -> dict:
    """Write every student's instance, text, certified key and the grading set; returns a summary
    {students, problems, keys, mistakes} (counts of what the checker certified)."""
    from symjac.checking.course import atomic_write
    from symjac.checking.engine import Problem
    from symjac.checking.spec import spec_from_dict

    if not 1 <= students <= MAX_STUDENTS:
        raise SymjacError(f"--students must be from 1 to {MAX_STUDENTS}")
    if check is None:
        from symjac.checking.engine import check_pure

        def check(problem, answer):
            return check_pure(problem, answer).to_dict()
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SymjacError(f"{out}: must be a folder (not a file or a symbolic link)")
    out.mkdir(parents=True, exist_ok=True)
    width = len(str(students))
    counts = {"students": students, "problems": len(pset.problems), "keys": 0, "mistakes": 0}
    for s in range(1, students + 1):
        student = f"s{s:0{width}d}"
        rng = random.Random(f"{seed}:{student}")
        folder = out / student
        folder.mkdir(exist_ok=True)
        items, texts, keys = [], [], {}
        for n, sp_ in enumerate(pset.problems, 1):
            where = f"{pset.path}: problems[{n}] ({sp_.label})"
            inline = instance_spec(sp_, rng, where)
            problem = Problem.from_spec(spec_from_dict(inline, f"{student}/{sp_.label}"))
            if problem.convention.index_notation:
                if not sp_.key:
                    raise SpecError(f"{where}: an index-notation problem needs a key (LaTeX) in the set")
                key, mistakes = sp_.key, {}
            else:
                key, mistakes = keys_for(problem)
            verdict = check(problem, key)
            if verdict["verdict"] != "correct":
                raise SymjacError(f"{student} {sp_.label}: the generated key is not judged correct: {verdict['message']}")
            record = {"key": key, "verification": {"verdict": verdict["verdict"], "message": verdict["message"],
                                                    "how": "symjac's checker (numeric at random points; exact "
                                                           "entry by entry for explicit matrices)"},
                      "mistakes": {}}
            for kind, tex in mistakes.items():
                rep = check(problem, tex)
                if rep["verdict"] != "incorrect" or MISTAKES[kind] not in rep["diagnosis"]:
                    raise SymjacError(f"{student} {sp_.label}: the {kind} mistake is not diagnosed as such: "
                                      f"{rep['verdict']} {rep['diagnosis']}")
                record["mistakes"][kind] = {"latex": tex, "verdict": rep["verdict"], "diagnosis": rep["diagnosis"]}
                counts["mistakes"] += 1
            counts["keys"] += 1
            keys[sp_.label] = record
            items.append({"label": sp_.label, "points": sp_.points, "partial_credit": sp_.partial_credit,
                          "key": key, "inline": inline})
            texts.append(_problem_tex(sp_.label, sp_.points, inline, problem))
        atomic_write(folder / "set.toml", set_toml(f"{pset.title} ({student})", items))
        atomic_write(folder / "problems.tex", _document(student, pset.title, texts))
        atomic_write(folder / "key.json", json.dumps({"student": student, "seed": seed, "problems": keys},
                                                     indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    template = [{"label": p.label, "points": p.points, "partial_credit": p.partial_credit,
                 "inline": {"title": p.spec.title, "function": p.spec.function, "wrt": p.spec.wrt,
                            "convention": p.spec.convention,
                            "shapes": {k: list(v) for k, v in p.spec.shapes.items()},
                            **({"index_names": list(p.spec.index_names)} if p.spec.index_names else {})}}
                for p in pset.problems]
    atomic_write(out / "set.toml", set_toml(pset.title, template, {
        "instances": "{student}/set.toml", "generate": {"seed": seed, "students": students}}))
    load_set(out / "set.toml")       # what was written loads back
    return counts


def audit_set(pset: ProblemSet, check=None) -> list[dict]:
    """Every claimed key of the set judged by the checker: [{label, source, verdict, diagnosis, message}]."""
    import dataclasses

    from symjac.checking.spec import _claim_kind

    if check is None:
        from symjac.checking.pool import check as check_

        def check(problem, answer):
            return check_(problem, answer).to_dict()
    rows = []
    for sp_ in pset.problems:
        claims = []
        if sp_.key:
            claims.append(("key", sp_.key, sp_.problem))
        for n, c in enumerate(sp_.spec.claimed, 1):
            if _claim_kind(c) == "jacobian" and c.get("latex"):
                problem = dataclasses.replace(sp_.problem, convention=c.get("convention", sp_.problem.convention))
                claims.append((f"claimed[{n}] {c.get('label', '')}".strip(), c["latex"], problem))
        if not claims:
            rows.append({"label": sp_.label, "source": "—", "verdict": "no key", "diagnosis": [],
                         "message": "no claimed key to audit"})
        for source, tex, problem in claims:
            rep = check(problem, tex)
            rows.append({"label": sp_.label, "source": source, "verdict": rep["verdict"],
                         "diagnosis": rep.get("diagnosis", []), "message": rep["message"]})
    return rows


__all__ = ["generate_set", "audit_set", "keys_for", "instance_spec", "set_toml", "MISTAKES"]
