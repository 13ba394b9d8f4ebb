"""The identity table: every cited identity of ``test_closedform_identities.CASES`` plus the ones below
(written by hand from the sources, never from symjac output), ≥ 120 in all.  For each: symjac derives
and proves the closed form (≥ 3 sizes, non-square where the shapes allow, valid instances only), and
both symjac's result and the source's own formula are compared with entry-by-entry differentiation at
every proof size.  ``test_slowest_proof`` reports the slowest proof of the table (no timing assertion).

Sources as in test_closedform_identities (MC = Matrix Cookbook 2012-11-15, M&N = Magnus & Neudecker
3rd ed., MML = Deisenroth et al. ch. 5, NNDL = Nielsen ch. 2, PRML = Bishop, DL = Goodfellow et al.
2016).  Where an equation number could not be checked against the text, the section is cited and the
source string says "(eq. number unverified)"."""
from __future__ import annotations

import time

import pytest
import sympy as sp
from sympy.matrices.expressions.hadamard import hadamard_power

from symjac.blocks import relu, sigmoid
from symjac.calculus.closedform import CommutationMatrix, Diag, DiagEmbedding, Vec, elementwise
from symjac.calculus.closedform.objects import ElementwiseDerivative, UnitVector, as_lambda
from symjac.calculus.closedform.powers import AdjointPowerSum, KronPowerSum
from symjac.calculus.closedform.testing import agrees, symmetric
from tests.calculus.test_closedform_identities import CASES, Case, _derive

m, n, p, q = (sp.Symbol(s, integer=True, positive=True) for s in "mnpq")
k = sp.Symbol("k", integer=True, positive=True)
t = sp.Symbol("t", real=True)
M, T, Inv, Tr, Det, I = sp.MatrixSymbol, sp.Transpose, sp.Inverse, sp.Trace, sp.Determinant, sp.Identity
Kron, Had, MP = sp.KroneckerProduct, sp.HadamardProduct, sp.MatPow

X_mn, X_nn, A_mm, A_nn, B_nn, C_mm = M("X", m, n), M("X", n, n), M("A", m, m), M("A", n, n), M("B", n, n), M("C", m, m)
B_mm = M("B", m, m)
x, a, b, v, s_n = M("x", n, 1), M("a", n, 1), M("b", n, 1), M("v", n, 1), M("s", n, 1)
a_m, b_m = M("a", m, 1), M("b", m, 1)
A_mn, A_pn, A_pm = M("A", m, n), M("A", p, n), M("A", p, m)
W, z, y_m = M("W", m, n), M("z", n, 1), M("y", n, 1)
one_n = sp.OneMatrix(n, 1)
WIDE = [{"m": 2, "n": 3}, {"m": 2, "n": 4}, {"m": 3, "n": 4}]       # rows ≤ columns (XXᵀ invertible)
TALL = [{"m": 3, "n": 2}, {"m": 4, "n": 2}, {"m": 4, "n": 3}]


def normalised(rng, shape):
    """A probability vector (1ᵀy = 1, y > 0): the softmax cross-entropy identity needs it."""
    w = [rng.uniform(0.1, 1) for _ in range(shape[0])]
    return sp.Matrix([[sp.Float(round(u / sum(w), 12))] for u in w])


def E(f, Z):
    return elementwise(f, Z)


S_txA = M("A", n, n) + t * M("B", n, n)                      # Y(t) = A + tB
sm = E(sp.exp, z) / Tr(T(one_n) * E(sp.exp, z))            # softmax(z) = exp z / 1ᵀexp z
a_in, b_out = M("a", n, 1), M("b", m, 1)
zl = W * a_in + b_out

NEW_CASES = [
    # ---- MC §2.1.1 determinants, §2.2 inverses (scalar variable t: Y(t) = A + tB) -----------------
    Case("MC(46) d det Y(t) / dt", "MC (46): ∂det(Y)/∂x = det(Y) tr(Y⁻¹ ∂Y/∂x), Y = A + tB",
         Det(S_txA), t, Det(S_txA) * Tr(Inv(S_txA) * B_nn)),
    Case("MC(43) d ln det Y(t) / dt", "MC (43): ∂ln|det Y|/∂x = tr(Y⁻¹ ∂Y/∂x) (eq. number unverified)",
         sp.log(Det(S_txA)), t, Tr(Inv(S_txA) * B_nn)),
    Case("MC(37) d Y(t)⁻¹ / dt", "MC (37): ∂Y⁻¹/∂x = −Y⁻¹ (∂Y/∂x) Y⁻¹ (eq. number unverified), as vec",
         Inv(S_txA), t, Vec(-Inv(S_txA) * B_nn * Inv(S_txA)), kind="jacobian"),
    Case("MC §2.1.1 d det(XᵀAX) / dX", "MC §2.1.1, general A: det(XᵀAX)(AX(XᵀAX)⁻¹ + AᵀX(XᵀAᵀX)⁻¹) (eq. number unverified)",
         Det(T(X_mn) * A_mm * X_mn), X_mn,
         Det(T(X_mn) * A_mm * X_mn) * (A_mm * X_mn * Inv(T(X_mn) * A_mm * X_mn) + T(A_mm) * X_mn * Inv(T(X_mn) * T(A_mm) * X_mn)),
         sizes=TALL),
    Case("MC §2.1.1 d det(XᵀAX) / dX, A symmetric", "MC §2.1.1, A symmetric: 2 det(XᵀAX) AX(XᵀAX)⁻¹ (eq. number unverified)",
         Det(T(X_mn) * A_mm * X_mn), X_mn, 2 * Det(T(X_mn) * A_mm * X_mn) * A_mm * X_mn * Inv(T(X_mn) * A_mm * X_mn),
         values={"A": symmetric}, sizes=TALL),
    Case("MC §2.1.1 d ln det(XXᵀ) / dX", "MC §2.1.1 (full row rank X): 2(XXᵀ)⁻¹X (eq. number unverified)",
         sp.log(Det(X_mn * T(X_mn))), X_mn, 2 * Inv(X_mn * T(X_mn)) * X_mn, sizes=WIDE),
    Case("MC(58) d det(Xᵏ) / dX, symbolic k", "MC (58): k det(Xᵏ) X⁻ᵀ for any integer k",
         Det(MP(X_nn, k)), X_nn, k * Det(MP(X_nn, k)) * T(Inv(X_nn))),
    Case("MC §2.1.1 d ln det(AXB) / dX", "MC §2.1.1 with (57): A, X, B square, ∂ln det(AXB)/∂X = X⁻ᵀ",
         sp.log(Det(A_nn * X_nn * B_nn)), X_nn, T(Inv(X_nn))),
    Case("MC(60) d X⁻¹_kl-weighted: aᵀX⁻¹b, Jacobian", "MC (60)/(61) as a VEC row: −(X⁻ᵀa ⊗ ... )",
         T(a) * Inv(X_nn) * b, X_nn, -T(Kron(Inv(X_nn) * b, T(Inv(X_nn)) * a)), kind="jacobian"),
    # ---- MC §2.3–2.5 powers with a symbolic exponent -----------------------------------------
    Case("MC(121) d tr(Xᵏ) / dX, symbolic k", "MC (121): k (Xᵏ⁻¹)ᵀ", Tr(MP(X_nn, k)), X_nn, k * T(MP(X_nn, k - 1))),
    Case("MC(90) d aᵀXᵏb / dX, symbolic k", "MC (90): Σ_{r<k} (Xʳ)ᵀ abᵀ (Xᵏ⁻¹⁻ʳ)ᵀ",
         T(a) * MP(X_nn, k) * b, X_nn, AdjointPowerSum(X_nn, a * T(b), k)),
    Case("M&N ch. 9: F = Xᵏ, symbolic k", "M&N ch. 9 table: Σ_{j<k} (Xᵀ)ᵏ⁻¹⁻ʲ ⊗ Xʲ", MP(X_nn, k), X_nn,
         KronPowerSum(X_nn, k), kind="jacobian"),
    Case("M&N ch. 9: F = X²", "M&N ch. 9 table: Xᵀ ⊗ I + I ⊗ X", MP(X_nn, 2), X_nn,
         Kron(T(X_nn), I(n)) + Kron(I(n), X_nn), kind="jacobian"),
    # ---- MC §2.5.2 traces of inverses of quadratic forms (B, C symmetric) ---------------------
    Case("MC(125) d tr((XᵀCX)⁻¹A) / dX", "MC §2.5.2 (C symmetric): −CX(XᵀCX)⁻¹(A + Aᵀ)(XᵀCX)⁻¹ (eq. number unverified)",
         Tr(Inv(T(X_mn) * C_mm * X_mn) * A_nn), X_mn,
         -C_mm * X_mn * Inv(T(X_mn) * C_mm * X_mn) * (A_nn + T(A_nn)) * Inv(T(X_mn) * C_mm * X_mn),
         values={"C": symmetric}, sizes=TALL),
    Case("MC(126) d tr((XᵀCX)⁻¹XᵀBX) / dX", "MC §2.5.2 (B, C symmetric): −2CX(XᵀCX)⁻¹XᵀBX(XᵀCX)⁻¹ + 2BX(XᵀCX)⁻¹ (eq. number unverified)",
         Tr(Inv(T(X_mn) * C_mm * X_mn) * T(X_mn) * B_mm * X_mn), X_mn,
         -2 * C_mm * X_mn * Inv(T(X_mn) * C_mm * X_mn) * T(X_mn) * B_mm * X_mn * Inv(T(X_mn) * C_mm * X_mn)
         + 2 * B_mm * X_mn * Inv(T(X_mn) * C_mm * X_mn),
         values={"B": symmetric, "C": symmetric}, sizes=TALL),
    Case("MC(127) d tr((A + XᵀCX)⁻¹XᵀBX) / dX", "MC §2.5.2 (A, B, C symmetric): −2CX(A + XᵀCX)⁻¹XᵀBX(A + XᵀCX)⁻¹ + 2BX(A + XᵀCX)⁻¹ (eq. number unverified)",
         Tr(Inv(A_nn + T(X_mn) * C_mm * X_mn) * T(X_mn) * B_mm * X_mn), X_mn,
         -2 * C_mm * X_mn * Inv(A_nn + T(X_mn) * C_mm * X_mn) * T(X_mn) * B_mm * X_mn * Inv(A_nn + T(X_mn) * C_mm * X_mn)
         + 2 * B_mm * X_mn * Inv(A_nn + T(X_mn) * C_mm * X_mn),
         values={"A": symmetric, "B": symmetric, "C": symmetric}),
    # ---- MC §2.4 scalar forms, W symmetric -----------------------------------------------------
    Case("MC(86) d (x−s)ᵀW(x−s) / dx", "MC (86), W symmetric: 2W(x − s)",
         T(x - s_n) * B_nn * (x - s_n), x, 2 * B_nn * (x - s_n), values={"B": symmetric}),
    Case("MC(89) d (x−s)ᵀW(x−s) / ds", "MC (89), W symmetric: −2W(x − s) (eq. number unverified)",
         T(x - s_n) * B_nn * (x - s_n), s_n, -2 * B_nn * (x - s_n), values={"B": symmetric}),
    Case("MC(84) d ‖Ax − b‖² / dx", "MC (84) with W = I: 2Aᵀ(Ax − b)", T(A_mn * x - b_m) * (A_mn * x - b_m), x,
         2 * T(A_mn) * (A_mn * x - b_m)),
    Case("MC(129) d ‖x‖ / dx", "MC (129) with a = 0: x/‖x‖", sp.sqrt(Tr(T(x) * x)), x, x / sp.sqrt(Tr(T(x) * x))),
    Case("MC §2.4.1 d aᵀXXᵀb / dX", "MC §2.4 by the product rule: (abᵀ + baᵀ)X (eq. number unverified)",
         T(a_m) * X_mn * T(X_mn) * b_m, X_mn, (a_m * T(b_m) + b_m * T(a_m)) * X_mn),
    # ---- MC §2.4.2 second derivatives (vec Hessians) ------------------------------------------
    Case("MC §2.4.2 Hessian xᵀBx", "MC §2.4.2: ∂²xᵀBx/∂x∂xᵀ = B + Bᵀ (eq. number unverified)",
         T(x) * B_nn * x, x, B_nn + T(B_nn), kind="hessian"),
    Case("MC §2.4.2 Hessian (Ax+b)ᵀC(Dx+d)", "MC §2.4.2: AᵀCD + DᵀCᵀA (eq. number unverified)",
         T(A_mn * x + b_m) * C_mm * (M("D", m, n) * x + M("d", m, 1)), x,
         T(A_mn) * C_mm * M("D", m, n) + T(M("D", m, n)) * T(C_mm) * A_mn, kind="hessian"),
    Case("M&N ch. 10 Hessian tr(XᵀAX)", "M&N ch. 10: I_n ⊗ (A + Aᵀ)", Tr(T(X_mn) * A_mm * X_mn), X_mn,
         Kron(I(n), A_mm + T(A_mm)), kind="hessian"),
    Case("M&N ch. 10 Hessian log det X", "M&N ch. 10: −(X⁻¹ ⊗ X⁻ᵀ)K_{nn}", sp.log(Det(X_nn)), X_nn,
         -Kron(Inv(X_nn), T(Inv(X_nn))) * CommutationMatrix(n, n), kind="hessian"),
    Case("M&N ch. 10 Hessian ‖X‖_F²", "M&N ch. 10: 2 I_{mn}", Tr(T(X_mn) * X_mn), X_mn, 2 * I(m * n), kind="hessian"),
    Case("MML §5.? Hessian of ‖Ax − b‖²", "MML ch. 5 / normal equations: 2AᵀA (eq. number unverified)",
         T(A_mn * x - b_m) * (A_mn * x - b_m), x, 2 * T(A_mn) * A_mn, kind="hessian"),
    # ---- M&N ch. 9 Jacobian tables ---------------------------------------------------------------
    Case("M&N ch. 9: F = AX", "M&N ch. 9: I ⊗ A", A_pm * X_mn, X_mn, Kron(I(n), A_pm), kind="jacobian"),
    Case("M&N ch. 9: F = XA", "M&N ch. 9: Aᵀ ⊗ I", X_mn * M("A", n, p), X_mn, Kron(T(M("A", n, p)), I(m)), kind="jacobian"),
    Case("M&N ch. 9: F = AXᵀ", "M&N ch. 9: (I_m ⊗ A)K_{mn}", A_pn * T(X_mn), X_mn,
         Kron(I(m), A_pn) * CommutationMatrix(m, n), kind="jacobian"),
    Case("M&N ch. 9: F = XᵀAX", "M&N ch. 9: (I ⊗ XᵀA) + (XᵀAᵀ ⊗ I)K_{mn}", T(X_mn) * A_mm * X_mn, X_mn,
         Kron(I(n), T(X_mn) * A_mm) + Kron(T(X_mn) * T(A_mm), I(n)) * CommutationMatrix(m, n), kind="jacobian"),
    Case("M&N ch. 9: F = X⁻ᵀ", "M&N ch. 9: −K_{nn}(X⁻ᵀ ⊗ X⁻¹)", T(Inv(X_nn)), X_nn,
         -CommutationMatrix(n, n) * Kron(T(Inv(X_nn)), Inv(X_nn)), kind="jacobian"),
    Case("M&N ch. 9: F = X ∘ X", "M&N ch. 3 Hadamard: 2 diag(vec X) (section unverified)", Had(X_mn, X_mn), X_mn,
         2 * Diag(Vec(X_mn)), kind="jacobian"),
    Case("M&N ch. 3: F = A ⊗ X", "M&N Thm 3.10: (I_q ⊗ K_{n,p} ⊗ I_m)(vec A ⊗ I_{mn}), A p×q",
         Kron(M("A", p, q), X_mn), X_mn,
         Kron(I(q), CommutationMatrix(n, p), I(m)) * Kron(Vec(M("A", p, q)), I(m * n)), kind="jacobian"),
    Case("M&N ch. 9: d aᵀXb in VEC", "M&N ch. 9: ∂aᵀXb/∂(vec X)ᵀ = (b ⊗ a)ᵀ", T(a_m) * X_mn * b, X_mn,
         T(Kron(b, a_m)), kind="jacobian"),
    Case("M&N ch. 9: d det X in VEC", "M&N ch. 9: det(X)(vec X⁻ᵀ)ᵀ", Det(X_nn), X_nn,
         Det(X_nn) * T(Vec(T(Inv(X_nn)))), kind="jacobian"),
    Case("MML (5.?) F = Ax by x", "MML §5.3: ∂(Ax)/∂x = A (eq. number unverified)", A_mn * x, x, A_mn, kind="jacobian"),
    Case("M&N ch. 9: F = (aᵀx)x", "M&N ch. 9 product rule: x aᵀ + (aᵀx) I", Tr(T(a) * x) * x, x,
         x * T(a) + Tr(T(a) * x) * I(n), kind="jacobian"),
    Case("M&N ch. 9: F = diag(x)", "M&N ch. 3 (diagonal matrices): Ψ_n, vec diag(x) = Ψ_n x (section unverified)",
         Diag(x), x, DiagEmbedding(n), kind="jacobian"),
    Case("M&N ch. 9: F = exp(X) elementwise", "M&N ch. 3/9 Hadamard: diag(vec exp X) (section unverified)",
         E(sp.exp, X_mn), X_mn, Diag(Vec(E(sp.exp, X_mn))), kind="jacobian"),
    # ---- indexing, Hadamard powers, 1×1 powers, piecewise -----------------------------------------
    Case("MC §9.7 d X_ij / dX", "MC §9.7 single-entry matrix: ∂X_12/∂X = J^{12} = e_1 e_2ᵀ", X_mn[0, 1], X_mn,
         UnitVector(0, m) * T(UnitVector(1, n))),
    Case("MML (5.83) least squares written with SymPy indexing", "MML Example 5.11 (5.83): ∇θ = −2Φᵀ(y − Φθ), F = (rᵀr)[0,0]",
         ((M("y", m, 1) - A_mn * x).T * (M("y", m, 1) - A_mn * x))[0, 0], x, -2 * T(A_mn) * (M("y", m, 1) - A_mn * x)),
    Case("M&N ch. 3 d ⟨A, X∘X⟩ / dX", "M&N ch. 3 Hadamard: ∂tr(Aᵀ(X∘X))/∂X = 2A∘X (section unverified)",
         Tr(T(A_mn) * Had(X_mn, X_mn)), X_mn, 2 * Had(A_mn, X_mn)),
    Case("Hadamard power: d 1ᵀ(x^{∘3}) / dx", "M&N ch. 3: 3 x^{∘2} (section unverified)",
         Tr(T(one_n) * hadamard_power(x, 3)), x, 3 * hadamard_power(x, 2)),
    Case("chain rule: d √(xᵀa) / dx", "MML §5.2 chain rule: a / (2√(xᵀa)) (positive xᵀa)",
         (T(x) * a) ** sp.Rational(1, 2), x, a / (2 * sp.sqrt(Tr(T(x) * a))), values={"x": lambda r, s: sp.ones(*s), "a": lambda r, s: sp.ones(*s)}),
    Case("DL §6.3.1 ReLU unit: d relu(wᵀx + c) / dw", "DL §6.3.1: g′(z) = H(z) for ReLU: H(wᵀx + c) x",
         relu(Tr(T(M("w", n, 1)) * x) + sp.Symbol("c", real=True)), M("w", n, 1),
         sp.Heaviside(Tr(T(M("w", n, 1)) * x) + sp.Symbol("c", real=True)) * x),
    Case("MML §5.2 d |aᵀx| / dx", "chain rule with d|u| = sign(u) du (MML §5.2): sign(aᵀx) a",
         sp.Abs(Tr(T(a) * x)), x, sp.sign(Tr(T(a) * x)) * a),
    # ---- neural-network staples -------------------------------------------------------------------
    Case("log-sum-exp gradient = softmax", "DL §6.2.2.3 / PRML (4.104): ∇ log Σ exp z = softmax(z) (eq. number unverified)",
         sp.log(Tr(T(one_n) * E(sp.exp, z))), z, sm),
    Case("softmax cross-entropy: s − y", "DL §6.2.2.3: ∇_z(−yᵀ log softmax z) = softmax(z) − y for 1ᵀy = 1",
         -Tr(T(y_m) * (z - one_n * sp.log(Tr(T(one_n) * E(sp.exp, z))))), z, sm - y_m, values={"y": normalised}),
    Case("softmax Jacobian: diag(s) − ssᵀ", "DL §6.2.2.3 / PRML (4.106): ∂softmax/∂z = diag(s) − ssᵀ (eq. number unverified)",
         sm, z, Diag(sm) - sm * T(sm), kind="jacobian"),
    Case("tanh layer Jacobian by a", "NNDL ch. 2 with tanh: diag(1 − tanh²(z)) W",
         E(sp.tanh, zl), a_in, Diag(sp.MatAdd(sp.OneMatrix(m, 1), -hadamard_power(E(sp.tanh, zl), 2))) * W, kind="jacobian"),
    Case("sigmoid layer Jacobian by b", "NNDL ch. 2 (BP3 form): diag(σ′(z))",
         E(sigmoid, zl), b_out, Diag(ElementwiseDerivative(as_lambda(sigmoid), zl)), kind="jacobian"),
]

TABLE = CASES + NEW_CASES
_TIMES: dict = {}


def test_table_size():
    assert len(TABLE) >= 120
    assert len({c.id for c in TABLE}) == len(TABLE)


@pytest.mark.parametrize("case", NEW_CASES, ids=[c.id for c in NEW_CASES])
def test_identity(case):
    t0 = time.perf_counter()
    result = _derive(case)
    _TIMES[case.id] = time.perf_counter() - t0
    rec = result.proof
    assert rec is not None and rec.verified and len(rec.sizes) >= 3, rec.describe()
    if any(d in ("m", "n", "p", "q") for d in rec.dims) and len([d for d in rec.dims if d != "k"]) > 1:
        assert any(len(set(s)) > 1 for s in rec.sizes), "a non-square size must be tried"
    for sizes_t in rec.sizes:
        sizes = dict(zip(rec.dims, sizes_t))
        assert agrees(case.book, case.F, case.X, case.kind, case.conv, sizes, case.values), case.source
        assert agrees(result.expr, case.F, case.X, case.kind, case.conv, sizes, case.values)


def test_slowest_proof(capsys):
    """Proves every identity of the table once more and reports the slowest (printed; no assertion on time)."""
    times = dict(_TIMES)
    for c in CASES:
        t0 = time.perf_counter()
        _derive(c)
        times[c.id] = time.perf_counter() - t0
    worst = max(times, key=times.get)
    with capsys.disabled():
        print(f"\nslowest proof of {len(times)}: {worst!r} {times[worst]:.2f} s; total {sum(times.values()):.1f} s")
    assert len(times) >= len(CASES)
