"""Spec files: the catalogue loads; bad files give one error naming the file, the key and the problem."""
from pathlib import Path

import pytest

from symjac.errors import SpecError
from symjac.checking.spec import CLAIMED_KEYS, TOP_KEYS, load_catalogue, load_spec, spec_from_dict

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "specs"


def test_catalogue_loads_and_every_spec_has_an_explicit_instance():
    specs = load_catalogue(ROOT / "derivations")
    names = {s.name for s in specs}
    assert {"gram", "least_squares", "linear_map_x", "linear_map_A", "not_gate", "layer_forward"} <= names
    gram = next(s for s in specs if s.name == "gram")
    assert gram.shapes == {"A": ("M", "N")}
    assert gram.instance_shapes == {"A": (3, 2)}
    assert gram.general and gram.concrete
    assert gram.index_names == ["p", "q", "i", "j"] and gram.output_name == "K"
    assert [c["kind"] for c in gram.claimed] == ["component", "entry", "shape", "jacobian"]


@pytest.mark.parametrize("fname, key, words", [
    ("unknown_key.toml", "colour", "unknown key"),
    ("shape_mismatch.toml", "function", "cannot multiply 2x3 by 2x1"),
    ("syntax_error.toml", "function", "syntax error"),
    ("bad_claim.toml", "claimed[1].cases", "syntax error"),
    ("bad_values.toml", "values.A", "has shape 2x3 but A is declared 2x2"),
    ("bad_dimension.toml", "dimensions.K", "not used by any shape"),
])
def test_bad_spec_errors_name_file_key_and_problem(fname, key, words):
    with pytest.raises(SpecError) as err:
        load_spec(BAD / fname)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith(str(BAD / fname) + ": " + key + ": "), msg
    assert words in msg, msg


def test_invalid_toml_and_missing_file():
    with pytest.raises(SpecError, match="no_such.toml: cannot read"):
        load_spec(BAD / "no_such.toml")


def test_claim_kind_is_inferred_and_checked():
    base = {"title": "t", "function": "A @ x", "wrt": "x", "shapes": {"A": [2, 2], "x": [2]}}
    s = spec_from_dict({**base, "claimed": [{"latex": "1", "value": 1}]}, "v.toml")
    assert s.claimed[0]["kind"] == "value"
    with pytest.raises(SpecError, match=r"v.toml: claimed\[1\].kind: unknown kind 'guess'"):
        spec_from_dict({**base, "claimed": [{"latex": "1", "kind": "guess"}]}, "v.toml")
    with pytest.raises(SpecError, match=r"claimed\[1\].expression: .*no shape for B"):
        spec_from_dict({**base, "claimed": [{"latex": "1", "expression": "B"}]}, "v.toml")
    with pytest.raises(SpecError, match=r"claimed\[1\]: unknown key\(s\) colour"):
        spec_from_dict({**base, "claimed": [{"latex": "1", "colour": 1}]}, "v.toml")


def test_every_key_is_documented():
    for key, doc in {**TOP_KEYS, **CLAIMED_KEYS}.items():
        assert isinstance(doc, str) and len(doc) > 10, key
    assert {"dimensions", "index_names", "output_name"} <= set(TOP_KEYS)


def test_sigma_key_sets_what_sigma_means_in_answers():
    from symjac.checking.engine import Problem
    from symjac.errors import SpecError
    from symjac.checking.spec import spec_from_dict

    base = {"title": "t", "function": "sigmoid(W @ a)", "wrt": "W", "shapes": {"W": [2, 2], "a": [2, 1]}}
    assert Problem.from_spec(spec_from_dict({**base, "sigma": "sigmoid"}, "x.toml")).sigma == "sigmoid"
    with pytest.raises(SpecError, match="x.toml: sigma: must be 'tanh' or 'sigmoid', got 'relu'"):
        spec_from_dict({**base, "sigma": "relu"}, "x.toml")
