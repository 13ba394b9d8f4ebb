r"""Structured variables: symmetric and diagonal X, duplication / elimination matrices, vech, entry partials.

* ``DuplicationMatrix(n)`` D_n, n²×n(n+1)/2, with D_n vech X = vec X for symmetric X;
  ``EliminationMatrix(n)`` L_n, n(n+1)/2×n², with L_n vec X = vech X (any X);
  ``vech(X)`` = L_n vec X (the lower triangle, column by column).
* ``structured_gradient(G, X, props, symmetric)``: from the unstructured gradient G
  (entries of X independent) to the gradient over X's free parameters:
  symmetric X, ``"free"``: G + Gᵀ − G∘I (Matrix Cookbook §2.8, eq. (141): ∂f/∂X_ij
  for the one parameter X_ij = X_ji); ``"frobenius"``: (G + Gᵀ)/2, the gradient on
  the space of symmetric matrices under ⟨A, B⟩ = tr(AᵀB) (Srinivasan & Panda,
  arXiv:1911.06491); diagonal X: G∘I.
* ``entry_derivative(dF, dX, i, j)``: ∂F/∂X_ij = dF with dX replaced by the single-entry
  matrix J^{ij} = e_i e_jᵀ (0-based i, j; symbols allowed), F's shape.
* ``prove_structured``: checks a structured gradient against entry-by-entry
  differentiation by the free parameters (X built from them) at ≥ 3 sizes.
"""
from __future__ import annotations

import random

import numpy as np
import sympy as sp

from symjac.errors import ShapeError, SymjacError
from symjac.properties import draw
from symjac.calculus.closedform.numeric import InvalidInstance
from symjac.calculus.closedform.numeric import evaluate as numeric_evaluate
from symjac.calculus.closedform.objects import UnitVector, Vec, as_expr


def _vech_index(i, j, n):
    return sum(n - c for c in range(j)) + (i - j)


class DuplicationMatrix(sp.MatrixExpr):
    """D_n (n²×n(n+1)/2): D_n vech X = vec X for symmetric X."""

    def __new__(cls, n):
        return sp.Basic.__new__(cls, as_expr(n))

    @property
    def shape(self):
        n = self.args[0]
        return (n * n, n * (n + 1) / 2)

    def explicit_at(self, dim):
        n = dim(self.args[0])
        D = sp.zeros(n * n, n * (n + 1) // 2)
        for j in range(n):
            for i in range(n):
                D[j * n + i, _vech_index(max(i, j), min(i, j), n)] = 1
        return sp.ImmutableMatrix(D)

    def numeric(self, ev):
        return np.array(self.explicit_at(ev.dim).tolist(), dtype=float)

    def _latex(self, printer):
        return r"D_{%s}" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "D_%s" % printer._print(self.args[0])


class EliminationMatrix(sp.MatrixExpr):
    """L_n (n(n+1)/2×n²): L_n vec X = vech X."""

    def __new__(cls, n):
        return sp.Basic.__new__(cls, as_expr(n))

    @property
    def shape(self):
        n = self.args[0]
        return (n * (n + 1) / 2, n * n)

    def explicit_at(self, dim):
        n = dim(self.args[0])
        L = sp.zeros(n * (n + 1) // 2, n * n)
        for j in range(n):
            for i in range(j, n):
                L[_vech_index(i, j, n), j * n + i] = 1
        return sp.ImmutableMatrix(L)

    def numeric(self, ev):
        return np.array(self.explicit_at(ev.dim).tolist(), dtype=float)

    def _latex(self, printer):
        return r"L_{%s}" % printer._print(self.args[0])

    def _sympystr(self, printer):
        return "L_%s" % printer._print(self.args[0])


def vech(X):
    """vech X = L_n vec X: the lower triangle of the n×n X, column by column, n(n+1)/2×1."""
    X = as_expr(X)
    if X.shape[0] != X.shape[1]:
        raise ShapeError(f"vech needs a square matrix, got {X.shape[0]}x{X.shape[1]}")
    return sp.MatMul(EliminationMatrix(X.shape[0]), Vec(X))


STRUCTURES = ("free", "frobenius")


def structured_gradient(G, X, props, symmetric: str = "free"):
    """The gradient over X's free parameters from the unstructured G (see module docstring)."""
    if symmetric not in STRUCTURES:
        raise SymjacError(f"symmetric= must be one of {', '.join(STRUCTURES)}, got {symmetric!r}")
    n = X.shape[0]
    if "diagonal" in props:
        return sp.HadamardProduct(G, sp.Identity(n))
    if props & {"symmetric", "spd"}:
        if symmetric == "frobenius":
            return sp.MatMul(sp.Rational(1, 2), sp.MatAdd(G, sp.Transpose(G)))
        return sp.MatAdd(G, sp.Transpose(G), sp.MatMul(-1, sp.HadamardProduct(G, sp.Identity(n))))
    return G


def use_symmetry(expr, props: dict, variable=None):
    """Aᵀ → A for every matrix declared symmetric / spd / diagonal (so symmetric A gives 2Ax)."""
    names = {k for k, v in props.items() if v & {"symmetric", "spd", "diagonal"}}
    if not names:
        return expr
    syms = [M for M in as_expr(expr).atoms(sp.MatrixSymbol) if M.name in names]
    repl = {sp.Transpose(M): M for M in syms}
    repl.update({sp.Transpose(sp.Inverse(M)): sp.Inverse(M) for M in syms})
    repl.update({sp.Inverse(sp.Transpose(M)): sp.Inverse(M) for M in syms})
    return expr.xreplace(repl) if repl else expr


def entry_derivative(dF, dX, i, j):
    """∂F/∂X_ij: dF (linear in dX) at dX = e_i e_jᵀ (the single-entry matrix J^{ij})."""
    p, q = dX.shape
    Jij = sp.MatMul(UnitVector(i, p), sp.Transpose(UnitVector(j, q)))
    if dF is None:
        return sp.S.Zero
    return dF.xreplace({dX: Jij})


def _free_matrix(name, n, structure):
    """X built from its free parameters: symmetric (x_ij, i ≥ j, mirrored) or diagonal; and those parameters."""
    from symjac.symbols import entry_symbol
    X = sp.zeros(n, n)
    params = {}
    for j in range(n):
        for i in range(j, n):
            if structure == "diagonal" and i != j:
                continue
            s = entry_symbol(name, i, j)
            params[(i, j)] = s
            X[i, j] = X[j, i] = s
    return sp.ImmutableMatrix(X), params


def prove_structured(F, X, G, props: dict, symmetric: str, *, seed: int = 0, trials: int = 3, points: int = 2,
                     tol: float = 1e-9):
    """Check the structured gradient G of F against differentiation by X's free parameters; a ProofRecord."""
    from symjac.calculus.closedform.instantiate import instantiate
    from symjac.calculus.closedform.proof import ClosedFormCheckError, ProofRecord, dimension_symbols, matrix_symbols
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    structure = "diagonal" if "diagonal" in props.get(X.name, ()) else "symmetric"
    dims = dimension_symbols(F, X, G)
    nX = X.shape[0]
    done = []
    import itertools
    cands = list(itertools.product([2, 3, 4, 1], repeat=len(dims)))
    rng.shuffle(cands)
    cands.sort(key=lambda c: (1 in c, -len(set(c))))
    for sizes_t in cands:
        if len(done) >= trials:
            break
        sz = {d.name: v for d, v in zip(dims, sizes_t)}
        n = int(as_expr(nX).xreplace({d: sz[d.name] for d in as_expr(nX).free_symbols}))
        if any(int(as_expr(r).xreplace({d: sz[d.name] for d in as_expr(r).free_symbols})) != n for r in (X.shape[1],)):
            continue
        Xs, params = _free_matrix(X.name, n, structure)
        ok = True
        for _ in range(points):
            consts = {}
            for M in matrix_symbols(F, G):
                if M.name == X.name:
                    continue
                shape = tuple(int(as_expr(d).xreplace({s: sz[s.name] for s in as_expr(d).free_symbols})) for d in M.shape)
                try:
                    consts[M.name] = draw(nrng, shape, props.get(M.name, frozenset()))
                except ShapeError:
                    ok = False
                    break
            if not ok:
                break
            xv = draw(nrng, (n, n), frozenset({"diagonal"} if structure == "diagonal" else {"symmetric"}) | (props.get(X.name, frozenset()) - {"diagonal", "symmetric"}))
            try:
                got = numeric_evaluate(G, sz, dict(consts, **{X.name: xv}), strict=True)
            except InvalidInstance:
                ok = False
                break
            Fe = instantiate(F, sz, dict({k: sp.Matrix(v) for k, v in consts.items()}, **{X.name: Xs}))
            f = Fe[0, 0]
            at = {s: sp.Float(xv[i, j]) for (i, j), s in params.items()}
            ref = np.zeros((n, n))
            for (i, j), s in params.items():
                v = complex(sp.N(sp.diff(f, s).xreplace(at)))
                if symmetric == "frobenius" and i != j:
                    v /= 2
                ref[i, j] = ref[j, i] = v.real
            if not np.all(np.abs(got.reshape(n, n) - ref) <= tol * (1 + np.abs(ref))):
                raise ClosedFormCheckError(f"structured gradient {G} disagrees with differentiation by the free "
                                           f"parameters of {X.name} at sizes {sz}: {got.reshape(n, n)} != {ref}")
        if ok:
            done.append(sizes_t)
    return ProofRecord(
        kind=f"gradient ({structure} {X.name}, {symmetric if structure == 'symmetric' else 'free'})",
        dims=tuple(d.name for d in dims), sizes=tuple(done),
        method=ProofRecord.NUMERIC if done else ProofRecord.NO_INSTANCE,
        points=points if done else 0, seed=seed, tolerance=tol if done else None,
        convention={}, reference="differentiation by the free parameters (symjac.symbols entries)",
    )


__all__ = ["DuplicationMatrix", "EliminationMatrix", "vech", "structured_gradient", "entry_derivative",
           "use_symmetry", "prove_structured", "STRUCTURES"]
