"""Feed-forward networks as explicit SymPy expressions, and their derivatives.

A network with sizes (n₀, n₁, …, n_L) and per-layer activations σ_l is

    z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   a⁽ˡ⁾ = σ_l(z⁽ˡ⁾),   a⁽⁰⁾ = x,

with W⁽ˡ⁾ = ``matrix("W<l>", n_l, n_{l-1})`` (entries ``W1_11``…), b⁽ˡ⁾ =
``vector("b<l>", n_l)``, input ``vector("x", n₀)`` and target ``vector("y", n_L)``.
Losses (scalars):

* ``"squared"``:        L = ½‖a⁽ᴸ⁾ − y‖²,                ∂L/∂a⁽ᴸ⁾ = a⁽ᴸ⁾ − y;
* ``"cross_entropy"``:  L = −Σᵢ yᵢ log softmax(a⁽ᴸ⁾)ᵢ,   ∂L/∂a⁽ᴸ⁾ = (Σᵢ yᵢ)·softmax(a⁽ᴸ⁾) − y
  (= p − y for a one-hot or probability target; use ``"identity"`` as the last
  activation to put the softmax on the logits z⁽ᴸ⁾).

Derivatives, all under ``VEC`` (numerator layout, column-first):

* :meth:`Network.layer_jacobians` — ∂a⁽ˡ⁾/∂a⁽ˡ⁻¹⁾ = diag(σ_l′(z⁽ˡ⁾)) W⁽ˡ⁾, n_l×n_{l−1};
* :meth:`Network.input_jacobian` — their product J_L ⋯ J_1 (n_L×n₀), by
  :func:`chain`, which checks shapes and orders before multiplying;
* :meth:`Network.weight_jacobian` — ∂a⁽ᴸ⁾/∂vec W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ ⊗ (J_L⋯J_{l+1} D_l), n_L×(n_l n_{l−1});
* :meth:`Network.backprop` — the δ recursion (closed form in :data:`BACKPROP_LATEX`)
  evaluated explicitly: ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ, ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾, in the shapes of W⁽ˡ⁾, b⁽ˡ⁾.

:func:`verify_backprop` / :func:`verify_input_jacobian` compare with the brute-force
sparse engine (:func:`symjac.calculus.explicit`, :func:`symjac.gradient`) exactly and with
central finite differences of an independent NumPy forward pass;
:func:`jax_check` adds JAX when it is installed (optional, never required).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from symjac.conventions import VEC, Convention
from symjac.errors import ConventionError, ShapeError, SymjacError
from symjac import elementwise as registry
from symjac.blocks import ACTIVATIONS, affine, matmul
from symjac.calculus.explicit import gradient, jacobian
from symjac.symbols import exactly_equal, matrix, vector
from symjac import verification as _verification

LOSSES = ("squared", "cross_entropy")

#: The backprop recursion in closed form (any sizes), as LaTeX lines.
BACKPROP_LATEX = (
    r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \quad a^{(l)} = \sigma_l\!\left(z^{(l)}\right), \quad a^{(0)} = x",
    r"\delta^{(L)} = \sigma_L'\!\left(z^{(L)}\right) \odot \frac{\partial \mathcal{L}}{\partial a^{(L)}}",
    r"\delta^{(l)} = \sigma_l'\!\left(z^{(l)}\right) \odot \left(W^{(l+1)\top} \delta^{(l+1)}\right), \quad l = L-1, \dots, 1",
    r"\frac{\partial \mathcal{L}}{\partial W^{(l)}} = \delta^{(l)} a^{(l-1)\top}, \quad "
    r"\frac{\partial \mathcal{L}}{\partial b^{(l)}} = \delta^{(l)}",
    r"\frac{\partial a^{(L)}}{\partial x} = \operatorname{diag}\!\left(\sigma_L'(z^{(L)})\right) W^{(L)} \cdots "
    r"\operatorname{diag}\!\left(\sigma_1'(z^{(1)})\right) W^{(1)} \quad (\text{VEC})",
)


# --- activations: symbolic derivative and NumPy twins -------------------------

def _sym_derivative(name: str, z):
    """σ′(z) as the sparse engine builds it (the registry's derivative, in terms of the node)."""
    if name == "identity":
        return sp.S.One
    d = registry.get(name)
    node = ACTIVATIONS[name](z)
    return d.derivative(node, z, *node.args[1:]) if registry.of(node) is d else sp.diff(node, z)


def _np_activation(name: str) -> Callable:
    """σ in NumPy (float64), independently of SymPy: the registry's implementation, or identity."""
    return (lambda z: z) if name == "identity" else registry.get(name).numpy


# --- the chain rule as a checked matrix product ---------------------------------

@dataclass(frozen=True)
class Factor:
    """One Jacobian in a chain: ``matrix`` is ∂out/∂in under ``convention``.

    ``out_shape``/``in_shape`` are the shapes of the (unflattened) output and input.
    """

    label: str
    matrix: sp.MatrixBase
    out_shape: tuple[int, int]
    in_shape: tuple[int, int]
    convention: Convention = VEC


def chain(factors: Sequence[Factor]) -> sp.ImmutableMatrix:
    """J_{f_k∘…∘f_1} = J_k ⋯ J_1 for factors listed outermost first.

    Checks, for each adjacent pair, numerator layout, that the inner factor's
    output shape is the outer's input shape, and that the outer's input order
    equals the inner's output order (the condition under which the chain rule
    is a matrix product); raises ShapeError / ConventionError naming the pair.
    """
    if not factors:
        raise SymjacError("chain needs at least one Jacobian")
    for f in factors:
        if f.convention.layout != "numerator":
            raise ConventionError(f"{f.label}: the chain rule as J_f J_g needs numerator layout")
        rows, cols = f.out_shape[0] * f.out_shape[1], f.in_shape[0] * f.in_shape[1]
        if f.matrix.shape != (rows, cols):
            raise ShapeError(f"{f.label}: Jacobian is {f.matrix.rows}x{f.matrix.cols}, expected {rows}x{cols}")
    for outer, inner in zip(factors, factors[1:]):
        if outer.in_shape != inner.out_shape:
            raise ShapeError(
                f"{outer.label} takes a {outer.in_shape[0]}x{outer.in_shape[1]} input but "
                f"{inner.label} gives {inner.out_shape[0]}x{inner.out_shape[1]}"
            )
        is_vector = 1 in inner.out_shape
        if not is_vector and outer.convention.inputs != inner.convention.outputs:
            raise ConventionError(
                f"{outer.label} flattens its input {outer.convention.inputs}-first but "
                f"{inner.label} flattens its output {inner.convention.outputs}-first"
            )
    J = factors[-1].matrix
    for f in reversed(factors[:-1]):
        J = matmul(f.matrix, J)
    return sp.ImmutableMatrix(J)


# --- the network ------------------------------------------------------------------

@dataclass(frozen=True)
class Layer:
    """A dense layer n_in → n_out with a named activation."""

    n_in: int
    n_out: int
    activation: str = "tanh"


def _check_sizes(sizes) -> tuple[int, ...]:
    sizes = tuple(sizes)
    if len(sizes) < 2:
        raise SymjacError("a network needs at least one layer (depth 0 given): give sizes n0, n1, ...")
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise SymjacError(f"layer sizes must be positive integers, got {n!r}")
    return tuple(int(n) for n in sizes)


@dataclass
class Network:
    """A feed-forward network with explicit symbolic parameters (see module docstring)."""

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str = "squared"
    x: sp.ImmutableMatrix = field(init=False)
    y: sp.ImmutableMatrix = field(init=False)
    W: list = field(init=False)  # W[l-1] is W⁽ˡ⁾, n_l × n_{l−1}
    b: list = field(init=False)  # b[l-1] is b⁽ˡ⁾, n_l × 1

    def __post_init__(self):
        self.sizes = _check_sizes(self.sizes)
        L = len(self.sizes) - 1
        if len(self.activations) != L:
            raise SymjacError(f"{L} layers but {len(self.activations)} activations")
        for a in self.activations:
            if a not in ACTIVATIONS:
                raise SymjacError(f"unknown activation {a!r}: choose one of {', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise SymjacError(f"unknown loss {self.loss!r}: choose one of {', '.join(LOSSES)}")
        self.x = vector("x", self.sizes[0])
        self.y = vector("y", self.sizes[-1])
        self.W = [matrix(f"W{l}", self.sizes[l], self.sizes[l - 1]) for l in range(1, L + 1)]
        self.b = [vector(f"b{l}", self.sizes[l]) for l in range(1, L + 1)]
        self._forward = None

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def parameters(self) -> list[sp.ImmutableMatrix]:
        """[W⁽¹⁾, b⁽¹⁾, W⁽²⁾, b⁽²⁾, …] in this order."""
        return [p for Wb in zip(self.W, self.b) for p in Wb]

    def forward(self) -> tuple[list, list]:
        """(zs, activations): zs[l-1] = z⁽ˡ⁾ and acts[l] = a⁽ˡ⁾ (acts[0] = x), nested in x, W, b."""
        if self._forward is None:
            acts, zs = [self.x], []
            for W, b, name in zip(self.W, self.b, self.activations):
                z = affine(W, acts[-1], b)
                zs.append(z)
                acts.append(z.applyfunc(ACTIVATIONS[name]))
            self._forward = (zs, acts)
        return self._forward

    def output(self) -> sp.ImmutableMatrix:
        """a⁽ᴸ⁾, n_L×1."""
        return self.forward()[1][-1]

    def loss_expr(self) -> sp.Expr:
        """The scalar loss L(x, y, W, b) (see module docstring)."""
        a = self.output()
        if self.loss == "squared":
            return sp.Rational(1, 2) * sp.Add(*[(a[i] - self.y[i]) ** 2 for i in range(a.rows)])
        lse = sp.log(sp.Add(*[sp.exp(a[i]) for i in range(a.rows)]))
        return -sp.Add(*[self.y[i] * (a[i] - lse) for i in range(a.rows)])

    def loss_gradient_output(self) -> sp.ImmutableMatrix:
        """∂L/∂a⁽ᴸ⁾, n_L×1."""
        a = self.output()
        if self.loss == "squared":
            return sp.ImmutableMatrix(a - self.y)
        exps = [sp.exp(a[i]) for i in range(a.rows)]
        total, ysum = sp.Add(*exps), sp.Add(*self.y)
        return sp.ImmutableMatrix(a.rows, 1, [ysum * e / total - self.y[i] for i, e in enumerate(exps)])

    def sigma_prime(self, l: int) -> sp.ImmutableMatrix:
        """σ_l′(z⁽ˡ⁾), n_l×1 (l is 1-based)."""
        z = self.forward()[0][l - 1]
        return z.applyfunc(lambda zi: _sym_derivative(self.activations[l - 1], zi))

    def layer_jacobians(self) -> list[Factor]:
        """Per-layer J_l = ∂a⁽ˡ⁾/∂a⁽ˡ⁻¹⁾ = diag(σ_l′(z⁽ˡ⁾)) W⁽ˡ⁾ under VEC, outermost (l = L) first."""
        out = []
        for l in range(self.depth, 0, -1):
            D = sp.diag(*self.sigma_prime(l))
            out.append(Factor(f"J{l} = diag(sigma'(z{l})) W{l}", matmul(D, self.W[l - 1]),
                              (self.sizes[l], 1), (self.sizes[l - 1], 1)))
        return out

    def input_jacobian(self) -> sp.ImmutableMatrix:
        """∂a⁽ᴸ⁾/∂x = J_L ⋯ J_1, n_L×n₀ (VEC), by the checked chain rule."""
        return chain(self.layer_jacobians())

    def weight_jacobian(self, l: int) -> sp.ImmutableMatrix:
        """∂a⁽ᴸ⁾/∂vec W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ ⊗ (J_L ⋯ J_{l+1} D_l), n_L × (n_l n_{l−1}) under VEC."""
        self._check_layer(l)
        acts = self.forward()[1]
        D = sp.diag(*self.sigma_prime(l))
        facs = self.layer_jacobians()[: self.depth - l]
        upstream = chain(facs) if facs else sp.eye(self.sizes[-1])
        return sp.ImmutableMatrix(sp.kronecker_product(acts[l - 1].T, matmul(upstream, D)))

    def deltas(self) -> list[sp.ImmutableMatrix]:
        """δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ by the backprop recursion; deltas[l-1] = δ⁽ˡ⁾, n_l×1."""
        L = self.depth
        delta = sp.ImmutableMatrix(sp.matrix_multiply_elementwise(self.sigma_prime(L), self.loss_gradient_output()))
        out = [delta]
        for l in range(L - 1, 0, -1):
            back = matmul(self.W[l].T, delta)
            delta = sp.ImmutableMatrix(sp.matrix_multiply_elementwise(self.sigma_prime(l), back))
            out.append(delta)
        return out[::-1]

    def backprop(self) -> dict[str, sp.ImmutableMatrix]:
        """{"W1": ∂L/∂W⁽¹⁾ (shape of W⁽¹⁾), "b1": ∂L/∂b⁽¹⁾, …} from δ⁽ˡ⁾ a⁽ˡ⁻¹⁾ᵀ and δ⁽ˡ⁾."""
        acts = self.forward()[1]
        grads = {}
        for l, delta in enumerate(self.deltas(), start=1):
            grads[f"W{l}"] = matmul(delta, acts[l - 1].T)
            grads[f"b{l}"] = delta
        return grads

    def brute_force_gradients(self) -> dict[str, sp.ImmutableMatrix]:
        """The same gradients by the sparse engine on the nested loss (no recursion)."""
        Lx = self.loss_expr()
        out = {}
        for l in range(1, self.depth + 1):
            out[f"W{l}"] = gradient(Lx, self.W[l - 1])
            out[f"b{l}"] = gradient(Lx, self.b[l - 1])
        return out

    def _check_layer(self, l):
        if isinstance(l, bool) or not isinstance(l, int) or not 1 <= l <= self.depth:
            raise SymjacError(f"layer index must be 1..{self.depth}, got {l!r}")

    # --- numbers -------------------------------------------------------------

    def symbols_at(self, point: dict) -> dict:
        """A substitution {symbol: value} from {"x": array, "y": ..., "W1": ..., "b1": ...}."""
        subs = {}
        named = {"x": self.x, "y": self.y}
        named.update({f"W{l}": W for l, W in enumerate(self.W, 1)})
        named.update({f"b{l}": b for l, b in enumerate(self.b, 1)})
        for name, M in named.items():
            if name not in point:
                continue
            vals = np.asarray(point[name], dtype=float).reshape(M.shape)
            for i in range(M.rows):
                for j in range(M.cols):
                    subs[M[i, j]] = float(vals[i, j])
        return subs

    def random_point(self, seed: int = 0, scale: float = 1.0) -> dict:
        """Random x, W, b (N(0, scale²)) and a target y (one-hot for cross-entropy)."""
        rng = np.random.default_rng(seed)
        p = {"x": rng.normal(0, scale, (self.sizes[0], 1))}
        for l in range(1, self.depth + 1):
            p[f"W{l}"] = rng.normal(0, scale, (self.sizes[l], self.sizes[l - 1]))
            p[f"b{l}"] = rng.normal(0, scale, (self.sizes[l], 1))
        if self.loss == "cross_entropy":
            y = np.zeros((self.sizes[-1], 1))
            y[rng.integers(self.sizes[-1]), 0] = 1.0
        else:
            y = rng.normal(0, scale, (self.sizes[-1], 1))
        p["y"] = y
        return p

    def numpy_forward(self, point: dict) -> tuple[list, list]:
        """(zs, acts) in float64, independently of SymPy."""
        acts, zs = [np.asarray(point["x"], float).reshape(-1, 1)], []
        for l, name in enumerate(self.activations, 1):
            z = np.asarray(point[f"W{l}"], float) @ acts[-1] + np.asarray(point[f"b{l}"], float).reshape(-1, 1)
            zs.append(z)
            acts.append(_np_activation(name)(z))
        return zs, acts

    def numpy_loss(self, point: dict) -> float:
        a = self.numpy_forward(point)[1][-1]
        y = np.asarray(point["y"], float).reshape(-1, 1)
        if self.loss == "squared":
            return float(0.5 * np.sum((a - y) ** 2))
        m = a.max()
        lse = m + np.log(np.sum(np.exp(a - m)))
        return float(-np.sum(y * (a - lse)))


def network(layers, activations: str | Sequence[str] = "tanh", loss: str = "squared") -> Network:
    """A network from sizes ``[n0, n1, …, nL]`` (with ``activations``: one name or one per layer)
    or from a list of :class:`Layer` (whose sizes must chain).

    >>> net = network([3, 2, 1], ["tanh", "identity"])
    >>> net.W[0].shape, net.input_jacobian().shape
    ((2, 3), (1, 3))
    """
    layers = list(layers) if not isinstance(layers, (str, bytes)) else layers
    if not isinstance(layers, list):
        raise SymjacError("network() takes a list of layer sizes or of Layer objects")
    if layers and all(isinstance(l, Layer) for l in layers):
        for outer, inner in zip(layers[1:], layers):
            if outer.n_in != inner.n_out:
                raise ShapeError(f"layer gives {inner.n_out} outputs but the next takes {outer.n_in} inputs")
        sizes = [layers[0].n_in] + [l.n_out for l in layers]
        acts = [l.activation for l in layers]
    else:
        sizes = _check_sizes(layers)
        if isinstance(activations, str):
            acts = [activations] * (len(sizes) - 1)
        else:
            acts = list(activations)
    return Network(tuple(sizes), tuple(acts), loss)


# --- verification ------------------------------------------------------------------

def _evaluate(M, subs) -> np.ndarray:
    return np.array(sp.ImmutableMatrix(M).xreplace(subs).evalf(30).tolist(), dtype=float)


def finite_difference_gradients(net: Network, point: dict, h: float = 1e-6) -> dict[str, np.ndarray]:
    """Central differences (L(θ+h) − L(θ−h))/2h of the NumPy loss for every W⁽ˡ⁾, b⁽ˡ⁾."""
    out = {}
    for name in [f"{p}{l}" for l in range(1, net.depth + 1) for p in ("W", "b")]:
        base = np.asarray(point[name], float)
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[idx] += h
            minus[idx] -= h
            g[idx] = (net.numpy_loss({**point, name: plus}) - net.numpy_loss({**point, name: minus})) / (2 * h)
        out[name] = g
    return out


def finite_difference_input_jacobian(net: Network, point: dict, h: float = 1e-6) -> np.ndarray:
    """Central differences of the NumPy output with respect to x, n_L×n₀ (VEC)."""
    x = np.asarray(point["x"], float).reshape(-1, 1)
    cols = []
    for i in range(x.shape[0]):
        e = np.zeros_like(x)
        e[i] = h
        hi = net.numpy_forward({**point, "x": x + e})[1][-1]
        lo = net.numpy_forward({**point, "x": x - e})[1][-1]
        cols.append(((hi - lo) / (2 * h)).ravel())
    return np.column_stack(cols)


@dataclass
class NetworkVerification:
    """How a network derivative was checked: exactly (symbolic, unless skipped), and numerically at one point.

    ``exact``: True / False when the exact comparison with the brute-force
    engine ran, None when it was skipped (``exact=False``) — never True unrun.
    """

    exact: bool | None
    max_error_brute: float
    max_error_fd: float
    fd_step: float
    point_seed: int
    jax_error: float | None = None

    @property
    def ok(self) -> bool:
        """No check that ran failed (a skipped exact comparison is not a pass, see ``exact``)."""
        return self.exact is not False and self.max_error_brute < 1e-9 and self.max_error_fd < 1e-5 and (
            self.jax_error is None or self.jax_error < 1e-5)

    def record(self, subject: str = "the network's derivative"):
        """The one verification record (:class:`symjac.verification.Verification`): the exact comparison
        with the brute-force engine when it ran, then the numeric ones at one random point in ``also``."""
        V = _verification
        brute = "the brute-force engine (symjac.jacobian)"
        checks = []
        if self.exact is not None:
            checks.append(V.Verification(V.EXACT, subject, brute, independent=False, agrees=bool(self.exact),
                                         note="both use symjac's derivative rules for the activations"))
        checks.append(V.Verification(V.NUMERIC, subject, brute, independent=True, complete=False,
                                   agrees=self.max_error_brute < 1e-9, points=1, tolerance=1e-9,
                                   seed=self.point_seed, error=self.max_error_brute))
        checks.append(V.Verification(V.FINITE_DIFFERENCES, subject, f"central differences (h={self.fd_step:g})",
                                   independent=True, complete=False, agrees=self.max_error_fd < 1e-5, points=1,
                                   tolerance=1e-5, seed=self.point_seed, error=self.max_error_fd))
        if self.jax_error is not None:
            checks.append(V.Verification(V.AUTODIFF, subject, "JAX autodiff", independent=True, complete=False,
                                       agrees=self.jax_error < 1e-5, points=1, tolerance=1e-5,
                                       seed=self.point_seed, error=self.jax_error))
        return checks[0].with_also(*checks[1:])

    def describe(self) -> str:
        """One line: what was compared, and how closely (the words of :meth:`record`)."""
        return self.record().describe()


def verify_backprop(net: Network, seed: int = 0, exact: bool = True, h: float = 1e-6) -> NetworkVerification:
    """Backprop gradients vs brute force (exactly, if ``exact``) and vs central differences at a random point."""
    bp, bf = net.backprop(), net.brute_force_gradients()
    same = all(exactly_equal(bp[k], bf[k]) for k in bp) if exact else None
    point = net.random_point(seed)
    subs = net.symbols_at(point)
    fd = finite_difference_gradients(net, point, h)
    err_bf = max(float(np.max(np.abs(_evaluate(bp[k], subs) - _evaluate(bf[k], subs)))) for k in bp)
    err_fd = max(float(np.max(np.abs(_evaluate(bp[k], subs) - fd[k]) / (1 + np.abs(fd[k])))) for k in bp)
    jerr = None
    jg = jax_gradients(net, point)
    if jg is not None:
        jerr = max(float(np.max(np.abs(_evaluate(bp[k], subs) - jg[k]))) for k in bp)
    return NetworkVerification(same, err_bf, err_fd, h, seed, jerr)


def verify_input_jacobian(net: Network, seed: int = 0, exact: bool = True, h: float = 1e-6) -> NetworkVerification:
    """Chain-rule product vs ``jacobian(a⁽ᴸ⁾, x, VEC)`` (exactly, if ``exact``) and vs central differences."""
    J = net.input_jacobian()
    B = jacobian(net.output(), net.x, VEC)
    same = exactly_equal(J, B) if exact else None
    point = net.random_point(seed)
    subs = net.symbols_at(point)
    Jn = _evaluate(J, subs)
    err_bf = float(np.max(np.abs(Jn - _evaluate(B, subs))))
    fd = finite_difference_input_jacobian(net, point, h)
    err_fd = float(np.max(np.abs(Jn - fd) / (1 + np.abs(fd))))
    return NetworkVerification(same, err_bf, err_fd, h, seed)


# --- optional JAX cross-check ---------------------------------------------------

def jax_gradients(net: Network, point: dict) -> dict[str, np.ndarray] | None:
    """∂L/∂W⁽ˡ⁾, ∂L/∂b⁽ˡ⁾ from ``jax.grad`` at ``point`` (float64), or None without JAX."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    acts = {name: d.jax(jax) for name, d in registry.REGISTRY.items() if d.jax is not None}
    acts["identity"] = lambda z: z
    names = [f"{p}{l}" for l in range(1, net.depth + 1) for p in ("W", "b")]

    def loss(params):
        a = jnp.asarray(point["x"], dtype=jnp.float64).reshape(-1, 1)
        for l, name in enumerate(net.activations, 1):
            a = acts[name](params[f"W{l}"] @ a + params[f"b{l}"])
        y = jnp.asarray(point["y"], dtype=jnp.float64).reshape(-1, 1)
        if net.loss == "squared":
            return 0.5 * jnp.sum((a - y) ** 2)
        return -jnp.sum(y * jax.nn.log_softmax(a, axis=0))

    params = {k: jnp.asarray(point[k], dtype=jnp.float64).reshape(np.shape(point[k])) for k in names}
    params.update({f"b{l}": params[f"b{l}"].reshape(-1, 1) for l in range(1, net.depth + 1)})
    g = jax.grad(loss)(params)
    return {k: np.asarray(v) for k, v in g.items()}


__all__ = [
    "BACKPROP_LATEX",
    "LOSSES",
    "Factor",
    "chain",
    "Layer",
    "Network",
    "network",
    "NetworkVerification",
    "verify_backprop",
    "verify_input_jacobian",
    "finite_difference_gradients",
    "finite_difference_input_jacobian",
    "jax_gradients",
]
