"""Which sizes an answer is compared at: random assignments of the dimension names and the
problem's instance, or — for an answer with explicit entries or sizes — the instance or the
sizes its shape implies (a report says why when none can be chosen).
"""
from __future__ import annotations

import sympy as sp

from symjac.checking.instances import _size_assignments
from symjac.checking.problem import Problem, _answer_shape_at, _as_expr, _dim_symbol, function_shape
from symjac.checking.report import Report, _fmt_shape, _fmt_symbolic_shape


def _fixed_size(expr) -> bool:
    """True when the answer only makes sense at one size: an explicit matrix, entries such as
    A_{11}, or sized constants (I_3, K_{32}); size-free answers (A^T, ⊗, I, K_{mn}) are not."""
    from symjac.parsing.latex.nodes import Commutation
    from symjac.symbols import parse_entry_name

    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.MatrixBase) and not any(isinstance(e, sp.MatrixExpr) for e in node):
            return True   # explicit entries (the blocks of a block matrix are not)
        if isinstance(node, sp.Symbol) and parse_entry_name(node.name) is not None:
            return True
        if isinstance(node, (sp.Identity, Commutation)) and all(
                getattr(d, "is_Integer", False) for d in (node.args if isinstance(node, Commutation) else node.shape)):
            return True
    return False


def _infer_sizes(problem: Problem, expr):
    """The sizes an answer with fixed-size parts is meant at: the problem's instance (``dimensions``,
    or the shapes of ``values``), else the sizes the answer's shape implies.  Returns (list of size
    assignments, None) or (None, why not).  Dimensions the answer's shape leaves free take the random
    sizes, unless the answer names an entry of a variable that depends on them (then it is ambiguous)."""
    sizes = problem.instance_sizes()
    if sizes is not None:
        return [sizes], None
    if not isinstance(problem.function, str):
        return None, "ambiguous"
    from symjac.parsing.latex.parser import shape as latex_shape

    known = {d: v for d, v in problem.dimensions.items() if d in problem.dims}
    known_syms = {_dim_symbol(d): sp.Integer(v) for d, v in known.items()}
    want = _answer_shape_at(problem, function_shape(problem.function, problem.shapes))
    unknown = [_dim_symbol(d) for d in problem.dims if d not in known]
    eqs = [sp.expand(_as_expr(w).xreplace(known_syms) - _as_expr(g).xreplace(known_syms))
           for w, g in zip(want, latex_shape(expr))]
    if any(not (e.free_symbols <= set(unknown)) for e in eqs):
        return None, "ambiguous"   # e.g. a bare I whose size the shape does not fix
    eqs = [e for e in eqs if e != 0]
    determined = {}
    if eqs:
        try:
            sols = sp.solve(eqs, unknown, dict=True)
        except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - defensive
            return None, "ambiguous"
        if not sols:
            return None, "impossible"
        accepted = []
        for sol in sols:
            if all(getattr(v, "is_Integer", False) and 1 <= int(v) <= 64 for v in sol.values()):
                accepted.append({k.name: int(v) for k, v in sol.items()})
        if len(accepted) != 1:
            return None, "ambiguous" if accepted or any(
                not all(getattr(v, "is_Integer", False) for v in sol.values()) for sol in sols) else "impossible"
        determined = accepted[0]
        if any(v == 1 for v in determined.values()):
            # at a size of 1 vectors are scalars and a transposed or reordered answer coincides with the
            # right one, so an answer does not get to choose it: only the problem's [dimensions] can
            return None, "degenerate: " + ", ".join(f"{d} = {v}" for d, v in sorted(determined.items()))
        too_big = _implied_cost(want, determined)
        if too_big:
            return None, too_big
    fixed = {**known, **determined}
    free = [d for d in problem.dims if d not in fixed]
    if free:
        from symjac.symbols import parse_entry_name

        entry_of = {parse_entry_name(s.name).name for s in getattr(expr, "free_symbols", ())
                    if isinstance(s, sp.Symbol) and parse_entry_name(s.name) is not None}
        if isinstance(expr, sp.MatrixBase):
            entry_of |= {parse_entry_name(s.name).name for e in expr for s in _as_expr(e).free_symbols
                         if isinstance(s, sp.Symbol) and parse_entry_name(s.name) is not None}
        if any(isinstance(d, str) and d in free for n in entry_of if n in problem.shapes for d in problem.shapes[n]):
            return None, "ambiguous"
    out = []
    for rnd in ([{}] if not free else _size_assignments(problem)):
        sz = {**rnd, **fixed}
        if sz not in out:
            out.append(sz)
    return out, None


MAX_IMPLIED_ENTRIES = 4096


def _implied_cost(want, sizes: dict) -> str | None:
    """``"too large: …"`` when the expected answer at the sizes an answer's shape implies would have
    more than MAX_IMPLIED_ENTRIES entries (checked before anything is built at those sizes)."""
    subs = {_dim_symbol(d): sp.Integer(v) for d, v in sizes.items()}
    try:
        n = 1
        for w in want:
            n *= int(_as_expr(w).xreplace(subs))
    except (TypeError, ValueError):
        return None
    if n <= MAX_IMPLIED_ENTRIES:
        return None
    return "too large: " + ", ".join(f"{d} = {v}" for d, v in sorted(sizes.items()))


def _sizes_unknown_report(problem: Problem, expr, why: str) -> Report:
    from symjac.parsing.latex.parser import shape as latex_shape

    want = _fmt_symbolic_shape(_answer_shape_at(problem, function_shape(problem.function, problem.shapes)))
    given = _fmt_shape(latex_shape(expr))
    dims = ", ".join(problem.dims)
    if why.startswith("too large"):
        return Report("invalid", ["invalid"], 0.0,
                      f"invalid input: the answer's fixed sizes ({given}) mean {why.split(': ', 1)[1]}, too large to "
                      f"check (the expected answer would have more than {MAX_IMPLIED_ENTRIES} entries): write it "
                      f"without explicit sizes, expected {want}", {"expected": want, "given": given})
    if why == "impossible":
        msg = f"incorrect: expected {want}, and no sizes of {dims} give the answer's shape {given}"
    elif why.startswith("degenerate"):
        msg = (f"incorrect: the answer's shape {given} means {why.split(': ', 1)[1]}, but an answer cannot choose a "
               "size of 1 (there a transposed or reordered matrix can coincide with the right one): expected "
               f"{want} at sizes of at least 2 (write it without explicit entries, or give the problem [dimensions])")
    else:
        msg = (f"incorrect: the answer has explicit entries or sizes ({given}), but the problem's sizes ({dims}) "
               f"are not fixed and the answer does not determine them: expected {want} "
               "(write it without explicit entries, or give the problem [dimensions])")
    return Report("incorrect", ["shape"], 0.0, msg, {"expected": want, "given": given})


def _comparison_sizes(problem: Problem, expr):
    """(size assignments, whether the answer is judged at concrete sizes it fixes) or a Report."""
    if problem.concrete:
        return [{}], True
    if _fixed_size(expr) and (not problem.convention.index_notation or problem.instance_sizes() is not None):
        sizes, why = _infer_sizes(problem, expr)
        if sizes is None:
            return _sizes_unknown_report(problem, expr, why)
        return sizes, True
    out = _size_assignments(problem)
    inst = problem.instance_sizes()
    if inst is not None and inst not in out:
        out.append(inst)
    return out, False
