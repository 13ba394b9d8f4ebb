"""The checker reads the catalogue's claims: every [[claimed]] LaTeX given to the checker as
written (the documents judge claims this way too: tests/catalogue/test_one_judge.py), with known
verdicts — bare answers, `∇f = …`, shape statements `∇f ∈ ℝ^{a×b}` and value statements
`W a = [...] = [...]`, entry formulas `K_pq = Σ_m …`; matrices with \\cdots stay unreadable.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from symjac.checking.engine import Problem, check_pure
from symjac.checking.spec import load_catalogue

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
def test_the_checker_reads_the_catalogue_answers():
    """Not vacuous: the answers the catalogue's specs state are read, with known verdicts."""
    by_name = {s.name: s for s in SPECS}
    got = {}
    for name in ("gram", "affine_x", "linear_map_x", "linear_map_A", "least_squares", "layer_forward"):
        if name in by_name:
            for n, label, r in _checker_verdicts(by_name[name]):
                got[(name, label)] = r.verdict
    expected = {
        ("gram", "notes, p. 8 (the 3 × 2 example)"): "correct",       # the notes' 4×6 matrix under NOTES
        ("gram", "notes, p. 7 (case analysis)"): "incorrect",         # −A_iq where p ≠ q, j = p
        ("gram", "notes, p. 7 (entries of K)"): "incorrect",          # K_pq = … = Σ_m A_pm A_mq (indices of A swapped)
        ("linear_map_x", 'notes, p. 3 ("more generally")'): "correct",  # f_i(x) = Σ_j A_ij x_j
        ("gram", "notes, p. 7 (dimension)"): "correct",               # a shape statement (∈): 4×6 at M=3, N=2
        ("affine_x", "notes, p. 3 (exercise)"): "correct",
        ("linear_map_x", "notes, p. 3 (partials)"): "correct",        # index notation, letters i, j
        ("linear_map_x", "notes, p. 3 (result)"): "correct",
        ("linear_map_A", "notes, p. 6 (partials)"): "correct",        # index notation, letters i, k, j
        ("linear_map_A", "notes, p. 6 (result)"): "invalid",          # written with \cdots
        ("least_squares", "notes, p. 4 (result)"): "correct",
        ("layer_forward", "notes, p. 13 (W a)"): "correct",           # W a = [-0.6+1.6-0.1; …] = [0.9; 1.5]
        ("layer_forward", "notes, p. 13 (W a + b)"): "incorrect",     # 1.75, not -1.0
        ("layer_forward", "notes, p. 13 (result)"): "incorrect",      # tanh(1.75) = 0.9414, not -0.76
    }
    present = {k: v for k, v in expected.items() if k in got}
    assert len(present) >= 8
    assert {k: got[k] for k in present} == present
