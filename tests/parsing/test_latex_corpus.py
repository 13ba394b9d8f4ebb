"""The LaTeX corpus (tests/data/check/latex-corpus.tsv), each input with its intended meaning.

Every input is declared with the shapes its intent implies.  Each one must
either be read as intended (checked numerically against the intent) or be
refused with one clear line; none may be silently wrong.  The test also
counts how many are handled as intended.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symjac.errors import SymjacError
from symjac.parsing.latex.parser import parse_latex
from symjac.parsing.latex.nodes import Env, evaluate

CORPUS = Path(__file__).parents[1] / "data" / "check" / "latex-corpus.tsv"

S = {"x": (1, 1), "y": (1, 1), "z": (1, 1), "a": (1, 1), "b": (1, 1), "c": (1, 1), "d": (1, 1)}
M = {"A": (3, 3), "B": (3, 3), "x": (3, 1), "b": (3, 1), "e": (3, 1), "y": (4, 1), "Phi": (4, 3), "theta": (3, 1),
     "X": (4, 3), "W": (2, 3), "a": (3, 1), "Sigma": (3, 3), "z": (2, 1)}
G = {"alpha": (1, 1), "beta": (1, 1), "gamma": (1, 1), "lambda": (1, 1), "theta": (1, 1), "varepsilon": (1, 1), "epsilon": (1, 1)}

rng = np.random.default_rng(7)
VALS = {n: rng.uniform(0.3, 1.2, size=s) for n, s in {**S, **{k: v for k, v in M.items() if v != (1, 1)}}.items()}


def V(shapes):
    return {n: rng.uniform(0.3, 1.2, size=s) for n, s in shapes.items()}


def ev(expr, arrays, expected=None, dims=None):
    env = Env({sp.Symbol(k, integer=True, positive=True): v for k, v in (dims or {}).items()}, arrays)
    out = evaluate(expr, env, expected)
    return np.atleast_2d(np.asarray(out, dtype=float))


sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731

# id → (shapes, intent) ; intent: a function of the arrays giving the intended value, or "refuse"
CASES = {
    "m01": ({"A": (2, 2)}, lambda v: np.array([[2 * v["A"][0, 0], 0], [v["A"][0, 1], v["A"][0, 0]]])),
    "m02": ({}, lambda v: np.array([[1, 2], [3, 4]])),
    "m03": ({}, lambda v: np.array([[0.76], [-0.76]])),
    "m04": ({"x": (3, 1)}, lambda v: v["x"].T),
    "m05": ({"x": (3, 1)}, "refuse"), "m06": ({"x": (3, 1)}, "refuse"), "m07": ({"x": (3, 1)}, "refuse"),
    "m08": ({}, lambda v: np.eye(2)),
    "m09": ({}, lambda v: np.array([[1, 3], [2, 4]])),
    "m10": (S, lambda v: np.array([[v["x"][0, 0] + 2 * v["y"][0, 0]], [3 * v["x"][0, 0] + 4 * v["y"][0, 0]]])),
    "m11": ({"z": (2, 1)}, lambda v: np.diag([sig(v["z"][i, 0]) * (1 - sig(v["z"][i, 0])) for i in range(2)])),
    "m12": ({"x": (2, 1)}, "refuse"),
    "m13": (S, lambda v: np.array([[2 * v["x"][0, 0], 1], [0, 3 * v["y"][0, 0] ** 2]])),
    "m14": (S, lambda v: v["a"] * v["d"] - v["b"] * v["c"]),
    "m15": ({}, "refuse"), "m16": ({}, "refuse"),
    "m17": ({}, lambda v: np.array([[1, 2], [3, 4]])),
    "m18": ({"a": (2, 2)}, lambda v: v["a"] + np.eye(2)),
    "t01": (M, lambda v: v["A"].T @ v["A"]), "t02": (M, lambda v: v["A"].T), "t03": (M, lambda v: v["A"].T),
    "t04": (M, lambda v: v["A"].T), "t05": (M, lambda v: v["A"].T), "t06": (M, lambda v: v["A"].T),
    "t07": (M, lambda v: v["x"].T @ v["A"] @ v["x"]), "t08": (M, lambda v: v["B"].T @ v["A"].T),
    "t09": (M, lambda v: np.linalg.inv(v["A"])), "t10": (M, lambda v: v["A"].T @ (v["A"] @ v["x"] - v["b"])),
    "t11": (M, lambda v: -2 * (v["y"] - v["Phi"] @ v["theta"]).T @ v["Phi"]),
    "t12": (M, lambda v: 2 * v["A"].T @ v["A"] @ v["x"] - 2 * v["A"].T @ v["b"]),
    "t13": ({"X": (4, 3), "theta": (3, 1), "y": (4, 1)}, lambda v: v["X"].T @ v["X"] @ v["theta"] - v["X"].T @ v["y"]),
    "t14": (M, lambda v: np.linalg.inv(v["A"]) @ v["b"]),
    "n01": (M, lambda v: np.sum((v["y"] - v["Phi"] @ v["theta"]) ** 2)), "n02": (M, lambda v: np.sum(v["e"] ** 2)),
    "n03": (M, lambda v: np.sqrt(np.sum(v["x"] ** 2))), "n04": (M, lambda v: np.sqrt(np.sum(v["x"] ** 2))),
    "n05": (S, lambda v: abs(v["x"])), "n06": (M, lambda v: np.sum(v["A"] ** 2)),
    "f01": ({"W": (2, 3), "a": (3, 1), "b": (2, 1)}, lambda v: sig(v["W"] @ v["a"] + v["b"])),
    "f02": (S, lambda v: np.tanh(v["x"])), "f03": (S, lambda v: sig(v["x"])),
    "f04": ({"z": (2, 1), "W": (2, 3)}, lambda v: np.diag((sig(v["z"]) * (1 - sig(v["z"]))).ravel()) @ v["W"]),
    "f05": (S, lambda v: sig(v["z"]) * (1 - sig(v["z"]))), "f06": (S, lambda v: sig(v["z"]) * (1 - sig(v["z"]))),
    "f07": (S, lambda v: 1 - np.tanh(v["x"]) ** 2), "f08": ({"z": (3, 1)}, "refuse"),
    "f09": (S, lambda v: np.maximum(0, v["x"])), "f10": (S, lambda v: np.log(1 + np.exp(v["x"]))),
    "f11": (S, lambda v: np.log(v["x"])), "f12": (S, lambda v: np.exp(v["x"])), "f13": (S, lambda v: np.exp(v["x"])),
    "f14": (S, lambda v: np.exp(-v["x"] ** 2 / 2)), "f15": (M, lambda v: np.sqrt(v["x"].T @ v["x"])),
    "f16": (M, lambda v: np.maximum(v["x"], 0)), "f17": (S, "refuse"),
    "f18": (S, lambda v: np.sin(v["x"]) ** 2 + np.cos(v["x"]) ** 2),
    "la01": ({"A": (2, 3)}, "kron"),  # a bare I: its size comes from the expected shape
    "la02": (M, lambda v: v["A"] * v["B"]), "la03": (M, lambda v: v["A"] * v["B"]),
    "la04": (M, lambda v: np.trace(v["A"].T @ v["A"])), "la05": (M, lambda v: np.trace(v["A"].T @ v["B"])),
    "la06": (M, lambda v: np.trace(v["A"])), "la07": (M, lambda v: np.linalg.det(v["A"])),
    "la08": (M, lambda v: np.linalg.det(v["A"])), "la09": (M, lambda v: v["A"].reshape(-1, 1, order="F")),
    "la10": (M, lambda v: v["A"] @ v["B"]), "la11": (M, lambda v: v["A"] @ v["B"]),
    "la12": ({"A": ("n", "n")}, "dims"),
    "la13": ({**M, **G}, lambda v: v["lambda"] * np.eye(3) - v["A"]),
    "s01": (M, lambda v: v["x"]), "s02": (M, lambda v: v["theta"]),
    "s03": ({"W": (2, 3), "x": (3, 1), "b": (2, 1)}, lambda v: v["W"] @ v["x"] + v["b"]),
    "s04": (M, lambda v: v["x"]), "s05": (S, "refuse"), "s06": ({"x": (3, 1)}, lambda v: v["x"][0, 0] ** 2),
    "s07": ({"A": (3, 3)}, "index"), "s08": ({"A": (3, 3)}, "index"),
    "s09": ({"theta": (3, 1)}, lambda v: v["theta"][0, 0]), "s10": ({"W1": (2, 3)}, lambda v: v["W1"]),
    "s11": (G, lambda v: v["alpha"] + v["beta"] * v["gamma"]), "s12": (M, lambda v: np.linalg.inv(v["Sigma"])),
    "s13": (G, lambda v: v["varepsilon"] + v["epsilon"]),
    "s14": ({"a": (1, 1), "A": (1, 1)}, lambda v: v["a"] + v["A"]),
    "c01": (S, "refuse"), "c02": (S, "refuse"), "c03": (S, "refuse"), "c04": (S, "refuse"), "c05": (S, "refuse"),
    "c06": (S, "refuse"), "c07": (S, "refuse"), "c08": (S, "refuse"),
    "c09": ({}, "index"),
    "a01": ({}, lambda v: 0.76), "a02": ({}, lambda v: -0.76), "a03": (S, lambda v: 2 * v["x"] * v["y"]),
    "a04": (S, lambda v: 2 * v["x"] * v["y"]), "a05": ({}, lambda v: 12.0),
    "a06": (M, lambda v: 0.5 * v["x"].T @ v["A"] @ v["x"]), "a07": ({}, lambda v: 0.5), "a08": ({}, lambda v: 1e-3),
    "a09": (S, lambda v: 2 * v["x"]), "a10": ({}, lambda v: 0.0015),
    "u01": (S, "refuse"), "u02": (S, "refuse"), "u03": (S, lambda v: np.maximum(v["x"], 0)), "u04": (S, "refuse"),
    "u05": (S, "refuse"), "u06": (S, "refuse"), "u07": (S, "refuse"), "u08": (S, "refuse"), "u09": (S, "refuse"),
    "u10": (S, "refuse"),
}
# intents the corpus states that symjac deliberately refuses (clear message instead of a guess)
REFUSED_BY_DESIGN = {"m12", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "f08", "f17", "s05", "u06"}


def _rows():
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = (line.split("\t") + ["", "", "", ""])[:4]
        rows.append(parts)
    return rows


ROWS = _rows()


def _judge(id_, tex):
    shapes, intent = CASES[id_]
    if intent == "kron":
        e = parse_latex(tex, shapes)
        v = V(shapes)
        got = ev(e, v, expected=(6, 4))
        return "intended" if np.allclose(got, np.kron(np.eye(2), v["A"].T)) else "wrong"
    try:
        e = parse_latex(tex, shapes, indices=("i", "j"))
    except SymjacError as exc:
        assert "\n" not in str(exc)
        return "refused"
    if intent == "refuse":
        return "accepted-should-fail"
    if intent == "index":
        return "intended" if e.free_symbols & {sp.Symbol("i", integer=True, positive=True)} else "wrong"
    if intent == "dims":
        got = ev(e, {"A": np.eye(3)}, dims={"n": 3})
        return "intended" if np.allclose(got, np.eye(3)) else "wrong"
    v = V(shapes)
    want = np.atleast_2d(np.asarray(intent(v), dtype=float))
    got = ev(e, v, expected=want.shape)
    return "intended" if got.shape == want.shape and np.allclose(got, want) else "wrong"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_corpus_entry(row):
    id_, _, tex, intent = row
    outcome = _judge(id_, tex)
    assert outcome != "wrong", f"{id_}: silently wrong"
    assert outcome != "accepted-should-fail", f"{id_}: should have been refused"
    if CASES[id_][1] == "refuse" or id_ in REFUSED_BY_DESIGN:
        assert outcome == "refused"
    else:
        assert outcome == "intended", f"{id_}: {outcome}"


def test_corpus_summary():
    outcomes = {r[0]: _judge(r[0], r[2]) for r in ROWS}
    intended = sum(1 for k, o in outcomes.items() if o == "intended" or (o == "refused" and CASES[k][1] == "refuse"))
    assert len(ROWS) >= 100
    assert not [k for k, o in outcomes.items() if o in ("wrong", "accepted-should-fail")]
    assert intended >= len(ROWS) - len(REFUSED_BY_DESIGN)
