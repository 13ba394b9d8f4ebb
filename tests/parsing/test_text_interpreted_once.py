"""The text syntax is interpreted once: text → nodes (parsing.matrixexpr), explicit matrices = those nodes
instantiated, numbers = those nodes evaluated.

At random sizes (square and not), ``build_explicit`` equals ``instantiate(build_matrix_expr(...))`` entry by
entry and equals a brute-force construction written here entry by entry (index loops over the symbols,
Leibniz determinants); and no class in symjac/ other than MatrixExprBuilder implements the Builder
protocol of parsing.expr (the index notation, too, translates its nodes).
"""
from __future__ import annotations

import ast
import itertools
import random
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symjac import elementwise as registry
from symjac.parsing.instantiate import instantiate
from symjac.calculus.closedform.numeric import evaluate as numeric_evaluate
from symjac.parsing.explicit import build_explicit, explicit_occurrences
from symjac.parsing.matrixexpr import build_matrix_expr
from symjac.symbols import exactly_equal, symbolic

PACKAGE = Path(__file__).resolve().parents[2] / "symjac"


# --- brute force: every entry from its definition, index by index ------------------------------------

def _m(v):
    return v if isinstance(v, sp.MatrixBase) else sp.ImmutableMatrix([[v]])


def _new(r, c, f):
    return sp.ImmutableMatrix([[f(i, j) for j in range(c)] for i in range(r)])


def mm(A, B):
    A, B = _m(A), _m(B)
    return _new(A.rows, B.cols, lambda i, j: sum((A[i, k] * B[k, j] for k in range(A.cols)), sp.S.Zero))


def tr(A):
    return _new(A.cols, A.rows, lambda i, j: A[j, i])


def add(A, B):
    return _new(A.rows, A.cols, lambda i, j: A[i, j] + B[i, j])


def had(A, B):
    return _new(A.rows, A.cols, lambda i, j: A[i, j] * B[i, j])


def scale(c, A):
    return _new(A.rows, A.cols, lambda i, j: c * A[i, j])


def fmap(f, A):
    return _new(A.rows, A.cols, lambda i, j: f(A[i, j]))


def kron(A, B):
    return _new(A.rows * B.rows, A.cols * B.cols, lambda i, j: A[i // B.rows, j // B.cols] * B[i % B.rows, j % B.cols])


def leibniz(A):
    n = A.rows
    total = sp.S.Zero
    for p in itertools.permutations(range(n)):
        sign = (-1) ** sum(1 for a, b in itertools.combinations(range(n), 2) if p[a] > p[b])
        total += sign * sp.Mul(*[A[i, p[i]] for i in range(n)])
    return total


def inverse(A):
    n, d = A.rows, leibniz(A)
    if n == 1:
        return _new(1, 1, lambda i, j: 1 / d)
    minor = lambda r, c: _new(n - 1, n - 1, lambda i, j: A[i + (i >= r), j + (j >= c)])
    return _new(n, n, lambda i, j: (-1) ** (i + j) * leibniz(minor(j, i)) / d)


def scalar(v):
    return v[0, 0] if isinstance(v, sp.MatrixBase) and v.shape == (1, 1) else v


# (text, shapes in dimension names, brute force of the explicit symbols V)
CASES = [
    ("A.T @ A", {"A": ("m", "n")}, lambda V: mm(tr(V["A"]), V["A"])),
    ("A @ x + b", {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)}, lambda V: add(mm(V["A"], V["x"]), V["b"])),
    ("norm(y - A @ x)**2", {"A": ("m", "n"), "x": ("n", 1), "y": ("m", 1)},
     lambda V: sum((e**2 for e in add(V["y"], scale(-1, mm(V["A"], V["x"])))), sp.S.Zero)),
    ("tanh(A @ x + b)", {"A": ("m", "n"), "x": ("n", 1), "b": ("m", 1)},
     lambda V: fmap(sp.tanh, add(mm(V["A"], V["x"]), V["b"]))),
    ("A * B - 2 * A / 3", {"A": ("m", "n"), "B": ("m", "n")},
     lambda V: add(had(V["A"], V["B"]), scale(sp.Rational(-2, 3), V["A"]))),
    ("hadamard(A, B) + leaky_relu(A, 0.2)", {"A": ("m", "n"), "B": ("m", "n")},
     lambda V: add(had(V["A"], V["B"]), fmap(lambda e: registry.leaky_relu(e, sp.Rational(1, 5)), V["A"]))),
    ("kron(A, B.T)", {"A": ("m", "n"), "B": ("n", "m")}, lambda V: kron(V["A"], tr(V["B"]))),
    ("kron(eye(2), A.T.T)", {"A": ("m", "n")}, lambda V: kron(sp.eye(2), V["A"])),
    ("vec(A)", {"A": ("m", "n")}, lambda V: _new(V["A"].rows * V["A"].cols, 1,
                                                  lambda k, _: V["A"][k % V["A"].rows, k // V["A"].rows])),
    ("diag(x) @ A", {"x": ("m", 1), "A": ("m", "n")},
     lambda V: mm(_new(V["x"].rows, V["x"].rows, lambda i, j: V["x"][i] if i == j else 0), V["A"])),
    ("sum(A) + trace(S)", {"A": ("m", "n"), "S": ("n", "n")},
     lambda V: sum(V["A"], sp.S.Zero) + sum((V["S"][i, i] for i in range(V["S"].rows)), sp.S.Zero)),
    ("x.T @ x * A", {"x": ("n", 1), "A": ("m", "n")}, lambda V: scale(mm(tr(V["x"]), V["x"])[0, 0], V["A"])),
    ("(x.T @ S @ x) ** 2 - c / (x.T @ x)", {"x": ("n", 1), "S": ("n", "n"), "c": (1, 1)},
     lambda V: mm(mm(tr(V["x"]), V["S"]), V["x"])[0, 0] ** 2 - V["c"][0, 0] / mm(tr(V["x"]), V["x"])[0, 0]),
    ("sigmoid(x) * x - x.T.T", {"x": (1, "n")}, lambda V: add(had(fmap(registry.sigmoid, V["x"]), V["x"]),
                                                            scale(-1, tr(tr(V["x"]))))),
    ("det(S) * logdet(S)", {"S": ("n", "n")}, lambda V: leibniz(V["S"]) * sp.log(leibniz(V["S"]))),
    ("inv(S) @ A - matrix_power(S, 3) @ A", {"S": ("m", "m"), "A": ("m", "n")},
     lambda V: add(mm(inverse(V["S"]), V["A"]), scale(-1, mm(mm(mm(V["S"], V["S"]), V["S"]), V["A"])))),
    ("matrix_power(S, -2) + inv(S.T @ S)", {"S": ("n", "n")},
     lambda V: add(mm(inverse(V["S"]), inverse(V["S"])), inverse(mm(tr(V["S"]), V["S"])))),
]


def _sizes(seed: int):
    """Three (m, n) at random: two non-square, one square; at most 3 so that inverses stay small."""
    rng = random.Random(seed)
    pairs = [p for p in itertools.product((1, 2, 3), repeat=2)]
    rng.shuffle(pairs)
    return [next(p for p in pairs if p[0] != p[1]), next(p for p in reversed(pairs) if p[0] != p[1]),
            next(p for p in pairs if p[0] == p[1] and p[0] > 1)]


def _concrete(shapes, m, n):
    return {k: tuple({"m": m, "n": n}.get(d, d) for d in s) for k, s in shapes.items()}


@pytest.mark.parametrize("text, shapes, brute", CASES, ids=[c[0] for c in CASES])
def test_build_explicit_is_the_nodes_instantiated_and_equals_brute_force(text, shapes, brute):
    for seed in range(2):
        for m, n in _sizes(sum(map(ord, text)) + seed):
            concrete = _concrete(shapes, m, n)
            got, variables = build_explicit(text, concrete)
            assert variables == {k: symbolic(k, s) for k, s in concrete.items()}
            nodes, _ = build_matrix_expr(text, concrete)
            via_nodes = scalar(instantiate(nodes, {}))
            want = scalar(brute({k: _m(v) for k, v in variables.items()}))
            assert isinstance(got, sp.MatrixBase) == isinstance(want, sp.MatrixBase), (text, m, n)
            got_m, nodes_m, want_m = _m(got), _m(via_nodes), _m(want)
            assert got_m.shape == nodes_m.shape == want_m.shape, (text, m, n)
            for a, b, c in zip(got_m, nodes_m, want_m):
                assert a == b, (text, m, n)                  # the same interpreter, entry by entry
                assert exactly_equal(a, c), (text, m, n, a, c)


def test_base_0_names_and_numbers_come_from_the_same_nodes():
    """base=0 only renames the symbols; the numeric evaluator of the nodes gives the same numbers."""
    shapes = {"A": (3, 2), "x": (2, 1), "b": (3, 1)}
    F1, V1 = build_explicit("tanh(A @ x + b)", shapes)
    F0, V0 = build_explicit("tanh(A @ x + b)", shapes, base=0)
    assert str(V0["A"][0, 0]) == "A_00" and str(V1["A"][0, 0]) == "A_11"
    assert F0 == F1.xreplace({s1: s0 for k in shapes for s1, s0 in zip(V1[k], V0[k])})
    rng = np.random.default_rng(0)
    arrays = {k: rng.standard_normal(s) for k, s in shapes.items()}
    nodes, _ = build_matrix_expr("tanh(A @ x + b)", shapes)
    point = {s: float(v) for k in shapes for s, v in zip(V1[k], arrays[k].ravel())}
    explicit = np.array(F1.xreplace(point).evalf(), dtype=float)
    np.testing.assert_allclose(numeric_evaluate(nodes, {}, arrays), explicit, rtol=1e-12)


def test_each_occurrence_gets_its_own_symbols_in_text_order():
    F, copies = explicit_occurrences("X.T @ A @ X + X", {"X": (2, 2), "A": (2, 2)}, "X")
    assert [str(c[0, 0]) for c in copies] == ["Zocc1_11", "Zocc2_11", "Zocc3_11"]
    Z1, Z2, Z3 = copies
    A = symbolic("A", (2, 2))
    assert F == add(mm(mm(tr(Z1), A), Z2), Z3)
    _, copies = explicit_occurrences("Zocc1 @ X @ X", {"X": (2, 2), "Zocc1": (2, 2)}, "X")
    assert [c[0, 0].name for c in copies] == ["ZZocc1_11", "ZZocc2_11"]   # never a declared name


@pytest.mark.parametrize("text, shapes, message", [
    ("det(A)", {"A": (7, 7)}, "det of an explicit 7x7 matrix is too large (limit 6) (at column 1)"),
    ("trace(A) + logdet(A)", {"A": (7, 7)}, "det of an explicit 7x7 matrix is too large (limit 6) (at column 12)"),
    ("matrix_power(A, -2)", {"A": (5, 5)}, "inv of an explicit 5x5 matrix is too large (limit 4) (at column 1)"),
    ("eye(n) @ x", {"x": (3, 1)}, "eye needs a positive integer size at concrete sizes, got 'n' (at column 1) in 'eye(n)'"),
    ("x + A @ A", {"A": (2, 3), "x": (2, 3)}, "cannot multiply 2x3 by 2x3 (at column 5): inner sizes 3 and 2 differ in 'A @ A'"),
    ("A", {"A": ("m", 2)}, "explicit matrices need integer sizes"),
])
def test_explicit_refusals_say_where(text, shapes, message):
    from symjac.errors import SymjacError

    with pytest.raises(SymjacError) as info:
        build_explicit(text, shapes)
    assert message in str(info.value)


# --- one interpreter: no second Builder ----------------------------------------------------------------

PROTOCOL = {"name", "number", "binary", "unary", "transpose", "call"}
ALLOWED = {("parsing/expr.py", "Builder"),                        # the protocol itself
           ("parsing/matrixexpr.py", "MatrixExprBuilder")}


def test_no_builder_other_than_the_node_builder_reads_the_text():
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            methods = {f.name for f in cls.body if isinstance(f, ast.FunctionDef)}
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            if PROTOCOL <= methods or PROTOCOL & methods and "MatrixExprBuilder" in bases:
                found.add((path.relative_to(PACKAGE).as_posix(), cls.name))
    assert found == ALLOWED
