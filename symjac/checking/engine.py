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

Diagnosis.  When the answer is wrong, transformations of the key are tried,
fewest first, and every one that matches is named by its codes:

=================  ==============================================================
``transposed``     the other layout (numerator ↔ denominator), or Gᵀ for a gradient
``input_order``    the variable flattened in the other order (row-major vs column-first)
``output_order``   the function flattened in the other order
``sign``           the negative of the key
``scale``          a constant multiple of the key (``factor`` gives it, e.g. 1/2: a lost 2)
``missing_term``   one product-rule term missing (the key minus one occurrence's part)
``extra_term``     one product-rule term counted twice
``doubled_term``   twice one product-rule term (e.g. 2Ax for xᵀAx: assumes A symmetric)
``vectorised``     a gradient given as vec(G) instead of in the variable's shape
``shape``          wrong shape; ``expected``/``given`` name both
``entries``        an explicit matrix with some wrong entries (listed with correct values)
``convention_mixed``  entries of two conventions mixed in one matrix
``values``         a value problem's numbers are wrong (listed with the correct values)
``choice``         a multiple-choice answer is not the best option
``invalid``        the answer could not be read (``verdict == "invalid"``)
=================  ==============================================================

Verdicts: ``correct``, ``incorrect``, ``invalid`` (the answer could not be read or
checked within the limits: the student's fault) and, from the sandbox only,
``error`` (an unexpected exception inside symjac: the answer was not judged).
"""
from __future__ import annotations

import re
from dataclasses import replace as dataclasses_replace
from fractions import Fraction

import numpy as np
import sympy as sp

from symjac.conventions import TENSOR
from symjac.errors import ShapeError, SymjacError
from symjac.parsing.latex.guard import InvalidAnswer
from symjac.parsing.latex.parser import is_matrix, parse_latex
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.checking.problem import (
    INTEGER_VALUES, _ONE, CheckError, Problem, _answer_shape_at, _as_expr, _entry_letters,
    _entry_problem, function_shape, _parse_shapes, _substitute_name, symmetric_gradient,
)
from symjac.checking.report import (
    Report, _fmt_shape, _fmt_symbolic_shape, _fmt_values, invalid, _n_wrong, _nice, _sizes_words, _unsized,
)
from symjac.checking.compare import _close, expected_array
from symjac.checking.instances import (
    _Instance, _answer_env, _build_function, _eval_answer, _eval_entry, _eval_tensor, _num_array,
    _random_arrays, _scalar, _seed, _size_assignments, _with_properties,
)
from symjac.checking.sizes import _comparison_sizes
from symjac.checking.diagnose import (
    CODES, _candidates, _diagnosed, _entries_report, _exact_check, _fit_scale, _shape_report,
)
from symjac.checking.values import (
    _check_choice, _check_value, evaluate_choices, function_value, _values_arrays, _wrong_numbers,
)

# --- problems ---------------------------------------------------------------------

# --- reports --------------------------------------------------------------------------

# --- instances: concrete sizes and random points -----------------------------------------

# --- the check ---------------------------------------------------------------------------

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
    except (ValueError, TypeError, ZeroDivisionError, OverflowError, FloatingPointError, np.linalg.LinAlgError) as exc:
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


# --- which sizes an answer is compared at -------------------------------------------------

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


# --- value problems -------------------------------------------------------------------

# --- multiple choice judged from the numbers ------------------------------------------------

# --- statements: "expr = … = numbers", "∇f = … = answer", "∇f ∈ R^{a×b}" -------------------

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



# --- public entry ------------------------------------------------------------------------


__all__ = ["Problem", "Report", "check_pure", "CODES", "function_value", "evaluate_choices", "CheckError"]


