"""The web page's jobs on untrusted text, run in a worker (:func:`symjac.web.worker.run_limited`).

Each job takes plain strings and returns plain data (dicts of strings, LaTeX
and lists) that :mod:`symjac.web.pages` turns into HTML.  Nothing here
evaluates text: expressions go through the safe expression parser, specs
through ``tomllib`` and :func:`symjac.checking.spec.spec_from_dict`, answers
through :func:`symjac.parsing.latex.parser.parse_latex`.
"""
from __future__ import annotations

import re

from symjac.errors import SpecError, SymjacError

CONVENTION_CHOICES = ("vec", "notes", "row", "denominator", "gradient")   # the matrix conventions
MODES = ("both", "explicit", "closed")
MAX_SHOWN = 16


def parse_shapes(text: str) -> dict:
    """``"A=3x2, x=3"`` (commas, semicolons or spaces between) → {"A": (3, 2), "x": (3, 1)}."""
    from symjac.parsing.shapes import parse_shape_arg

    shapes = {}
    for item in re.split(r"[,;\s]+", text.strip()):
        if not item:
            continue
        name, shape = parse_shape_arg(item)
        if name in shapes:
            raise SymjacError(f"shapes: {name} is declared twice")
        shapes[name] = shape
    if not shapes:
        raise SymjacError("shapes: declare every variable, e.g. A=3x2, x=2 (a vector), c=1 (a scalar), A=mxn")
    return shapes


def _blocks(blocks) -> list:
    out = []
    for b in blocks:
        if b.kind == "para":
            out.append({"kind": "para", "segs": [(s.kind, s.latex) for s in b.segs]})
        elif b.kind == "math":
            out.append({"kind": "math", "math": b.math})
        elif b.kind == "table":
            out.append({"kind": "table",
                        "header": [[(s.kind, s.latex) for s in h] for h in b.header],
                        "rows": [[[(s.kind, s.latex) for s in c] for c in row] for row in b.rows]})
    return out


def derivation_data(d) -> dict:
    """A :class:`~symjac.catalogue.derivation.Derivation` as plain data (steps of blocks) + Markdown."""
    from symjac.catalogue.documents import markdown_document

    return {
        "title": d.spec.title,
        "name": d.spec.name,
        "description": d.spec.description,
        "verified": d.verified,
        "verification": d.verification,
        "claims": [(c.label, c.verdict, c.summary) for c in d.claims],
        "steps": [{"title": s.title, "status": s.status, "blocks": _blocks(s.blocks)} for s in d.steps],
        "markdown": markdown_document(d),
    }


def numpy_code(result) -> str:
    """Python source of ``jacobian(<variables>) -> ndarray`` for a :class:`~symjac.results.JacobianResult`."""
    import sympy as sp
    from sympy.printing.numpy import NumPyPrinter

    from symjac.symbols import as_matrix

    safe, lines = {}, []
    names = result.variable_names
    for name, var in zip(names, result.variables):
        M = as_matrix(var)
        if M.shape == (1, 1) and not isinstance(var, sp.MatrixBase):
            lines.append(f"    {name} = float(numpy.asarray({name}, dtype=float).reshape(()))")
            continue
        lines.append(f"    {name} = numpy.asarray({name}, dtype=float).reshape({M.rows}, {M.cols})")
        for i in range(M.rows):
            for j in range(M.cols):
                s = M[i, j]
                if isinstance(s, sp.Symbol):
                    py = re.sub(r"\W", "_", s.name)
                    safe[s] = sp.Symbol(py)
                    lines.append(f"    {py} = {name}[{i}, {j}]")
    printer = NumPyPrinter()
    J = result.matrix.xreplace(safe)
    rows = ",\n".join("        [" + ", ".join(printer.doprint(e) for e in J.row(r)) + "]" for r in range(J.rows))
    conv = result.convention
    return "\n".join([
        "import numpy",
        "",
        f"def jacobian({', '.join(names)}):",
        f'    """d {result.function} / d {result.wrt}: {J.rows}x{J.cols}, convention {conv.label} '
        f'({conv.describe()})."""',
        *lines,
        "    return numpy.array([",
        rows,
        "    ], dtype=float)",
        "",
    ])


def derive_job(expr: str, wrt: str, shapes_text: str, convention: str, mode: str) -> dict:
    """Everything the Derive page shows for one input (see :mod:`symjac.web.pages`)."""
    from symjac.catalogue.derivation import derive_spec
    from symjac.checking.spec import spec_from_dict
    from symjac.parsing.shapes import is_concrete

    expr, wrt = expr.strip(), wrt.strip()
    if not expr:
        raise SymjacError("expression: type a function, e.g. A.T @ A")
    if convention not in CONVENTION_CHOICES:
        raise SymjacError(f"convention: choose one of {', '.join(CONVENTION_CHOICES)}")
    if mode not in MODES:
        raise SymjacError(f"show: choose one of {', '.join(MODES)}")
    shapes = parse_shapes(shapes_text)
    if not wrt:
        raise SymjacError("variable: name the variable to differentiate by, e.g. A")
    if wrt not in shapes:
        raise SymjacError(f"variable: {wrt!r} has no declared shape ({', '.join(shapes)})")
    concrete = all(is_concrete(s) for s in shapes.values())
    out = {"concrete": concrete, "explicit": None, "closed": None, "closed_error": None}
    data = {"title": f"Jacobian of {expr} with respect to {wrt}", "function": expr, "wrt": wrt,
            "shapes": {k: list(v) for k, v in shapes.items()}, "convention": convention}
    try:
        spec = spec_from_dict(data, "web-input.toml")
    except SpecError as exc:
        raise SymjacError(str(exc).replace("web-input.toml: ", "")) from None
    out["derivation"] = derivation_data(derive_spec(spec))
    if concrete and mode in ("both", "explicit"):
        from symjac.results import derive

        r = derive(expr, wrt, shapes, convention)
        out["explicit"] = {
            "latex": r.to_latex(max_shown=MAX_SHOWN),
            "latex_full": r.to_latex(max_shown=10**6),
            "shape": list(r.shape),
            "convention": f"{r.convention.label} — {r.convention.describe()}",
            "verification": r.verification.describe() if r.verification else "not verified",
            "verified": bool(r.verification and r.verification.passed),
            "numpy": numpy_code(r),
        }
    if mode in ("both", "closed") or not concrete:
        from symjac.calculus.closedform import closed_form_from_text

        try:
            c = closed_form_from_text(expr, wrt, shapes, convention)
            out["closed"] = {"latex": c.to_latex(), "lhs": c.lhs_latex(), "convention": c.describe_convention()}
        except SymjacError as exc:
            out["closed_error"] = str(exc)
    return out


def problem_from_toml(text: str):
    """A :class:`~symjac.checking.problem.Problem` from pasted spec text (TOML, the derivations/ format)."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from symjac.checking.spec import spec_from_dict
    from symjac.checking.engine import Problem

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SymjacError(f"spec: invalid TOML: {exc}") from None
    try:
        spec = spec_from_dict(data, "pasted-spec.toml")
    except SpecError as exc:
        raise SymjacError(str(exc).replace("pasted-spec.toml: ", "spec: ")) from None
    return Problem.from_spec(spec)


def problem_summary(problem) -> dict:
    """What the Check page says about the problem: F, the variable, shapes, convention."""
    shapes = ", ".join(f"{k}: {r}×{c}" for k, (r, c) in problem.shapes.items())
    return {"title": problem.title, "function": problem.function if isinstance(problem.function, str) else "",
            "wrt": problem.wrt or "", "shapes": shapes, "convention": problem.convention.name}


def preview_job(problem, answer: str) -> dict:
    """How an answer was read: the parsed tree printed back as LaTeX (or the parse error)."""
    from symjac.parsing.latex.parser import parse_latex
    from symjac.web.preview import preview_latex

    indices = [i for i in problem.indices if i] if problem.generic_entries else ()
    try:
        tree = parse_latex(answer, problem.shapes, indices=indices, sigma=problem.sigma)
    except SymjacError as exc:
        return {"ok": False, "latex": "", "error": str(exc)}
    try:
        tex = preview_latex(tree)
    except Exception:  # noqa: BLE001 - a node the printer does not know: show its text form
        tex = r"\text{%s}" % re.sub(r"[\\{}$^_%#&~]", " ", str(tree))[:2000]
    return {"ok": True, "latex": tex, "error": ""}


def problem_and_preview(spec_text: str | None, problem, answer: str) -> dict:
    """Read a pasted spec (if any) and preview the answer; returns the Problem with them."""
    if spec_text is not None:
        problem = problem_from_toml(spec_text)
    return {"problem": problem, "summary": problem_summary(problem), "preview": preview_job(problem, answer)}


__all__ = ["derive_job", "parse_shapes", "numpy_code", "derivation_data", "problem_from_toml",
           "preview_job", "problem_and_preview", "CONVENTION_CHOICES", "MODES"]
