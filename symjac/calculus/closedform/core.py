"""closed_form, closed_form_gradient, closed_form_hessian: size-free derivatives, each checked
against the entry-by-entry engine at ≥ 3 sizes.

Shapes (F m×n, X p×q, sizes may be dimension symbols):

* ``closed_form(F, X, convention=VEC)``: the Jacobian as a matrix expression,
  (mn)×(pq) in numerator layout (J[r, c] = ∂flat(F)_r/∂flat(X)_c with the
  convention's output / input orders), (pq)×(mn) in denominator layout.  From
  VEC's J: row outputs give K_{m,n} J, row inputs J K_{q,p}, denominator the
  transpose.  A scalar F (or 1×1) gives a 1×(pq) row, vec(G)ᵀ in VEC.
* ``closed_form_gradient(F, X)``: for scalar F, the gradient G in X's shape,
  G[k, l] = ∂F/∂X_kl (∂tr(AX)/∂X = Aᵀ, ∂ log det X/∂X = X⁻ᵀ).  For a symmetric
  X this is the *unstructured* gradient (entries treated as independent);
  Matrix Cookbook §2.8.2's 2G − diag(G) is a different convention.
* ``closed_form_hessian(F, X)``: ∂vec(G)/∂(vec X)ᵀ, (pq)×(pq), VEC convention
  (for a vector x: the usual Hessian, e.g. 2ΦᵀΦ for ‖y − Φθ‖²).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from symjac.conventions import ENTRY, GRADIENT, HESSIAN, VEC, Convention, get_convention
from symjac.errors import ShapeError, SymjacError, UnsupportedError
from symjac.calculus.closedform.differentials import check_variable, differential
from symjac.calculus.closedform.entries import matrix_form
from symjac.calculus.closedform.identify import NoAdjoint, gradient_from_differential, vec_jacobian
from symjac.render.closedform import to_latex, to_text
from symjac.calculus.closedform.objects import CommutationMatrix, Unvec, Vec, as_expr
from symjac.calculus.closedform.proof import ProofRecord, prove
from symjac.calculus.closedform.readable import tidy


def _shape_of(F):
    return tuple(F.shape) if getattr(F, "is_Matrix", False) else (sp.S.One, sp.S.One)


def _is_scalar_shape(shape) -> bool:
    return shape[0] == 1 and shape[1] == 1


@dataclass
class ClosedFormResult:
    """A size-free derivative: ``expr`` (SymPy matrix expression) with its convention and proof record."""

    expr: sp.Basic
    function: sp.Basic
    variable: sp.MatrixSymbol
    kind: str                                   # "jacobian" | "gradient" | "hessian"
    convention: Convention
    differential: sp.Basic | None = None        # dF, linear in d<X>
    proof: ProofRecord | None = None
    notes: list = field(default_factory=list)

    @property
    def shape(self):
        return _shape_of(self.expr)

    def instantiate(self, sizes, values=None):
        """The explicit matrix at ``sizes`` (see :func:`symjac.calculus.closedform.instantiate`)."""
        from symjac.calculus.closedform.instantiate import instantiate
        return instantiate(self.expr, sizes, values)

    def lhs_latex(self) -> str:
        f, x = to_latex(self.function), to_latex(self.variable)
        if self.convention.in_variable_shape(_shape_of(self.function)):
            return r"\frac{\partial}{\partial %s}\left(%s\right)" % (x, f)
        if self.kind == "entry":
            return r"\frac{\partial}{\partial (%s)_{ij}}\left(%s\right)" % (x, f)
        if self.convention.second_order:
            return r"\frac{\partial \operatorname{vec} \nabla_{%s}}{\partial (\operatorname{vec} %s)^{\top}}\left(%s\right)" % (x, x, f)
        return r"J_{%s}\left(%s\right)" % (x, f)

    def to_latex(self) -> str:
        """LaTeX of the closed form alone."""
        return to_latex(self.expr)

    def to_text(self) -> str:
        """One-line Unicode text of the closed form."""
        return to_text(self.expr)

    def report_text(self, verification=None) -> str:
        """The closed form for a terminal: formula, convention and (given) the verification record
        (:func:`symjac.verification.from_proof` of ``self.proof``)."""
        lines = [f"closed form: {to_text(self.expr)}", f"convention: {self.describe_convention()}"]
        if verification is not None:
            lines.append(f"verified: {verification.describe()}")
        return "\n".join(lines)

    def describe_convention(self) -> str:
        if self.kind == "entry":
            return "entry partial ∂F/∂X[i,j] in F's shape (0-based i, j)"
        if self.convention.in_variable_shape(_shape_of(self.function)):
            structured = next((n for n in self.notes if n.startswith("structured")), None)
            return ("gradient in the variable's shape: G[k,l] = ∂F/∂X[k,l] "
                    + (f"({structured})" if structured else "(unstructured X)"))
        if self.convention.second_order:
            return "vec Hessian: H = ∂vec(∇F)/∂(vec X)ᵀ, (pq)×(pq), columns stacked (VEC)"
        return f"{self.convention.label}: {self.convention.describe()}"

    def convention_dict(self) -> dict:
        """The convention the result is really in, with a description."""
        return {**self.convention.to_dict(), "description": self.describe_convention()}

    def to_markdown(self, verification=None) -> str:
        lines = [
            f"$$ {self.lhs_latex()} = {self.to_latex()} $$",
            "",
            f"- convention: {self.describe_convention()}",
        ]
        if self.differential is not None:
            lines.append(f"- differential: $d\\left({to_latex(self.function)}\\right) = {to_latex(self.differential)}$")
        if verification is not None:
            lines.append(f"- {verification.describe()}")
        return "\n".join(lines) + "\n"

    def to_dict(self, verification=None) -> dict:
        """JSON-able: expression text and LaTeX, shape, convention, differential, proof measurement and
        (given) the verification record."""
        return {
            "kind": self.kind,
            "function": to_text(self.function),
            "variable": self.variable.name,
            "variable_shape": [str(d) for d in getattr(self.variable, "shape", ())],
            "expr": to_text(self.expr),
            "sympy": str(self.expr),
            "latex": self.to_latex(),
            "shape": [str(d) for d in _shape_of(self.expr)],
            "convention": self.convention_dict(),
            "differential": None if self.differential is None else to_text(self.differential),
            "proof": None if self.proof is None else self.proof.to_dict(),
            "verification": None if verification is None else verification.to_dict(),
        }

    def __str__(self) -> str:
        return to_text(self.expr)

    def _repr_latex_(self) -> str:
        """Notebook display: the derivative symbol = the closed form."""
        return f"$\\displaystyle {self.lhs_latex()} = {self.to_latex()}$"

    def _repr_markdown_(self) -> str:
        """Notebook display with the convention, the differential and the proof record."""
        return self.to_markdown()


def _gradient_expr(F, X, dF, dX):
    try:
        return tidy(gradient_from_differential(dF, dX))
    except NoAdjoint:
        J = tidy(vec_jacobian(dF, dX, (1, 1)))
        p, q = X.shape
        return tidy(Unvec(sp.Transpose(J), p, q)) if q != 1 else tidy(sp.Transpose(J))


def _jacobian_expr(F, X, dF, dX, conv: Convention):
    out_shape = _shape_of(F)
    if _is_scalar_shape(out_shape):
        G = _gradient_expr(F, X, dF, dX)
        J = sp.Transpose(Vec(G))
    else:
        J = vec_jacobian(dF, dX, out_shape)
    m, n = out_shape
    p, q = X.shape
    if conv.outputs == "row":
        J = sp.MatMul(CommutationMatrix(m, n), J)          # vec_row F = K_{m,n} vec F
    if conv.inputs == "row":
        J = sp.MatMul(J, CommutationMatrix(q, p))          # vec X = K_{q,p} vec_row X
    if conv.layout == "denominator":
        J = sp.Transpose(J)
    return tidy(J)


def _prepare(F):
    """F as a SymPy expression, with SymPy's entry sums turned back into matrix entries."""
    return matrix_form(as_expr(F, "the function F"))


def _by_scalar(dF, dt, F):
    """dF/dt for a scalar variable t: dF is linear in dt, so the derivative is dF at dt = 1 (F's shape)."""
    if dF is None:
        return sp.ZeroMatrix(*_shape_of(F)) if getattr(F, "is_Matrix", False) else sp.S.Zero
    return tidy(dF.xreplace({dt: sp.S.One}))


def _scalar_jacobian(F, D, conv: Convention):
    """J for a scalar variable: vec(dF/dt), (mn)×1 (numerator), with the convention's output order."""
    m, n = _shape_of(F)
    if not getattr(F, "is_Matrix", False):
        return D
    J = Vec(sp.Transpose(D)) if conv.outputs == "row" else Vec(D)         # vec_row F = vec Fᵀ
    return tidy(sp.Transpose(J) if conv.layout == "denominator" else J)


def closed_form(F, X, convention=VEC, *, prove_it: bool = True, seed: int = 0, trials: int = 3, sizes=None) -> ClosedFormResult:
    """The size-free derivative of F by X (MatrixSymbol, or a scalar Symbol) under ``convention`` (default VEC),
    checked at ≥ 3 sizes.

    Numerator layout: (mn)×(pq), J[r, c] = ∂flat(F)_r/∂flat(X)_c; denominator: its transpose.
    A scalar variable t gives the (mn)×1 column vec(∂F/∂t) (a scalar F: the scalar dF/dt).
    GRADIENT: the gradient in X's shape for a scalar F (else the denominator layout);
    HESSIAN: :func:`closed_form_hessian`.  TENSOR / ENTRY have no matrix form (UnsupportedError).
    """
    conv = get_convention(convention)
    X = check_variable(X)
    F = _prepare(F)
    if conv.in_variable_shape(_shape_of(F)):
        return closed_form_gradient(F, X, prove_it=prove_it, seed=seed, trials=trials, sizes=sizes)
    if conv.second_order:
        return closed_form_hessian(F, X, prove_it=prove_it, seed=seed, trials=trials, sizes=sizes)
    if not conv.flattens(_shape_of(F)):
        raise UnsupportedError(f"no closed matrix form in the {conv.name} convention: its answer is an array "
                               "(use a flattening such as vec, or the index form)")
    dF, dX = differential(F, X)
    if isinstance(X, sp.Symbol):
        J = _scalar_jacobian(F, _by_scalar(dF, dX, F), conv)
    else:
        J = _jacobian_expr(F, X, dF, dX, conv)
    rec = prove("jacobian", F, X, J, conv, seed=seed, trials=trials, sizes=sizes) if prove_it else None
    return ClosedFormResult(J, F, X, "jacobian", conv, dF, rec)


def closed_form_gradient(F, X, *, prove_it: bool = True, seed: int = 0, trials: int = 3, sizes=None,
                         properties=None, symmetric: str = "free", relations=()) -> ClosedFormResult:
    """∂F/∂X in X's shape (p×q) for a scalar (or 1×1) F, checked against ``symjac.gradient`` at ≥ 3 sizes.

    ``properties`` ({name: ["symmetric", …]}, the vocabulary of :mod:`symjac.properties`) are used
    by the rules (a symmetric constant A: Aᵀ → A) and by the proof (values drawn with them).  A
    symmetric / spd X gives the gradient over its free parameters: ``symmetric="free"``
    G + Gᵀ − G∘I (Cookbook §2.8) or ``"frobenius"`` (G + Gᵀ)/2; a diagonal X gives G∘I.
    ``relations``: size relations such as ``["m >= n"]``.
    """
    from symjac.properties import parse_properties, parse_relation
    from symjac.calculus.closedform.structured import prove_structured, structured_gradient, use_symmetry
    props = parse_properties(properties)
    rels = tuple(parse_relation(r) for r in relations)
    X = check_variable(X)
    F = _prepare(F)
    if not _is_scalar_shape(_shape_of(F)):
        raise ShapeError(f"a gradient needs a scalar function, got shape {_shape_of(F)[0]}x{_shape_of(F)[1]}")
    dF, dX = differential(F, X)
    G = _by_scalar(dF, dX, F) if isinstance(X, sp.Symbol) else _gradient_expr(F, X, dF, dX)
    xprops = props.get(getattr(X, "name", ""), frozenset())
    if xprops & {"symmetric", "spd", "diagonal"}:
        G = tidy(use_symmetry(tidy(use_symmetry(structured_gradient(G, X, xprops, symmetric), props)), props))
        rec = prove_structured(F, X, G, props, symmetric, seed=seed, trials=trials) if prove_it else None
        r = ClosedFormResult(G, F, X, "gradient", GRADIENT, dF, rec)
        r.notes.append(f"structured {X.name}: " + ("G∘I (diagonal)" if "diagonal" in xprops else
                       ("G + Gᵀ − G∘I (free parameters)" if symmetric == "free" else "(G + Gᵀ)/2 (Frobenius)")))
        return r
    G = tidy(use_symmetry(G, props)) if props else G
    rec = prove("gradient", F, X, G, GRADIENT, seed=seed, trials=trials, sizes=sizes, properties=props,
                relations=rels) if prove_it else None
    return ClosedFormResult(G, F, X, "gradient", GRADIENT, dF, rec)


def closed_form_entry(F, X, i=None, j=None, *, prove_it: bool = True, seed: int = 0) -> ClosedFormResult:
    """∂F/∂X_ij (F's shape) = dF at dX = J^{ij} = e_i e_jᵀ, the single-entry matrix (Magnus–Neudecker /
    Cookbook §9.7).  i, j: 0-based integers or symbols (default the symbols i, j)."""
    from symjac.calculus.closedform.structured import entry_derivative
    X = check_variable(X)
    if not isinstance(X, sp.MatrixSymbol):
        raise SymjacError("closed_form_entry needs a matrix variable")
    i = sp.Symbol("i", integer=True, nonnegative=True) if i is None else as_expr(i)
    j = sp.Symbol("j", integer=True, nonnegative=True) if j is None else as_expr(j)
    F = _prepare(F)
    dF, dX = differential(F, X)
    E = tidy(entry_derivative(dF, dX, i, j)) if dF is not None else sp.ZeroMatrix(*_shape_of(F))
    rec = _prove_entry(F, X, E, i, j, seed) if prove_it else None
    r = ClosedFormResult(E, F, X, "entry", ENTRY, dF, rec)
    r.notes.append(f"∂F/∂{X.name}[i, j] with 0-based i, j; e_i prints 1-based as in the notes")
    return r


def _prove_entry(F, X, E, i, j, seed):
    """E against ∂F_e/∂X_e[i, j] (explicit SymPy diff of each entry) at ≥ 3 sizes and every (i, j)."""
    import random
    from symjac.calculus.closedform.instantiate import instantiate
    from symjac.calculus.closedform.proof import ClosedFormCheckError, ProofRecord, candidate_sizes, dimension_symbols
    rng = random.Random(seed)
    dims = dimension_symbols(F, X, E)
    done = []
    for sizes_t in candidate_sizes(dims, rng, heavy=True):
        if len(done) >= 3:
            break
        sz = {d.name: v for d, v in zip(dims, sizes_t)}
        F_e = instantiate(F, sz)
        X_e = instantiate(X, sz)
        for a in range(X_e.rows):
            for b in range(X_e.cols):
                vals = {s.name: v for s, v in ((i, a), (j, b)) if isinstance(s, sp.Symbol)}
                if (not isinstance(i, sp.Symbol) and int(i) != a) or (not isinstance(j, sp.Symbol) and int(j) != b):
                    continue
                got = instantiate(E, sz, vals)
                ref = F_e.applyfunc(lambda v: sp.diff(v, X_e[a, b]))
                if got.shape != ref.shape or any(sp.expand(u - v) != 0 for u, v in zip(got, ref)):
                    raise ClosedFormCheckError(f"entry derivative {E} disagrees at sizes {sz}, entry ({a}, {b})")
        done.append(sizes_t)
    return ProofRecord(kind="entry", dims=tuple(d.name for d in dims), sizes=tuple(done), method=ProofRecord.EXACT,
                       convention={}, reference="sympy.diff of every entry, at every (i, j)")


def closed_form_hessian(F, X, *, prove_it: bool = True, seed: int = 0, trials: int = 3, sizes=None) -> ClosedFormResult:
    """∂vec(∇F)/∂(vec X)ᵀ, (pq)×(pq) in VEC, for a scalar F; for a vector x the Hessian n×n."""
    g = closed_form_gradient(F, X, prove_it=False)
    X = g.variable
    dG, dX = differential(g.expr, X)
    H = _by_scalar(dG, dX, g.expr) if isinstance(X, sp.Symbol) else _jacobian_expr(g.expr, X, dG, dX, VEC)
    rec = prove("hessian", g.function, X, H, HESSIAN, seed=seed, trials=trials, sizes=sizes) if prove_it else None
    return ClosedFormResult(H, g.function, X, "hessian", HESSIAN, dG, rec)


__all__ = ["ClosedFormResult", "closed_form", "closed_form_gradient", "closed_form_hessian", "closed_form_entry"]
