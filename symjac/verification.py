"""How a result was verified: ONE record type that never claims more than was done.

:class:`Verification` says *how* (exact / numeric at N points with tolerance and
seed / finite differences / autodiff), *where* (the sizes), *what* was compared
against what, and whether the reference is *independent* of the code that
produced the result.  A result checked several ways carries one record with the
further checks in ``also``.  ``proven`` is True only for an exact, independent
and complete check that agreed (a closed form checked at finitely many sizes is
never complete); ``describe()`` and ``to_dict()`` render a record the same way
in documents, JSON and the CLI.

Records of the explicit Jacobian (:func:`verify_jacobian`):

* **exact** — every entry is re-derived by SymPy's own ``diff`` (a different code
  path from symjac's sparse engine, except where the engine itself hands a
  subexpression to SymPy — Piecewise, Max, variable exponents, functions without
  a rule — and then the record is not independent) and compared exactly; within a
  time budget, else the check is incomplete;
* **finite differences** — central differences at N random points.

Earlier stages measure and this module records: :func:`from_numeric` (a
:class:`~symjac.evaluate.numeric.NumericCheck`), :func:`from_proof` (a closed
form's :class:`~symjac.calculus.closedform.proof.ProofRecord`), :func:`from_generic`
(an index formula's :class:`~symjac.calculus.indexform.GenericCheck`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import sympy as sp

from symjac.conventions import Convention, flatten, get_convention
from symjac.calculus.explicit import input_atoms, jacobian, uses_sympy_diff
from symjac import progress
from symjac.symbols import as_matrix, exactly_equal

SYMBOLIC_BUDGET_S = 5.0

EXACT = "exact"
NUMERIC = "numeric"
FINITE_DIFFERENCES = "finite differences"
AUTODIFF = "autodiff"
HOWS = (EXACT, NUMERIC, FINITE_DIFFERENCES, AUTODIFF)

SYMPY_DIFF = "SymPy's own differentiation"
NOT_INDEPENDENT = "the engine also used SymPy's diff for some subexpressions"


@dataclass(frozen=True)
class Verification:
    """One check of a result (and, in ``also``, the further checks of the same result).

    how: EXACT | NUMERIC | FINITE_DIFFERENCES | AUTODIFF.  subject / reference: what
    was compared against what.  independent: the reference shares no code with what
    produced the subject.  complete: the whole subject was covered (every entry, no
    budget cut; never for a size-free formula checked at finitely many sizes).
    agrees: this check found no difference.  dims / sizes: dimension names and one
    tuple of values per size assignment (empty: the subject's own size).  points,
    tolerance, seed: numeric checks.  entries / checked: entries to compare / compared.
    failures: entries or points that disagreed (``details``: a few of them).
    error: the measured max relative error (not in deterministic text).  skipped:
    random points drawn outside the function's domain.  note: why not independent.
    remarks: what else the check did (sizes skipped as invalid instances, a budget that ran out).
    """

    how: str
    subject: str
    reference: str
    independent: bool
    complete: bool = True
    agrees: bool = True
    dims: tuple = ()
    sizes: tuple = ()
    points: int = 0
    tolerance: float | None = None
    seed: int | None = None
    entries: int | None = None
    checked: int | None = None
    failures: int = 0
    details: tuple = ()
    error: float | None = None
    skipped: int = 0
    note: str = ""
    remarks: tuple = ()
    also: tuple = ()

    def __post_init__(self):
        if self.how not in HOWS:
            raise ValueError(f"unknown verification method {self.how!r}: use one of {', '.join(HOWS)}")

    @property
    def proven(self) -> bool:
        """Exact AND independent AND complete, agreeing, and no further check disagreeing."""
        return (self.how == EXACT and self.independent and self.complete and self.agrees
                and all(a.agrees for a in self.also))

    @property
    def passed(self) -> bool:
        """No check disagreed, and one covered the whole result (an exact complete one, or a numeric one)."""
        checks = (self,) + tuple(self.also)
        if not all(c.agrees for c in checks):
            return False
        return any((c.how == EXACT and not c.cut_short) or (c.how != EXACT and c.points > 0) for c in checks)

    @property
    def cut_short(self) -> bool:
        """An exact check stopped by its time budget before comparing every entry."""
        return self.checked is not None and self.entries is not None and self.checked < self.entries

    def with_also(self, *more) -> "Verification":
        return replace(self, also=tuple(self.also) + tuple(m for m in more if m is not None))

    # --- words -------------------------------------------------------------------

    def _where(self) -> str:
        if not self.sizes:
            return "its fixed size"
        names = "(" + ",".join(self.dims) + ")" if len(self.dims) > 1 else (self.dims[0] if self.dims else "")
        vals = ",".join("(" + ",".join(map(str, s)) + ")" if len(s) > 1 else str(s[0]) for s in self.sizes)
        return f"sizes {names}={vals}"

    def _describe_one(self, deterministic: bool) -> str:
        if self.how == EXACT:
            if self.failures or not self.agrees:
                if self.sizes or not self.failures:
                    return f"FAILED: {self.subject} differs from {self.reference} at {self._where()}"
                return f"FAILED symbolically at {self.failures} entries"
            if self.cut_short:
                if deterministic:
                    return "symbolic check incomplete within its time budget"
                return f"symbolic check incomplete ({self.checked} of {self.entries} entries in the time budget)"
            if self.sizes or self.entries is None:
                return f"exact agreement with {self.reference} at {self._where()}"
            text = f"all {self.entries} entries equal {self.reference} exactly"
            if self.independent:
                return "proven symbolically: " + text
            return f"{text}, but not independently ({self.note or 'the reference shares code with the engine'})"
        pts = f"{self.points} random point{'s' if self.points != 1 else ''}"
        if self.how == NUMERIC:
            if self.points == 0:
                return f"NOT verified: no size tried gave a valid instance (seed {self.seed})"
            word = "" if self.agrees else "DISAGREES: "
            total = self.points * max(1, len(self.sizes))
            return (f"{word}numerically, at {total} random point{'s' if total != 1 else ''} "
                    f"({self.points} at each of {self._where()}), "
                    f"against {self.reference}, relative tolerance {self.tolerance:g}, seed {self.seed}")
        short = self.reference.replace("central finite differences", "central differences")
        if self.points == 0:
            return f"NOT verified: no random point found where the function is defined ({short}, seed {self.seed})"
        if deterministic:
            word = "agrees with" if self.agrees else "DISAGREES with"
            return (f"{word} {self.reference} at {pts} "
                    f"(seed {self.seed}, relative tolerance {self.tolerance:g})")
        skipped = f"; {self.skipped} drawn points outside the domain skipped" if self.skipped else ""
        if self.agrees:
            return (f"numerically, at {pts} "
                    f"({short}, seed {self.seed}, max rel. error {self.error:.1e}{skipped})")
        return (f"NOT verified: {short} disagree at {pts} "
                f"(seed {self.seed}, max rel. error {self.error:.1e} > tolerance {self.tolerance:.0e})")

    def describe(self, deterministic: bool = False) -> str:
        """What was checked, in words, and no more. ``deterministic``: no measured error magnitudes
        or partial counts (for documents compared byte for byte)."""
        return "; ".join(c._describe_one(deterministic) + "".join(f"; {r}" for r in c.remarks)
                         for c in (self,) + tuple(self.also))

    def to_dict(self) -> dict:
        """JSON-able: every field, ``proven`` / ``passed`` (this check and the ones in ``also``) and the summary."""
        out = {
            "proven": self.proven,
            "passed": self.passed,
            "summary": self.describe(),
            "how": self.how,
            "subject": self.subject,
            "reference": self.reference,
            "independent": self.independent,
            "complete": self.complete,
            "agrees": self.agrees,
            "sizes": [dict(zip(self.dims, s)) for s in self.sizes],
            "points": self.points,
            "tolerance": self.tolerance,
            "seed": self.seed,
            "entries": self.entries,
            "checked": self.checked,
            "failures": self.failures,
            "details": [list(d) for d in self.details],
            "max_rel_error": self.error,
            "skipped_points": self.skipped,
        }
        if self.note:
            out["note"] = self.note
        if self.remarks:
            out["remarks"] = list(self.remarks)
        out["also"] = [a.to_dict() for a in self.also]
        return out


# --- records from the measurements of earlier stages ---------------------------------

def from_numeric(check, subject: str = "the Jacobian") -> Verification:
    """A finite-difference :class:`~symjac.evaluate.numeric.NumericCheck` as a record."""
    return Verification(
        how=FINITE_DIFFERENCES, subject=subject, reference="central finite differences", independent=True,
        complete=False, agrees=bool(check.passed), points=check.points, tolerance=check.tolerance, seed=check.seed,
        error=None if check.points == 0 else check.max_rel_error, skipped=check.rejected,
        failures=0 if check.passed else check.points,
    )


def from_proof(rec, subject: str = "the closed form") -> Verification:
    """A closed form's :class:`~symjac.calculus.closedform.proof.ProofRecord` (checked at finitely many sizes:
    never complete, so never "proven") as a record."""
    reference = f"the entry-by-entry engine ({rec.reference})"
    sizes = tuple(tuple(s) for s in rec.sizes) if rec.dims else ()
    remarks = tuple(getattr(rec, "notes", ()))
    if not getattr(rec, "verified", True):          # no size gave a valid instance: nothing was compared
        return Verification(how=NUMERIC, subject=subject, reference=reference, independent=True, complete=False,
                            agrees=False, dims=tuple(rec.dims), points=0, seed=rec.seed, remarks=remarks)
    return Verification(
        how=EXACT if rec.exact else NUMERIC, subject=subject, reference=reference, independent=True,
        complete=False, agrees=True, dims=tuple(rec.dims), sizes=sizes,
        points=rec.points, tolerance=rec.tolerance, seed=rec.seed, remarks=remarks,
    )


def from_generic(check, subject: str = "the general formula") -> Verification:
    """An index formula evaluated at every index of an instance
    (:class:`~symjac.calculus.indexform.GenericCheck`) as a record: exact at one size."""
    dims = tuple(sorted(check.sizes))
    return Verification(
        how=EXACT, subject=subject, reference="the entries of the explicit derivative", independent=True,
        complete=False, agrees=bool(check.passed), dims=dims,
        sizes=(tuple(check.sizes[d] for d in dims),) if dims else (), entries=check.checked,
        checked=check.checked, failures=len(check.mismatches),
    )


def _exact(entries, checked, mismatches, complete, independent) -> Verification:
    return Verification(
        how=EXACT, subject="every entry", reference=SYMPY_DIFF, independent=independent, complete=complete,
        agrees=not mismatches, entries=entries, checked=checked, failures=len(mismatches),
        details=tuple(mismatches[:10]), note="" if independent else NOT_INDEPENDENT,
    )


def symbolic_check(F, X, J, convention: Convention | str | None = None,
                   budget_s: float = SYMBOLIC_BUDGET_S) -> Verification:
    """Compare every entry of J (as ``jacobian(F, X, convention)`` lays it out) with ``sp.diff``: an EXACT record."""
    conv = get_convention(convention)
    if not conv.flattens(as_matrix(F).shape) and not isinstance(X, (list, tuple)):
        return _arranged_check(F, X, J, conv, budget_s)
    conv = conv.flattening
    outs = flatten(as_matrix(F), conv.outputs)
    ins = input_atoms(X, conv.inputs)
    Jn = J.T if conv.layout == "denominator" else J
    total = len(outs) * len(ins)
    independent = not uses_sympy_diff(outs, ins)
    if Jn.shape != (len(outs), len(ins)):
        return _exact(total, 0, [("shape", str(Jn.shape), str((len(outs), len(ins))))], True, independent)
    start = time.perf_counter()
    checked, mismatches = 0, []
    insset = set(ins)
    for r, f in progress.bar(enumerate(outs), total=len(outs), desc="exact check", unit="row"):
        present = f.free_symbols & insset if all(a.is_Symbol for a in ins) else insset
        for c, v in enumerate(ins):
            got = Jn[r, c]
            want = sp.diff(f, v) if v in present else sp.S.Zero
            if got != want and not exactly_equal(got, want):
                mismatches.append((r, c, str(got), str(want)))
            checked += 1
        if time.perf_counter() - start > budget_s:
            return _exact(total, checked, mismatches, False, independent)
    return _exact(total, checked, mismatches, True, independent)


def _arranged_check(F, X, J, conv: Convention, budget_s: float) -> Verification:
    """A non-flattening convention: the array T[i,j,k,l] = ∂F_ij/∂X_kl by SymPy's ``diff`` (for the
    Hessian, of the gradient G_kl = ∂F/∂X_kl), arranged by ``conv.as_matrix``, equals J entry by entry."""
    Fm, Xm = as_matrix(F), as_matrix(X)
    ins = input_atoms(Xm, "row")
    independent = not uses_sympy_diff(list(Fm), ins)
    start = time.perf_counter()
    if conv.second_order:
        Fm = sp.ImmutableMatrix(Xm.rows, Xm.cols, [sp.diff(Fm[0, 0], v) for v in ins])
    outs = flatten(Fm, "row")
    total = len(outs) * len(ins)
    flat, checked = [], 0
    for f in outs:
        flat.extend(sp.diff(f, v) if v in f.free_symbols else sp.S.Zero for v in ins)
        checked += len(ins)
        if time.perf_counter() - start > budget_s:
            return _exact(total, checked, [], False, independent)
    R = conv.as_matrix(sp.ImmutableDenseNDimArray(flat, Fm.shape + Xm.shape))
    J = as_matrix(J)
    if J.shape != R.shape:
        return _exact(total, 0, [("shape", str(J.shape), str(R.shape))], True, independent)
    mismatches = [(r, c, str(J[r, c]), str(R[r, c])) for r in range(R.rows) for c in range(R.cols)
                  if J[r, c] != R[r, c] and not exactly_equal(J[r, c], R[r, c])]
    return _exact(total, checked, mismatches, True, independent)


def _numeric_record(F, X, J, conv: Convention, points: int, seed: int) -> Verification:
    from symjac.evaluate.numeric import finite_difference_check

    shape = as_matrix(F).shape
    if conv.flattens(shape) or conv.in_variable_shape(shape):
        num = finite_difference_check(F, X, J=J, convention=conv, points=points, seed=seed)
        subject = "the Jacobian"
    elif conv.second_order:   # the Hessian is the VEC Jacobian of the gradient column
        flat = conv.flattening
        num = finite_difference_check(jacobian(F, X, flat).T, X, J=J, convention=flat, points=points, seed=seed)
        subject = "the Hessian, as the Jacobian of the gradient"
    else:                     # the same derivative array, flattened
        flat = conv.flattening
        num = finite_difference_check(F, X, J=jacobian(F, X, flat), convention=flat, points=points, seed=seed)
        subject = f"the same derivative in {flat.label}"
    return from_numeric(num, subject)


def verify_jacobian(F, X, J=None, convention: Convention | str | None = None, *,
                    symbolic: bool = True, points: int = 5, seed: int = 0,
                    budget_s: float = SYMBOLIC_BUDGET_S) -> Verification:
    """Verify J = ∂F/∂X (computed if None) exactly against SymPy's diff and by central differences at
    ``points`` random points: one record (the exact check, the numeric one in ``also``)."""
    conv = get_convention(convention)
    if J is None:
        J = jacobian(F, X, conv)
    if symbolic:
        size = "x".join(map(str, getattr(J, "shape", ())))
        with progress.stage(f"exact check: every entry of the {size} Jacobian against SymPy's diff "
                            f"(at most {budget_s:g} s)"):
            records = [symbolic_check(F, X, J, conv, budget_s)]
    else:
        records = []
    if points:
        with progress.stage(f"numeric check: compiling the Jacobian, central differences at {points} random points"):
            records.append(_numeric_record(F, X, J, conv, points, seed))
    if not records:
        raise ValueError("verify_jacobian needs symbolic=True or points > 0")
    return records[0].with_also(*records[1:])


__all__ = ["Verification", "EXACT", "NUMERIC", "FINITE_DIFFERENCES", "AUTODIFF", "from_numeric", "from_proof",
           "from_generic", "symbolic_check", "verify_jacobian"]
