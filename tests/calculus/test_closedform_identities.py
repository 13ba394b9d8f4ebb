"""A corpus of matrix-calculus identities from public references, each checked by instantiation.

For every identity: symjac derives the closed form (and proves it against the
elementwise engine at >= 3 random sizes), and *the reference's own formula*,
written as a SymPy matrix expression in the reference's convention, is
instantiated at two of those sizes and compared with brute-force elementwise
differentiation (exactly when polynomial, else at a random point).  Nothing
is compared as a string.

Sources and conventions:
* MC   = Petersen & Pedersen, *The Matrix Cookbook*, version 2012-11-15; equation
         numbers of that edition (checked against its text; §2.5 trace numbers start
         at (99)).  Scalar-by-matrix results are gradients in X's shape
         (∂f/∂X_ij at (i, j)); scalar-by-vector results are columns.
* MML  = Deisenroth, Faisal & Ong, *Mathematics for Machine Learning* (2020), ch. 5.
         Numerator layout: ∂f/∂x of a scalar is a ROW (1×n) -> symjac's VEC Jacobian;
         ∂f/∂X of a scalar in X's shape -> gradient.
* M&N  = Magnus & Neudecker, *Matrix Differential Calculus* (3rd ed., 2019): Jacobians
         ∂vec F/∂(vec X)ᵀ with column-stacking vec -> symjac's VEC; ch. 2
         vec(ABC) = (Cᵀ⊗A)vec B, ch. 3 commutation matrix and vec(A⊗B), ch. 9 tables
         (theorem numbers not checked against the text: none was available).
* NNDL = Nielsen, *Neural Networks and Deep Learning*, ch. 2, equations BP1–BP4.
* PRML = Bishop, *Pattern Recognition and Machine Learning* (2006).
Symmetric-matrix identities: symjac always gives the *unstructured* derivative (all
entries independent); identities stated "for symmetric W" are checked with symmetric
values substituted.  MC §2.8.2's structured rule is a different convention, and the
test below shows it is not a gradient (arXiv:1911.06491).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sympy as sp

from symjac import NOTES, VEC
from symjac.calculus.closedform import (
    CommutationMatrix,
    Diag,
    Norm,
    closed_form,
    closed_form_gradient,
    closed_form_hessian,
    elementwise,
    instantiate,
)
from symjac.calculus.closedform.testing import agrees, symmetric
from symjac.blocks import relu, sigmoid

m, n, p, q, N, D = (sp.Symbol(s, integer=True, positive=True) for s in ("m", "n", "p", "q", "N", "D"))
M = sp.MatrixSymbol
T = sp.Transpose
Inv = sp.Inverse
Tr = sp.Trace
Det = sp.Determinant
I = sp.Identity
Kron = sp.KroneckerProduct
Had = sp.HadamardProduct
MP = sp.MatPow


def K(a, b):
    return CommutationMatrix(a, b)


def sig(Z):
    return elementwise(sigmoid, Z)


def dsig(Z):  # σ′(z) = σ(z)(1 − σ(z)) elementwise, written out as a reference would
    return Had(sig(Z), sp.MatAdd(sp.OneMatrix(*Z.shape), -sig(Z)))


@dataclass
class Case:
    id: str
    source: str
    F: object
    X: object
    book: object            # the reference's formula, in the reference's convention
    kind: str = "gradient"  # "gradient" (X's shape) | "jacobian" | "hessian"
    conv: object = VEC
    values: dict = field(default_factory=dict)
    sizes: list | None = None


# shapes used below
X_mn, X_nn, A_nm, A_mn = M("X", m, n), M("X", n, n), M("A", n, m), M("A", m, n)
a_m, a_n, b_m, b_n = M("a", m, 1), M("a", n, 1), M("b", m, 1), M("b", n, 1)
x_n, y_n = M("x", n, 1), M("y", n, 1)
B_nn, B_mm, C_nn, C_mm, D_mm = M("B", n, n), M("B", m, m), M("C", n, n), M("C", m, m), M("D", m, m)
W_mm = M("W", m, m)
s_n, x_m, A_mn2 = M("s", n, 1), M("x", m, 1), M("A", m, n)
Phi, theta, y_N = M("Phi", N, D), M("theta", D, 1), M("y", N, 1)
W_mn, a_in, b_out, y_out = M("W", m, n), M("a", n, 1), M("b", m, 1), M("y", m, 1)
W1, W2, b1, b2 = M("W1", p, n), M("W2", m, p), M("b1", p, 1), M("b2", m, 1)
TALL = [{"m": 3, "n": 2}, {"m": 4, "n": 2}, {"m": 4, "n": 3}]   # rows >= columns (XᵀX invertible)

z_layer = W_mn * a_in + b_out
delta = Had(sig(z_layer) - y_out, dsig(z_layer))           # NNDL BP1 with C = ½‖σ(z) − y‖²
z1 = W1 * a_in + b1
z2 = W2 * sig(z1) + b2
delta2 = Had(sig(z2) - y_out, dsig(z2))
delta1 = Had(T(W2) * delta2, dsig(z1))                     # NNDL BP2

CASES = [
    # ---- Matrix Cookbook §2.1 / §2.2: determinants and inverses -------------------------
    Case("MC(49) d det X / dX", "MC (49)", Det(X_nn), X_nn, Det(X_nn) * T(Inv(X_nn))),
    Case("MC(51) d det(AXB) / dX", "MC (51), A, X, B square", Det(M("A", n, n) * X_nn * B_nn), X_nn,
         Det(M("A", n, n) * X_nn * B_nn) * T(Inv(X_nn))),
    Case("MC(55) d ln det(XᵀX) / dX", "MC (55): 2(X⁺)ᵀ, X⁺ = (XᵀX)⁻¹Xᵀ for full column rank",
         sp.log(Det(T(X_mn) * X_mn)), X_mn, 2 * X_mn * Inv(T(X_mn) * X_mn), sizes=TALL),
    Case("MC(57) d ln det X / dX", "MC (57)", sp.log(Det(X_nn)), X_nn, T(Inv(X_nn))),
    Case("MC(58) d det(X^k) / dX", "MC (58), k = 2", Det(MP(X_nn, 2)), X_nn, 2 * Det(MP(X_nn, 2)) * T(Inv(X_nn))),
    Case("MC(61) d aᵀX⁻¹b / dX", "MC (61)", T(a_n) * Inv(X_nn) * b_n, X_nn,
         -T(Inv(X_nn)) * a_n * T(b_n) * T(Inv(X_nn))),
    Case("MC(62) d det(X⁻¹) / dX", "MC (62)", Det(Inv(X_nn)), X_nn, -Det(Inv(X_nn)) * T(Inv(X_nn))),
    # ---- MC §2.4: scalar forms -------------------------------------------------------------
    Case("MC(69) d xᵀa / dx", "MC (69)", T(x_n) * a_n, x_n, a_n),
    Case("MC(69) d aᵀx / dx", "MC (69)", T(a_n) * x_n, x_n, a_n),
    Case("MC(70) d aᵀXb / dX", "MC (70)", T(a_m) * X_mn * b_n, X_mn, a_m * T(b_n)),
    Case("MC(71) d aᵀXᵀb / dX", "MC (71)", T(a_n) * T(X_mn) * b_m, X_mn, b_m * T(a_n)),
    Case("MC(72) d aᵀXa / dX", "MC (72)", T(a_n) * X_nn * a_n, X_nn, a_n * T(a_n)),
    Case("MC(72) d aᵀXᵀa / dX", "MC (72)", T(a_n) * T(X_nn) * a_n, X_nn, a_n * T(a_n)),
    Case("MC(77) d bᵀXᵀXc / dX", "MC (77)", T(b_n) * T(X_mn) * X_mn * M("c", n, 1), X_mn,
         X_mn * (b_n * T(M("c", n, 1)) + M("c", n, 1) * T(b_n))),
    Case("MC(78) d (Bx+b)ᵀC(Dx+d) / dx", "MC (78)",
         T(M("B", m, n) * x_n + b_m) * C_mm * (M("D", m, n) * x_n + M("d", m, 1)), x_n,
         T(M("B", m, n)) * C_mm * (M("D", m, n) * x_n + M("d", m, 1)) + T(M("D", m, n)) * T(C_mm) * (M("B", m, n) * x_n + b_m)),
    Case("MC(81) d xᵀBx / dx", "MC (81)", T(x_n) * B_nn * x_n, x_n, (B_nn + T(B_nn)) * x_n),
    Case("MC(82) d bᵀXᵀDXc / dX", "MC (82)", T(b_n) * T(X_mn) * D_mm * X_mn * M("c", n, 1), X_mn,
         T(D_mm) * X_mn * b_n * T(M("c", n, 1)) + D_mm * X_mn * M("c", n, 1) * T(b_n)),
    Case("MC(83) d (Xb+c)ᵀD(Xb+c) / dX", "MC (83)", T(X_mn * b_n + M("c", m, 1)) * D_mm * (X_mn * b_n + M("c", m, 1)), X_mn,
         (D_mm + T(D_mm)) * (X_mn * b_n + M("c", m, 1)) * T(b_n)),
    Case("MC(84) d (x−As)ᵀW(x−As) / ds, W symmetric", "MC (84), W symmetric",
         T(x_m - A_mn2 * s_n) * W_mm * (x_m - A_mn2 * s_n), s_n, -2 * T(A_mn2) * W_mm * (x_m - A_mn2 * s_n),
         values={"W": symmetric}),
    Case("MC(87) d (x−As)ᵀW(x−As) / dx, W symmetric", "MC (87), W symmetric",
         T(x_m - A_mn2 * s_n) * W_mm * (x_m - A_mn2 * s_n), x_m, 2 * W_mm * (x_m - A_mn2 * s_n),
         values={"W": symmetric}),
    Case("MC(88) d (x−As)ᵀW(x−As) / dA, W symmetric", "MC (88), W symmetric",
         T(x_m - A_mn2 * s_n) * W_mm * (x_m - A_mn2 * s_n), A_mn2, -2 * W_mm * (x_m - A_mn2 * s_n) * T(s_n),
         values={"W": symmetric}),
    Case("MC(91) d aᵀX³b / dX", "MC (91), n = 3", T(a_n) * MP(X_nn, 3) * b_n, X_nn,
         a_n * T(b_n) * T(MP(X_nn, 2)) + T(X_nn) * a_n * T(b_n) * T(X_nn) + T(MP(X_nn, 2)) * a_n * T(b_n)),
    # ---- MC §2.5: traces ------------------------------------------------------------------
    Case("MC(99) d tr X / dX", "MC (99)", Tr(X_nn), X_nn, I(n)),
    Case("MC(100) d tr(XA) / dX", "MC (100)", Tr(X_mn * A_nm), X_mn, T(A_nm)),
    Case("MC(101) d tr(AXB) / dX", "MC (101)", Tr(M("A", p, m) * X_mn * M("B", n, p)), X_mn,
         T(M("A", p, m)) * T(M("B", n, p))),
    Case("MC(102) d tr(AXᵀB) / dX", "MC (102)", Tr(M("A", p, n) * T(X_mn) * M("B", m, p)), X_mn,
         M("B", m, p) * M("A", p, n)),
    Case("MC(103) d tr(XᵀA) / dX", "MC (103)", Tr(T(X_mn) * A_mn), X_mn, A_mn),
    Case("MC(104) d tr(AXᵀ) / dX", "MC (104)", Tr(A_mn * T(X_mn)), X_mn, A_mn),
    Case("MC(105) d tr(A⊗X) / dX", "MC (105)", Tr(Kron(M("A", p, p), X_nn)), X_nn, Tr(M("A", p, p)) * I(n)),
    Case("MC(106) d tr(X²) / dX", "MC (106)", Tr(MP(X_nn, 2)), X_nn, 2 * T(X_nn)),
    Case("MC(107) d tr(X²B) / dX", "MC (107)", Tr(MP(X_nn, 2) * B_nn), X_nn, T(X_nn * B_nn + B_nn * X_nn)),
    Case("MC(108) d tr(XᵀBX) / dX", "MC (108)", Tr(T(X_mn) * B_mm * X_mn), X_mn, B_mm * X_mn + T(B_mm) * X_mn),
    Case("MC(109) d tr(BXXᵀ) / dX", "MC (109)", Tr(B_mm * X_mn * T(X_mn)), X_mn, B_mm * X_mn + T(B_mm) * X_mn),
    Case("MC(110) d tr(XXᵀB) / dX", "MC (110)", Tr(X_mn * T(X_mn) * B_mm), X_mn, B_mm * X_mn + T(B_mm) * X_mn),
    Case("MC(111) d tr(XBXᵀ) / dX", "MC (111)", Tr(X_mn * B_nn * T(X_mn)), X_mn, X_mn * T(B_nn) + X_mn * B_nn),
    Case("MC(112) d tr(BXᵀX) / dX", "MC (112)", Tr(B_nn * T(X_mn) * X_mn), X_mn, X_mn * T(B_nn) + X_mn * B_nn),
    Case("MC(113) d tr(XᵀXB) / dX", "MC (113)", Tr(T(X_mn) * X_mn * B_nn), X_mn, X_mn * T(B_nn) + X_mn * B_nn),
    Case("MC(114) d tr(AXBX) / dX", "MC (114)", Tr(A_nm * X_mn * M("B", n, m) * X_mn), X_mn,
         T(A_nm) * T(X_mn) * T(M("B", n, m)) + T(M("B", n, m)) * T(X_mn) * T(A_nm)),
    Case("MC(115) d tr(XᵀX) / dX", "MC (115)", Tr(T(X_mn) * X_mn), X_mn, 2 * X_mn),
    Case("MC(115) d tr(XXᵀ) / dX", "MC (115)", Tr(X_mn * T(X_mn)), X_mn, 2 * X_mn),
    Case("MC(116) d tr(BᵀXᵀCXB) / dX", "MC (116)", Tr(T(M("B", n, p)) * T(X_mn) * C_mm * X_mn * M("B", n, p)), X_mn,
         T(C_mm) * X_mn * M("B", n, p) * T(M("B", n, p)) + C_mm * X_mn * M("B", n, p) * T(M("B", n, p))),
    Case("MC(117) d tr(XᵀBXC) / dX", "MC (117)", Tr(T(X_mn) * B_mm * X_mn * C_nn), X_mn,
         B_mm * X_mn * C_nn + T(B_mm) * X_mn * T(C_nn)),
    Case("MC(118) d tr(AXBXᵀC) / dX", "MC (118)", Tr(M("A", p, m) * X_mn * B_nn * T(X_mn) * M("C", m, p)), X_mn,
         T(M("A", p, m)) * T(M("C", m, p)) * X_mn * T(B_nn) + M("C", m, p) * M("A", p, m) * X_mn * B_nn),
    Case("MC(119) d tr[(AXB+C)(AXB+C)ᵀ] / dX", "MC (119)",
         Tr((M("A", p, m) * X_mn * M("B", n, q) + M("C", p, q)) * T(M("A", p, m) * X_mn * M("B", n, q) + M("C", p, q))), X_mn,
         2 * T(M("A", p, m)) * (M("A", p, m) * X_mn * M("B", n, q) + M("C", p, q)) * T(M("B", n, q))),
    Case("MC(120) d tr(X⊗X) / dX", "MC (120)", Tr(Kron(X_nn, X_nn)), X_nn, 2 * Tr(X_nn) * I(n)),
    Case("MC(121) d tr(X³) / dX", "MC (121), k = 3", Tr(MP(X_nn, 3)), X_nn, 3 * T(MP(X_nn, 2))),
    Case("MC(122) d tr(AX³) / dX", "MC (122), k = 3", Tr(M("A", n, n) * MP(X_nn, 3)), X_nn,
         T(M("A", n, n) * MP(X_nn, 2)) + T(X_nn * M("A", n, n) * X_nn) + T(MP(X_nn, 2) * M("A", n, n))),
    Case("MC(124) d tr(AX⁻¹B) / dX", "MC (124) (same identity as (63), §2.2)", Tr(M("A", p, n) * Inv(X_nn) * M("B", n, p)), X_nn,
         -T(Inv(X_nn)) * T(M("A", p, n)) * T(M("B", n, p)) * T(Inv(X_nn))),
    # ---- MC §2.6, §2.7: norms -------------------------------------------------------------
    Case("MC(129) d ‖x−a‖ / dx", "MC (129)", Norm(x_n - a_n), x_n, (x_n - a_n) / Norm(x_n - a_n)),
    Case("MC(130) d (x−a)/‖x−a‖ / dx", "MC (130), a Jacobian (symmetric, so any layout)",
         (x_n - a_n) / Norm(x_n - a_n), x_n,
         I(n) / Norm(x_n - a_n) - (x_n - a_n) * T(x_n - a_n) / Norm(x_n - a_n) ** 3, kind="jacobian"),
    Case("MC(131) d ‖x‖² / dx", "MC (131)", Norm(x_n) ** 2, x_n, 2 * x_n),
    Case("MC(132) d ‖X‖_F² / dX", "MC (132)", Norm(X_mn) ** 2, X_mn, 2 * X_mn),
    # ---- MML ch. 5 (numerator layout: a scalar's derivative by a vector is a row) ---------
    Case("MML(5.104) d xᵀa / dx", "MML (5.104), row vector", T(x_n) * a_n, x_n, T(a_n), kind="jacobian"),
    Case("MML(5.105) d aᵀx / dx", "MML (5.105), row vector", T(a_n) * x_n, x_n, T(a_n), kind="jacobian"),
    Case("MML(5.106) d aᵀXb / dX", "MML (5.106)", T(a_m) * X_mn * b_n, X_mn, a_m * T(b_n)),
    Case("MML(5.107) d xᵀBx / dx", "MML (5.107), row vector", T(x_n) * B_nn * x_n, x_n, T(x_n) * (B_nn + T(B_nn)),
         kind="jacobian"),
    Case("MML(5.108) d (x−As)ᵀW(x−As) / ds", "MML (5.108), W symmetric, row vector",
         T(x_m - A_mn2 * s_n) * W_mm * (x_m - A_mn2 * s_n), s_n, -2 * T(x_m - A_mn2 * s_n) * W_mm * A_mn2,
         kind="jacobian", values={"W": symmetric}),
    Case("MML(5.103) d aᵀX⁻¹b / dX", "MML (5.103)", T(a_n) * Inv(X_nn) * b_n, X_nn,
         -T(Inv(X_nn)) * a_n * T(b_n) * T(Inv(X_nn))),
    Case("MML Ex. 5.11 least squares d‖y−Φθ‖²/dθ", "MML Example 5.11 (5.83), row vector",
         Norm(y_N - Phi * theta) ** 2, theta, -2 * T(y_N - Phi * theta) * Phi, kind="jacobian"),
    Case("MML §5.4 df/dA for f = Ax (VEC)", "MML §5.4 Example 5.12 'gradient of vectors with respect to matrices', (5.89); "
         "∂f_i/∂A_ij = x_j, flattened column-first (VEC)", A_mn * x_n, A_mn, Kron(T(x_n), I(m)), kind="jacobian"),
    Case("MML §5.4 df/dA for f = Ax (NOTES)", "same, inputs flattened row-first (NOTES, DESIGN.md)",
         A_mn * x_n, A_mn, Kron(I(m), T(x_n)), kind="jacobian", conv=NOTES),
    Case("MML §5.4 dK/dR for K = RᵀR (VEC)", "MML §5.4 Example 5.13 'gradient of matrices with respect to matrices', (5.97)–(5.98): "
         "∂K_pq/∂R_ij = δ_qj R_ip + δ_pj R_iq; vectorised (PERFORMANCE.md)",
         T(M("R", m, n)) * M("R", m, n), M("R", m, n),
         Kron(I(n), T(M("R", m, n))) + Kron(T(M("R", m, n)), I(n)) * K(m, n), kind="jacobian"),
    Case("MML §5.4 dK/dR for K = RᵀR (NOTES)", "same, NOTES: J·K_{n,m} (PERFORMANCE.md)",
         T(M("R", m, n)) * M("R", m, n), M("R", m, n),
         Kron(I(n), T(M("R", m, n))) * K(n, m) + Kron(T(M("R", m, n)), I(n)), kind="jacobian", conv=NOTES),
    Case("Hessian of ‖y−Φθ‖²", "least-squares Hessian 2ΦᵀΦ (ANCHORS.md §2; normal equations)",
         Norm(y_N - Phi * theta) ** 2, theta, 2 * T(Phi) * Phi, kind="hessian"),
    # ---- Magnus & Neudecker: Jacobians ∂vec F/∂(vec X)ᵀ ---------------------------------
    Case("M&N ch. 2/9: F = AXB", "M&N ch. 2 vec(ABC) = (Cᵀ⊗A)vec B (theorem number unverified), ch. 9 table", M("A", p, m) * X_mn * M("B", n, q), X_mn,
         Kron(T(M("B", n, q)), M("A", p, m)), kind="jacobian"),
    Case("M&N ch. 3: F = Xᵀ", "M&N ch. 3 commutation matrix, K_{mn} vec X = vec Xᵀ (theorem number unverified)", T(X_mn), X_mn, K(m, n), kind="jacobian"),
    Case("M&N ch. 9: F = X⁻¹", "M&N ch. 9 table: −(X⁻ᵀ ⊗ X⁻¹)", Inv(X_nn), X_nn,
         -Kron(T(Inv(X_nn)), Inv(X_nn)), kind="jacobian"),
    Case("M&N ch. 9: F = XᵀX", "M&N ch. 9 table: (I_{n²} + K_{nn})(I_n ⊗ Xᵀ)", T(X_mn) * X_mn, X_mn,
         (I(n * n) + K(n, n)) * Kron(I(n), T(X_mn)), kind="jacobian"),
    Case("M&N ch. 9: F = XXᵀ", "M&N ch. 9 table: (I_{m²} + K_{mm})(X ⊗ I_m)", X_mn * T(X_mn), X_mn,
         (I(m * m) + K(m, m)) * Kron(X_mn, I(m)), kind="jacobian"),
    Case("M&N ch. 9: F = X³", "M&N ch. 9 table: Σ_j (Xᵀ)^{p−1−j} ⊗ X^j, p = 3", MP(X_nn, 3), X_nn,
         Kron(MP(T(X_nn), 2), I(n)) + Kron(T(X_nn), X_nn) + Kron(I(n), MP(X_nn, 2)), kind="jacobian"),
    Case("M&N ch. 9: F = AXᵀB", "M&N ch. 9 table: (Bᵀ ⊗ A)K_{mn}", M("A", p, n) * T(X_mn) * M("B", m, q), X_mn,
         Kron(T(M("B", m, q)), M("A", p, n)) * K(m, n), kind="jacobian"),
    Case("M&N: F = A ∘ X", "M&N ch. 3 / ch. 9 (section unverified): d(A∘X) = A∘dX, Jacobian diag(vec A)", Had(A_mn, X_mn), X_mn,
         Diag(sp.MatrixSymbol("_", 1, 1) if False else Diag(M("A", m, n)).arg) if False else None, kind="jacobian"),
    Case("M&N ch. 3: F = X ⊗ B", "M&N ch. 3: vec(X⊗B) = (I_n ⊗ K_{qm} ⊗ I_p)(vec X ⊗ vec B) (theorem number unverified)",
         Kron(X_mn, M("B", p, q)), X_mn,
         Kron(I(n), K(q, m), I(p)) * Kron(I(m * n), M("vB", p * q, 1)), kind="jacobian"),
    Case("M&N: F = xxᵀ", "M&N ch. 9: d(xxᵀ) = (dx)xᵀ + x(dx)ᵀ → (x ⊗ I_n) + (I_n ⊗ x)", x_n * T(x_n), x_n,
         Kron(x_n, I(n)) + Kron(I(n), x_n), kind="jacobian"),
    Case("M&N: d tr(X⁻¹)", "M&N ch. 9 table: d tr X⁻¹ = −tr(X⁻²dX)", Tr(Inv(X_nn)), X_nn, -T(MP(Inv(X_nn), 2))),
    Case("M&N: d tr(XᵀX) in VEC", "M&N ch. 9: ∂ tr XᵀX/∂(vec X)ᵀ = 2(vec X)ᵀ", Tr(T(X_mn) * X_mn), X_mn,
         2 * T(sp.MatrixSymbol("vX", m * n, 1)), kind="jacobian"),
    # ---- Backpropagation (NNDL ch. 2), C = ½‖σ(Wa + b) − y‖² -------------------------------
    Case("NNDL BP1+BP4: dC/dW = δaᵀ", "NNDL (BP1), (BP4)", Norm(sig(z_layer) - y_out) ** 2 / 2, W_mn,
         delta * T(a_in)),
    Case("NNDL BP3: dC/db = δ", "NNDL (BP3)", Norm(sig(z_layer) - y_out) ** 2 / 2, b_out, delta),
    Case("NNDL BP2: dC/da = Wᵀδ", "NNDL (BP2) with the input as the previous layer",
         Norm(sig(z_layer) - y_out) ** 2 / 2, a_in, T(W_mn) * delta),
    Case("NNDL two layers: dC/dW1", "NNDL (BP1), (BP2), (BP4), two layers",
         Norm(sig(z2) - y_out) ** 2 / 2, W1, delta1 * T(a_in)),
    Case("layer Jacobian dσ(Wa+b)/da", "NNDL ch. 2 / backprop notes: diag(σ′(z))W", sig(z_layer), a_in,
         Diag(dsig(z_layer)) * W_mn, kind="jacobian"),
    Case("layer Jacobian dσ(Wa+b)/dW", "backprop notes, vectorised: aᵀ ⊗ diag(σ′(z)) (VEC)", sig(z_layer), W_mn,
         Kron(T(a_in), Diag(dsig(z_layer))), kind="jacobian"),
    Case("ReLU layer dReLU(Wa+b)/db", "backprop notes: diag(H(z)), H(0) = 0", elementwise(relu, z_layer), b_out,
         Diag(elementwise(lambda z: sp.Heaviside(z, 0), z_layer)), kind="jacobian"),
    Case("PRML §4.3.2 logistic regression", "PRML §4.3.2 (4.91) (equation number unverified): ∇E = Σ(yₙ − tₙ)φₙ = Φᵀ(σ(Φw) − t)",
         -(T(M("t", N, 1)) * elementwise(sp.log, sig(Phi * M("w", D, 1)))
           + T(sp.OneMatrix(N, 1) - M("t", N, 1)) * elementwise(sp.log, sp.OneMatrix(N, 1) - sig(Phi * M("w", D, 1)))),
         M("w", D, 1), T(Phi) * (sig(Phi * M("w", D, 1)) - M("t", N, 1))),
]

# Hadamard and X⊗B need vec(A), vec(B) in the book formula: write them with symjac's Vec.
from symjac.calculus.closedform import Vec  # noqa: E402

for c in CASES:
    if c.id == "M&N: F = A ∘ X":
        c.book = Diag(Vec(A_mn))
    if c.id == "M&N ch. 3: F = X ⊗ B":
        c.book = Kron(I(n), K(q, m), I(p)) * Kron(I(m * n), Vec(M("B", p, q)))
    if c.id == "M&N: d tr(XᵀX) in VEC":
        c.book = 2 * T(Vec(X_mn))


def _derive(c: Case):
    if c.kind == "gradient":
        return closed_form_gradient(c.F, c.X, sizes=c.sizes)
    if c.kind == "hessian":
        return closed_form_hessian(c.F, c.X, sizes=c.sizes)
    return closed_form(c.F, c.X, c.conv, sizes=c.sizes)


def test_corpus_size():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_identity(case):
    result = _derive(case)
    rec = result.proof
    assert rec is not None and len(rec.sizes) >= 3
    for sizes_t in rec.sizes[:2]:
        sizes = dict(zip(rec.dims, sizes_t))
        # the reference's formula (in its own convention) equals brute force ...
        assert agrees(case.book, case.F, case.X, case.kind, case.conv, sizes, case.values), case.source
        # ... and so does symjac's closed form, under the same constraints
        assert agrees(result.expr, case.F, case.X, case.kind, case.conv, sizes, case.values)


def test_cookbook_symmetric_rule_is_not_a_gradient():
    """MC §2.8.2 (139): for symmetric X, '∂tr(AX)/∂X = A + Aᵀ − (A∘I)'.  That matrix G_s does
    not satisfy df = ⟨G_s, dX⟩ for symmetric dX (arXiv:1911.06491, Srinivasan & Panda):
    the gradient on symmetric matrices is sym(G) = (G + Gᵀ)/2 of symjac's unstructured G = Aᵀ."""
    A, X = M("A", 3, 3), M("X", 3, 3)
    G = closed_form_gradient(Tr(A * X), X).expr
    Av = sp.Matrix([[1, 2, 0], [5, -1, 3], [4, 7, 2]])
    dX = sp.Matrix([[1, 2, 3], [2, 0, 1], [3, 1, 5]])                 # a symmetric direction
    df = (Av * dX).trace()
    Gu = instantiate(G, {}, {"A": Av})
    G_cookbook = Av + Av.T - sp.matrix_multiply_elementwise(Av, sp.eye(3))
    inner = lambda P, Q: sum(P[i] * Q[i] for i in range(9))           # noqa: E731
    assert inner(Gu, dX) == df
    assert inner((Gu + Gu.T) / 2, dX) == df
    assert inner(G_cookbook, dX) != df                                # the cookbook rule is wrong here


def test_gram_notes_matrix_printed_in_design():
    """DESIGN.md worked example: A 3×2, K = AᵀA under NOTES, entry by entry."""
    A = M("A", m, n)
    J = instantiate(closed_form(T(A) * A, A, NOTES).expr, {"m": 3, "n": 2})
    a = lambda i, j: sp.Symbol(f"A_{i}{j}", real=True)                # noqa: E731
    assert J.row(0) == sp.Matrix([[2 * a(1, 1), 0, 2 * a(2, 1), 0, 2 * a(3, 1), 0]])
    assert J.row(1) == J.row(2) == sp.Matrix([[a(1, 2), a(1, 1), a(2, 2), a(2, 1), a(3, 2), a(3, 1)]])
    assert J.row(3) == sp.Matrix([[0, 2 * a(1, 2), 0, 2 * a(2, 2), 0, 2 * a(3, 2)]])


def test_square_notes_formula_is_not_vec():
    """PERFORMANCE.md: the often-quoted (I⊗Aᵀ)K + (Aᵀ⊗I) is NOTES, not the column-major J."""
    A = M("A", n, n)
    quoted = Kron(I(n), T(A)) * K(n, n) + Kron(T(A), I(n))
    assert agrees(quoted, T(A) * A, A, "jacobian", NOTES, {"n": 3})
    assert not agrees(quoted, T(A) * A, A, "jacobian", VEC, {"n": 3})
