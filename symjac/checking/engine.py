r"""Checking answers: equivalence as matrix functions, and *why* a wrong answer is wrong.

``check(problem, answer_latex) -> Report`` is a pure function of its inputs
(run it in :mod:`symjac.checking.sandbox` for untrusted text; :func:`check` does that
by default).  A problem is a function of declared variables, the variable to
differentiate by (or ``None`` for a value problem), shapes and a convention.

Equivalence.  The key is computed explicitly at concrete sizes (the declared
ones, or two random assignments of the dimension names with distinct values, plus
the problem's instance when ``dimensions`` fix one; an answer with explicit entries
or sizes only at the instance, or at the sizes its shape implies)
as the rank-4 derivative T[i,j,k,l] = ∂F_ij/∂X_kl; the answer is instantiated
at the same sizes and compared with the key — in the problem's convention —
at several random points (NumPy, relative tolerance 1e-6).  Explicit answers
to concrete problems are also compared exactly, entry by entry (``expand``).
Shapes are compared first.

Diagnosis.  When the answer is wrong, transformations of the key are tried, fewest first, and
every one that matches is named by its codes (:mod:`symjac.checking.diagnose` lists them).

Verdicts: ``correct``, ``incorrect``, ``invalid`` (the answer could not be read or
checked within the limits: the student's fault) and, from the sandbox only,
``error`` (an unexpected exception inside symjac: the answer was not judged).

This module is the judge: it reads an answer (a choice, a statement, a value, a derivative) and
dispatches it.  The parts are modules of their own: problem (the problem language), instances
(concrete sizes and random points), sizes (which sizes an answer is compared at), compare,
diagnose, values (value problems, multiple choice), statements, report.  The public names
(Problem, Report, CheckError, CODES …) are re-exported here.
"""
from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import sympy as sp

from symjac.checking.compare import _close, expected_array
from symjac.checking.diagnose import (
    CODES, _candidates, _diagnosed, _entries_report, _exact_check, _fit_scale, _shape_report,
)
from symjac.checking.instances import _Instance, _answer_env, _eval_answer, _eval_entry, _eval_tensor, _seed
from symjac.checking.problem import (
    INTEGER_VALUES, CheckError, Problem, _answer_shape_at, _as_expr, _entry_letters, _entry_problem,
    _parse_shapes, _substitute_name, function_shape, symmetric_gradient,
)
from symjac.checking.report import (
    Report, _fmt_shape, _fmt_symbolic_shape, _fmt_values, _n_wrong, _nice, _unsized, invalid,
)
from symjac.checking.sizes import _comparison_sizes
from symjac.checking.statements import (
    _DERIV_HEAD, _ENTRY_HEAD, _all_members, _check_entry_formula, _check_shape_statement, _split_relations,
    _value_target,
)
from symjac.checking.values import (
    _check_choice, _check_value, _values_arrays, _wrong_numbers, evaluate_choices, function_value,
)
from symjac.conventions import TENSOR
from symjac.errors import ShapeError, SymjacError
from symjac.parsing.latex.parser import is_matrix, parse_latex

__all__ = ["Problem", "Report", "check_pure", "CODES", "function_value", "evaluate_choices", "CheckError",
           "invalid", "function_shape", "symmetric_gradient", "expected_array"]


def check_pure(problem: Problem, answer: str) -> Report:
    """The pure check, in this process (no sandbox). Student text must be guarded by the caller's sandbox."""
    try:
        if problem.choices:
            return _check_choice(problem, answer)
        return _check(problem, answer)
    except SymjacError as exc:
        return invalid(str(exc))
    except (RecursionError, MemoryError):
        return invalid("the answer is too complex to check")
    except np.linalg.LinAlgError:
        return invalid("the answer cannot be evaluated: it inverts a matrix that is singular at the compared points")
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError) as exc:
        return invalid(f"the answer cannot be evaluated ({type(exc).__name__})")


def _at_integer(problem: Problem, values: dict) -> Problem:
    """The problem with each integer parameter fixed: a definition p = 3 (answers may still write p)."""
    from dataclasses import replace

    keep = {n: v for n, v in problem.shapes.items() if n not in values}
    function = problem.function
    for n, v in values.items():
        function = _substitute_name(function, n, str(v))
    return replace(problem, function=function, shapes=keep,
                   definitions={**{n: str(v) for n, v in values.items()}, **problem.definitions},
                   properties={n: v for n, v in problem.properties.items() if n not in values})


def _check_integer_parameters(problem: Problem, answer: str) -> Report:
    """Symbolic integer exponents: the answer is judged at p = 2, 3, 4 (every integer parameter at once);
    the first value where it is wrong gives the report."""
    if not isinstance(problem.function, str):
        raise CheckError("integer parameters need the function as text")
    names = problem.integer_parameters
    methods = []
    for v in INTEGER_VALUES:
        r = _check(_at_integer(problem, {n: v for n in names}), answer, integers=names)
        at = ", ".join(f"{n} = {v}" for n in names)
        if not r.correct:
            if r.verdict == "incorrect":
                r.message = f"{r.message} (at {at})"
            return r
        methods.append(f"{at}: {r.details.get('method', 'correct')}")
    return Report("correct", [], 1.0, "correct", {"method": "; ".join(methods)})


def _check(problem: Problem, answer: str, integers: tuple = ()) -> Report:
    if getattr(problem, "integer_parameters", ()):
        return _check_integer_parameters(problem, answer)
    statement = _check_statement(problem, answer)
    if statement is not None:
        return statement
    indices = tuple(n for n in problem.indices if n is not None) if problem.generic_entries else ()
    unit = None
    if _entry_problem(problem):
        indices = _entry_letters(problem)
        unit = (problem.wrt, *indices)
    try:
        expr = parse_latex(answer, _parse_shapes(problem), indices=indices, sigma=problem.sigma, single_entry=unit,
                           integers=integers)
    except ShapeError as exc:
        if problem.wrt is None or not isinstance(problem.function, str):
            raise
        return _parse_shape_report(problem, exc)
    if problem.wrt is None:
        return _check_value(problem, expr, answer)
    return _check_derivative(problem, expr, answer)


def _expected_phrase(problem: Problem) -> str:
    """'; expected a n×m matrix' in the problem's notation, or '' when it cannot be said."""
    if problem.convention.index_notation or not isinstance(problem.function, str):
        return ""
    try:
        want = _answer_shape_at(problem, function_shape(problem.function, problem.shapes))
    except SymjacError:  # pragma: no cover - the function was built before
        return ""
    if _entry_problem(problem):
        return f"; expected a {_fmt_symbolic_shape(want[2:])} matrix for each entry (the function's shape)"
    return f"; expected a {_fmt_symbolic_shape(want)} matrix"


def _parse_shape_report(problem: Problem, exc) -> Report:
    """The answer's own shapes do not fit together (A + x, x A): a wrong answer, with the expected
    shape in the problem's notation."""
    if problem.convention.index_notation:
        want = "a scalar entry in index notation"
    else:
        want = "a " + _fmt_symbolic_shape(_answer_shape_at(problem, function_shape(problem.function, problem.shapes))) \
            + " matrix"
    why = _unsized(problem, exc).split(" (at column")[0].replace("shapes do not fit: ", "")
    return Report("incorrect", ["shape"], 0.0, f"incorrect: the answer's shapes do not fit together ({why}); "
                  f"expected {want}", {"expected": want, "error": why})


def _uses_indices(problem: Problem, expr) -> bool:
    letters = {n for n in problem.indices if n is not None}
    return any(s.name in letters for s in getattr(expr, "free_symbols", ()) if isinstance(s, sp.Symbol))


def _numeric_answer(expr) -> bool:
    if isinstance(expr, sp.MatrixBase):
        return all(_as_expr(e).is_number for e in expr)
    return not getattr(expr, "free_symbols", {None}) and not isinstance(expr, sp.MatrixExpr)


def _check_derivative(problem: Problem, expr, answer: str) -> Report:
    if not problem.convention.index_notation and problem.generic_entries and not is_matrix(expr) and _uses_indices(problem, expr):
        # a generic entry ∂F_ij/∂X_kl: the same in every convention
        from dataclasses import replace

        problem = replace(problem, convention=TENSOR)
    if problem.convention.index_notation and is_matrix(expr):
        return Report("incorrect", ["shape"], 0.0,
                      "incorrect: the problem asks for a generic entry ∂F_ij/∂X_kl in index notation, not a matrix",
                      {"expected": "scalar entry in index notation", "given": "a matrix"})
    plan = _comparison_sizes(problem, expr)
    if isinstance(plan, Report):
        return plan
    size_list, at_instance = plan
    if problem.values and not problem.convention.index_notation and _numeric_answer(expr):
        sizes = size_list[0] if at_instance else problem.instance_sizes()
        if sizes is not None:
            try:
                arrays = _values_arrays(problem, _Instance.shapes_at(problem, sizes))
            except CheckError:
                arrays = None
            if arrays is not None:
                return _check_numeric_derivative(problem, expr, sizes, arrays)
    instances = [_Instance(problem, s) for s in size_list]
    points = 3
    samples = []   # (instance, given array, T numeric, parts numeric)
    for inst in instances:
        rng = np.random.default_rng(_seed("points", problem.function, inst.sizes))
        for p in range(points):
            for positive in (False, True):
                arrays = inst.draw(rng, positive)
                env = _answer_env(arrays, inst.sizes, problem)
                T, parts = inst.key(arrays, env)
                if np.all(np.isfinite(T)):
                    break
            exp = expected_array(problem, T)
            try:
                if problem.convention.index_notation:
                    given = _eval_tensor(problem, expr, arrays, inst.sizes, T.shape)
                elif _entry_problem(problem):
                    given = _eval_entry(problem, expr, env, exp.shape)
                else:
                    given = _eval_answer(problem, expr, env, exp.shape)
            except ShapeError as exc:
                return Report("incorrect", ["shape"], 0.0,
                              f"incorrect: the answer has inconsistent shapes: {_unsized(problem, exc)}"
                              + _expected_phrase(problem),
                              {"expected": _fmt_shape(exp.shape) if not problem.convention.index_notation
                               else "scalar entry in index notation", "error": str(exc)})
            samples.append((inst, given, T, parts, exp, env))
    # 1. correct?
    if all(_close(g, e) for _, g, _, _, e, _ in samples):
        where = "; ".join(", ".join(f"{k} = {v if isinstance(v, int) else 'x'.join(map(str, v))}"
                                    for k, v in sorted((i.sizes or i.shapes).items())) for i in instances)
        details = {"method": f"numeric at {len(samples)} points, sizes {where}"}
        exact = _exact_check(problem, expr, instances[0]) if at_instance else None
        if exact:   # numerically indistinguishable, exactly different (e.g. 0.333 for 1/3)
            return _entries_report(problem, expr, samples, None, at_instance, exact_wrong=exact)
        if exact is not None:
            details["method"] = "exact (entry by entry) and " + details["method"]
        return Report("correct", [], 1.0, "correct", details)
    # 2. shape
    given0, exp0 = samples[0][1], samples[0][4]
    # 3. transformations of the key
    cand_lists = [_candidates(problem, s[2], s[3]) for s in samples]
    if len({len(c) for c in cand_lists}) == 1:
        for idx, (codes, _, extra) in enumerate(cand_lists[0]):
            if codes and all(_close(s[1], cl[idx][1]) for s, cl in zip(samples, cand_lists)):
                return _diagnosed(problem, list(codes), extra, exp0, given0, samples)
    pairs = [(s[1], s[4]) for s in samples]
    c = _fit_scale(pairs)
    if c is not None:
        return Report("incorrect", ["scale"], 0.0,
                      f"incorrect: the answer is {_nice(c)} times the correct one"
                      + (" (a factor 2 is missing)" if abs(c - 0.5) < 1e-9 else ""),
                      {"factor": _nice(c)})
    if given0.shape != exp0.shape:
        return _shape_report(problem, expr, samples)
    return _entries_report(problem, expr, samples, cand_lists, at_instance)


def _check_numeric_derivative(problem: Problem, expr, sizes: dict, arrays: dict) -> Report:
    """A numeric answer to a derivative problem with [values]: the Jacobian at those values,
    compared with the value problems' tolerance (absolute plus 1 % relative)."""
    inst = _Instance(problem, sizes)
    env = _answer_env(arrays, sizes, problem)
    T, parts = inst.key(arrays, env)
    key = np.asarray(expected_array(problem, T), dtype=float)
    given = _eval_answer(problem, expr, env, key.shape)
    tol = problem.tolerance
    shown = _fmt_values(key)

    def near(a, b):
        return a.shape == b.shape and bool(np.all(np.isfinite(a))) and bool(np.all(np.abs(a - b) <= tol + 0.01 * np.abs(b)))

    details = {"expected": shown, "method": f"numeric at the problem's values (tolerance {tol:g} + 1%)"}
    if near(given, key):
        return Report("correct", [], 1.0, "correct", details)
    for codes, cand, extra in _candidates(problem, T, parts):
        if codes and near(given, np.asarray(cand, dtype=float)):
            rep = _diagnosed(problem, list(codes), extra, key, given, [])
            rep.message += f"; the correct value is {shown}"
            rep.details.update(details)
            return rep
    if given.shape == key.shape and float(np.sum(key * key)) > 1e-12:
        c = float(np.sum(given * key)) / float(np.sum(key * key))
        simple = float(Fraction(c).limit_denominator(12))
        c = simple if near(given, simple * key) else c
        if abs(c) > 1e-9 and abs(c - 1) > 0.02 and near(given, c * key):
            return Report("incorrect", ["scale"], 0.0,
                          f"incorrect: the answer is {_nice(c)} times the correct one"
                          + (" (a factor 2 is missing)" if abs(c - 0.5) < 1e-3 else "") + f"; the correct value is {shown}",
                          {"factor": _nice(c), **details})
    if given.shape != key.shape:
        return Report("incorrect", ["shape"], 0.0,
                      f"incorrect: expected a {_fmt_shape(key.shape)} matrix, the answer is {_fmt_shape(given.shape)}; "
                      f"the correct value is {shown}",
                      {"expected": _fmt_shape(key.shape), "given": _fmt_shape(given.shape), "value": shown})
    listing, total, score = _wrong_numbers(given, key, tol, problem.partial_credit)
    return Report("incorrect", ["entries"], score,
                  f"incorrect: {_n_wrong(len(listing), total, 'entries')}; the correct value is {shown}",
                  {**details, "wrong_entries": listing, "correct_fraction": round((total - len(listing)) / total, 4)})


def _check_statement(problem: Problem, answer: str) -> Report | None:
    """Statements an answer (or a catalogue claim) may make, beyond a bare answer:

    * ``∇f ∈ R^{a×b}`` (or ``M_{a×b}``): the Jacobian's shape at the problem's instance;
    * ``∇f = A = B``: every member after the head is an answer to the problem;
    * ``W a = [-0.6 + 1.6 - 0.1; 1.8 - 0.3] = [0.9; 1.5]``: a value statement — the head is an
      expression of declared variables (or the function's name, ``output_name``) and every
      other member must equal its value at the problem's ``values``.

    None when ``answer`` is not such a statement (a bare answer, or ``∇f = answer``)."""
    if not isinstance(answer, str) or len(answer) > 200_000:
        return None
    members, rels = _split_relations(answer)
    if not rels:
        return None
    if rels == ["\\in"]:
        return _check_shape_statement(problem, *members)
    if "\\in" in rels or any(not m for m in members):
        return None     # the parser names the problem
    head, rest = members[0], members[1:]
    if _DERIV_HEAD.search(head):
        if len(rest) == 1:
            return None          # "∇f = answer": the parser takes the right-hand side
        return _all_members(problem, rest, lambda m: _check(problem, m))
    entry = _ENTRY_HEAD.match(head)
    if entry is not None and isinstance(problem.function, str) and \
            entry.group(1) + (entry.group(2) or "") == problem.output_name:
        letters = tuple(re.findall(r"[A-Za-z]", (entry.group(3) or entry.group(4) or "").replace(",", "")))
        return _all_members(problem, rest, lambda m: _check_entry_formula(problem, letters, m))
    if problem.values is None:
        return None
    target = _value_target(problem, head)
    if target is None:
        return None
    target, key = target
    return _all_members(target, rest, lambda m: _check_value(target, parse_latex(m, {}, sigma=problem.sigma), m, key))
