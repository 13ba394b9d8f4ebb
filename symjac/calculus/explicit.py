"""Elementwise Jacobians at a concrete size, in any convention.

The engine differentiates each output entry once, by sparse rule-based
forward accumulation over the SymPy expression tree: every node yields only
its *nonzero* partials, as a dict {variable: ∂node/∂variable}, and each
subexpression is differentiated once per call (memoised).  A Jacobian with
nnz nonzero entries therefore costs O(size of F + nnz) rule applications
instead of the (mn)·(pq) ``diff`` calls of ``Matrix.jacobian``.  Constructs
without a rule below fall back to SymPy's ``diff``, so any expression works.

Shapes (F m×n, X p×q, see :mod:`symjac.conventions`):

* ``jacobian(F, X, convention)``: (mn)×(pq) in numerator layout, (pq)×(mn)
  in denominator layout; X may be a list of variables, stacked in order.
* ``derivative_array(F, X)``: rank 4, T[i, j, k, l] = ∂F_ij/∂X_kl, shape
  (m, n, p, q); needs no convention.
* ``gradient(L, X)``: a scalar's gradient in X's shape.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symjac.conventions import Convention, flatten, get_convention
from symjac import elementwise as registry
from symjac.blocks import product
from symjac.symbols import as_matrix
from symjac.errors import ShapeError, SymjacError

Grad = dict  # {variable atom: nonzero partial derivative}


# --- the rules: one line each; ``g`` is the memoised gradient of a child ----

def _add_rule(node, g):
    return _merge(g(a) for a in node.args)


def _mul_rule(node, g):
    args = node.args
    terms = []
    for i, a in enumerate(args):
        ga = g(a)
        if ga:
            others = sp.Mul(*(args[:i] + args[i + 1:]))
            terms.append({v: product(others, d) for v, d in ga.items()})
    return _merge(terms)


def _pow_rule(node, g):
    base, expo = node.args
    if g(expo):                                     # variable exponent: let SymPy do it
        g.fallbacks += 1
        return _fallback(node, g.variables)
    gb = g(base)
    return _scale(gb, expo * base ** (expo - 1)) if gb else {}


def _registry_rule(node, g):
    """d f(u, *params) = f′(u) du, with f′ from the elementwise registry (written in terms of the node)."""
    u = node.args[0]
    gu = g(u)
    if not gu:
        return {}
    return _scale(gu, registry.of(node).derivative(node, u, *node.args[1:]))   # f′(u) built once per node


def _unary_function_rule(node, g):
    """d f(u) = f′(u) du for a one-argument function the registry does not know (SymPy's fdiff)."""
    u = node.args[0]
    gu = g(u)
    return _scale(gu, node.fdiff(1)) if gu else {}


RULES = (
    (sp.Add, _add_rule),                            # d(Σ u_i) = Σ du_i
    (sp.Mul, _mul_rule),                            # d(Π u_i) = Σ_i (Π_{j≠i} u_j) du_i
    (sp.Pow, _pow_rule),                            # d(u^c) = c u^{c−1} du, c constant
)


def _merge(grads: Iterable[Grad]) -> Grad:
    acc = defaultdict(list)
    for gr in grads:
        for v, d in gr.items():
            acc[v].append(d)
    out = {}
    for v, ds in acc.items():
        total = ds[0] if len(ds) == 1 else sp.Add(*ds)
        if total != 0:
            out[v] = total
    return out




def _scale(gr: Grad, factor) -> Grad:
    out = {}
    for v, d in gr.items():
        p = product(factor, d)
        if p != 0:
            out[v] = p
    return out


def _fallback(node, variables) -> Grad:
    out = {}
    for v in node.free_symbols & variables if all(x.is_Symbol for x in variables) else variables:
        if node.has(v):
            d = sp.diff(node, v)
            if d != 0:
                out[v] = d
    return out


class _Differentiator:
    """Memoised sparse gradients of expression nodes with respect to a set of atoms."""

    def __init__(self, variables: Sequence):
        self.variables = frozenset(variables)
        self.memo: dict = {}
        self.fallbacks = 0  # nodes handed to SymPy's diff (no rule of ours)

    def __call__(self, node) -> Grad:
        try:
            return self.memo[node]
        except KeyError:
            pass
        out = self._grad(node)
        self.memo[node] = out
        return out

    def _grad(self, node) -> Grad:
        if node in self.variables:
            return {node: sp.S.One}
        if not node.args or node.is_Number:
            return {}
        for cls, rule in RULES:
            if isinstance(node, cls):
                return rule(node, self)
        if registry.of(node) is not None and not any(self(p) for p in node.args[1:]):
            return _registry_rule(node, self)
        if isinstance(node, sp.Function) and len(node.args) == 1 and not isinstance(node, sp.Piecewise):
            self.fallbacks += 1                      # f′ from SymPy's own fdiff
            return _unary_function_rule(node, self)
        self.fallbacks += 1
        return _fallback(node, self.variables)


# --- shapes and variables ---------------------------------------------------

def _variable_list(X) -> list[sp.ImmutableMatrix]:
    """X as a list of explicit variables (a single one, or a list to stack)."""
    if isinstance(X, (list, tuple)):
        if not X:
            raise SymjacError("the list of variables to differentiate by is empty")
        return [as_matrix(x, "differentiate by") for x in X]
    return [as_matrix(X, "differentiate by")]


def input_atoms(X, order: str = "col") -> list:
    """The variables' entries in Jacobian column order (each flattened, then stacked)."""
    atoms = []
    for M in _variable_list(X):
        atoms.extend(flatten(M, order))
    for a in atoms:
        if not (a.is_Symbol or isinstance(a, MatrixElement)):
            raise SymjacError(f"can only differentiate with respect to symbols, got {a}")
    if len(set(atoms)) != len(atoms):
        raise SymjacError("the variables to differentiate by repeat an entry")
    return atoms


def sparse_gradients(outputs: Sequence, atoms: Sequence) -> list[Grad]:
    """For each output expression, its nonzero partials {atom: derivative}."""
    diff = _Differentiator(atoms)
    return [diff(f) for f in outputs]


def uses_sympy_diff(outputs: Sequence, atoms: Sequence) -> bool:
    """Whether the engine needs SymPy's own diff/fdiff for some subexpression of the outputs.

    Where it does, a comparison with ``sp.diff`` is not an independent check there.
    """
    diff = _Differentiator(atoms)
    for f in outputs:
        diff(f)
    return diff.fallbacks > 0


# --- public API -----------------------------------------------------------------

def jacobian(F, X, convention: Convention | str | None = None) -> sp.ImmutableMatrix:
    """The Jacobian of F with respect to X under ``convention`` (default VEC).

    F: a SymPy scalar, column, row or m×n matrix.  X: a symbol, vector, p×q
    matrix of symbols, or a list of them (stacked: ``[W, a, b]`` → [vec W; a; b]).
    Numerator layout: shape (mn)×(pq), J[r, c] = ∂flat(F)_r/∂flat(X)_c with
    flat() the convention's output / input order.  Denominator: the transpose.
    Other conventions give ``convention.as_matrix`` of the derivative: GRADIENT the
    gradient in X's shape for a scalar F (else the denominator layout), HESSIAN
    (pq)×(pq), TENSOR / ENTRY their block matrices.
    """
    conv = get_convention(convention)
    if not conv.is_flattening:
        return _non_flat_matrix(F, X, conv)
    outs = flatten(as_matrix(F), conv.outputs)
    ins = input_atoms(X, conv.inputs)
    col_of = {a: c for c, a in enumerate(ins)}
    rows, cols = len(outs), len(ins)
    flat = [sp.S.Zero] * (rows * cols)
    for r, gr in enumerate(sparse_gradients(outs, ins)):
        base = r * cols
        for v, d in gr.items():
            flat[base + col_of[v]] = d
    # ``_new`` with copy=False skips re-sympifying entries that are already Basic.
    J = sp.ImmutableDenseMatrix._new(rows, cols, flat, copy=False)
    return J.T if conv.layout == "denominator" else J


def derivative_array(F, X) -> sp.ImmutableDenseNDimArray:
    """Rank-4 array T[i, j, k, l] = ∂F_ij/∂X_kl, shape (m, n, p, q). No convention needed."""
    Fm = as_matrix(F)
    (Xm,) = _variable_list(X) if not isinstance(X, (list, tuple)) else (None,)
    if Xm is None:
        raise SymjacError("derivative_array takes a single variable, not a list")
    m, n = Fm.shape
    p, q = Xm.shape
    atoms = input_atoms(Xm, "row")
    pos = {a: (k // q, k % q) for k, a in enumerate(atoms)}
    outs = flatten(Fm, "row")
    flat = [sp.S.Zero] * (m * n * p * q)
    for r, gr in enumerate(sparse_gradients(outs, atoms)):
        for v, d in gr.items():
            k, l = pos[v]
            flat[(r * p + k) * q + l] = d
    return sp.ImmutableDenseNDimArray(flat, (m, n, p, q))


def _non_flat_matrix(F, X, conv: Convention) -> sp.ImmutableMatrix:
    """The 2-D form of a non-flattening convention's derivative (see :func:`derivative`)."""
    Fm = as_matrix(F)
    if conv.flattens(Fm.shape):
        return jacobian(Fm, X, conv.flattening)
    if conv.in_variable_shape(Fm.shape):
        if isinstance(X, (list, tuple)):                 # the stacked variable [vec W; a; b] is a column
            return jacobian(Fm, X, conv.flattening)
        return gradient(Fm, X)
    if conv.second_order:
        if Fm.shape != (1, 1):
            raise ShapeError(f"a Hessian needs a scalar function, got shape {Fm.rows}x{Fm.cols}")
        if isinstance(X, (list, tuple)):
            raise SymjacError("a Hessian takes a single variable, not a list")
        return jacobian(jacobian(Fm, X, conv.flattening).T, X, conv.flattening)
    if isinstance(X, (list, tuple)):
        raise SymjacError(f"the {conv.name} convention takes a single variable, not a list")
    return conv.as_matrix(derivative_array(Fm, X))


def derivative(F, X, convention: Convention | str | None = None):
    """The derivative of F by X in ``convention``, shaped ``convention.answer_shape(F's shape, X's shape)``.

    A matrix for flattenings, GRADIENT and HESSIAN; the rank-4 array for TENSOR
    (m×n×p×q) and ENTRY (p×q×m×n).
    """
    conv = get_convention(convention)
    shape = as_matrix(F).shape
    if conv.flattens(shape) or conv.second_order or conv.in_variable_shape(shape):
        return jacobian(F, X, conv)
    return conv.arrange(derivative_array(F, X))


def gradient(L, X) -> sp.ImmutableMatrix:
    """∂L/∂X for a scalar L, with X's shape: G[k, l] = ∂L/∂X_kl."""
    Lm = as_matrix(L)
    if Lm.shape != (1, 1):
        raise ShapeError(f"gradient needs a scalar function, got shape {Lm.rows}x{Lm.cols}")
    Xm = as_matrix(X, "differentiate by")
    atoms = input_atoms(Xm, "row")
    (gr,) = sparse_gradients([Lm[0, 0]], atoms)
    p, q = Xm.shape
    return sp.ImmutableMatrix(p, q, [gr.get(a, sp.S.Zero) for a in atoms])


__all__ = ["jacobian", "derivative", "derivative_array", "gradient", "input_atoms", "sparse_gradients", "uses_sympy_diff",
           "RULES"]
