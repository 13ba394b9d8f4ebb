r"""Statements an answer may make beyond a bare answer, read as text (nothing evaluated):
relations split at top-level ``=`` and ``\in``, the Jacobian's shape ``∇f ∈ R^{a×b}``, an index
formula for the function's entries ``F_{ij} = …``, and the value target of ``expr = … = numbers``.
Which statement an answer is, and the judge of each member, are :mod:`symjac.checking.engine`'s.
"""
from __future__ import annotations

import re
from dataclasses import replace as dataclasses_replace

import numpy as np
import sympy as sp

from symjac.checking.compare import _close
from symjac.checking.instances import (
    _Instance, _answer_env, _build_function, _num_array, _random_arrays, _scalar, _seed, _size_assignments,
    _with_properties,
)
from symjac.checking.problem import _ONE, Problem, _parse_shapes, function_shape
from symjac.checking.report import Report, _fmt_shape, _sizes_words, invalid
from symjac.checking.values import _values_arrays, function_value
from symjac.errors import ShapeError, SymjacError
from symjac.parsing.latex.guard import InvalidAnswer
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import is_matrix, parse_latex


_DERIV_HEAD = re.compile(r"\\nabla|\\partial|(?<![A-Za-z\\])J(?![A-Za-z])")


def _split_relations(text: str) -> tuple[list, list]:
    r"""Split ``text`` at top-level ``=`` and ``\in`` (outside braces, brackets and environments):
    (members, relations).  Text only, nothing evaluated."""
    members, rels, depth, start, k = [], [], 0, 0, 0
    while k < len(text):
        ch = text[k]
        if text.startswith("\\begin", k):
            depth += 1
        elif text.startswith("\\end", k):
            depth -= 1
        elif ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0 and ch == "=":
            members.append(text[start:k])
            rels.append("=")
            start = k + 1
        elif depth == 0 and text.startswith("\\in", k) and not text[k + 3:k + 4].isalpha():
            members.append(text[start:k])
            rels.append("\\in")
            start = k + 3
            k += 2
        k += 1
    members.append(text[start:])
    return [m.strip() for m in members], rels


def _all_members(problem, members, judge) -> Report:
    """Every member judged: a chain is incorrect when a member it can read is wrong, unreadable
    when one cannot be read and the others are right, correct when all are (the member named)."""
    reports = []
    for m in members:
        try:
            reports.append(judge(m))
        except SymjacError as exc:
            reports.append(invalid(str(exc)))
    for verdict in ("incorrect", "invalid"):
        for n, r in enumerate(reports, 1):
            if r.verdict == verdict:
                if len(members) > 1:
                    r = Report(r.verdict, r.diagnosis, r.score, f"{r.message} (member {n} of {len(members)} "
                               "after the first '=')", r.details)
                return r
    return reports[-1]


_ENTRY_HEAD = re.compile(r"^\s*([A-Za-z]+)(?:\^\s*\{\s*\((\d+)\)\s*\})?\s*_\s*(?:\{([A-Za-z ,]+)\}|([A-Za-z]))"
                         r"\s*(?:\(\s*[A-Za-z]?\w*(?:\^\{\(\d+\)\})?\s*\))?\s*$")


def _check_entry_formula(problem: Problem, letters: tuple, answer: str) -> Report:
    """``F_{pq} = formula``: an index formula for the function's entries (letters from the head),
    compared with F's entries at every index, at the instance and at random sizes and points."""
    f_shape = function_shape(problem.function, problem.shapes)
    axes = 0 if tuple(f_shape) == _ONE else (1 if f_shape[1] == 1 or f_shape[0] == 1 else 2)
    if len(letters) != axes or len(set(letters)) != len(letters):
        return invalid(f"{problem.output_name} has {axes} indices, the statement names {len(letters)}")
    expr = parse_latex(answer, _parse_shapes(problem), indices=letters, sigma=problem.sigma)
    if is_matrix(expr):
        return Report("incorrect", ["shape"], 0.0, "incorrect: an entry formula is a scalar, the answer is a matrix",
                      {"expected": "scalar entry in index notation", "given": "a matrix"})
    sizes_list = _size_assignments(problem)
    instance = problem.instance_sizes()
    if instance is not None and instance not in sizes_list:
        sizes_list = [instance] + sizes_list
    syms = [sp.Symbol(n, integer=True, positive=True) for n in letters]
    checked, wrong, first = 0, 0, None
    for sizes in sizes_list:
        inst = _Instance(dataclasses_replace(problem, wrt=None), sizes)
        rng = np.random.default_rng(_seed("entries", problem.function, sizes))
        for _ in range(2):
            arrays = _with_properties(problem, inst.shapes, _random_arrays(inst.shapes, rng, False), rng)
            env = _answer_env(arrays, sizes, problem)
            Fn = _num_array(inst.Fm, env)
            for r in range(Fn.shape[0]):
                for c in range(Fn.shape[1]):
                    idx = (r + 1, c + 1) if axes == 2 else ((max(r, c) + 1,) if axes == 1 else ())
                    at = dict(zip(syms, idx))
                    checked += 1
                    try:
                        got = _scalar(evaluate(expr, Env(env.dims, arrays, at)))
                    except ShapeError as exc:
                        got, why = None, str(exc)
                    else:
                        why = None
                    if got is None or not _close(np.array([[got]]), np.array([[Fn[r, c]]])):
                        wrong += 1
                        if first is None:
                            where = ", ".join(f"{n} = {v}" for n, v in zip(letters, idx)) or "the entry"
                            first = (f"at {where} ({_sizes_words(sizes, inst)}) "
                                     + (f"it fails: {why}" if why else f"it gives {got:.4g}, the entry is {Fn[r, c]:.4g}"))
    if not wrong:
        return Report("correct", [], 1.0, "correct",
                      {"method": f"index formula at {checked} entries, "
                                 f"sizes {'; '.join(_sizes_words(s) for s in sizes_list)}, random points"})
    return Report("incorrect", [], 0.0, f"incorrect: the formula for {problem.output_name}'s entries is wrong at "
                  f"{wrong} of {checked} entries, e.g. {first}",
                  {"wrong_fraction": round(wrong / checked, 4), "first_wrong": first})


def _value_target(problem: Problem, head: str):
    """The value problem a statement's head poses: the function (its name, e.g. a^{(1)}) or an
    expression of the declared variables; None when the head is neither."""
    shapes = dict(problem.shapes)
    out = problem.output_name
    if out and out not in shapes and isinstance(problem.function, str):
        shapes[out] = tuple(function_shape(problem.function, problem.shapes))
    try:
        expr = parse_latex(head, shapes, sigma=problem.sigma)
    except SymjacError:
        return None
    names = {getattr(s, "name", None) for s in expr.free_symbols} if hasattr(expr, "free_symbols") else set()
    target = Problem(problem.function, None, problem.shapes, "vec", problem.values, sigma=problem.sigma,
                     tolerance=problem.tolerance, partial_credit=problem.partial_credit,
                     dimensions=problem.dimensions, output_name=problem.output_name)
    if out in names:
        if expr != (sp.MatrixSymbol(out, *shapes[out]) if shapes[out] != _ONE else sp.Symbol(out, real=True)):
            return None
        return target, function_value(target)
    sizes = {} if problem.concrete else problem.instance_sizes()
    if sizes is None:
        return None
    arrays = _values_arrays(problem, _Instance.shapes_at(problem, sizes))
    v = evaluate(expr, Env({}, arrays))       # the head's value, read as written
    return target, (v if isinstance(v, np.ndarray) else np.array([[float(v)]]))


_DIM_TOKEN = re.compile(r"\s*(\\times|\\cdot|[A-Za-z]\w*|\d+|[()*])")


def _dim_product(text: str, sizes: dict) -> int:
    """A product of sizes written a × b, a·b, (a × b) or a*b, at the instance ``sizes``."""
    total, k, text = 1, 0, text.strip()
    while k < len(text):
        m = _DIM_TOKEN.match(text, k)
        if m is None:
            raise InvalidAnswer(f"cannot read the size {text!r}", k)
        tok = m.group(1)
        k = m.end()
        if tok.isdigit():
            total *= int(tok)
        elif tok[0].isalpha():
            if tok not in sizes:
                raise InvalidAnswer(f"unknown size {tok!r}: the problem's dimensions are "
                                    f"{', '.join(sorted(sizes)) or 'none'}", k)
            total *= sizes[tok]
    return total


def _top_factors(text: str) -> list[str]:
    parts, depth, start, k = [], 0, 0, 0
    while k < len(text):
        if text[k] in "({":
            depth += 1
        elif text[k] in ")}":
            depth -= 1
        elif depth == 0 and text.startswith("\\times", k):
            parts.append(text[start:k])
            start = k + len("\\times")
        k += 1
    parts.append(text[start:])
    return parts


_SPACE = re.compile(r"^\s*(?:\\mathbb\s*\{\s*R\s*\}\s*\^|\\mathbb\s*R\s*\^|M\s*_)\s*\{(.*)\}\s*$", re.S)


def _check_shape_statement(problem: Problem, head: str, space: str) -> Report | None:
    """``∇f ∈ R^{a×b}``: the Jacobian's shape under the problem's convention at its instance."""
    if problem.wrt is None or not _DERIV_HEAD.search(head):
        return None
    m = _SPACE.match(space)
    if m is None:
        return invalid(f"cannot read the set {space.strip()!r}: write \\mathbb{{R}}^{{a \\times b}}")
    sizes = {} if problem.concrete else problem.instance_sizes()
    if sizes is None:
        return invalid("a shape statement needs the problem's instance (its [dimensions])")
    factors = _top_factors(m.group(1))
    if len(factors) != 2:
        return invalid("a Jacobian's shape has two factors, rows × columns")
    given = tuple(_dim_product(f.strip().strip("{}"), sizes) for f in factors)
    shapes = _Instance.shapes_at(problem, sizes)
    F, variables = _build_function(problem, shapes)
    fr, fc = F.shape if isinstance(F, sp.MatrixBase) else (1, 1)
    xr, xc = shapes[problem.wrt]
    expected = tuple(problem.convention.answer_shape((fr, fc), (xr, xc)))
    at = ", ".join(f"{k} = {v}" for k, v in sorted(sizes.items())) or "the declared sizes"
    if tuple(expected) == given:
        return Report("correct", [], 1.0, f"correct: the Jacobian is {_fmt_shape(expected)} at {at}",
                      {"expected": _fmt_shape(expected)})
    return Report("incorrect", ["shape"], 0.0,
                  f"incorrect: the statement gives {_fmt_shape(given)} at {at}, the Jacobian is {_fmt_shape(expected)}",
                  {"expected": _fmt_shape(expected), "given": _fmt_shape(given)})
