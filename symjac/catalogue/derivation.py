"""Step-by-step derivations from specs: every step computed and verified, every claim judged.

``derive_spec(spec) -> Derivation``: an ordered list of :class:`Step`s (the
problem and its convention, the component functions, the generic entry
∂F_ij/∂X_kl with its case analysis, the assembled Jacobian, the closed form,
the chain rule, values, choices, and one step per ``claimed`` result).  A step
holds format-neutral blocks (prose with inline math, display math, tables);
:mod:`symjac.catalogue.documents` renders them as LaTeX, Markdown or plain text.
Nothing here depends on time or randomness beyond fixed seeds, so documents
are byte-for-byte reproducible.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp
from sympy.core.sympify import _sympify

from symjac.conventions import VEC, flatten, get_convention
from symjac.errors import SymjacError
from symjac.calculus.indexform import generic_entry, verify_displayed
from symjac.calculus.explicit import derivative_array, jacobian
from symjac.render.latex import SymjacLatexPrinter, jacobian_symbol, latex, latex_matrix
from symjac.parsing.explicit import build_explicit
from symjac.parsing.expr import parse
from symjac.symbols import entry_symbol, exactly_equal, symbolic

MAX_SHOWN = 12
MAX_DIFFS = 6
WIDE_ROW = 170   # characters of LaTeX per matrix row beyond which entries are abbreviated


# --- format-neutral content -----------------------------------------------------------

@dataclass(frozen=True)
class Seg:
    """A piece of prose: plain text (``kind == "t"``) or inline math (LaTeX + plain text)."""

    kind: str
    latex: str
    text: str


def T(text: str) -> Seg:
    return Seg("t", text, text)


def M(tex: str, text: str | None = None) -> Seg:
    return Seg("m", tex, text if text is not None else tex)


@dataclass
class Block:
    """``para`` (segments), ``math`` (display LaTeX + plain text), ``table`` (header + rows of cells)."""

    kind: str
    segs: list = field(default_factory=list)
    math: str = ""
    text: str = ""
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)


def para(*segs) -> Block:
    return Block("para", segs=[T(s) if isinstance(s, str) else s for s in segs])


def math_block(tex: str, text: str) -> Block:
    return Block("math", math=tex, text=text)


@dataclass
class Step:
    title: str
    blocks: list = field(default_factory=list)
    status: str = ""          # "verified", "FLAGGED", "agrees", "not yet checked", ""


@dataclass
class ClaimResult:
    label: str
    kind: str
    verdict: str              # agrees | differs | unreadable (the checker's correct | incorrect | invalid)
    summary: str              # the checker's message
    report: object = None     # the checker's Report (symjac.checking.report)

    @property
    def brief(self) -> str:
        """One line for indexes: the checker's message without LaTeX, and the first wrong entries."""
        text = self.summary
        for prefix in ("correct: ", "incorrect: ", "invalid input: "):
            if text.startswith(prefix):
                text = text[len(prefix):]
        text = text.split("; the correct value is")[0].split(": (")[0]
        details = getattr(self.report, "details", None) or {}
        wrong = details.get("wrong_entries") or []
        if wrong:
            text += " — " + "; ".join(f"({w['row']},{w['col']}): claimed ${_short_number(w.get('given', '?'))}$, "
                                      f"correct ${_short_number(w.get('expected', '?'))}$"
                                      for w in wrong[:3]) + (" …" if len(wrong) > 3 else "")
        return text


def _short_number(v) -> str:
    """A number as a reader writes it (6 significant digits), anything else as given."""
    return f"{v:.6g}" if isinstance(v, float) else str(v)


@dataclass
class Derivation:
    spec: object
    steps: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    verified: bool = True
    verification: str = ""

    @property
    def flagged(self) -> list:
        return [c for c in self.claims if c.verdict == "differs"]

    def _repr_markdown_(self) -> str:
        """Notebook display: the whole derivation (prose with $…$ math, as in docs/derivations/)."""
        from symjac.catalogue.documents import markdown_document

        return markdown_document(self)

    def _repr_latex_(self) -> str:
        """Notebook display (LaTeX only): the display formulas of every step, in order."""
        maths = [b.math for step in self.steps for b in step.blocks if b.kind == "math"]
        return "$$\\begin{gathered}%s\\end{gathered}$$" % r" \\[1ex] ".join(maths)


# --- printing helpers -------------------------------------------------------------------

class IndexPrinter(SymjacLatexPrinter):
    """symjac's printer, with ``A_{ip}`` / ``\\delta_{jp}`` for index notation."""

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        idx = [self._print(i) for i in expr.indices]
        sep = "" if all(len(s) == 1 for s in idx) else ","
        tex = "%s_{%s}" % (base, sep.join(idx))
        # a^{(1)}_{i} raised to a power is braced: {a^{(1)}_{i}}^{2}, never a double superscript
        return "{%s}" % tex if "^" in base and getattr(self, "_in_power", False) else tex

    def _print_Pow(self, expr, *args, **kwargs):
        saved = getattr(self, "_in_power", False)
        self._in_power = isinstance(expr.base, sp.Indexed)
        try:
            return super()._print_Pow(expr, *args, **kwargs)
        finally:
            self._in_power = saved

    def _print_KroneckerDelta(self, expr, exp=None):
        a, b = (self._print(x) for x in expr.args)
        sep = "" if len(a) == 1 and len(b) == 1 else ","
        tex = r"\delta_{%s%s%s}" % (a, sep, b)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


def ilatex(expr) -> str:
    return IndexPrinter().doprint(expr)


def _tm(expr) -> str:
    from symjac.render.latex import text_math

    return text_math(expr)


def itext(expr) -> str:
    """Plain text for index notation: A[i,p] → A_ip, KroneckerDelta(j,p) → δ_jp."""
    e = expr.replace(lambda t: isinstance(t, sp.KroneckerDelta),
                     lambda t: sp.Symbol("δ_" + "".join(str(a) for a in t.args)))
    e = e.replace(lambda t: isinstance(t, sp.Indexed),
                  lambda t: sp.Symbol(str(t.base.label) + "_" + "".join(str(i) for i in t.indices)))
    from symjac.render.latex import text_math

    return text_math(e)


def _shape(v) -> tuple:
    return tuple(v.shape) if isinstance(v, sp.MatrixBase) else (1, 1)


def _mat(v) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(v) if isinstance(v, sp.MatrixBase) else sp.ImmutableMatrix([[v]])


def _dim_tex(d) -> str:
    return str(d)


def _space_tex(shape) -> str:
    r, c = shape
    if (r, c) == (1, 1):
        return r"\mathbb{R}"
    if c == 1:
        return r"\mathbb{R}^{%s}" % _dim_tex(r)
    return r"\mathbb{R}^{%s \times %s}" % (_dim_tex(r), _dim_tex(c))


def _space_text(shape) -> str:
    r, c = shape
    if (r, c) == (1, 1):
        return "R"
    return f"R^{r}" if c == 1 else f"R^({r}x{c})"


def _sym_tex(name: str) -> str:
    return latex(sp.Symbol(name))


def _jsym(name: str) -> str:
    """A name for jacobian_symbol: braced when it carries a superscript (a^{(0)} → {a^{(0)}})."""
    tex = _sym_tex(name)
    return "{%s}" % tex if "^" in tex else tex


def function_latex(function: str, shapes: dict) -> str:
    """The function in matrix notation (via the closed-form builder), or typewriter text."""
    try:
        from symjac.calculus.closedform import build_matrix_expr, to_latex

        F, _ = build_matrix_expr(function, shapes)
        return to_latex(F)
    except Exception:  # noqa: BLE001 - presentation only: fall back to the source text
        return r"\texttt{%s}" % function.replace("_", r"\_")


def fmt_number(v) -> tuple[str, bool]:
    """(decimal text, exact?) — exact rationals with a terminating decimal print exactly."""
    v = sp.nsimplify(v) if isinstance(v, float) else _sympify(v)  # strict: numbers, never text
    if v.is_Rational:
        q = int(v.q)
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1:
            s = str(Fraction(int(v.p), int(v.q)).__float__()) if v.q != 1 else str(int(v.p))
            if "e" not in s:
                return s, True
    f = float(sp.N(v, 20))
    return f"{f:.4f}", False


def num_matrix(V) -> tuple[str, str, bool]:
    """LaTeX, text and exactness of a numeric matrix/scalar."""
    Vm = _mat(V)
    cells = [[fmt_number(Vm[i, j]) for j in range(Vm.cols)] for i in range(Vm.rows)]
    exact = all(c[1] for r in cells for c in r)
    if Vm.shape == (1, 1):
        return cells[0][0][0], cells[0][0][0], exact
    tex = r"\begin{bmatrix}%s\end{bmatrix}" % r" \\ ".join(" & ".join(c[0] for c in r) for r in cells)
    txt = "[" + "; ".join(", ".join(c[0] for c in r) for r in cells) + "]"
    return tex, txt, exact


def _abbreviate(J, taken: set):
    """Long arguments of elementwise functions (tanh(W a + b) …) named z_1, z_2, … when a row is wide."""
    width = max((len(" & ".join(latex(J[i, j]) for j in range(J.cols))) for i in range(J.rows)), default=0)
    if width <= WIDE_ROW:
        return J, []
    letter = next(c for c in "zuvst" if c not in taken)
    args = []
    for e in J:
        for f in sorted(sp.preorder_traversal(e) and e.atoms(sp.Function), key=sp.default_sort_key):
            if isinstance(f, sp.KroneckerDelta) or len(f.args) != 1:
                continue
            arg = f.args[0]
            if not arg.is_Atom and len(latex(arg)) > 12 and arg not in args:
                args.append(arg)
    names = {arg: entry_symbol(letter, k) for k, arg in enumerate(args, 1)}
    J2 = J.applyfunc(lambda e: e.xreplace(names))
    repl = [(z, arg) for arg, z in names.items()]
    width = max(len(" & ".join(latex(J2[i, j]) for j in range(J2.cols))) for i in range(J2.rows))
    if width > WIDE_ROW and 1 < J2.rows * J2.cols <= 16:
        # still too wide: name the long entries themselves and define them below the matrix
        base = next(c for c in "JCD" if c not in taken)
        cells = {}
        for i in range(J2.rows):
            for j in range(J2.cols):
                if len(latex(J2[i, j])) > 24:
                    cells[(i, j)] = entry_symbol(base, i + 1, j + 1)
                    repl.append((cells[(i, j)], J2[i, j]))
        J2 = sp.ImmutableMatrix(J2.rows, J2.cols, lambda i, j: cells.get((i, j), J2[i, j]))
    return J2, repl


def matrix_latex(J, taken=()) -> tuple[str, list, object]:
    """LaTeX of a matrix (elided beyond MAX_SHOWN), abbreviating wide entries; returns (tex, where, matrix shown)."""
    J2, repl = _abbreviate(J, set(taken))
    # a single entry is a scalar: L = (…)², never L = [(…)²]
    tex = latex(J2[0, 0]) if getattr(J2, "shape", None) == (1, 1) else latex_matrix(J2, MAX_SHOWN)
    where = [(latex(z), latex(e), f"{z} = {e}") for z, e in repl]
    return tex, where, J2


# --- the derivation -------------------------------------------------------------------

class _Ctx:
    def __init__(self, spec):
        self.spec = spec
        self.shapes = spec.instance_shapes
        asked = get_convention(spec.convention)
        self.conv = asked.flattening if asked.answer_rank == 4 else asked   # an array is shown as its VEC matrix
        self.F = None
        self.variables = {}
        self.J = None
        self.T = None
        self.fname = getattr(spec, "output_name", "") or "F"
        self.env = {}           # dimension names -> sizes, for index claims
        for name, shape in spec.shapes.items():
            for d, v in zip(shape, self.shapes[name]):
                if isinstance(d, str) and isinstance(v, int):
                    self.env[d] = v


def derive_spec(spec, *, points: int = 5, seed: int = 0) -> Derivation:
    """Build the verified, step-by-step derivation of a spec (see module docstring)."""
    d = Derivation(spec)
    ctx = _Ctx(spec)
    if spec.concrete:
        ctx.F, ctx.variables = build_explicit(spec.function, ctx.shapes)
    d.steps.append(_problem_step(ctx))
    if not spec.concrete:
        d.steps.append(Step("Instance", [para("No sizes are given (no [dimensions]); only the general results are shown.")]))
    if spec.wrt is not None:
        if spec.concrete:
            d.steps.append(_components_step(ctx))
        d.steps.append(_generic_step(ctx, d))
        if spec.concrete:
            d.steps.append(_jacobian_step(ctx, d, points, seed))
        cf = _closed_form_step(ctx)
        if cf is not None:
            d.steps.append(cf)
        if spec.chain and spec.concrete:
            d.steps.append(_chain_step(ctx, d))
    if spec.values and spec.concrete:
        d.steps.append(_values_step(ctx))
    if spec.choices and spec.concrete:
        d.steps.append(_choices_step(ctx))
    for n, claim in enumerate(spec.claimed, 1):
        step, result = _claim_step(ctx, claim, n)
        d.steps.append(step)
        d.claims.append(result)
    return d


# --- steps ---------------------------------------------------------------------------

def _convention_para(ctx, lead="Convention: ") -> Block:
    conv = ctx.conv
    spec = ctx.spec
    asked = get_convention(spec.convention)
    if asked.answer_rank == 4:
        return para(lead + f"{asked.label} — {asked.describe()}; the matrix below is its VEC reshaping "
                    "(outputs column-first, inputs column-first, numerator layout).")
    if not asked.is_flattening and (ctx.F is None or not asked.flattens(_shape(ctx.F))):
        return para(f"{lead}{asked.label} — {asked.describe()}.")
    words = {"col": "column-first", "row": "row-first"}
    out = (f"{lead}{conv.label} — outputs {words[conv.outputs]}, inputs {words[conv.inputs]}, "
           f"{conv.layout} layout")
    if conv.layout == "numerator":
        out += ": row r holds the partial derivatives of the r-th output, column c is the c-th input."
    else:
        out += ": the transpose of the numerator layout (column r holds the partials of the r-th output)."
    return para(out)


def _problem_step(ctx) -> Step:
    spec = ctx.spec
    blocks = []
    if spec.description:
        blocks.append(para(spec.description))
    ftex = function_latex(spec.function, spec.shapes)
    blocks.append(para("Function: ", M(r"%s = %s" % (_sym_tex(ctx.fname), ftex), f"{ctx.fname} = {spec.function}"),
                       "."))
    shape_segs = []
    for name in sorted(spec.shapes):
        if shape_segs:
            shape_segs.append(T(", "))
        shape_segs.append(M(r"%s \in %s" % (_sym_tex(name), _space_tex(spec.shapes[name])),
                            f"{name} in {_space_text(spec.shapes[name])}"))
    blocks.append(para("Shapes: ", *shape_segs, "."))
    if spec.dimensions:
        dims = ", ".join(f"{k} = {v}" for k, v in sorted(spec.dimensions.items()))
        blocks.append(para(f"Explicit instance: {dims} (general results are stated for any sizes)."))
    if spec.wrt is not None:
        blocks.append(para("Differentiate with respect to ", M(_sym_tex(spec.wrt), spec.wrt), "."))
        blocks.append(_convention_para(ctx))
    else:
        blocks.append(para("A value problem: evaluate the function at the given numbers."))
    if spec.source:
        blocks.append(para(f"Source: {spec.source}."))
    return Step("Problem", blocks)


def _components_step(ctx) -> Step:
    spec = ctx.spec
    F = _mat(ctx.F)
    X = ctx.variables[spec.wrt]
    fn = ctx.fname
    tex, where, F2 = matrix_latex(F, taken=set(spec.shapes))
    blocks = [para("The component functions at the explicit size:"),
              math_block(r"%s = %s" % (_sym_tex(fn), tex), f"{fn} =\n{_text_matrix(F2)}")]
    blocks += _where_blocks(where)
    if F.rows * F.cols > 1:
        order = flatten(F, ctx.conv.outputs)
        fsyms = _flat_names(fn, F.shape, ctx.conv.outputs)
        n = len(order)
        lhs = ", ".join(f"f_{{{k}}}" for k in range(1, min(n, 8) + 1)) + (r", \ldots" if n > 8 else "")
        rhs = ", ".join(fsyms[:8]) + (r", \ldots" if n > 8 else "")
        words = "column-first (down each column, then the next column)" if ctx.conv.outputs == "col" else \
            "row-first (along each row, then the next row)"
        blocks.append(para(f"Outputs are ordered {words}:"))
        blocks.append(math_block(r"(%s) = (%s)" % (lhs, rhs), "(" + ", ".join(_tm(e) for e in order[:8])
                                 + (", ..." if n > 8 else "") + ")"))
    if isinstance(X, sp.MatrixBase) and X.rows > 1 and X.cols > 1:
        xs = _flat_names(spec.wrt, X.shape, ctx.conv.inputs)
        words = "column-first" if ctx.conv.inputs == "col" else "row-first"
        shown = ", ".join(xs[:8]) + (r", \ldots" if len(xs) > 8 else "")
        blocks.append(para(f"Inputs (the columns of the Jacobian) are ordered {words}:"))
        blocks.append(math_block("(%s)" % shown, "(" + ", ".join(_tm(e) for e in flatten(X, ctx.conv.inputs)[:8])
                                 + (", ..." if len(xs) > 8 else "") + ")"))
    return Step("Component functions", blocks)


def _flat_names(name, shape, order) -> list:
    r, c = shape
    idx = [(i, j) for j in range(1, c + 1) for i in range(1, r + 1)] if order == "col" else \
        [(i, j) for i in range(1, r + 1) for j in range(1, c + 1)]
    if c == 1:
        return [latex(entry_symbol(name, i)) for i, _ in idx]
    return [latex(entry_symbol(name, i, j)) for i, j in idx]


def _text_matrix(V) -> str:
    from symjac.render.latex import text_matrix
    return text_matrix(_mat(V), MAX_SHOWN)


def _where_blocks(where) -> list:
    if not where:
        return []
    if any(len(e) > 60 for _z, e, _t in where):
        body = r"\begin{aligned} %s \end{aligned}" % r" \\ ".join(f"{z} &= {e}" for z, e, _t in where)
        return [para("where"), math_block(body, "\n".join(t for _z, _e, t in where))]
    segs = [T("where ")]
    for n, (z, e, _t) in enumerate(where):
        if n:
            segs.append(T(", "))
        segs.append(M(f"{z} = {e}", _t))
    segs.append(T("."))
    return [para(*segs)]


def _entry_tex(base: str, idx) -> str:
    if not idx:
        return _sym_tex(base)
    return r"%s_{%s}" % (_sym_tex(base), "".join(str(i) for i in idx))


def _generic_step(ctx, d) -> Step:
    spec = ctx.spec
    step = Step("The general partial derivative")
    try:
        g = generic_entry(spec.function, spec.wrt, spec.shapes, spec.index_names or None, chain=spec.chain or None)
    except SymjacError as exc:
        step.blocks.append(para(f"No index form for this function ({exc}); see the assembled Jacobian."))
        return step
    fe = _entry_tex(ctx.fname, g.f_indices)
    xe = _entry_tex(spec.wrt, g.x_indices)
    fe_t = ctx.fname + ("_" + "".join(map(str, g.f_indices)) if g.f_indices else "")
    xe_t = spec.wrt + ("_" + "".join(map(str, g.x_indices)) if g.x_indices else "")
    step.blocks.append(para("In index notation (derived by symjac from the expression; summation bounds are the "
                            "declared sizes):"))
    step.blocks.append(math_block(r"%s = %s" % (fe, ilatex(g.shown(g.entry))), f"{fe_t} = {itext(g.shown(g.entry))}"))
    if g.names:
        step.blocks.append(para("with the intermediate names of the chain (each defined entry by entry, any index):"))
        rows = [(_entry_tex(n.name, n.indices), ilatex(g.shown(n.definition)),
                 n.name + ("_" + "".join(map(str, n.indices)) if n.indices else ""), itext(g.shown(n.definition)))
                for n in g.names]
        step.blocks.append(math_block(r"\begin{aligned} %s \end{aligned}" % r" \\ ".join(f"{a} &= {b}" for a, b, _, _ in rows),
                                      "\n".join(f"{c} = {d}" for _, _, c, d in rows)))
    step.blocks.append(para("Differentiating entry by entry (the derivative of an entry by an entry is a Kronecker "
                            "delta) and summing out the deltas:"))
    lhs = r"\frac{\partial %s}{\partial %s}" % (fe, xe)
    lhs_t = f"d{fe_t}/d{xe_t}"
    step.blocks.append(math_block(r"%s = %s" % (lhs, ilatex(g.shown(g.derivative))),
                                  f"{lhs_t} = {itext(g.shown(g.derivative))}"))
    if len(g.cases) > 1:
        rows = [r"%s & \text{if } %s" % (ilatex(g.shown(c.value)), c.condition_latex)
                if c.condition_text != "otherwise" else r"%s & \text{otherwise}" % ilatex(c.value)
                for c in g.cases]
        txt = "\n".join(f"  {itext(g.shown(c.value))}   if {c.condition_text}" if c.condition_text != "otherwise"
                        else "  0   otherwise" for c in g.cases)
        step.blocks.append(para("Case by case:"))
        step.blocks.append(math_block(r"%s = \begin{cases} %s \end{cases}" % (lhs, r" \\ ".join(rows)),
                                      f"{lhs_t} =\n{txt}"))
    if spec.concrete:
        X = ctx.variables[spec.wrt]
        ctx.T = derivative_array(ctx.F, X)
        chk = verify_displayed(g, dict(ctx.env), ctx.shapes, ctx.T, _mat(ctx.F), _shape(ctx.F), _shape(X))
        sizes = ", ".join(f"{k} = {v}" for k, v in sorted(ctx.env.items())) or "the declared sizes"
        letters = ", ".join(str(s) for s in g.f_indices + g.x_indices)
        if chk.passed:
            step.status = "verified"
            shown = "the entry, the derivative and every case" if len(g.cases) > 1 else "the entry and the derivative"
            combos = 1
            for n in ctx.T.shape:
                combos *= int(n)
            step.blocks.append(para(f"Verified as displayed: {shown}, each evaluated as printed (summation "
                                    f"indices bound, {letters} free), equal the explicit function and its "
                                    f"derivative exactly at all {combos} index combinations of the instance ({sizes})."))
        else:
            step.status = "FAILED"
            d.verified = False
            step.blocks.append(para(f"FAILED: the general formula differs from the explicit derivative at "
                                    f"{len(chk.mismatches)} of {chk.checked} index combinations."))
    return step


def _jacobian_step(ctx, d, points, seed) -> Step:
    from symjac.verification import verify_jacobian

    spec = ctx.spec
    X = ctx.variables[spec.wrt]
    J = jacobian(ctx.F, X, ctx.conv)
    ctx.J = J
    ver = verify_jacobian(ctx.F, X, J, ctx.conv, points=points, seed=seed)
    lhs = jacobian_symbol(_jsym(ctx.fname), _shape(ctx.F), _jsym(spec.wrt), _shape(X), ctx.conv)
    tex, where, J2 = matrix_latex(J, taken=set(spec.shapes))
    step = Step(f"The Jacobian at the explicit size ({J.rows}×{J.cols})")
    step.blocks.append(math_block(r"%s = %s" % (lhs, tex), f"J =\n{_text_matrix(J2)}"))
    step.blocks += _where_blocks(where)
    step.blocks.append(_convention_para(ctx))
    desc = describe_verification(ver)
    d.verification = desc
    if ver.passed:
        step.status = "verified"
        step.blocks.append(para(f"Verified: {desc}."))
    else:
        step.status = "FAILED"
        d.verified = False
        step.blocks.append(para(f"FAILED: {desc}."))
    return step


def describe_verification(ver) -> str:
    """Deterministic words for a verification record (no timings, no error magnitudes)."""
    return ver.describe(deterministic=True)


def _closed_form_step(ctx) -> Step | None:
    spec = ctx.spec
    try:
        from symjac.calculus.closedform import closed_form_from_text
    except ImportError:
        return None
    conv = ctx.conv
    step = Step("Closed form (any size)")
    try:
        r = closed_form_from_text(spec.function, spec.wrt, spec.shapes, conv)
    except SymjacError as exc:
        step.blocks.append(para(f"No closed form: {exc}."))
        return step
    except Exception as exc:  # noqa: BLE001 - a closed-form failure must not stop the document
        step.blocks.append(para(f"No closed form ({type(exc).__name__})."))
        return step
    step.blocks.append(math_block(r"%s = %s" % (r.lhs_latex(), r.to_latex()), r.to_text()))
    step.blocks.append(para("Convention: " + r.describe_convention() + "."))
    if r.proof is not None:
        from symjac.verification import from_proof

        ver = from_proof(r.proof)
        step.blocks.append(para(f"Checked: {ver.describe(deterministic=True)}."))
        step.status = "verified" if ver.passed else "FAILED"
    return step


def _chain_step(ctx, d) -> Step:
    """Each link's Jacobian (VEC), their product, and its agreement with the direct Jacobian."""
    spec = ctx.spec
    step = Step("Chain rule")
    declared = dict(ctx.shapes)
    links = []
    for link in spec.chain:
        value, syms = build_explicit(link["function"], declared)
        declared[link["name"]] = _shape(value)
        links.append((link["name"], link["function"], value, syms))
    step.blocks.append(para("The function is the composition ",
                            M(r" \circ ".join(_sym_tex(n) for n, *_ in reversed(links)),
                              " o ".join(n for n, *_ in reversed(links))),
                            "; each link is differentiated by its own input (VEC convention, numerator layout), "
                            "and the chain rule multiplies the Jacobians."))
    prev = spec.wrt
    product = None
    subs = {}
    link_shapes = dict(spec.shapes)
    for name, fn, value, syms in links:
        xin = syms[prev]
        Jl = jacobian(value, xin, VEC)
        lhs = jacobian_symbol(_jsym(name), _shape(value), _jsym(prev), _shape(xin), VEC)
        tex, where, Jl2 = matrix_latex(Jl, taken=set(declared))
        step.blocks.append(math_block(
            r"%s = %s, \qquad %s = %s" % (_sym_tex(name), function_latex(fn, link_shapes), lhs, tex),
            f"{name} = {fn};  d{name}/d{prev} =\n{_text_matrix(Jl2)}"))
        step.blocks += _where_blocks(where)
        link_shapes[name] = _shape(value)
        Jl = Jl.xreplace(subs)
        product = Jl if product is None else sp.ImmutableMatrix(Jl * product)
        out = _mat(value).xreplace(subs)
        link_syms = symbolic(name, _shape(value))
        subs.update(dict(zip(list(_mat(link_syms)), list(out))))
        prev = name
    direct = jacobian(ctx.F, ctx.variables[spec.wrt], VEC)
    ok = product is not None and product.shape == direct.shape and all(
        exactly_equal(a, b) for a, b in zip(product, direct))
    tex, where, P2 = matrix_latex(product, taken=set(declared))
    step.blocks.append(para("The product, with every intermediate replaced by its definition:"))
    step.blocks.append(math_block(tex, _text_matrix(P2)))
    step.blocks += _where_blocks(where)
    if ok:
        step.status = "verified"
        step.blocks.append(para("Verified: the chain-rule product equals the directly computed Jacobian "
                                "(VEC convention) exactly, entry by entry."))
    else:
        step.status = "FAILED"
        d.verified = False
        step.blocks.append(para("FAILED: the chain-rule product differs from the direct Jacobian."))
    return step


def _value_subs(ctx, values: dict) -> dict:
    subs = {}
    for name, val in values.items():
        sym = symbolic(name, ctx.shapes[name])
        nums = _to_matrix(val)
        S = _mat(sym)
        if nums.shape != S.shape and nums.T.shape == S.shape:
            nums = nums.T
        subs.update(dict(zip(list(S), list(nums))))
    return subs


def _exact(v):
    if isinstance(v, bool):
        raise SymjacError("booleans are not numbers")
    if isinstance(v, float):
        f = Fraction(repr(v))
        return sp.Rational(f.numerator, f.denominator)
    return sp.Integer(v)


def _to_matrix(val) -> sp.ImmutableMatrix:
    if isinstance(val, list):
        if val and isinstance(val[0], list):
            return sp.ImmutableMatrix([[_exact(x) for x in r] for r in val])
        return sp.ImmutableMatrix([[_exact(x)] for x in val])
    return sp.ImmutableMatrix([[_exact(val)]])


def _subexpressions(text: str) -> list[str]:
    """Compound subexpressions of the function, innermost first (source text)."""
    import ast
    tree = parse(text)
    src = text.strip()
    out = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            visit(child)
        if isinstance(node, (ast.BinOp, ast.Call, ast.UnaryOp, ast.Attribute)):
            seg = ast.get_source_segment(src, node)
            if seg and seg not in out:
                out.append(seg)
    visit(tree)
    return out


def _values_step(ctx) -> Step:
    spec = ctx.spec
    step = Step("Values")
    subs = _value_subs(ctx, spec.values)
    given = []
    for name in sorted(spec.values):
        tex, txt, _ = num_matrix(_to_matrix(spec.values[name]) if _shape(ctx.variables[name]) != (1, 1)
                                 else _to_matrix(spec.values[name])[0, 0])
        given.append(math_block(r"%s = %s" % (_sym_tex(name), tex), f"{name} = {txt}"))
    step.blocks.append(para("Given (decimals are exact: 0.1 = 1/10):"))
    step.blocks += given
    if spec.wrt is None:
        step.blocks.append(para("Step by step, innermost first:"))
        for sub in _subexpressions(spec.function):
            v, _ = build_explicit(sub, ctx.shapes)
            num = _mat(v).xreplace(subs)
            tex, txt, exact = num_matrix(num)
            rel = "=" if exact else r"\approx"
            step.blocks.append(math_block(r"%s %s %s" % (function_latex(sub, spec.shapes), rel, tex),
                                          f"{sub} {'=' if exact else '≈'} {txt}"))
        step.status = "verified"
        step.blocks.append(para("Computed exactly from the given numbers; transcendental values are rounded to "
                                "4 decimals only for display."))
    elif ctx.J is not None and set(spec.values) >= set(spec.shapes):
        Jv = ctx.J.xreplace(subs)
        tex, txt, exact = num_matrix(Jv)
        lhs = jacobian_symbol(_jsym(ctx.fname), _shape(ctx.F), _jsym(spec.wrt),
                              _shape(ctx.variables[spec.wrt]), ctx.conv)
        step.blocks.append(para("The Jacobian at these values (", ctx.conv.label, "):"))
        step.blocks.append(math_block(r"%s %s %s" % (lhs, "=" if exact else r"\approx", tex), f"J at the values = {txt}"))
    return step


def _choices_step(ctx) -> Step:
    spec = ctx.spec
    step = Step("Comparing the choices")
    target = spec.target
    inputs = target.get("inputs", {})
    outputs = [_exact(v) for v in target.get("outputs", [])]
    ncase = len(outputs)
    in_names = sorted(inputs)
    step.blocks.append(para("Each candidate is evaluated at every input of the target table; its error is the sum "
                            "of squared differences from the target outputs."))
    header = [[T("choice")]] + [[M(", ".join(f"{_sym_tex(k)}" for k in sorted(ch_keys)))] for ch_keys in [
        sorted(spec.choices[0]["values"])]] if spec.choices else []
    header = [[T("choice")], [T("parameters")]]
    for c in range(ncase):
        lab = ", ".join(f"{k} = {fmt_number(_exact(inputs[k][c]))[0]}" for k in in_names)
        header.append([T("output at "), M(lab.replace("=", "="), lab)])
    header.append([T("error")])
    results = []
    for ch in spec.choices:
        outs = []
        for c in range(ncase):
            vals = dict(ch["values"])
            for k in in_names:
                vals[k] = inputs[k][c]
            subs = _value_subs(ctx, vals)
            outs.append(sp.N(_mat(ctx.F).xreplace(subs)[0, 0], 30))
        err = sum((o - t) ** 2 for o, t in zip(outs, outputs))
        results.append((ch, outs, sp.N(err, 30)))
    best = min(results, key=lambda r: float(r[2]))
    rows = []
    for ch, outs, err in results:
        params = ", ".join(f"{k} = {fmt_number(_exact(v))[0]}" for k, v in ch["values"].items())
        row = [[T(str(ch["label"]))], [M(params, params)]]
        row += [[M(f"{float(o):.4f}")] for o in outs]
        row.append([M(_sci(err))])
        rows.append(row)
    step.blocks.append(Block("table", header=header, rows=rows))
    tgt = ", ".join(f"{fmt_number(t)[0]}" for t in outputs)
    bch, bouts, berr = best
    bparams = ", ".join(f"{k} = {fmt_number(_exact(v))[0]}" for k, v in bch["values"].items())
    step.blocks.append(para(f"Best: choice {bch['label']} ({bparams}), error {_sci(berr)}: its outputs "
                            f"({', '.join(f'{float(o):.4f}' for o in bouts)}) are closest to the target ({tgt})."))
    why = []
    for ch, outs, err in results:
        if ch is bch:
            continue
        worst = max(range(ncase), key=lambda c: abs(float(outs[c] - outputs[c])))
        at = ", ".join(f"{k} = {fmt_number(_exact(inputs[k][worst]))[0]}" for k in in_names)
        why.append(f"{ch['label']}: at {at} it gives {float(outs[worst]):.4f} instead of "
                   f"{fmt_number(outputs[worst])[0]}")
    if why:
        step.blocks.append(para("Why the others lose — " + "; ".join(why) + "."))
    step.status = "verified"
    return step


def _sci(x) -> str:
    f = float(x)
    if f == 0:
        return "0"
    if abs(f) >= 1e-3:
        return f"{f:.4f}"
    return f"{f:.1e}"


# --- claims -----------------------------------------------------------------------------

def _claim_header(claim) -> list:
    blocks = [para(f"{claim.get('label', 'claimed')} states:"), math_block(claim["latex"], claim["latex"])]
    if claim.get("note"):
        blocks.append(para(claim["note"]))
    return blocks


def claim_problem(spec, claim):
    """The problem a claim answers: the spec's, under the claim's own ``convention`` if it names one."""
    from symjac.checking.engine import Problem

    problem = Problem.from_spec(spec)
    if claim.get("convention") and claim["convention"] != problem.convention:
        problem = dataclasses.replace(problem, convention=claim["convention"])
    return problem


def judge_claim(spec, claim):
    """The checker's Report on a claim's LaTeX — the one judge, exactly as ``symjac check`` runs it."""
    from symjac.checking.engine import check_pure

    return check_pure(claim_problem(spec, claim), claim["latex"])


VERDICTS = {"correct": "agrees", "incorrect": "differs", "invalid": "unreadable"}


def _claim_step(ctx, claim, n) -> tuple[Step, ClaimResult]:
    label = claim.get("label", f"claim {n}")
    kind = claim.get("kind", "jacobian")
    step = Step(f"Claim {n}: {label}")
    step.blocks += _claim_header(claim)
    try:
        report = judge_claim(ctx.spec, claim)
    except SymjacError as exc:        # the problem itself cannot be posed (bad spec)
        from symjac.checking.engine import invalid
        report = invalid(str(exc))
    verdict = VERDICTS.get(report.verdict, "not yet checked")
    step.blocks += _report_blocks(report, verdict)
    step.status = {"agrees": "agrees", "differs": "FLAGGED"}.get(verdict, verdict)
    return step, ClaimResult(label, kind, verdict, report.message, report)


def _plain_value(tex: str) -> str:
    """The checker's numeric LaTeX (a number or a bmatrix of numbers) as plain text: [1; 1.75]."""
    body = tex.replace(r"\begin{bmatrix}", "").replace(r"\end{bmatrix}", "").strip()
    if body == tex.strip():
        return body
    rows = [", ".join(c.strip() for c in r.split("&")) for r in body.split(r"\\")]
    return "[" + "; ".join(rows) + "]"


def _report_blocks(report, verdict) -> list:
    """The checker's verdict, diagnosis and differing entries, as document blocks."""
    message = report.message
    for prefix in ("correct: ", "incorrect: ", "invalid input: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    if verdict == "agrees":
        blocks = [para("Agrees: symjac's answer checker finds it correct"
                       + (f" — {message}" if message and message != "correct" else "") + ".")]
        method = report.details.get("method") if isinstance(report.details, dict) else None
        if method:
            blocks.append(para(f"Checked: {method}."))
        return blocks
    if verdict == "unreadable":
        return [para(f"Not checked: symjac's answer checker cannot read this claim ({message}).")]
    head, sep, value = message.partition("; the correct value is ")
    if sep:
        value, _, tail = value.partition(" (member")
        blocks = [para(f"FLAGGED: {head}; the correct value is ", M(value, _plain_value(value)),
                       f" (member{tail}." if tail else ".")]
    else:
        blocks = [para(f"FLAGGED: {message}.")]
    if report.diagnosis:
        blocks.append(para("Diagnosis: " + ", ".join(report.diagnosis) + "."))
    wrong = report.details.get("wrong_entries") if isinstance(report.details, dict) else None
    if wrong:
        rows = []
        for item in wrong[:MAX_DIFFS]:
            given, expected = item.get("given", ""), item.get("expected", "")
            rows.append([[M(f"{item['row']}, {item['col']}")],
                         [M(str(given)) if given != "" else T("")],
                         [M(str(expected)) if expected != "" else T("")]])
        if len(wrong) > MAX_DIFFS:
            rows.append([[T(f"… {len(wrong) - MAX_DIFFS} more")], [T("")], [T("")]])
        blocks.append(Block("table", header=[[T("row, column")], [T("claimed")], [T("correct")]], rows=rows))
    return blocks


__all__ = ["Derivation", "Step", "Block", "Seg", "ClaimResult", "derive_spec", "describe_verification",
           "fmt_number", "function_latex", "judge_claim", "claim_problem"]
