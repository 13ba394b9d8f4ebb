"""Value problems (the answer is the function's value at the problem's ``values``, to an absolute
tolerance plus 1 %) and multiple choice judged from the numbers (the choice closest to a target).
"""
from __future__ import annotations

import math
import re

import numpy as np
import sympy as sp

from symjac.checking.diagnose import _WORDS
from symjac.checking.instances import _build_function, _Instance, _num_array
from symjac.checking.problem import CheckError, Problem
from symjac.checking.report import Report, _fmt_shape, _fmt_values, _n_wrong, invalid
from symjac.errors import SymjacError, UnsupportedError
from symjac.parsing.latex.nodes import Env, evaluate


def _values_arrays(problem: Problem, shapes: dict) -> dict:
    vals = problem.values or {}
    out = {}
    for name, (r, c) in shapes.items():
        if name not in vals:
            raise CheckError(f"value problem: no value for {name}")
        a = np.array(vals[name], dtype=float)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a.reshape(-1, 1) if c == 1 else a.reshape(1, -1)
        if a.shape != (r, c):
            raise CheckError(f"value of {name} has shape {a.shape}, declared {(r, c)}")
        out[name] = a
    return out


def function_value(problem: Problem, values: dict | None = None) -> np.ndarray:
    """The function's value (2-D array) at ``values`` (default: the problem's)."""
    p = problem if values is None else Problem(problem.function, None, problem.shapes, problem.convention, values,
                                               dimensions=problem.dimensions)
    if problem.concrete:
        shapes = problem.shapes
    else:
        sizes = p.instance_sizes()
        if sizes is None:
            raise CheckError("value problems need concrete shapes (integers, or [dimensions])")
        shapes = _Instance.shapes_at(problem, sizes)
    F, _ = _build_function(problem, shapes)
    env = Env({}, _values_arrays(p, shapes))
    Fm = F if isinstance(F, sp.MatrixBase) else sp.ImmutableMatrix([[F]])
    return _num_array(Fm, env)


def _check_value(problem: Problem, expr, answer: str, key: np.ndarray | None = None) -> Report:
    key = function_value(problem) if key is None else key
    try:
        v = evaluate(expr, Env({}, {}), key.shape)
    except SymjacError as exc:
        if "no value for symbol" in str(exc) or isinstance(exc, UnsupportedError):
            return invalid("a value answer must be numbers, not symbols")
        raise
    given = v if isinstance(v, np.ndarray) else np.array([[float(v)]])
    tol = problem.tolerance

    def near(a, b):
        return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol + 0.01 * np.abs(b)))

    shown = _fmt_values(key)
    if near(given, key):
        return Report("correct", [], 1.0, "correct", {"expected": shown})
    for codes, cand in ((["transposed"], key.T), (["sign"], -key), (["transposed", "sign"], -key.T)):
        if near(given, cand) and cand.shape == given.shape:
            return Report("incorrect", codes, 0.0, f"incorrect: {'; '.join(_WORDS[c] for c in codes)}; the correct value is {shown}",
                          {"expected": shown})
    if given.shape != key.shape:
        return Report("incorrect", ["shape"], 0.0,
                      f"incorrect: expected a {_fmt_shape(key.shape)} value, the answer is {_fmt_shape(given.shape)}; the correct value is {shown}",
                      {"expected": _fmt_shape(key.shape), "given": _fmt_shape(given.shape), "value": shown})
    listing, total, score = _wrong_numbers(given, key, tol, problem.partial_credit)
    n_wrong = len(listing)
    return Report("incorrect", ["values"], score,
                  f"incorrect: {_n_wrong(n_wrong, total, 'numbers')}; the correct value is {shown}",
                  {"expected": shown, "wrong_entries": listing})


def _wrong_numbers(given: np.ndarray, key: np.ndarray, tol: float, partial_credit: bool):
    """Entries of ``given`` outside tol + 1 % of ``key``: (listing, total, score)."""
    wrong = ~(np.abs(given - key) <= tol + 0.01 * np.abs(key))
    listing = [{"row": int(r) + 1, "col": int(c) + 1, "given": float(given[r, c]), "expected": round(float(key[r, c]), 6)}
               for r, c in zip(*np.nonzero(wrong))]
    total = key.size
    score = round((total - len(listing)) / total, 4) if partial_credit else 0.0
    return listing, total, score


_LABEL = re.compile(r"^\s*(?:\\text\s*\{\s*)?\(?\s*([A-Za-z0-9]{1,8})\s*\)?\s*\}?\s*\.?\s*$")


def evaluate_choices(problem: Problem) -> list[dict]:
    """For each choice: outputs at the target inputs and the error (max abs) against the target outputs."""
    target = problem.target or {}
    outputs = np.array(target.get("outputs", []), dtype=float).ravel()
    inputs = target.get("inputs", {})
    if isinstance(inputs, list):  # [[1], [0]]: values of the one variable the choices leave free
        inputs = {None: [i[0] if isinstance(i, list) and len(i) == 1 else i for i in inputs]}
    n_cases = len(outputs)
    results = []
    for ch in problem.choices:
        vals = dict(ch.get("values", {}))
        if None in inputs:
            free = [n for n in problem.shapes if n not in vals]
            if len(free) != 1:
                raise CheckError("choices: exactly one variable must be left for the target inputs")
            inputs = {free[0]: inputs[None]}
        outs = []
        for case in range(n_cases):
            v = dict(vals)
            for name, seq in inputs.items():
                v[name] = seq[case]
            outs.append(function_value(problem, v).ravel())
        outs = np.concatenate(outs) if outs else np.array([])
        err = float(np.max(np.abs(outs - outputs))) if outs.size == outputs.size and outs.size else math.inf
        results.append({"label": str(ch.get("label")), "outputs": [round(float(x), 4) for x in outs], "error": round(err, 6)})
    return results


def _check_choice(problem: Problem, answer: str) -> Report:
    from symjac.parsing.latex.guard import guard

    guard(answer)
    m = _LABEL.match(answer)
    if not m:
        return invalid("answer with the label of one choice, e.g. d")
    label = m.group(1).lower()
    results = evaluate_choices(problem)
    labels = {r["label"].lower(): r for r in results}
    if label not in labels:
        return invalid(f"no choice labelled {label!r}; choices: {', '.join(labels)}")
    best = min(results, key=lambda r: r["error"])
    table = "; ".join(f"{r['label']}: outputs {r['outputs']} (error {r['error']:.3g})" for r in results)
    if labels[label]["error"] <= best["error"] + 1e-12:
        return Report("correct", [], 1.0, f"correct: {best['label']} is closest to the target ({table})", {"choices": results})
    return Report("incorrect", ["choice"], 0.0,
                  f"incorrect: {label} gives error {labels[label]['error']:.3g}; {best['label']} is best ({table})",
                  {"choices": results, "best": best["label"]})
