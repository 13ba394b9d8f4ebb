"""A closed form checked against the elementwise engine at several sizes.

``prove(kind, F, X, expr, convention)`` instantiates F, X and the closed form
at ≥ 3 random size assignments (distinct sizes first, so that non-square
shapes are tried whenever the expression allows them) and compares with
``symjac.calculus.explicit`` / ``symjac.gradient`` at the same sizes:

* exactly (entrywise ``expand(a − b) == 0``) when F's entries are polynomial;
* otherwise at random points (``points`` per size, seeded), relative
  tolerance ``tol`` — and the record says "numerically", never more.

Agreement at finitely many sizes is evidence, not a size-free proof, and the
record says so: "exact agreement with the entry-by-entry engine at sizes …".

A mismatch raises :class:`ClosedFormCheckError`: symjac never returns an
unchecked closed form unless asked to (``prove_it=False``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy as sp

from symjac.conventions import GRADIENT, HESSIAN, VEC, Convention
from symjac.errors import SymjacError
from symjac.calculus.explicit import jacobian as explicit_jacobian
from symjac.symbols import symbolic
from symjac.calculus.closedform.instantiate import instantiate
from symjac.calculus.closedform.objects import as_expr

DEFAULT_TRIALS = 3
DEFAULT_POINTS = 3
DEFAULT_TOL = 1e-9


class ClosedFormCheckError(SymjacError):
    """A closed form disagreed with the elementwise engine (a bug in a rule: please report it)."""


@dataclass(frozen=True)
class ProofRecord:
    """How a closed form was checked: sizes tried, exact or numeric, points, seed, convention.

    A measurement: :func:`symjac.verification.from_proof` turns it into the one verification
    record, which words it ("exact agreement with the entry-by-entry engine (symjac.jacobian) at
    sizes (m,n)=(3,4),(2,3),(4,3)"; checked at finitely many sizes, never "proven").
    """

    kind: str                                   # "jacobian" | "gradient" | "hessian"
    dims: tuple[str, ...]                       # dimension names, in the order of each size tuple
    sizes: tuple[tuple[int, ...], ...]          # one tuple per assignment
    method: str                                 # EXACT ("exact at sizes") | NUMERIC ("numeric at points")
    points: int = 0                             # random points per size (numeric)
    seed: int = 0
    tolerance: float | None = None
    convention: dict = field(default_factory=dict)
    reference: str = "symjac.jacobian"

    EXACT = "exact at sizes"
    NUMERIC = "numeric at points"

    @property
    def exact(self) -> bool:
        return self.method == self.EXACT

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "dims": list(self.dims),
            "sizes": [list(s) for s in self.sizes],
            "method": self.method,
            "points": self.points,
            "seed": self.seed,
            "tolerance": self.tolerance,
            "convention": dict(self.convention),
            "reference": self.reference,
        }


# --- what an expression is made of -----------------------------------------------

def dimension_symbols(*exprs) -> list[sp.Symbol]:
    """The dimension symbols in the shapes of every matrix sub-expression, sorted by name."""
    dims = set()
    for e in exprs:
        for node in sp.preorder_traversal(as_expr(e)):
            if getattr(node, "is_Matrix", False) and hasattr(node, "shape"):
                for d in node.shape:
                    dims |= as_expr(d).free_symbols
    return sorted(dims, key=lambda s: s.name)


def matrix_symbols(*exprs) -> list[sp.MatrixSymbol]:
    out = set()
    for e in exprs:
        out |= as_expr(e).atoms(sp.MatrixSymbol)
    return sorted(out, key=lambda s: s.name)


def scalar_symbols(e, dims) -> list[sp.Symbol]:
    names = {d.name for d in dims}
    out = set()
    for node in sp.preorder_traversal(as_expr(e)):
        if isinstance(node, sp.Symbol) and node.name not in names:
            out.add(node)
    bound = set()
    for lam in as_expr(e).atoms(sp.Lambda):
        bound |= set(lam.variables)
    return sorted(out - bound, key=lambda s: s.name)


_HEAVY = (sp.Inverse, sp.Determinant)


def _is_heavy(F) -> bool:
    F = as_expr(F)
    if F.has(*_HEAVY):
        return True
    return any(p.args[1].is_negative for p in F.atoms(sp.MatPow))


def size_assignments(dims, rng: random.Random, trials: int, heavy: bool) -> list[tuple[int, ...]]:
    """≥ ``trials`` distinct size tuples: distinct values first (non-square), then any."""
    k = len(dims)
    if k == 0:
        return [()]
    pool = [1, 2, 3] if heavy or k >= 4 else [2, 3, 4]
    out: list[tuple[int, ...]] = []
    tries = 0
    while len(out) < trials and tries < 200:
        tries += 1
        if len(out) < 2 and 1 < k <= len(pool):
            cand = tuple(rng.sample(pool, k))           # all different: non-square where shapes allow
        elif k == 1:
            cand = (rng.choice(pool),)
        else:
            cand = tuple(rng.choice(pool) for _ in dims)
        if cand not in out:
            out.append(cand)
    if heavy and k == 1:
        out.sort(key=lambda s: (s[0] == 1, s))          # 2 and 3 first, the 1×1 case last
    return out


def _polynomial(M) -> bool:
    syms = set()
    for v in M:
        syms |= v.free_symbols
    syms = list(syms)
    return all(as_expr(v).is_polynomial(*syms) for v in M)


def exactly_equal(a, b) -> bool:
    """a == b as rational functions: structural, then expand, then cancel (no simplify)."""
    if a == b:
        return True
    d = sp.expand(a - b)
    return d == 0 or sp.cancel(sp.together(d)) == 0


def _random_value(rng: random.Random, shape, square_shift: bool):
    r, c = shape
    M = sp.Matrix(r, c, lambda i, j: sp.Float(round(rng.uniform(-1, 1), 6)))
    if square_shift and r == c:
        M += sp.Float(r) * sp.eye(r) / 2           # well away from singular, positive determinant
    return sp.ImmutableMatrix(M)


def _entry_map(name, shape, value) -> dict:
    sym = symbolic(name, shape)
    if shape == (1, 1):
        return {sym: value[0, 0]}
    return {s: v for s, v in zip(sym, value)}


def _as_explicit_scalar_or_matrix(M):
    return M[0, 0] if M.shape == (1, 1) else M


def _reference(kind, F_e, X_e, conv):
    """The entry-by-entry engine's derivative: ``kind`` "gradient" (X's shape) and "hessian" ((pq)×(pq))
    name their conventions; "jacobian" is in ``conv``."""
    conv = {"gradient": GRADIENT, "hessian": HESSIAN}.get(kind, conv)
    return explicit_jacobian(F_e, X_e, conv)


def _close(a, b, tol) -> bool:
    a, b = complex(sp.N(a)), complex(sp.N(b))
    return abs(a - b) <= tol * (1 + abs(b))


def prove(kind: str, F, X, expr, convention: Convention = VEC, *, seed: int = 0,
          trials: int = DEFAULT_TRIALS, points: int = DEFAULT_POINTS, tol: float = DEFAULT_TOL,
          sizes=None) -> ProofRecord:
    """Check the closed form ``expr`` of the ``kind`` derivative of F by X; return the record or raise.

    ``sizes``: optional list of {dimension name: int} to use instead of random
    ones (for functions defined only on part of the sizes, e.g. log det XᵀX
    needs rows ≥ columns); at least ``trials`` of them.
    """
    rng = random.Random(seed)
    dims = dimension_symbols(F, X, expr)
    heavy = _is_heavy(F) or _is_heavy(expr)
    if sizes is not None:
        if len(sizes) < trials:
            raise SymjacError(f"a proof needs at least {trials} size assignments, got {len(sizes)}")
        assignments = [tuple(int(s[d.name]) for d in dims) for s in sizes]
    else:
        assignments = size_assignments(dims, rng, trials, heavy)
    mats = matrix_symbols(F, X)
    scals = scalar_symbols(F, dims)
    exact_everywhere = True
    for sizes_t in assignments:
        sizes = {d.name: v for d, v in zip(dims, sizes_t)}
        F_e = _as_explicit_scalar_or_matrix(instantiate(F, sizes))
        X_e = instantiate(X, sizes)
        ref = _reference(kind, F_e, X_e, convention)
        F_mat = F_e if isinstance(F_e, sp.MatrixBase) else sp.Matrix([[F_e]])
        where = f"sizes {sizes}"
        if _polynomial(F_mat) and not _is_heavy(expr):
            got = instantiate(expr, sizes)
            _check_shape(got, ref, where)
            for a, b in zip(got, ref):
                if not exactly_equal(a, b):
                    raise ClosedFormCheckError(
                        f"closed form {expr} disagrees with the elementwise {kind} at {where}: {a} != {b}")
            continue
        exact_everywhere = False
        for _ in range(points):
            values, subs = {}, {}
            for M in mats:
                shape = tuple(int(as_expr(d).xreplace({s: sizes[s.name] for s in as_expr(d).free_symbols}))
                              for d in M.shape)
                val = _random_value(rng, shape, square_shift=heavy)
                values[M.name] = val
                subs.update(_entry_map(M.name, shape, val))
            for s in scals:
                val = sp.Float(round(rng.uniform(-1, 1), 6))
                values[s.name] = val
                subs[sp.Symbol(s.name, real=True)] = val
            got = instantiate(expr, sizes, values)
            _check_shape(got, ref, where)
            ref_at = ref.xreplace(subs)
            for a, b in zip(got, ref_at):
                if not _close(a, b, tol):
                    raise ClosedFormCheckError(
                        f"closed form {expr} disagrees with the elementwise {kind} at {where}, "
                        f"random point (seed {seed}): {sp.N(a)} != {sp.N(b)}")
    return ProofRecord(
        kind=kind,
        dims=tuple(d.name for d in dims),
        sizes=tuple(assignments),
        method=ProofRecord.EXACT if exact_everywhere else ProofRecord.NUMERIC,
        points=0 if exact_everywhere else points,
        seed=seed,
        tolerance=None if exact_everywhere else tol,
        convention=convention.to_dict(),
        reference="symjac.gradient" if convention.in_variable_shape((1, 1)) else "symjac.jacobian",
    )


def _check_shape(got, ref, where):
    if got.shape != ref.shape:
        raise ClosedFormCheckError(
            f"closed form has shape {got.shape} but the elementwise result has {ref.shape} at {where}")


__all__ = ["ProofRecord", "prove", "ClosedFormCheckError", "size_assignments", "dimension_symbols"]
