"""Derivations: generic entries derived and verified, and the lecture notes' slips flagged with correct values."""
from functools import lru_cache
from pathlib import Path

import pytest
import sympy as sp

from symjac.catalogue.derivation import derive_spec
from symjac.calculus.indexform import case_analysis, generic_entry, index_symbol
from symjac.catalogue.spec import load_catalogue, load_spec
from symjac.symbols import entry_symbol

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def derived(name):
    return derive_spec(load_spec(ROOT / "derivations" / f"{name}.toml"))


def claim(name, label_part):
    return next(c for c in derived(name).claims if label_part in c.label)


def step(name, title_part):
    return next(s for s in derived(name).steps if title_part in s.title)


def test_gram_case_analysis_is_derived_from_the_expression():
    g = generic_entry("A.T @ A", "A", {"A": ("M", "N")}, ["p", "q", "i", "j"])
    A = sp.IndexedBase("A")
    p, q, i, j = (index_symbol(c) for c in "pqij")
    assert sp.expand(g.derivative - (sp.KroneckerDelta(j, p) * A[i, q] + sp.KroneckerDelta(j, q) * A[i, p])) == 0
    cases = [(c.value, c.condition_text) for c in g.cases]
    assert cases == [(2 * A[i, p], "j=p=q"), (A[i, q], "j=p != q"), (A[i, p], "j=q != p"), (0, "otherwise")]


def test_linear_map_cases_and_no_delta_case():
    g = generic_entry("A @ x", "A", {"A": ("M", "N"), "x": ("N", 1)}, ["i", "k", "j"])
    x = sp.IndexedBase("x")
    assert [(c.value, c.condition_text) for c in g.cases] == [(x[index_symbol("j")], "k=i"), (0, "otherwise")]
    g = generic_entry("A @ x", "x", {"A": ("M", "N"), "x": ("N", 1)})
    assert g.derivative == sp.IndexedBase("A")[index_symbol("i"), index_symbol("j")]
    assert len(case_analysis(g.derivative)) == 1


def test_every_catalogue_entry_verifies():
    for spec in load_catalogue(ROOT / "derivations"):
        d = derived(spec.name)
        assert d.verified, spec.name
        assert not [s.title for s in d.steps if s.status == "FAILED"], spec.name


def test_gram_generic_step_checked_at_every_index():
    s = step("gram", "general partial")
    assert s.status == "verified"
    assert any("all 24 index combinations" in b.segs[0].text for b in s.blocks if b.kind == "para")


def test_slip_sign_in_case_analysis_flagged_with_correct_value():
    c = claim("gram", "case analysis")
    assert c.verdict == "differs"
    assert "-A[i, q] if p != q and j == p" in c.summary
    assert "claimed $- A_{12}$, correct $A_{12}$" in c.summary         # values as LaTeX math (issue 15)


def test_slip_index_formula_for_K_flagged():
    c = claim("gram", "entries of K")
    assert c.verdict == "differs"
    assert "A[1,3] is outside the 3x2 A" in c.summary


def test_slip_index_formula_for_f_i_flagged():
    c = claim("linear_map_x", "first line")
    assert c.verdict == "differs"
    assert "claimed $A_{11} x_{1} + A_{21} x_{2}$, correct $A_{11} x_{1} + A_{12} x_{2}$" in c.summary
    assert claim("linear_map_x", "more generally").verdict == "agrees"


def test_slip_forward_pass_arithmetic_flagged():
    assert claim("layer_forward", "(W a)").verdict == "agrees"
    wab = claim("layer_forward", "W a + b")
    assert wab.verdict == "differs" and "claimed -1.0, correct 1.75" in wab.summary
    res = claim("layer_forward", "result")
    assert res.verdict == "differs" and "claimed -0.76, correct 0.9414" in res.summary
    assert "0.76" not in res.summary.split("correct")[1]


def test_notes_correct_claims_agree():
    assert claim("gram", "p. 8").verdict == "agrees"
    assert claim("gram", "dimension").verdict == "agrees"
    for label in ("dimension", "partials", "result"):
        assert claim("linear_map_A", label).verdict == "agrees"
    assert claim("least_squares", "result").verdict == "agrees"


def test_not_gate_best_choice_is_d():
    s = step("not_gate", "choices")
    text = " ".join(seg.text for b in s.blocks if b.kind == "para" for seg in b.segs)
    assert "Best: choice d (w = -5, b = 5)" in text
    table = next(b for b in s.blocks if b.kind == "table")
    errors = {row[0][0].text: float(row[-1][0].text) for row in table.rows}
    assert errors["a"] == pytest.approx(2.0, abs=1e-4)
    assert errors["e"] == pytest.approx(0.9998, abs=1e-4)
    assert min(errors, key=errors.get) == "d"


def test_chain_rule_product_verified():
    s = step("least_squares", "Chain rule")
    assert s.status == "verified"
    texts = [b.text for b in s.blocks if b.kind == "math"]
    assert any("[2*e_1  2*e_2  2*e_3]" in t for t in texts)


def test_forward_pass_intermediate_values():
    s = step("layer_forward", "Values")
    texts = [b.text for b in s.blocks if b.kind == "math"]
    assert "W1 @ a0 + b1 = [1; 1.75]" in texts
    assert "tanh(W1 @ a0 + b1) ≈ [0.7616; 0.9414]" in texts


def test_layer_jacobian_abbreviates_preactivations():
    s = step("layer_jacobian_W", "explicit size")
    text = " ".join(b.text for b in s.blocks if b.kind == "math")   # the matrix, then its named entries
    assert "a0_1*(1 - tanh(z_1)**2)" in text
    assert entry_symbol("z", 1).name == "z_1"


# --- index-claim syntax: bounded, and every malformed input a one-line SymjacError ------------

from symjac.calculus import indexform  # noqa: E402
from symjac.errors import SpecError, SymjacError  # noqa: E402
from symjac.calculus.indexform import IndexEvaluator, parse_index_text  # noqa: E402

_SHAPES = {"A": (2, 3), "x": (3, 1), "t": (1, 1)}
_ENV = {"i": 1, "j": 2, "M": 2, "N": 3}


def _run(text):
    return IndexEvaluator(_SHAPES, _ENV).run(parse_index_text(text))


@pytest.mark.parametrize("text, message", [
    ("tanh()", "tanh takes 1 argument(s), got 0: write tanh(x)"),
    ("tanh(1, 2)", "tanh takes 1 argument(s), got 2"),
    ("delta(1)", "delta takes 2 argument(s), got 1: write delta(i, j)"),
    ("sum(A[1, k], k)", "sum takes 3 or 4 argument(s), got 2"),
    ("sum(A[1, k], 2, 3)", "the second argument of sum must be an index name"),
    ("1, 2", "a tuple is not a value"),
    ("A[1, 2, 3]", "A[...] takes one or two indices, got 3"),
    ("2**100", "exponent 100 in '2**100' is beyond the limit of ±64"),
    ("i**(-65)", "exponent -65"),
    ("1e400", "is too large"),
    ("-" * 60 + "1", "is nested more than 50 deep"),
])
def test_malformed_index_formulas_are_refused_when_read(text, message):
    with pytest.raises(SymjacError) as info:
        parse_index_text(text)
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("text, message", [
    ("sum(A[1, k], k, 1, 10**9)", "sum from 1 to 1000000000 has 1000000000 terms; the limit is 64"),
    ("sum(sum(sum(1, a, 1, 64), b, 1, 64), c, 1, 64)", "more than 100000 evaluation steps"),
    ("2**(10**9)", "exponent 1000000000 is beyond the limit of ±64"),
    ("((A[1, 1] + 1)**64)**64", "raises A_11 + 1 to the power 4096; the limit is 64"),
    ("(A[1, 1] + 1)**64 * (A[1, 1] + 1)**64", "to the power 128"),
    ("((2**64)**64)**64", "more than 4096 bits"),
    ("A + 1", "A is a 2x3 matrix: write its entries, A[i, j]"),
    ("x", "x is a vector: write its entries, x[i]"),
    ("A[i == j, 1]", "indices (in NAME[...], delta, sum bounds and comparisons) must be whole numbers"),
    ("delta(i, A[1, 1])", "must be whole numbers"),
    ("(i == j) + 1", "a comparison (==, <, and, or …) is a condition, not a value"),
    ("i == j and A[1, 1]", "'and' / 'or' combine comparisons"),
])
def test_malformed_or_unbounded_index_formulas_fail_cleanly_when_evaluated(text, message):
    with pytest.raises(SymjacError) as info:
        _run(text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_bounded_index_formulas_still_evaluate():
    assert _run("sum(A[i, k] * x[k], k, N)") == sp.Add(*[entry_symbol("A", 1, k) * entry_symbol("x", k)
                                                          for k in (1, 2, 3)])
    assert _run("sum(1, k, 1, 64)") == 64
    assert _run("A[i, j]**64") == entry_symbol("A", 1, 2) ** 64
    assert _run("2**64") == 2**64
    assert _run("delta(i, 1) + delta(i, j)") == 1
    assert _run("i == 1 and j != 1") is True
    assert not hasattr(indexform, "_same")


def test_evaluator_sum_restores_the_index_after_an_error():
    ev = IndexEvaluator(_SHAPES, {**_ENV, "k": 7})
    with pytest.raises(SymjacError):
        ev.run(parse_index_text("sum(A[1, k] + q, k, 1, 3)"))
    assert ev.env["k"] == 7


@pytest.mark.parametrize("field, text", [("entry", "tanh()"), ("entry", "delta(1)"), ("entry", "A[i, j], 1"),
                                         ("component", "A[i, 1]**100")])
def test_a_spec_with_a_malformed_index_claim_is_a_spec_error(tmp_path, field, text):
    base = (ROOT / "derivations" / "linear_map_x.toml").read_text(encoding="utf-8").split("[[claimed]]")[0]
    path = tmp_path / "s.toml"
    path.write_text(base + f'[[claimed]]\nlabel = "x"\nlatex = "y"\n{field} = "{text}"\n', encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert f"claimed[1].{field}:" in str(info.value) and "\n" not in str(info.value)


def test_an_unbounded_sum_in_a_spec_is_reported_not_run(tmp_path):
    base = (ROOT / "derivations" / "linear_map_x.toml").read_text(encoding="utf-8").split("[[claimed]]")[0]
    path = tmp_path / "s.toml"
    path.write_text(base + '[[claimed]]\nlabel = "x"\nlatex = "y"\ncomponent = "sum(A[i, j] * x[j], j, 1, 10**9)"\n',
                    encoding="utf-8")
    c = derive_spec(load_spec(path)).claims[-1]
    assert c.verdict == "unreadable"
    assert c.summary == "sum from 1 to 1000000000 has 1000000000 terms; the limit is 64"
