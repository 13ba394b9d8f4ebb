"""Repeated products, spectral radius and weight initialisation (NumPy; exact SymPy for k ≤ 4).

The study follows the blog post in ``shared/seeds``: for a k×k random A and a
random x, the norms ‖Aⁿx‖ grow or shrink geometrically and the quotient
qₙ = ‖Aⁿx‖/‖Aⁿ⁻¹x‖ tends to the spectral radius ρ(A) = max |λᵢ| — *when*
the dominant eigenvalue is a single real one (error ~ (|λ₂|/ρ)ⁿ).  When the
eigenvalues of largest modulus are a complex pair ρe^{±iθ}, or ±ρ, the
quotient oscillates for ever; the measures that still converge to ρ are the
root rate (‖Aⁿx‖/‖x‖)^{1/n} (error O(1/n)) and the slope of log‖Aⁿx‖ over
the tail (exp of a least-squares fit), reported as ``tail_rate``.

Initialisation schemes for a fan_out×fan_in weight matrix:

* ``standard``:        N(0, 1);
* ``xavier`` (normal): N(0, 2/(fan_in + fan_out)) — Glorot & Bengio;
* ``xavier_uniform``:  U(−a, a), a = √(6/(fan_in + fan_out)) (same variance);
* ``kaiming`` (He):    N(0, 2/fan_in);
* ``orthogonal``:      g·Q, Q the orthonormal factor of the QR decomposition of a Gaussian
  matrix with the signs of diag(R) made positive (Haar-distributed; Saxe et al.), gain g
  (default 1): every singular value is exactly g, so a square one has ρ = g, and a deep
  *linear* network of them has an input–output Jacobian whose singular values are all
  g^L — dynamical isometry for g = 1.

By the circular law the eigenvalues of a k×k matrix with iid entries of
variance s²/k fill the disc of radius s as k → ∞; so ρ → 1 under Xavier,
√2 under Kaiming, √k under the standard normal — while the eigenvalues of an
orthogonal g·Q all lie *on* the circle of radius g, for every k.

All randomness comes from ``numpy.random.default_rng(seed)``.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
import sympy as sp

from symjac import elementwise as registry
from symjac import progress
from symjac.errors import SymjacError

DEPTH_ACTIVATIONS = ("linear", "tanh")  # the activations of the default depth study
SCHEMES = ("standard", "xavier", "xavier_uniform", "kaiming", "orthogonal")
ORTHOGONAL_GAIN = 1.0  # the gain g of the study's orthogonal scheme (dynamical isometry)
SCHEME_LABELS = {
    "standard": "standard normal N(0, 1)",
    "xavier": "Xavier/Glorot normal N(0, 2/(fan_in+fan_out))",
    "xavier_uniform": "Xavier/Glorot uniform U(±√(6/(fan_in+fan_out)))",
    "kaiming": "Kaiming/He normal N(0, 2/fan_in)",
    "orthogonal": "scaled orthogonal g·Q (QR of a Gaussian, signs of diag R positive; g = 1: every singular value 1)",
}
_ALIASES = {"glorot": "xavier", "xavier_normal": "xavier", "glorot_uniform": "xavier_uniform",
            "he": "kaiming", "kaiming_normal": "kaiming", "normal": "standard", "orth": "orthogonal"}
EXACT_MAX_K = 4


# --- BLAS threads ---------------------------------------------------------------------

@contextlib.contextmanager
def one_blas_thread():
    """Run many small eigen-solves on one BLAS thread (restored afterwards, via threadpoolctl).

    Multi-threaded OpenBLAS on a busy 2-core machine made a 256×256 ``eigvals``
    7× slower than single-threaded; the study does hundreds of them.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


# --- input checks -------------------------------------------------------------------

def positive_int(what: str, n, limit: int | None = None) -> int:
    """n as an int ≥ 1 (and ≤ ``limit`` when given), else a one-line SymjacError."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SymjacError(f"{what} must be a positive integer, got {n!r}")
    if limit is not None and n > limit:
        raise SymjacError(f"{what} must be at most {limit}, got {n}")
    return int(n)


# Limits of init_study (and so of `symjac init-study`): each keeps one run within memory and
# minutes; the work limits bound the two loops whose cost is a product of parameters.
LIMITS = {
    "k": 2000,              # the k×k matrix A of the power run (one eigen-solve)
    "steps": 10_000,        # products A^n x
    "depth": 200,           # layers of the depth study
    "width": 1024,          # width of the depth study's networks
    "seeds": 200,           # seeds per size of the circular law (and of the depth study)
    "ks": 1000,             # largest matrix size of the circular law
    "ks_count": 12,         # number of circular-law sizes
}
CIRCULAR_WORK_MAX = 5e10    # Σ k³ × seeds over --ks (the default study: 1.5e9)
DEPTH_WORK_MAX = 2e11       # width³ × depth × seeds × schemes × activations (the default: 3e8)


def _check_work(ks, n_seeds, width, depth, depth_seeds) -> None:
    circular = sum(float(k) ** 3 for k in ks) * n_seeds
    if circular > CIRCULAR_WORK_MAX:
        raise SymjacError(f"the circular law over ks = {','.join(map(str, ks))} with {n_seeds} seeds is too large "
                          f"(Σ k³ × seeds = {circular:.2g}, limit {CIRCULAR_WORK_MAX:.0e}): use fewer or smaller ks "
                          "or fewer seeds")
    work = float(width) ** 3 * depth * depth_seeds * len(SCHEMES) * len(DEPTH_ACTIVATIONS)
    if work > DEPTH_WORK_MAX:
        raise SymjacError(f"the depth study at width {width}, depth {depth} is too large (width³ × depth × seeds × "
                          f"runs = {work:.2g}, limit {DEPTH_WORK_MAX:.0e}): lower the width or the depth")


def scheme_name(scheme: str) -> str:
    """The canonical scheme name (accepts glorot/he/xavier_normal aliases)."""
    key = str(scheme).lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in SCHEMES:
        raise SymjacError(f"unknown initialisation scheme {scheme!r}: choose one of {', '.join(SCHEMES)}")
    return key


# --- initialisation ---------------------------------------------------------------

def scheme_variance(scheme: str, fan_in: int, fan_out: int, gain: float = ORTHOGONAL_GAIN) -> float:
    """Variance of one entry of a fan_out×fan_in matrix under ``scheme`` (``gain`` only for orthogonal:
    g²/max(fan_in, fan_out), the squared norm g² of a unit row or column spread over its entries)."""
    scheme = scheme_name(scheme)
    if scheme == "standard":
        return 1.0
    if scheme in ("xavier", "xavier_uniform"):
        return 2.0 / (fan_in + fan_out)
    if scheme == "orthogonal":
        return float(gain) ** 2 / max(fan_in, fan_out)
    return 2.0 / fan_in


def orthogonal_matrix(rows: int, cols: int, gain: float = ORTHOGONAL_GAIN, rng=None) -> np.ndarray:
    """g·Q, rows×cols, with orthonormal columns (rows ≥ cols) or rows (rows < cols): every singular value g.

    Q is the QR factor of an n×m standard Gaussian (n = max, m = min of the sizes) with each
    column multiplied by the sign of R's diagonal entry, which makes Q Haar-distributed
    (without it QR's sign convention biases the distribution); transposed when rows < cols.
    """
    rows, cols = positive_int("rows", rows), positive_int("cols", cols)
    if isinstance(gain, bool) or not isinstance(gain, (int, float, np.floating)) or not (0 < gain < math.inf):
        raise SymjacError(f"the gain of an orthogonal initialisation must be a positive number, got {gain!r}")
    rng = np.random.default_rng(rng)
    n, m = max(rows, cols), min(rows, cols)
    Q, R = np.linalg.qr(rng.normal(size=(n, m)))
    signs = np.sign(np.diag(R))
    Q = Q * np.where(signs == 0, 1.0, signs)
    return float(gain) * (Q if rows >= cols else Q.T)


def init_matrix(rows: int, cols: int, scheme: str = "standard", rng=None,
                gain: float = ORTHOGONAL_GAIN) -> np.ndarray:
    """A rows×cols weight matrix (fan_out = rows, fan_in = cols) drawn under ``scheme``
    (``gain``: the g of the orthogonal scheme; the others ignore it)."""
    rows, cols = positive_int("rows", rows), positive_int("cols", cols)
    scheme = scheme_name(scheme)
    rng = np.random.default_rng(rng)
    if scheme == "orthogonal":
        return orthogonal_matrix(rows, cols, gain, rng)
    var = scheme_variance(scheme, cols, rows)
    if scheme == "xavier_uniform":
        a = math.sqrt(3.0 * var)
        return rng.uniform(-a, a, size=(rows, cols))
    return rng.normal(0.0, math.sqrt(var), size=(rows, cols))


def circular_law_limit(k: int, scheme: str) -> float:
    """The radius √(k·var) of the disc the eigenvalues of a k×k matrix fill (k → ∞); for the orthogonal
    scheme the radius g of the circle its eigenvalues lie on, at every k."""
    return math.sqrt(k * scheme_variance(scheme, k, k))  # orthogonal: √(k·g²/k) = g


# --- eigenvalues -------------------------------------------------------------------

def eigenvalues(A) -> np.ndarray:
    """Eigenvalues of a square matrix (NumPy), sorted by modulus, largest first."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise SymjacError(f"eigenvalues need a square matrix, got shape {A.shape}")
    ev = np.linalg.eigvals(A)
    return ev[np.argsort(-np.abs(ev), kind="stable")]


def exact_eigenvalues(A) -> list[sp.Expr]:
    """Exact eigenvalues of a k×k matrix, k ≤ 4, with multiplicity (SymPy radicals, else CRootOf).

    Float entries are converted exactly (``Rational(float)``), so the result is
    exact for the matrix the floats represent.  Sorted by modulus, largest first.
    """
    M = A if isinstance(A, sp.MatrixBase) else sp.Matrix(
        [[sp.Rational(float(v)) if not isinstance(v, (int, np.integer)) else sp.Integer(int(v))
          for v in row] for row in np.asarray(A).tolist()])
    if M.rows != M.cols:
        raise SymjacError(f"eigenvalues need a square matrix, got {M.rows}x{M.cols}")
    if M.rows > EXACT_MAX_K:
        raise SymjacError(f"exact eigenvalues only for k <= {EXACT_MAX_K}, got k = {M.rows}; use eigenvalues()")
    lam = sp.Symbol("lambda")  # (a Dummy here makes all_roots() return [] in SymPy 1.14)
    poly = sp.Poly(M.charpoly(lam).as_expr(), lam)
    roots = sp.roots(poly, multiple=True)  # radicals: fast even for huge rational coefficients
    if len(roots) != poly.degree():
        roots = poly.all_roots()  # CRootOf: exact, always complete
    return sorted(roots, key=lambda r: -abs(complex(r.evalf(30))))


def spectral_radius(A) -> float:
    """ρ(A) = max |λᵢ|."""
    return float(np.abs(eigenvalues(A)[0]))


@dataclass(frozen=True)
class Dominance:
    """What the eigenvalues of largest modulus look like.

    kind: ``"real"`` (one real λ₁ — the quotient converges to ρ),
    ``"complex_pair"`` (ρe^{±iθ} — the quotient oscillates), ``"plus_minus"``
    (±ρ — the quotient alternates), ``"repeated"`` (one value of multiplicity
    > 1 — converges, O(1/n)), ``"several"`` (any other tie — oscillates).
    gap: |λ₂|/ρ for the largest eigenvalue outside the dominant set (0 if none).
    """

    kind: str
    radius: float
    count: int
    gap: float
    angle: float  # arg λ₁ in radians (0 or π for real)

    @property
    def quotient_converges(self) -> bool:
        return self.kind in ("real", "repeated")


def dominance(ev, rtol: float = 1e-8) -> Dominance:
    """Classify the dominant eigenvalues of ``ev`` (moduli within ``rtol``·ρ count as ties)."""
    ev = np.asarray(ev, dtype=complex)
    ev = ev[np.argsort(-np.abs(ev), kind="stable")]
    rho = float(abs(ev[0]))
    if rho == 0.0:
        return Dominance("repeated", 0.0, len(ev), 0.0, 0.0)
    top = ev[np.abs(ev) >= rho * (1 - rtol)]
    rest = ev[np.abs(ev) < rho * (1 - rtol)]
    gap = float(abs(rest[0]) / rho) if len(rest) else 0.0
    angle = float(np.angle(top[0]))
    is_real = np.abs(top.imag) <= rtol * rho
    if len(top) == 1:
        kind = "real"
    elif np.all(np.abs(top - top[0]) <= rtol * rho):
        kind = "repeated"
    elif len(top) == 2 and not is_real.any() and abs(top[0] - np.conj(top[1])) <= rtol * rho:
        kind = "complex_pair"
        angle = float(abs(np.angle(top[0])))
    elif is_real.all() and np.any(top.real > 0) and np.any(top.real < 0) and len(top) == 2:
        kind = "plus_minus"
    else:
        kind = "several"
    return Dominance(kind, rho, int(len(top)), gap, angle)


# --- repeated products ---------------------------------------------------------------

@dataclass
class PowerRun:
    """‖Aⁿx‖ for n = 0..steps, with the quotient and the measures that converge to ρ.

    log10_norms[n] = log10 ‖Aⁿx‖ (kept in logs: no overflow);
    quotients[n-1] = ‖Aⁿx‖/‖Aⁿ⁻¹x‖, n = 1..steps;
    root_rate[n-1] = (‖Aⁿx‖/‖x‖)^{1/n};
    tail_rate = exp(slope of ln‖Aⁿx‖ over the last half of the run).
    """

    log10_norms: list[float]
    quotients: list[float]
    root_rate: list[float]
    tail_rate: float

    @property
    def final_quotient(self) -> float:
        return self.quotients[-1]

    def oscillation(self, fraction: float = 0.25) -> float:
        """max − min of the quotient over the last ``fraction`` of the run (0 when it has settled)."""
        tail = self.quotients[-max(2, int(len(self.quotients) * fraction)):]
        return float(max(tail) - min(tail))


def power_run(A, x, steps: int) -> PowerRun:
    """Apply A to x ``steps`` times, renormalising each step (norms are exact, kept as logs)."""
    steps = positive_int("steps", steps)
    A = np.asarray(A, dtype=float)
    v = np.asarray(x, dtype=float).reshape(-1)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[1] != v.shape[0]:
        raise SymjacError(f"need a square A and a matching x, got A {A.shape} and x of length {v.shape[0]}")
    n0 = float(np.linalg.norm(v))
    if n0 == 0.0:
        raise SymjacError("the starting vector x is zero")
    log_norm = math.log(n0)
    logs, quotients = [log_norm], []
    v = v / n0
    for _ in range(steps):
        w = A @ v
        q = float(np.linalg.norm(w))
        quotients.append(q)
        if q == 0.0:  # nilpotent direction: every later norm is 0
            log_norm = -math.inf
            v = w
        else:
            log_norm += math.log(q)
            v = w / q
        logs.append(log_norm)
    logs_arr = np.array(logs)
    root = [float(math.exp((logs[n] - logs[0]) / n)) if np.isfinite(logs[n]) else 0.0
            for n in range(1, steps + 1)]
    half = max(1, steps // 2)
    ns = np.arange(half, steps + 1)
    tail = logs_arr[half:]
    if np.all(np.isfinite(tail)) and len(ns) >= 2:
        tail_rate = float(math.exp(np.polyfit(ns, tail, 1)[0]))
    else:
        tail_rate = 0.0 if not np.all(np.isfinite(tail)) else quotients[-1]
    return PowerRun([float(l / math.log(10)) for l in logs], quotients, root, tail_rate)


def matrix_with_eigenvalues(values: Sequence[complex], rng=None) -> np.ndarray:
    """A real k×k V B V⁻¹ whose eigenvalues are ``values`` (complex ones must come in conjugate pairs).

    B is block diagonal: a real λ gives [λ], a pair a ± ib gives [[a, −b], [b, a]]; V is
    random Gaussian.
    """
    rng = np.random.default_rng(rng)
    vals = list(values)
    blocks, used = [], [False] * len(vals)
    for i, lam in enumerate(vals):
        if used[i]:
            continue
        lam = complex(lam)
        used[i] = True
        if abs(lam.imag) < 1e-15:
            blocks.append(np.array([[lam.real]]))
            continue
        j = next((j for j in range(i + 1, len(vals)) if not used[j] and abs(complex(vals[j]) - lam.conjugate()) < 1e-12), None)
        if j is None:
            raise SymjacError(f"complex eigenvalue {lam} needs its conjugate in the list")
        used[j] = True
        blocks.append(np.array([[lam.real, -lam.imag], [lam.imag, lam.real]]))
    k = sum(b.shape[0] for b in blocks)
    B = np.zeros((k, k))
    pos = 0
    for b in blocks:
        B[pos:pos + b.shape[0], pos:pos + b.shape[0]] = b
        pos += b.shape[0]
    V = rng.normal(size=(k, k)) + 2 * np.eye(k)
    return V @ B @ np.linalg.inv(V)


def example_cases(seed: int = 0) -> dict[str, np.ndarray]:
    """Three 5×5 matrices, one per behaviour of the quotient (seeded)."""
    return {
        "dominant real eigenvalue": matrix_with_eigenvalues([2.0, 1.5, -1.2, 0.8, 0.3], seed),
        "complex pair ρe^(±iθ), θ = 1": matrix_with_eigenvalues(
            [2 * complex(math.cos(1.0), math.sin(1.0)), 2 * complex(math.cos(1.0), -math.sin(1.0)), 1.5, -1.0, 0.5], seed),
        "two real ±ρ": matrix_with_eigenvalues([2.0, -2.0, 1.0, 0.5, -0.4], seed),
    }


def describe_run(A, x, steps: int) -> dict:
    """Eigenvalues, dominance and power-run measures for A, as JSON-ready numbers."""
    ev = eigenvalues(A)
    dom = dominance(ev)
    run = power_run(A, x, steps)
    return {
        "eigenvalues": [[float(z.real), float(z.imag)] for z in ev],
        "spectral_radius": dom.radius,
        "dominance": asdict(dom),
        "quotient_converges": dom.quotient_converges,
        "log10_norms": run.log10_norms,
        "quotients": run.quotients,
        "root_rate": run.root_rate,
        "tail_rate": run.tail_rate,
        "final_quotient": run.final_quotient,
        "quotient_oscillation": run.oscillation(),
    }


# --- the circular law -----------------------------------------------------------------

def radius_samples(k: int, scheme: str, seeds: Sequence[int]) -> np.ndarray:
    """ρ of a k×k ``scheme`` matrix for each seed."""
    k = positive_int("k", k)
    with one_blas_thread():
        return np.array([spectral_radius(init_matrix(k, k, scheme, np.random.default_rng(s))) for s in seeds])


def circular_law(ks: Sequence[int], schemes: Sequence[str] = SCHEMES, n_seeds: int = 20, seed: int = 0) -> dict:
    """Spectral radius over ``n_seeds`` seeds for each k and scheme.

    Returns {"ks", "n_seeds", "schemes": {scheme: {"mean", "std", "min", "max", "limit"}}}
    where limit[k] = √(k·var) is the circular-law radius.
    """
    ks = [positive_int("k", k) for k in ks]
    n_seeds = positive_int("number of seeds", n_seeds)
    seeds = [seed * 100_003 + i for i in range(n_seeds)]
    out = {"ks": ks, "n_seeds": n_seeds, "schemes": {}}
    schemes = [scheme_name(s) for s in schemes]
    # The normal schemes differ only by the scale √var (numpy's normal(0, σ) is σ·standard_normal
    # for the same generator state), and ρ(σG) = σρ(G): one eigen-solve serves all three.
    normal_rho = {k: radius_samples(k, "standard", seeds) for k in ks} if any(
        s not in ("xavier_uniform", "orthogonal") for s in schemes) else {}
    for sch in schemes:
        if sch in ("xavier_uniform", "orthogonal"):
            rows = [radius_samples(k, sch, seeds) for k in ks]
        else:
            rows = [normal_rho[k] * math.sqrt(scheme_variance(sch, k, k)) for k in ks]
        out["schemes"][sch] = {
            "mean": [float(r.mean()) for r in rows],
            "std": [float(r.std()) for r in rows],
            "min": [float(r.min()) for r in rows],
            "max": [float(r.max()) for r in rows],
            "limit": [circular_law_limit(k, sch) for k in ks],
        }
    return out


# --- deep network Jacobians at initialisation ----------------------------------------

def _activation(name: str):
    """(f, f′) in NumPy: ``linear`` or any function of the registry (symjac.elementwise)."""
    if name == "linear":
        return (lambda z: z), (lambda z: np.ones_like(z))
    if name not in registry.REGISTRY:
        raise SymjacError(f"unknown activation {name!r}: choose linear or one of {', '.join(registry.REGISTRY)}")
    d = registry.get(name)
    return d.numpy, d.numpy_derivative


def jacobian_vs_depth(width: int, max_depth: int, scheme: str, activation: str = "linear",
                      n_seeds: int = 5, seed: int = 0) -> dict:
    """Singular values of ∂a⁽ᴸ⁾/∂x = D_L W_L ⋯ D_1 W_1 (width×width, biases 0) for L = 1..max_depth.

    x ~ N(0, I); W_l drawn under ``scheme``.  Per depth, averaged over seeds of
    log10: ``sigma_max``, ``rms`` (‖J‖_F/√width), ``sigma_median`` (the middle
    singular value) and ``sigma_min``.  The product is renormalised each layer (the
    scale is kept as a log, so no overflow); a value below 1e-13·σ_max is beyond
    what float64 resolves and is reported as None.
    """
    width = positive_int("width", width)
    max_depth = positive_int("depth", max_depth)
    scheme = scheme_name(scheme)
    f, fprime = _activation(activation)
    smax = np.zeros((n_seeds, max_depth))
    rms = np.zeros((n_seeds, max_depth))
    smin = np.zeros((n_seeds, max_depth))
    smed = np.zeros((n_seeds, max_depth))
    for s in range(n_seeds):
        rng = np.random.default_rng([seed, s])
        a = rng.normal(size=(width, 1))
        J, log_scale = np.eye(width), 0.0
        for l in range(max_depth):
            W = init_matrix(width, width, scheme, rng)
            z = W @ a
            a = f(z)
            J = fprime(z) * (W @ J)  # diag(σ′(z)) W J
            nrm = np.linalg.norm(J)
            if nrm == 0.0:
                smax[s, l:] = rms[s, l:] = smin[s, l:] = smed[s, l:] = -np.inf
                break
            J /= nrm
            log_scale += math.log10(nrm)
            sv = np.linalg.svd(J, compute_uv=False)
            smax[s, l] = log_scale + math.log10(sv[0])
            rms[s, l] = log_scale + math.log10(1.0 / math.sqrt(width))  # ‖J‖_F = 1 after rescaling
            lo, mid = sv[-1], sv[len(sv) // 2]
            smin[s, l] = log_scale + math.log10(lo) if lo > 1e-13 * sv[0] else np.nan
            smed[s, l] = log_scale + math.log10(mid) if mid > 1e-13 * sv[0] else np.nan
    smin_mean, smed_mean = smin.mean(axis=0), smed.mean(axis=0)  # NaN where any seed is unresolved
    return {
        "depths": list(range(1, max_depth + 1)),
        "log10_sigma_max": [float(v) for v in smax.mean(axis=0)],
        "log10_rms": [float(v) for v in rms.mean(axis=0)],
        "log10_sigma_median": [None if np.isnan(v) else float(v) for v in smed_mean],
        "log10_sigma_min": [None if np.isnan(v) else float(v) for v in smin_mean],
    }


def depth_study(width: int, max_depth: int, schemes: Sequence[str] = SCHEMES,
                activations: Sequence[str] = DEPTH_ACTIVATIONS, n_seeds: int = 5, seed: int = 0) -> dict:
    """{activation: {scheme: jacobian_vs_depth(...)}} plus the parameters."""
    with one_blas_thread():
        curves = {act: {sch: jacobian_vs_depth(width, max_depth, sch, act, n_seeds, seed) for sch in schemes}
                  for act in activations}
    return {"width": width, "max_depth": max_depth, "n_seeds": n_seeds, "curves": curves}


def classify_trend(log10_values: Sequence[float], depth_span: int, per_layer_tol: float = 0.01) -> str:
    """"exploding" / "vanishing" / "stable" from the mean per-layer change of a log10 curve."""
    vals = [v for v in log10_values if v is not None and np.isfinite(v)]
    if len(vals) < 2:
        return "vanishing"
    slope = (vals[-1] - vals[0]) / max(1, depth_span - 1)
    if slope > per_layer_tol:
        return "exploding"
    if slope < -per_layer_tol:
        return "vanishing"
    return "stable"


# --- the whole study ----------------------------------------------------------------------

def init_study(k: int = 5, steps: int = 50, scheme: str = "standard", depth: int = 30, seed: int = 0,
               width: int = 64, ks: Sequence[int] = (10, 25, 50, 100, 200, 400), n_seeds: int = 20,
               depth_seeds: int = 5) -> dict:
    """Run every part of the study; a JSON-ready dict (see ``symjac init-study``).

    power: A (k×k, ``scheme``) and x ~ N(0, I_k) from ``seed``; cases: the three
    quotient behaviours; circular_law: ρ over seeds and ``ks``; depth: the
    input–output Jacobian of width×width networks for L = 1..depth.
    """
    k, steps = positive_int("k", k, LIMITS["k"]), positive_int("steps", steps, LIMITS["steps"])
    depth, width = positive_int("depth", depth, LIMITS["depth"]), positive_int("width", width, LIMITS["width"])
    n_seeds = positive_int("seeds", n_seeds, LIMITS["seeds"])
    depth_seeds = positive_int("depth seeds", depth_seeds, LIMITS["seeds"])
    ks = [positive_int("each of ks", v, LIMITS["ks"]) for v in ks]
    if not ks or len(ks) > LIMITS["ks_count"]:
        raise SymjacError(f"ks must list 1 to {LIMITS['ks_count']} matrix sizes, got {len(ks)}")
    scheme = scheme_name(scheme)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SymjacError(f"seed must be a non-negative integer, got {seed!r}")
    _check_work(ks, n_seeds, width, depth, depth_seeds)
    progress.note(f"init-study [1/4] repeated products A^n x: k = {k}, {steps} steps")
    rng = np.random.default_rng(seed)
    A = init_matrix(k, k, scheme, rng)
    x = rng.normal(size=k)
    power = describe_run(A, x, steps)
    power.update({"k": k, "scheme": scheme, "matrix": A.tolist(), "x": x.tolist()})
    if k <= EXACT_MAX_K:
        ex = exact_eigenvalues(A)
        power["exact_eigenvalues"] = [sp.latex(e) if len(sp.latex(e)) < 200 else str(sp.N(e, 15)) for e in ex]
    x5 = np.random.default_rng(seed).normal(size=5)
    cases = {name: describe_run(M, x5, steps) for name, M in example_cases(seed).items()}
    big = max(ks)
    G = init_matrix(big, big, "xavier", np.random.default_rng([seed, big]))
    Q = init_matrix(big, big, "orthogonal", np.random.default_rng([seed, big]))
    circle = {"k": big, "scheme": "xavier", "eigenvalues": [[float(z.real), float(z.imag)] for z in eigenvalues(G)],
              "orthogonal_eigenvalues": [[float(z.real), float(z.imag)] for z in eigenvalues(Q)],
              "orthogonal_gain": ORTHOGONAL_GAIN}
    progress.note(f"init-study [2/4] the circular law: {len(ks)} sizes up to k = {big}, {n_seeds} seeds, "
                  f"{len(SCHEMES)} schemes")
    law = circular_law(ks, SCHEMES, n_seeds, seed)
    progress.note(f"init-study [3/4] network Jacobians against depth: width {width}, L = 1..{depth}, "
                  f"{len(SCHEMES) * len(DEPTH_ACTIVATIONS)} networks")
    deep = depth_study(width, depth, SCHEMES, DEPTH_ACTIVATIONS, depth_seeds, seed)
    return {
        "parameters": {"k": k, "steps": steps, "scheme": scheme, "depth": depth, "seed": seed,
                       "width": width, "ks": list(ks), "n_seeds": n_seeds, "depth_seeds": depth_seeds},
        "power": power,
        "cases": cases,
        "circular_law": law,
        "circle": circle,
        "depth": deep,
    }


__all__ = [
    "SCHEMES",
    "SCHEME_LABELS",
    "scheme_name",
    "scheme_variance",
    "init_matrix",
    "orthogonal_matrix",
    "ORTHOGONAL_GAIN",
    "circular_law_limit",
    "eigenvalues",
    "exact_eigenvalues",
    "spectral_radius",
    "Dominance",
    "dominance",
    "PowerRun",
    "power_run",
    "matrix_with_eigenvalues",
    "example_cases",
    "describe_run",
    "radius_samples",
    "circular_law",
    "jacobian_vs_depth",
    "depth_study",
    "classify_trend",
    "init_study",
    "LIMITS",
    "positive_int",
]
