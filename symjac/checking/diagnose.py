r"""Why a wrong answer is wrong.  Transformations of the key are tried, fewest first, and every
one that matches is named by its codes (``CODES``; their words are ``_WORDS``):

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

Also the reports of a wrong shape and of wrong entries, and the exact entry-by-entry check of
explicit answers to concrete problems (``expand``).
"""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from symjac.checking.compare import RTOL, _close, conv_matrix
from symjac.checking.problem import Problem, _answer_shape_at, _as_expr, _dim_symbol, function_shape, symmetric_gradient
from symjac.checking.report import Report, _fmt_shape, _fmt_symbolic_shape, _n_wrong
from symjac.conventions import Convention
from symjac.errors import SymjacError
from symjac.parsing.latex.parser import is_matrix


CODES = (
    "transposed", "input_order", "output_order", "sign", "scale", "missing_term", "extra_term",
    "doubled_term", "vectorised", "shape", "entries", "convention_mixed", "values", "choice", "invalid",
)


def _candidates(problem: Problem, T: np.ndarray, parts: list):
    """(codes, array, extra) for transformations of the key, fewest codes first."""
    out = []
    if problem.convention.in_variable_shape(T.shape[:2]):
        G = T[0, 0]
        if getattr(problem, "symmetric", None):
            return _symmetric_candidates(problem, G, [p[0, 0] for p in parts])
        bases = [((), G), (("transposed",), G.T),
                 (("vectorised",), G.reshape(-1, 1, order="F")), (("vectorised", "transposed"), G.reshape(1, -1, order="F")),
                 (("vectorised", "input_order"), G.reshape(-1, 1)), (("vectorised", "input_order", "transposed"), G.reshape(1, -1))]
        part_bases = [[p[0, 0] for p in parts]] + [[p[0, 0].T for p in parts]]
    elif problem.convention.index_notation:
        bases = [((), T), (("output_order",), T.transpose(1, 0, 2, 3)), (("input_order",), T.transpose(0, 1, 3, 2)),
                 (("transposed",), T.transpose(2, 3, 0, 1))]
        part_bases = [list(parts)]
    else:
        asked = problem.convention.flattening
        bases = []
        part_bases = []
        for o, i, l in itertools.product(("col", "row"), ("col", "row"), ("numerator", "denominator")):
            c = Convention(o, i, l)
            codes = tuple(code for code, differs in (("transposed", l != asked.layout), ("input_order", i != asked.inputs),
                                                      ("output_order", o != asked.outputs)) if differs)
            bases.append((codes, conv_matrix(T, c)))
            part_bases.append([conv_matrix(p, c) for p in parts])
        # keep asked first, then by number of codes
        order = sorted(range(len(bases)), key=lambda k: len(bases[k][0]))
        bases = [bases[k] for k in order]
        part_bases = [part_bases[k] for k in order]
    if len(part_bases) < len(bases):
        part_bases = part_bases + [part_bases[-1]] * (len(bases) - len(part_bases))
    for (codes, B), Ps in zip(bases, part_bases):
        out.append((codes, B, None))
        out.append((codes + ("sign",), -B, None))
    for (codes, B), Ps in zip(bases, part_bases):
        if codes and codes[0] == "vectorised":   # only offered for a gradient in the variable's shape
            continue
        for k, P in enumerate(Ps):
            if P.shape != B.shape:
                continue
            out.append((codes + ("missing_term",), B - P, {"term": k + 1}))
            out.append((codes + ("sign",), B - 2 * P, {"term": k + 1}))   # one term with the wrong sign
            out.append((codes + ("extra_term",), B + P, {"term": k + 1}))
            out.append((codes + ("doubled_term",), 2 * P, {"term": k + 1}))
    out.sort(key=lambda c: len(c[0]))
    return out


def _symmetric_candidates(problem: Problem, G: np.ndarray, parts: list):
    """Candidates for a gradient by a symmetric variable: the other symmetric rule, the
    unstructured gradient, signs and product-rule terms (G, parts: unstructured, X's shape)."""
    rule = problem.symmetric
    other = "frobenius" if rule == "free" else "free"
    asked = symmetric_gradient(G, rule)
    bases = [((), asked), (("other_symmetric",), symmetric_gradient(G, other)), (("symmetry_ignored",), G)]
    out = []
    for codes, B in bases:
        out += [(codes, B, None), (codes + ("sign",), -B, None)]
    for k, P in enumerate(symmetric_gradient(P, rule) for P in parts):
        out.append((("missing_term",), asked - P, {"term": k + 1}))
        out.append((("sign",), asked - 2 * P, {"term": k + 1}))
        out.append((("extra_term",), asked + P, {"term": k + 1}))
    out.sort(key=lambda c: len(c[0]))
    return out


def _fit_scale(pairs):
    """c with given ≈ c·key at every point (c ≠ 0, 1), or None."""
    num = den = 0.0
    for g, k in pairs:
        if g.shape != k.shape:
            return None
        num += float(np.sum(g * k))
        den += float(np.sum(k * k))
    if den < 1e-12 or abs(num) < 1e-12:
        return None
    c = num / den
    if abs(c - 1) < 1e-6:
        return None
    if all(_close(g, c * k) for g, k in pairs):
        return c
    return None


_WORDS = {
    "transposed": "transposed (the other layout)",
    "input_order": "the variable flattened in the other order (row-major instead of column-first or back)",
    "output_order": "the function flattened in the other order",
    "sign": "the sign is wrong",
    "missing_term": "one product-rule term is missing",
    "extra_term": "one product-rule term is counted twice",
    "doubled_term": "one product-rule term doubled instead of adding the other (correct only for a symmetric matrix)",
    "vectorised": "given as a vector instead of in the variable's shape",
    "other_symmetric": "the gradient by a symmetric matrix were taken under the other rule",
    "symmetry_ignored": "the variable were not symmetric (its symmetry is ignored)",
}


def _diagnosed(problem, codes, extra, exp0, given0, samples) -> Report:
    words = "; ".join(_WORDS[c] for c in codes)
    conv = problem.convention.name or problem.convention.describe()
    msg = f"incorrect: right only if {words}" if codes != ["sign"] else "incorrect: the sign is wrong"
    if "sign" in codes and extra and "term" in extra:
        rest = [_WORDS[c] for c in codes if c != "sign"]
        msg = (f"incorrect: the sign of one term is wrong (the term from occurrence {extra['term']} of "
               f"{problem.wrt} in the function)" + (f", and {'; '.join(rest)}" if rest else ""))
    if codes[:1] == ["other_symmetric"] and len(codes) == 1:
        named = {"free": "free-parameter (G + Gᵀ − G∘I)", "frobenius": "Frobenius ((G + Gᵀ)/2)"}
        other = "frobenius" if problem.symmetric == "free" else "free"
        msg = (f"incorrect: this is the {named[other]} gradient by the symmetric {problem.wrt}; "
               f"the problem asks for the {named[problem.symmetric]} one")
    if "transposed" in codes and set(codes) <= {"transposed", "input_order", "output_order"}:
        msg = f"incorrect: this is the answer in another convention ({words}); the problem asks for {conv}"
    details = {"convention": conv}
    if extra:
        details.update(extra)
    if given0.shape != exp0.shape:
        details.update({"expected": _fmt_shape(exp0.shape), "given": _fmt_shape(given0.shape)})
    return Report("incorrect", codes, 0.0, msg, details)


def _shape_report(problem, expr, samples) -> Report:
    """Wrong shape.  With dimension names the sizes compared at may be random, so the shapes are given
    symbolically (N²×MN) and at the problem's instance (4x6 at M = 3, N = 2) when it has one."""
    from symjac.parsing.latex.parser import shape as latex_shape

    inst = samples[0][0]
    given0, exp0 = samples[0][1], samples[0][4]
    expected, given = _fmt_shape(exp0.shape), _fmt_shape(given0.shape)
    details = {"expected": expected, "given": given}
    msg = f"incorrect: expected a {expected} matrix, the answer is {given}"
    if problem.dims and isinstance(problem.function, str) and not problem.convention.index_notation:
        try:
            want = _answer_shape_at(problem, function_shape(problem.function, problem.shapes))
            got = tuple(latex_shape(expr))
        except SymjacError:  # pragma: no cover - the function was built before
            return Report("incorrect", ["shape"], 0.0, msg, details)

        def at(shape, sizes):
            subs = {_dim_symbol(d): sp.Integer(v) for d, v in sizes.items()}
            vals = [_as_expr(d).xreplace(subs) for d in shape]
            return tuple(int(v) for v in vals) if all(getattr(v, "is_Integer", False) for v in vals) else None

        sizes = problem.instance_sizes()
        if sizes is None or at(want, sizes) is None or at(want, sizes) == at(got, sizes):
            sizes = inst.sizes  # the sizes the shapes were found to differ at
        w, g = at(want, sizes), at(got, sizes) or tuple(given0.shape)
        where = ", ".join(f"{d} = {v}" for d, v in sorted(sizes.items()))
        sym_w, sym_g = _fmt_symbolic_shape(want), _fmt_symbolic_shape(got)
        details = {"expected": _fmt_shape(w), "given": _fmt_shape(g), "expected_symbolic": sym_w,
                   "given_symbolic": sym_g, "sizes": dict(sizes)}
        given_text = _fmt_shape(g) if sym_g == _fmt_shape(g).replace("x", "×") else f"{sym_g} ({_fmt_shape(g)} there)"
        msg = f"incorrect: expected {sym_w} ({_fmt_shape(w)} at {where}), the answer is {given_text}"
        if problem.instance_sizes() is None and not set(sizes) <= set(problem.dimensions):
            # the sizes compared at were drawn at random: the student sees the problem's own notation only
            msg = f"incorrect: expected a {sym_w} matrix, the answer is {sym_g}"
        if sym_w == _fmt_shape(w).replace("x", "×"):
            msg = f"incorrect: expected a {_fmt_shape(w)} matrix, the answer is {given_text}"
    return Report("incorrect", ["shape"], 0.0, msg, details)


def _instance_symbols(M, inst) -> dict:
    """The answer's entry symbols (``x_1``, ``A_{12}``) as the instance's own symbols, by the rule the
    numeric evaluation uses (:func:`~symjac.parsing.latex.nodes.entry_index`): at n = 1 the vector x is
    the scalar symbol ``x``, so the answer's ``x_1`` is that symbol."""
    from symjac.parsing.latex.nodes import entry_index
    from symjac.symbols import parse_entry_name

    out = {}
    for s in M.free_symbols:
        ent = parse_entry_name(s.name) if isinstance(s, sp.Symbol) else None
        if ent is None or ent.name not in inst.variables:
            continue
        V = inst.variables[ent.name]
        V = V if isinstance(V, sp.MatrixBase) else sp.ImmutableMatrix([[V]])
        target = V[entry_index(s.name, ent, inst.shapes[ent.name])]
        if target != s:
            out[s] = target
    return out


def _exact_check(problem, expr, inst):
    """Entry-by-entry exact comparison when the answer is explicit and small: None when not attempted,
    else the list of (row, col) whose difference from the key does not expand to 0.  Only entries
    that are polynomials in the symbols count as different (``expand`` decides equality of
    polynomials; for others a non-zero expansion proves nothing and the numeric verdict stands)."""
    if problem.convention.index_notation or not isinstance(expr, sp.MatrixBase) and is_matrix(expr):
        return None
    if getattr(problem, "variable_properties", None):
        return None   # the symbolic key treats entries as independent; the properties tie them
    if problem.definitions and any(getattr(a, "name", None) in problem.definitions
                                   for a in getattr(expr, "free_symbols", ())):
        return None   # a defined name has no symbolic entries here: the numeric verdict stands
    M = expr if isinstance(expr, sp.MatrixBase) else sp.ImmutableMatrix([[expr]])
    if any(isinstance(a, (sp.MatrixSymbol, sp.Indexed)) for a in M.atoms(sp.MatrixSymbol, sp.Indexed)):
        return None
    if sum(sp.count_ops(e) for e in M) > 400:
        return None
    key = _symbolic_key(problem, inst)
    if key is None or key.shape != M.shape:
        return None
    M = M.xreplace(_instance_symbols(M, inst))
    differ = []
    for k, (a, b) in enumerate(zip(M, key)):
        d = sp.expand(a - b)
        if d != 0:
            if not d.is_polynomial():
                return None
            differ.append(divmod(k, M.shape[1]))
    return differ


def _symbolic_key(problem, inst):
    from symjac.calculus.explicit import jacobian

    if inst.numeric:
        return None
    return jacobian(inst.Fm, inst.variables[problem.wrt], problem.convention)


def _sign_flipped(samples, wrong) -> bool:
    """True when every wrong entry is the negative of the right one (a sign slip in one case or term)."""
    for _, g, _, _, e, _ in samples:
        if g.shape != wrong.shape or e.shape != wrong.shape:
            continue   # a sample at other sizes
        gw, ew = g[wrong], e[wrong]
        scale = max(1.0, float(np.max(np.abs(e))))
        if not np.all(np.abs(gw + ew) <= RTOL * scale) or np.all(np.abs(ew) <= RTOL * scale):
            return False
    return True


def _entries_report(problem, expr, samples, cand_lists, at_instance=None, exact_wrong=None) -> Report:
    inst = samples[0][0]
    exp0 = samples[0][4]
    wrong = np.zeros(exp0.shape, dtype=bool)
    if exact_wrong:
        for r, c in exact_wrong:
            wrong[r, c] = True
    for _, g, _, _, e, _ in samples:
        if exact_wrong:
            break
        if g.shape == e.shape == exp0.shape:  # samples at other sizes cannot be compared entry by entry
            scale = max(1.0, float(np.max(np.abs(e))))
            wrong |= ~(np.abs(g - e) <= RTOL * scale + RTOL * np.abs(e)) | ~np.isfinite(g)
    n_wrong = int(wrong.sum())
    total = wrong.size
    explicit = isinstance(expr, sp.MatrixBase) and not problem.convention.index_notation
    if problem.convention.index_notation and n_wrong:
        names = [n for n in problem.indices]
        first = next(zip(*np.nonzero(wrong)))
        at = ", ".join(f"{n} = {int(v) + 1}" for n, v in zip(names, first) if n is not None)
        g, e = samples[0][1][tuple(first)], exp0[tuple(first)]
        sizes = inst.sizes or inst.shapes
        stated = "" if problem.dims else " (at a random point)"
        flipped = _sign_flipped(samples, wrong)
        return Report("incorrect", ["sign"] if flipped else ["entries"], 0.0,
                      f"incorrect: the index formula is wrong at {n_wrong} of {total} index combinations{stated}"
                      + (", where it has the wrong sign" if flipped else "")
                      + f", e.g. at {at}: it gives {g:.4g}, the derivative is {e:.4g}",
                      {"wrong_fraction": round(n_wrong / total, 4), "first_wrong": at, "sizes": sizes})
    if (not explicit and not exact_wrong) or n_wrong == 0:
        return Report("incorrect", [], 0.0, "incorrect: the answer is not equal to the correct one as a matrix function, "
                      "and none of the usual mistakes (transpose, ordering, sign, factor, product-rule term) explains it",
                      {"wrong_fraction": round(n_wrong / total, 4)})
    # mixed conventions: every wrong entry right under one other convention
    codes = ["entries"]
    mixed_with = None
    if cand_lists and problem.convention.flattens(inst.Fm.shape):
        for idx, (codes_c, B, extra) in enumerate(cand_lists[0]):
            if not codes_c or "sign" in codes_c or extra or B.shape != exp0.shape:
                continue
            ok = True
            for smp, cl in zip(samples, cand_lists):
                Bs = cl[idx][1]
                g = smp[1]
                match_b = np.abs(g - Bs) <= RTOL * max(1.0, float(np.max(np.abs(Bs)))) + RTOL * np.abs(Bs)
                if not np.all(match_b[wrong]):
                    ok = False
                    break
            if ok:
                mixed_with = codes_c
                break
    key = _symbolic_key(problem, inst) if (problem.concrete if at_instance is None else at_instance) else None
    listing = []
    for (r, c) in zip(*np.nonzero(wrong)):
        item = {"row": int(r) + 1, "col": int(c) + 1,
                "given": sp.latex(expr[int(r), int(c)] if isinstance(expr, sp.MatrixBase) else expr)}
        if key is not None and key.shape == exp0.shape:
            item["expected"] = sp.latex(key[int(r), int(c)])
        listing.append(item)
    score = round((total - n_wrong) / total, 4) if problem.partial_credit else 0.0
    shown = ", ".join(
        f"({d['row']},{d['col']})" + (f" should be {d['expected']}" if "expected" in d else "") for d in listing[:6]
    ) + (" …" if len(listing) > 6 else "")
    msg = f"incorrect: {_n_wrong(n_wrong, total, 'entries')}: {shown}"
    if mixed_with is not None:
        codes.append("convention_mixed")
        msg += f"; the wrong entries are those of another convention ({', '.join(mixed_with)})"
    return Report("incorrect", codes, score, msg, {"wrong_entries": listing, "correct_fraction": round((total - n_wrong) / total, 4)})
