"""Two judges, one verdict: the catalogue's judgement of each [[claimed]] result
(symjac.catalogue.derivation, from the structured keys) and the answer checker's verdict on the
same claim's LaTeX (symjac.checking.engine, through Problem.from_spec) must agree.

Every claim of every spec in derivations/ is given to the checker as written; a
`\\nabla … =` / `\\frac{\\partial …}{…} =` left-hand side is dropped by the parser.
Claims the checker cannot read as an answer (equations such as K_pq = Σ…, relations
such as ∇f ∈ ℝ^…, chains of '=', \\cdots) come back `invalid` and are left to the
catalogue; every other verdict must match.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from symjac.checking.engine import Problem, check_pure
from symjac.catalogue.derivation import derive_spec
from symjac.catalogue.spec import load_catalogue

CATALOGUE = Path(__file__).resolve().parents[2] / "derivations"
SPECS = load_catalogue(CATALOGUE) if CATALOGUE.is_dir() else []


def _checker_verdicts(spec) -> list:
    """(claim number, label, checker report or None when the spec is not an answerable problem)."""
    if spec.choices:
        return []
    base = Problem.from_spec(spec)
    out = []
    for n, claim in enumerate(spec.claimed):
        problem = base
        if claim.get("convention", spec.convention) != spec.convention:
            problem = replace(base, convention=claim["convention"])
        out.append((n, claim.get("label", f"claim {n + 1}"), check_pure(problem, claim["latex"])))
    return out


@pytest.mark.skipif(not SPECS, reason="no catalogue")
@pytest.mark.parametrize("spec", [s for s in SPECS if s.claimed], ids=lambda s: s.name)
def test_checker_agrees_with_the_catalogue_on_every_readable_claim(spec):
    verdicts = _checker_verdicts(spec)
    readable = [(n, label, r) for n, label, r in verdicts if r.verdict != "invalid"]
    if not readable:
        pytest.skip("no claim of this spec is an answer the checker can read")
    derivation = derive_spec(spec)
    for n, label, report in readable:
        judged = derivation.claims[n]
        assert judged.verdict in ("agrees", "differs"), f"{spec.name}: {label}: catalogue says {judged.verdict}"
        checker_ok = report.verdict == "correct"
        assert checker_ok == (judged.verdict == "agrees"), (
            f"{spec.name}: {label}: the catalogue says {judged.verdict} ({judged.summary}), "
            f"the checker says {report.verdict}: {report.message}")


@pytest.mark.skipif(not SPECS, reason="no catalogue")
def test_the_checker_reads_the_catalogue_answers():
    """Not vacuous: the answers the catalogue's specs state are read, with known verdicts."""
    by_name = {s.name: s for s in SPECS}
    got = {}
    for name in ("gram", "affine_x", "linear_map_x", "linear_map_A", "least_squares"):
        if name in by_name:
            for n, label, r in _checker_verdicts(by_name[name]):
                got[(name, label)] = r.verdict
    expected = {
        ("gram", "notes, p. 8 (the 3 × 2 example)"): "correct",       # the notes' 4×6 matrix under NOTES
        ("gram", "notes, p. 7 (case analysis)"): "incorrect",         # −A_iq where p ≠ q, j = p
        ("gram", "notes, p. 7 (entries of K)"): "invalid",            # an equation for K_pq, not an answer
        ("gram", "notes, p. 7 (dimension)"): "invalid",               # a relation (∈)
        ("affine_x", "notes, p. 3 (exercise)"): "correct",
        ("linear_map_x", "notes, p. 3 (partials)"): "correct",        # index notation, letters i, j
        ("linear_map_x", "notes, p. 3 (result)"): "correct",
        ("linear_map_A", "notes, p. 6 (partials)"): "correct",        # index notation, letters i, k, j
        ("linear_map_A", "notes, p. 6 (result)"): "invalid",          # written with \cdots
        ("least_squares", "notes, p. 4 (result)"): "correct",
    }
    present = {k: v for k, v in expected.items() if k in got}
    assert len(present) >= 8
    assert {k: got[k] for k in present} == present
