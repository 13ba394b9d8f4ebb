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
import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symjac.conventions import GRADIENT, HESSIAN, VEC, Convention
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.calculus.explicit import jacobian as explicit_jacobian
from symjac.symbols import exactly_equal, symbolic
from symjac.calculus.closedform.instantiate import instantiate
from symjac.calculus.closedform.numeric import InvalidInstance
from symjac.calculus.closedform.numeric import evaluate as numeric_evaluate
from symjac.calculus.closedform.objects import as_expr

DEFAULT_TRIALS = 3
DEFAULT_POINTS = 3
DEFAULT_TOL = 1e-9
DEFAULT_BUDGET = 20.0            # seconds per proof; the record says when it ran out
EXACT_OPS_LIMIT = 3000           # larger polynomial instances are checked numerically
EXACT_LEAVES_LIMIT = 6           # so are products of more than this many matrix factors


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
    notes: tuple = ()                           # sizes skipped (no valid instance), budget exhausted

    EXACT = "exact at sizes"
    NUMERIC = "numeric at points"
    NO_INSTANCE = "not verified: no valid instance"

    @property
    def verified(self) -> bool:
        return self.method != self.NO_INSTANCE

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
            "notes": list(self.notes),
            "verified": self.verified,
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


def _value_for(rng: random.Random, shape, square_shift: bool):
    """A random real matrix in [−1, 1] (square ones shifted by (n/2)I: well-conditioned, det > 0)."""
    return _random_value(rng, shape, square_shift)


def _scalar_value(rng: random.Random, s: sp.Symbol):
    """A random value for a scalar parameter that respects its assumptions (integer, positive, nonnegative)."""
    if s.is_integer:
        lo = 1 if (s.is_positive or s.is_nonnegative) else -2
        return sp.Integer(rng.randint(max(lo, 1) if s.is_positive else lo, 3))
    if s.is_positive or s.is_nonnegative:
        return sp.Float(round(rng.uniform(0.25, 1.5), 6))
    return sp.Float(round(rng.uniform(-1, 1), 6))


def candidate_sizes(dims, rng: random.Random, heavy: bool, pinned=None) -> list[tuple[int, ...]]:
    """Every size tuple to try, in order: all-distinct ones first (non-square), small before large."""
    import itertools
    k = len(dims)
    if k == 0:
        return [()]
    pool = [1, 2, 3] if heavy or k >= 3 else [1, 2, 3, 4]
    cands = list(itertools.product(pool, repeat=k))
    rng.shuffle(cands)
    cands.sort(key=lambda c: (1 in c, -len(set(c)), sum(c)))
    return cands


def _numeric_value(e, env: dict, memo: dict) -> complex:
    """The value of a scalar SymPy expression at ``env`` (symbol → number) by one memoised pass over its DAG
    (no rebuilt trees, unlike ``xreplace``); functions other than + × ^ are evaluated by SymPy on numbers."""
    hit = memo.get(e)
    if hit is not None:
        return hit
    if e.is_Symbol:
        out = complex(env[e]) if e in env else complex(sp.N(e))
    elif e.is_Number or e.is_NumberSymbol:
        out = complex(e)
    elif e.is_Add:
        out = sum(_numeric_value(a, env, memo) for a in e.args)
    elif e.is_Mul:
        out = 1
        for a in e.args:
            out *= _numeric_value(a, env, memo)
    elif e.is_Pow:
        b, x = (_numeric_value(a, env, memo) for a in e.args)
        out = b ** (x.real if x.imag == 0 else x) if not (b == 0 and x.real < 0) else complex("nan")
    elif isinstance(e, sp.Function) and all(isinstance(a, sp.Expr) for a in e.args):
        vals = [_numeric_value(a, env, memo) for a in e.args]
        nums = [sp.Float(v.real) if v.imag == 0 else sp.Float(v.real) + sp.I * sp.Float(v.imag) for v in vals]
        out = complex(sp.N(e.func(*nums)))
    else:
        out = complex(sp.N(e.xreplace({k: sp.Float(v) for k, v in env.items()})))
    memo[e] = out
    return out


def _numeric_matrix(M, subs: dict) -> np.ndarray:
    env = {k: float(v) for k, v in subs.items()}
    memo: dict = {}
    return np.array([[_numeric_value(M[i, j], env, memo) for j in range(M.cols)] for i in range(M.rows)], dtype=complex)


def _compact(M, xs):
    """Entries polynomial in the variable's entries (numeric coefficients) collected into one sum each."""
    def one(v):
        if v.is_polynomial(*xs):
            return sp.Poly(v, *xs).as_expr()
        return v
    return sp.ImmutableMatrix(M.rows, M.cols, [one(v) for v in M])


def _cheap_exact(F_mat, expr, F=None) -> bool:
    """Exact symbolic comparison only for polynomial entries of modest size (no expansion of big instances)."""
    if _is_heavy(expr) or not _polynomial(F_mat):
        return False
    if F is not None and sum(1 for e in sp.preorder_traversal(F) if isinstance(e, sp.MatrixSymbol)) > EXACT_LEAVES_LIMIT:
        return False                                 # a long product: its symbolic expansion is the slow part
    return sum(sp.count_ops(v) for v in F_mat) <= EXACT_OPS_LIMIT


def prove(kind: str, F, X, expr, convention: Convention = VEC, *, seed: int = 0,
          trials: int = DEFAULT_TRIALS, points: int = DEFAULT_POINTS, tol: float = DEFAULT_TOL,
          sizes=None, budget: float = DEFAULT_BUDGET, properties=None, relations=()) -> ProofRecord:
    """Check the closed form ``expr`` of the ``kind`` derivative of F by X; return the record or raise.

    Sizes are tried in turn (non-square first) until ``trials`` of them are
    *valid* instances: at random well-conditioned values no inverse or
    determinant argument is singular and F is finite (``numeric.InvalidInstance``
    otherwise; that size is skipped, never called a disagreement).  At each
    valid size: exact comparison with the entry-by-entry engine when F is a
    small polynomial, else agreement at ``points`` random points, the
    reference computed with the constants already numeric (no symbolic
    expansion of big instances).  Stops after ``budget`` seconds and says so.

    ``sizes``: optional list of {dimension name: int} to try instead of random ones.
    ``properties``: {name: frozenset of symjac.properties names}: values are drawn with them and
    sizes that cannot carry them are skipped; ``relations``: symjac.properties.Relation list (m ≥ n).
    """
    t0 = time.monotonic()
    rng = random.Random(seed)
    dims = dimension_symbols(F, X, expr)
    # symbolic integer parameters (Xᵖ) are fixed per instance like sizes
    dims = sorted(dims + [s for s in scalar_symbols(F, dims) if s.is_integer and s != X], key=lambda s: s.name)
    heavy = _is_heavy(F) or _is_heavy(expr)
    if sizes is not None:
        if len(sizes) < trials:
            raise SymjacError(f"a proof needs at least {trials} size assignments, got {len(sizes)}")
        candidates = [tuple(int(s[d.name]) for d in dims) for s in sizes]
    else:
        candidates = candidate_sizes(dims, rng, heavy)
    mats = matrix_symbols(F, X, expr)
    scals = [s for s in scalar_symbols(F, dims) if s != X]
    done: list[tuple[int, ...]] = []
    skipped = 0
    exact_everywhere = True
    out_of_time = False
    for sizes_t in candidates:
        if len(done) >= trials:
            break
        if done and time.monotonic() - t0 > budget:
            out_of_time = True
            break
        sz = {d.name: v for d, v in zip(dims, sizes_t)}
        where = f"sizes {sz}"
        if not _structure_fits(sz, mats, properties or {}, relations):
            continue
        draws = _valid_draws(F, X, expr, mats, scals, sz, rng, heavy, points, properties or {})
        if draws is None:
            skipped += 1
            continue
        F_e = _as_explicit_scalar_or_matrix(instantiate(F, sz))
        F_mat = F_e if isinstance(F_e, sp.MatrixBase) else sp.Matrix([[F_e]])
        if not properties and _cheap_exact(F_mat, expr, F):           # declared structure: values carry it
            ref = _reference(kind, F_e, instantiate(X, sz), convention)
            got = instantiate(expr, sz)
            _check_shape(got, ref, where)
            for a, b in zip(got, ref):
                if not exactly_equal(a, b):
                    raise ClosedFormCheckError(
                        f"closed form {expr} disagrees with the elementwise {kind} at {where}: {a} != {b}")
            done.append(sizes_t)
            continue
        exact_everywhere = False
        consts = {k: v for k, v in draws[0][0].items() if k != X.name}      # shared by the draws at this size
        X_e = instantiate(X, sz)
        Fc = instantiate(F, sz, consts)
        if not heavy:                                               # polynomial: collect terms once (cheap)
            Fc = _compact(Fc, list(draws[0][1].keys()))
        ref = _reference(kind, _as_explicit_scalar_or_matrix(Fc), X_e, convention)
        for values, xsubs in draws:
            ref_at = _numeric_matrix(ref, xsubs)
            got = numeric_evaluate(expr, sz, {k: np.array(v.tolist(), dtype=float) for k, v in values.items()})
            got = np.asarray(got, dtype=float)
            if got.size == ref_at.size and got.ndim == 2 and got.shape[-2:] != ref_at.shape:
                pass
            if got.shape != ref_at.shape:
                raise ClosedFormCheckError(
                    f"closed form has shape {got.shape} but the elementwise result has {ref_at.shape} at {where}")
            if not np.all(np.abs(got - ref_at) <= tol * (1 + np.abs(ref_at))):
                k = int(np.argmax(np.abs(got - ref_at)))
                raise ClosedFormCheckError(
                    f"closed form {expr} disagrees with the elementwise {kind} at {where}, "
                    f"random point (seed {seed}): {got.flat[k]:.12g} != {ref_at.flat[k].real:.12g}")
        done.append(sizes_t)
    notes = []
    if skipped:
        notes.append(f"{skipped} size(s) skipped: no well-conditioned instance (singular inverse or determinant, or F undefined)")
    if out_of_time:
        notes.append(f"stopped after the {budget:g} s budget with {len(done)} of {trials} sizes checked")
    if not done:
        method = ProofRecord.NO_INSTANCE
    elif exact_everywhere:
        method = ProofRecord.EXACT
    else:
        method = ProofRecord.NUMERIC
    return ProofRecord(
        kind=kind,
        dims=tuple(d.name for d in dims),
        sizes=tuple(done),
        method=method,
        points=points if method == ProofRecord.NUMERIC else 0,
        seed=seed,
        tolerance=tol if method == ProofRecord.NUMERIC else None,
        convention=convention.to_dict(),
        reference="symjac.gradient" if convention.in_variable_shape((1, 1)) else "symjac.jacobian",
        notes=tuple(notes),
    )


def _structure_fits(sz, mats, properties, relations) -> bool:
    from symjac.properties import sizes_ok
    if not all(r.holds(sz) for r in relations):
        return False
    for M in mats:
        props = properties.get(M.name)
        if props:
            shape = tuple(int(as_expr(d).xreplace({s: sz[s.name] for s in as_expr(d).free_symbols})) for d in M.shape)
            if not sizes_ok(shape, props):
                return False
    return True


def _valid_draws(F, X, expr, mats, scals, sz, rng, heavy, points, properties=None):
    """``points`` random (values, X-entry substitution) pairs sharing one draw of the constants, at which F
    and the closed form are defined (well-conditioned inverses and determinants, finite values), or None."""
    def shape_of(M):
        if not getattr(M, "is_Matrix", False):
            return (1, 1)
        return tuple(int(as_expr(d).xreplace({s: sz[s.name] for s in as_expr(d).free_symbols})) for d in M.shape)

    def arrays(values):
        return {k: np.array(v.tolist(), dtype=float) for k, v in values.items()}

    def defined(values):
        try:
            numeric_evaluate(F, sz, arrays(values), strict=True)
            numeric_evaluate(expr, sz, arrays(values), strict=True)
        except InvalidInstance:
            return False
        except (UnsupportedError, ShapeError):
            pass                                     # not evaluable numerically: the symbolic path decides
        return True

    properties = properties or {}
    nrng = np.random.default_rng(rng.randrange(2**32))

    def value(M):
        props = properties.get(M.name)
        if props:
            from symjac.properties import draw
            return sp.ImmutableMatrix(np.round(draw(nrng, shape_of(M), props), 12).tolist())
        return _value_for(rng, shape_of(M), square_shift=True)

    for _ in range(4):
        consts = {}
        for M in mats:
            if M.name != X.name:
                consts[M.name] = value(M)
        for s in scals:
            consts[s.name] = sp.ImmutableMatrix([[_scalar_value(rng, s)]])
        draws = []
        for _ in range(3 * points):
            val = value(X)
            values = dict(consts, **{X.name: val})
            if defined(values):
                draws.append((values, _entry_map(X.name, shape_of(X), val)))
            if len(draws) == points:
                return draws
    return None


def _check_shape(got, ref, where):
    if got.shape != ref.shape:
        raise ClosedFormCheckError(
            f"closed form has shape {got.shape} but the elementwise result has {ref.shape} at {where}")


__all__ = ["ProofRecord", "prove", "ClosedFormCheckError", "size_assignments", "dimension_symbols"]
