"""How a derivative was verified: a record that never claims more than was done.

Two independent checks of an explicit Jacobian J of F:

* **symbolic** — every entry is re-derived by SymPy's own ``diff`` (a
  different code path from symjac's sparse engine, except where the engine
  itself hands a subexpression to SymPy — Piecewise, Max, variable exponents,
  functions without a rule — which the record then says) and compared
  exactly; entries whose output does not contain the variable must be 0.
  Within a time budget; if the budget runs out the check is *incomplete*.
* **numeric** — central finite differences at N random points
  (:func:`symjac.evaluate.numeric.finite_difference_check`).

``Verification.describe()`` says "proven symbolically …" only when the
symbolic check covered every entry; otherwise "numerically, at N points".
``passed`` needs a complete symbolic check or a passing numeric one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import sympy as sp

from symjac.conventions import Convention, flatten, get_convention
from symjac.calculus.explicit import input_atoms, jacobian, uses_sympy_diff
from symjac.symbols import as_matrix

SYMBOLIC_BUDGET_S = 5.0


@dataclass(frozen=True)
class SymbolicCheck:
    """Exact comparison of every entry with SymPy's independent ``diff``."""

    entries_checked: int
    entries_total: int
    mismatches: tuple = ()
    complete: bool = True
    seconds: float = 0.0
    independent: bool = True  # False where the engine also used SymPy's diff

    @property
    def passed(self) -> bool:
        return self.complete and not self.mismatches

    def to_dict(self) -> dict:
        return {
            "method": "symbolic (independent SymPy diff, exact)",
            "entries_checked": self.entries_checked,
            "entries_total": self.entries_total,
            "complete": self.complete,
            "independent": self.independent,
            "mismatches": [list(m) for m in self.mismatches],
            "passed": self.passed,
        }


@dataclass(frozen=True)
class Verification:
    """The checks a result went through, and what they establish."""

    symbolic: SymbolicCheck | None = None
    numeric: object | None = None  # numeric.NumericCheck
    notes: tuple = field(default_factory=tuple)

    @property
    def proven(self) -> bool:
        """Exact, independent of the engine, and complete: nothing less is called proven."""
        return self.symbolic is not None and self.symbolic.passed and self.symbolic.independent

    @property
    def passed(self) -> bool:
        """No check failed, and at least one check covered the whole result."""
        if self.symbolic is not None and self.symbolic.mismatches:
            return False
        if self.numeric is not None and not self.numeric.passed:
            return False
        return (self.symbolic is not None and self.symbolic.passed) or self.numeric is not None

    def describe(self, deterministic: bool = False) -> str:
        """What was checked, in words. ``deterministic``: no measured error magnitudes or
        partial counts (for documents compared byte for byte)."""
        parts = []
        if self.proven:
            parts.append(f"proven symbolically: all {self.symbolic.entries_total} entries equal SymPy's own "
                         "differentiation exactly")
        elif self.symbolic is not None and self.symbolic.passed:
            parts.append(f"all {self.symbolic.entries_total} entries equal SymPy's own differentiation exactly, "
                         "but not independently (the engine also used SymPy's diff for some subexpressions)")
        elif self.symbolic is not None and self.symbolic.mismatches:
            parts.append(f"FAILED symbolically at {len(self.symbolic.mismatches)} entries")
        elif self.symbolic is not None and deterministic:
            parts.append("symbolic check incomplete within its time budget")
        elif self.symbolic is not None:
            parts.append(
                f"symbolic check incomplete ({self.symbolic.entries_checked} of {self.symbolic.entries_total} entries in the time budget)"
            )
        if self.numeric is not None and deterministic:
            n = self.numeric
            word = "agrees with" if n.passed else "DISAGREES with"
            parts.append(f"{word} central finite differences at {n.points} random points "
                         f"(seed {n.seed}, relative tolerance {n.tolerance:g})")
        elif self.numeric is not None:
            parts.append(self.numeric.describe())
        return "; ".join(parts) if parts else "not verified"

    def to_dict(self) -> dict:
        return {
            "proven": self.proven,
            "passed": self.passed,
            "summary": self.describe(),
            "symbolic": self.symbolic.to_dict() if self.symbolic else None,
            "numeric": self.numeric.to_dict() if self.numeric is not None else None,
        }


def symbolic_check(F, X, J, convention: Convention | str | None = None,
                   budget_s: float = SYMBOLIC_BUDGET_S) -> SymbolicCheck:
    """Compare every entry of J (as ``jacobian(F, X, convention)`` lays it out) with ``sp.diff``."""
    conv = get_convention(convention)
    if not conv.is_flattening and not isinstance(X, (list, tuple)):
        return _arranged_check(F, X, J, conv, budget_s)
    conv = conv.flattening
    outs = flatten(as_matrix(F), conv.outputs)
    ins = input_atoms(X, conv.inputs)
    Jn = J.T if conv.layout == "denominator" else J
    total = len(outs) * len(ins)
    independent = not uses_sympy_diff(outs, ins)
    if Jn.shape != (len(outs), len(ins)):
        return SymbolicCheck(0, total, mismatches=(("shape", str(Jn.shape), str((len(outs), len(ins)))),))
    start = time.perf_counter()
    checked, mismatches = 0, []
    insset = set(ins)
    for r, f in enumerate(outs):
        present = f.free_symbols & insset if all(a.is_Symbol for a in ins) else insset
        for c, v in enumerate(ins):
            got = Jn[r, c]
            want = sp.diff(f, v) if v in present else sp.S.Zero
            if got != want and sp.expand(got - want) != 0:
                mismatches.append((r, c, str(got), str(want)))
            checked += 1
        if time.perf_counter() - start > budget_s:
            return SymbolicCheck(checked, total, tuple(mismatches), complete=False,
                                 seconds=time.perf_counter() - start, independent=independent)
    return SymbolicCheck(checked, total, tuple(mismatches), complete=True,
                         seconds=time.perf_counter() - start, independent=independent)


def _arranged_check(F, X, J, conv: Convention, budget_s: float) -> SymbolicCheck:
    """A non-flattening convention: the array T[i,j,k,l] = ∂F_ij/∂X_kl by SymPy's ``diff`` (for the
    Hessian, of the gradient G_kl = ∂F/∂X_kl), arranged by ``conv.as_matrix``, equals J entry by entry."""
    Fm, Xm = as_matrix(F), as_matrix(X)
    ins = input_atoms(Xm, "row")
    independent = not uses_sympy_diff(list(Fm), ins)
    start = time.perf_counter()
    if conv.second_order:
        Fm = sp.ImmutableMatrix(Xm.rows, Xm.cols, [sp.diff(Fm[0, 0], v) for v in ins])
    outs = flatten(Fm, "row")
    want_shape = conv.answer_shape(as_matrix(F).shape, Xm.shape)
    total = len(outs) * len(ins)
    flat, checked = [], 0
    for f in outs:
        flat.extend(sp.diff(f, v) if v in f.free_symbols else sp.S.Zero for v in ins)
        checked += len(ins)
        if time.perf_counter() - start > budget_s:
            return SymbolicCheck(checked, total, (), complete=False,
                                 seconds=time.perf_counter() - start, independent=independent)
    R = conv.as_matrix(sp.ImmutableDenseNDimArray(flat, Fm.shape + Xm.shape))
    J = as_matrix(J)
    if J.shape != R.shape:
        return SymbolicCheck(0, total, mismatches=(("shape", str(J.shape), str(want_shape)),))
    mismatches = [(r, c, str(J[r, c]), str(R[r, c])) for r in range(R.rows) for c in range(R.cols)
                  if J[r, c] != R[r, c] and sp.expand(J[r, c] - R[r, c]) != 0]
    return SymbolicCheck(checked, total, tuple(mismatches), complete=True,
                         seconds=time.perf_counter() - start, independent=independent)


def verify_jacobian(F, X, J=None, convention: Convention | str | None = None, *,
                    symbolic: bool = True, points: int = 5, seed: int = 0,
                    budget_s: float = SYMBOLIC_BUDGET_S) -> Verification:
    """Verify J = ∂F/∂X (computed if None) symbolically and at ``points`` random points."""
    conv = get_convention(convention)
    if J is None:
        J = jacobian(F, X, conv)
    sym = symbolic_check(F, X, J, conv, budget_s) if symbolic else None
    num = None
    if points:
        from symjac.evaluate.numeric import finite_difference_check

        if conv.is_flattening:
            num = finite_difference_check(F, X, J=J, convention=conv, points=points, seed=seed)
        elif conv.second_order:   # the Hessian is the VEC Jacobian of the gradient column
            flat = conv.flattening
            num = finite_difference_check(jacobian(F, X, flat).T, X, J=J, convention=flat, points=points, seed=seed)
        else:                     # the same derivative, flattened
            flat = conv.flattening
            num = finite_difference_check(F, X, J=jacobian(F, X, flat), convention=flat, points=points, seed=seed)
    return Verification(symbolic=sym, numeric=num)


__all__ = ["Verification", "SymbolicCheck", "symbolic_check", "verify_jacobian"]
