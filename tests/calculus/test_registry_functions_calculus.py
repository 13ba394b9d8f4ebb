"""The newer registry functions through the index form and the closed form (any sizes)."""
from __future__ import annotations

import pytest

from symjac.calculus.closedform import closed_form_from_text
from symjac.calculus.explicit import derivative_array
from symjac.calculus.indexform import generic_entry, verify_generic
from symjac.parsing.explicit import build_explicit

SHAPES = {"W": ("m", "n"), "a": ("n", 1), "b": ("m", 1)}


@pytest.mark.parametrize("text", ["softplus(W @ a + b)", "log_sigmoid(W @ a + b)", "gelu(W @ a + b)",
                                  "leaky_relu(W @ a + b, 0.3)", "leaky_relu(W @ a + b)"])
@pytest.mark.parametrize("m,n", [(2, 3), (3, 2)])
def test_generic_entry_equals_the_explicit_engine_at_every_index(text, m, n):
    """∂F_ij/∂W_kl in index notation, evaluated at all (i, j, k, l), = derivative_array, exactly."""
    g = generic_entry(text, "W", SHAPES)
    concrete = {"W": (m, n), "a": (n, 1), "b": (m, 1)}
    F, variables = build_explicit(text, concrete)
    T = derivative_array(F, variables["W"])
    chk = verify_generic(g, {"m": m, "n": n}, concrete, T, (m, 1), (m, n))
    assert chk.passed, chk.mismatches[:2]
    assert chk.checked == m * m * n


@pytest.mark.parametrize("text,wrt,printed", [
    ("softplus(W @ a + b)", "a", "diag(softplus′(W a + b)) W"),
    ("gelu(W @ a)", "W", "aᵀ ⊗ diag(gelu′(W a))"),
    ("leaky_relu(W @ a, 0.3)", "a", "diag(leaky_relu′(W a, 3/10)) W"),
    ("log_sigmoid(W @ a)", "a", "diag(log_sigmoid′(W a)) W"),
])
def test_closed_form_prints_the_registry_name(text, wrt, printed):
    """The closed form names f′ by the registry's text name (with leaky ReLU's slope) and was checked at ≥ 3 sizes."""
    r = closed_form_from_text(text, wrt, SHAPES, kind="jacobian")
    assert r.to_text() == printed
    assert r.proof is not None and len(r.proof.sizes) >= 3     # checked against the explicit engine (else it raises)
