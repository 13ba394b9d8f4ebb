r"""What a page shows as verified is what was verified: every formula in a *verified* section of
docs/derivations/*.md is read back from the Markdown with symjac's LaTeX parser and checked
against the explicit Jacobian at the spec's instance.

* index formulas (F_ij = …, ∂F_ij/∂X_kl = …, the case analysis): parsed in index notation
  (summation indices bound, the spec's letters free) and evaluated at every index combination at
  a random point, against the explicit F and T[i,j,k,l] = ∂F_ij/∂X_kl; a case is chosen by its
  printed condition, which may name only free indices;
* explicit matrices (with their "where" abbreviations substituted back), closed forms, the chain
  rule's link Jacobians and product, and value statements: given to the answer checker as
  answers to the problem they display, which must find them correct.

Elided matrices (\cdots) cannot be read back and are counted, not silently skipped.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symjac.calculus.explicit import derivative_array, jacobian
from symjac.calculus.indexform import default_index_names
from symjac.checking.spec import load_spec
from symjac.checking.engine import Problem, check_pure
from symjac.parsing.explicit import build_explicit
from symjac.parsing.latex.nodes import Env, evaluate
from symjac.parsing.latex.parser import parse_latex
from symjac.symbols import symbolic

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p for p in (ROOT / "docs" / "derivations").glob("*.md") if p.stem != "README")
MATH = re.compile(r"\$\$\n(.*?)\n\$\$", re.S)


def verified_sections(md: str):
    for part in re.split(r"^## ", md, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        if title.endswith("— *verified*"):
            yield title, body


def where_definitions(body: str) -> list[tuple[str, str]]:
    """(name, LaTeX) of the abbreviations defined under a matrix (aligned block or inline list)."""
    defs = []
    for block in MATH.findall(body):
        if block.startswith(r"\begin{aligned}"):
            inner = block[len(r"\begin{aligned}"):-len(r"\end{aligned}")]
            for line in re.split(r"\\\\(?![a-zA-Z])", inner):
                name, _, value = line.partition("&=")
                defs.append((name.strip(), value.strip()))
    for line in re.findall(r"^where (.*)$", body, re.M):
        for m in re.finditer(r"\$([^$=]+?) = ([^$]+)\$", line):
            defs.append((m.group(1).strip(), m.group(2).strip()))
    return defs


def substitute(tex: str, defs) -> str:
    for name, value in reversed(defs):        # later definitions use earlier ones
        tex = tex.replace(name, r"\left(" + value + r"\right)")
    return tex


def rhs(display: str) -> str:
    return display.split("=", 1)[1]


# --- index formulas ------------------------------------------------------------------------

def _holds(condition: str, env: dict) -> bool:
    condition = condition.replace(r"\text{if }", "").replace(" ", "")
    if condition == r"\text{otherwise}":
        return True
    groups = [g.split("=") for g in condition.split(r"\neq")]
    firsts = []
    for g in groups:
        if len({env[s] for s in g}) != 1:
            return False
        firsts.append(env[g[0]])
    return len(set(firsts)) == len(firsts)


def value_at(expr, env, dims, arrays) -> float:
    v = evaluate(expr, Env(dims, arrays, {sp.Symbol(k, integer=True, positive=True): v for k, v in env.items()}))
    return float(v[0, 0]) if isinstance(v, np.ndarray) else float(v)


def check_index_formulas(spec, body) -> int:
    shapes = spec.instance_shapes
    F, variables = build_explicit(spec.function, shapes)
    F = F if isinstance(F, sp.MatrixBase) else sp.ImmutableMatrix([[F]])
    X = variables[spec.wrt]
    X = X if isinstance(X, sp.MatrixBase) else sp.ImmutableMatrix([[X]])
    T = derivative_array(F, X)
    rng = np.random.default_rng(7)
    arrays = {n: rng.uniform(-1.5, 1.5, size=s) for n, s in shapes.items()}
    point = {}
    for n, s in shapes.items():
        sym = symbolic(n, s)
        for e, v in zip(sym if isinstance(sym, sp.MatrixBase) else [sym], arrays[n].reshape(-1)):
            point[e] = v
    f_letters, x_letters = default_index_names(
        tuple(1 if d == 1 else 2 for d in F.shape), tuple(1 if d == 1 else 2 for d in X.shape), spec.index_names or None)
    letters = f_letters + x_letters
    dims = {sp.Symbol(d, integer=True, positive=True): v for d, v in (spec.dimensions or {}).items()}

    def axes(shape):
        r, c = shape
        return [()] if (r, c) == (1, 1) else ([(a,) for a in range(1, max(r, c) + 1)] if 1 in (r, c)
                                              else list(itertools.product(range(1, r + 1), range(1, c + 1))))

    def pos(idx, shape):
        if len(idx) == 2:
            return idx[0] - 1, idx[1] - 1
        if len(idx) == 1:
            return (idx[0] - 1, 0) if shape[1] == 1 else (0, idx[0] - 1)
        return 0, 0

    def value(expr, env):
        return value_at(expr, env, dims, arrays)

    shown = [m for m in MATH.findall(body) if not m.startswith(r"\begin{aligned}")]
    checked = 0
    # the chain's intermediate names (z⁽¹⁾_i = …), read back and evaluated in order at the point
    declared = dict(spec.shapes)
    aligned = [m for m in MATH.findall(body) if m.startswith(r"\begin{aligned}")]
    if aligned:
        inner = aligned[0][len(r"\begin{aligned}"):-len(r"\end{aligned}")]
        lines = re.split(r"\\\\(?![a-zA-Z])", inner)
        links = spec.chain[:-1]
        assert len(lines) == len(links)
        instance = dict(shapes)
        for link, line in zip(links, lines):
            lhs, _, definition = line.partition("&=")
            own = tuple(re.search(r"_\{([a-z]*)\}\s*$", lhs.strip()).group(1))
            link_value, _ = build_explicit(link["function"], instance)
            r, c = link_value.shape if isinstance(link_value, sp.MatrixBase) else (1, 1)
            instance[link["name"]] = (r, c)
            declared[link["name"]] = (r, c)
            expr = parse_latex(definition, declared, indices=own)
            out = np.empty((r, c))
            for a in range(r):
                for b in range(c):
                    at = (a + 1, b + 1) if len(own) == 2 else ((max(a, b) + 1,) if own else ())
                    out[a, b] = value_at(expr, dict(zip(own, at)), dims, arrays)
            arrays[link["name"]] = out
            checked += r * c
    entry = parse_latex(rhs(shown[0]), declared, indices=letters)
    for fi in axes(F.shape):
        want = float(F[pos(fi, F.shape)].xreplace(point))
        assert value(entry, dict(zip(f_letters, fi))) == pytest.approx(want, rel=1e-9, abs=1e-12)
        checked += 1
    for display in shown[1:]:
        formula = rhs(display)
        if r"\begin{cases}" in formula:
            rows = formula.split(r"\begin{cases}")[1].split(r"\end{cases}")[0]
            cases = [row.split("&") for row in re.split(r"\\\\(?![a-zA-Z])", rows)]
            for _, cond in cases:
                named = set(re.findall(r"(?<![a-z\\])[a-z](?![a-z])", cond.replace(r"\text{if }", "")
                                       .replace(r"\text{otherwise}", "").replace(r"\neq", "")))
                assert named <= set(letters), f"a case conditions on {named - set(letters)}, not a free index"
            parsed = [(parse_latex(v, declared, indices=letters), c) for v, c in cases]
        else:
            parsed = [(parse_latex(formula, declared, indices=letters), r"\text{otherwise}")]
        for fi in axes(F.shape):
            for xi in axes(X.shape):
                env = dict(zip(letters, fi + xi))
                expr = next(e for e, c in parsed if _holds(c, env))
                want = float(T[pos(fi, F.shape) + pos(xi, X.shape)].xreplace(point))
                assert value(expr, env) == pytest.approx(want, rel=1e-9, abs=1e-12), (display[:80], env)
                checked += 1
    return checked


# --- explicit matrices: entry by entry (a matrix of long entries exceeds the checker's input limit)

def check_explicit_matrix(spec, tex, what, convention=None) -> int:
    body = tex.strip()
    assert body.startswith(r"\begin{bmatrix}") and body.endswith(r"\end{bmatrix}"), what
    rows = [r.split("&") for r in re.split(r"\\\\(?![a-zA-Z])", body[len(r"\begin{bmatrix}"):-len(r"\end{bmatrix}")])]
    shapes = spec.instance_shapes
    F, variables = build_explicit(spec.function, shapes)
    convention = convention or ("vec" if spec.convention == "tensor" else spec.convention)
    J = jacobian(F, variables[spec.wrt], convention)
    assert (len(rows), len(rows[0])) == J.shape, what
    rng = np.random.default_rng(11)
    arrays = {n: rng.uniform(-1.5, 1.5, size=s) for n, s in shapes.items()}
    point = {}
    for n, s in shapes.items():
        sym = symbolic(n, s)
        for e, v in zip(sym if isinstance(sym, sp.MatrixBase) else [sym], arrays[n].reshape(-1)):
            point[e] = v
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            v = evaluate(parse_latex(cell, shapes, sigma=Problem.from_spec(spec).sigma), Env({}, arrays))
            v = float(v[0, 0]) if isinstance(v, np.ndarray) else float(v)
            assert v == pytest.approx(float(J[r, c].xreplace(point)), rel=1e-9, abs=1e-12), (what, r + 1, c + 1)
    return 1


# --- everything else: the checker reads it as an answer --------------------------------------

def problem_for(spec, convention=None, function=None, wrt=None, shapes=None):
    p = Problem.from_spec(spec)
    if function is None:
        return p if convention is None else Problem(p.function, p.wrt, p.shapes, convention, p.values,
                                                    dimensions=p.dimensions, sigma=p.sigma)
    return Problem(function, wrt, shapes, convention or "vec", sigma=p.sigma)


def assert_correct(problem, answer, what):
    r = check_pure(problem, answer)
    assert r.verdict == "correct", f"{what}: {r.message}\n{answer[:300]}"


def check_page(path) -> tuple[int, int]:
    spec = load_spec(ROOT / "derivations" / f"{path.stem}.toml")
    md = path.read_text(encoding="utf-8")
    checked = elided = 0
    for title, body in verified_sections(md):
        shown = [m for m in MATH.findall(body) if not m.startswith(r"\begin{aligned}")]
        defs = where_definitions(body)
        if title.startswith("The general partial derivative"):
            checked += check_index_formulas(spec, body)
        elif title.startswith("The Jacobian at the explicit size"):
            if r"\cdots" in shown[0]:
                elided += 1
                continue
            checked += check_explicit_matrix(spec, substitute(rhs(shown[0]), defs), f"{path.stem}: {title}")
        elif title.startswith("Closed form"):
            assert_correct(problem_for(spec), rhs(shown[0]), f"{path.stem}: {title}")
            checked += 1
        elif title.startswith("Chain rule"):
            declared = dict(spec.instance_shapes)
            prev = spec.wrt
            for link, display in zip(spec.chain, shown):
                value, _ = build_explicit(link["function"], declared)
                declared[link["name"]] = value.shape if isinstance(value, sp.MatrixBase) else (1, 1)
                jac = display.split(r"\qquad", 1)[1]
                assert_correct(problem_for(spec, "vec", link["function"], prev, dict(declared)),
                               substitute(rhs(jac), defs), f"{path.stem}: chain link {link['name']}")
                prev = link["name"]
                checked += 1
            checked += check_explicit_matrix(spec, substitute(shown[len(spec.chain)], defs),
                                             f"{path.stem}: chain-rule product", "vec")
        elif title.startswith("Values"):
            for display in shown[len(spec.values):]:      # the given numbers first, then the steps
                # "≈": rounded to 4 decimals for display; the checker's tolerance covers the rounding
                assert_correct(Problem.from_spec(spec), display.replace(r"\approx", "="), f"{path.stem}: value")
                checked += 1
        elif title.startswith("Comparing the choices"):
            continue     # a table of numbers, no formula
        else:
            raise AssertionError(f"{path.stem}: no reader for the verified section {title!r}")
    return checked, elided


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
def test_every_verified_formula_is_read_back_and_checked(path):
    checked, elided = check_page(path)
    md = path.read_text(encoding="utf-8")
    if any(True for _ in verified_sections(md)) and "Comparing the choices" not in md:
        assert checked > 0
    assert elided == 0, f"{path.stem}: {elided} elided matrices could not be read back"


def test_the_two_layer_case_analysis_names_no_summation_index():
    # issue 11 "Why" 1: cases conditioned on "i = n" with n the index of a Σ_n in the same formula
    md = (ROOT / "docs" / "derivations" / "two_layer_network.md").read_text(encoding="utf-8")
    section = md.split("## The general partial derivative")[1].split("\n## ")[0]
    assert r"\text{if } i=n" not in section and r"i \neq n" not in section
    for formula in MATH.findall(section):
        for bound in re.findall(r"\\sum_\{([a-z])=", formula):
            assert bound not in ("i", "j"), f"the free index {bound} is used as a summation index"
