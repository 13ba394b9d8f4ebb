"""Generic entries in index notation: F_ij, ∂F_ij/∂X_kl, its case analysis, and index claims.

:class:`IndexTranslator` writes the node tree that
:class:`~symjac.parsing.matrixexpr.MatrixExprBuilder` builds from ``A.T @ A`` (one
handler per node class) in SymPy index notation — ``Sum(A[m, p]*A[m, q], (m, 1, M))`` —
with ``IndexedBase`` entries and symbolic bounds.  Differentiating an
``Indexed`` by an ``Indexed`` gives ``KroneckerDelta``s; after ``.doit()`` the
derivative is a sum of delta terms, split into cases by enumerating which of
the indices in the deltas coincide.  :func:`verify_generic` evaluates the
generic formula at every (i, j, k, l) of a concrete instance and compares it
with :func:`symjac.calculus.explicit.derivative_array` exactly.

Claims in index form (a source's component formula or case analysis) use a
small, separate syntax read with :mod:`ast` and a whitelist — never
evaluated as Python: ``A[i,p]`` entries, index names, dimension names,
``sum(expr, m, M)`` / ``sum(expr, m, lo, hi)``, ``delta(i, j)``, the
elementwise functions; conditions ``j == p and p != q`` or ``otherwise``.
"""
from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.sympify import _sympify as _strict_sympify

from symjac.errors import ParseError, SymjacError, UnsupportedError
from symjac import elementwise as registry
from symjac.parsing.expr import evaluate
from symjac.parsing.matrixexpr import MatrixExprBuilder
from symjac.symbols import entry_symbol, exactly_equal, scalar

_ELEMENTWISE = registry.text_names()  # name → declaration (the registry)
MAX_CASE_INDICES = 6


def index_symbol(name: str) -> sp.Symbol:
    """An index: a positive integer symbol."""
    return sp.Symbol(name, integer=True, positive=True)


def dim_symbol(dim) -> sp.Symbol:
    """A dimension as a symbol; integers get a placeholder so sums stay unexpanded."""
    name = f"_n{dim}" if isinstance(dim, int) else str(dim)
    return sp.Symbol(name, integer=True, positive=True)


@dataclass(frozen=True)
class IExpr:
    """An expression in index form: ``shape`` (dimension symbols, 1 for a vector's columns) and
    ``entry(i, j)`` → the (i, j) entry as a SymPy scalar."""

    shape: tuple
    entry: object

    @property
    def scalar(self) -> bool:
        return self.shape == (1, 1)


_ONE = (sp.Integer(1), sp.Integer(1))


def _bound(d):
    """A node's size as a summation bound: 1 stays 1, an integer becomes its placeholder symbol."""
    if d.is_Integer:
        return sp.Integer(1) if d == 1 else dim_symbol(int(d))
    return d


def _is_matrix(node) -> bool:
    return bool(getattr(node, "is_Matrix", False))


class IndexTranslator:
    """The node set (:mod:`symjac.parsing.nodes`, as :class:`~symjac.parsing.matrixexpr.MatrixExprBuilder`
    builds it) → index notation: :meth:`translate` returns an :class:`IExpr`.

    One handler per node class (``_MatMul``, ``_Trace`` …), found along the class's MRO as SymPy's
    printers find theirs.  A (1, 1) name is a scalar (a real Symbol, or tr(S) of a 1×1 MatrixSymbol
    S); a 1×1 matrix is read as its entry, so tr of it adds no sum; ``sum(M)`` is tr(1ᵀ M 1).
    Summation indices are drawn when a product or a trace is translated, and when the entry of a
    norm or a sum is first taken.

    ``shapes``: name → (rows, cols) with integers or dimension names (the variables, ``shapes`` and
    ``bases`` keep their bounds and IndexedBases); ``reserved``: names summation indices avoid.
    """

    def __init__(self, shapes: dict, reserved=()):
        self.shapes = {k: (self._dim(r), self._dim(c)) for k, (r, c) in shapes.items()}
        self.bases = {k: sp.IndexedBase(k) for k in shapes}
        self.reserved = set(reserved) | set(shapes) | {str(d) for s in shapes.values() for d in s}
        self.dummies: list = []
        self.defined: dict = {}

    @staticmethod
    def _dim(d):
        return sp.Integer(1) if d == 1 else dim_symbol(d)

    def dummy(self) -> sp.Symbol:
        """A fresh summation index, named from the end of the alphabet (m, n, r, s, …)."""
        for suffix in ("",) + tuple(str(k) for k in range(1, 10)):
            for name in "mnrstuvwabcdefgh":
                cand = name + suffix
                if cand not in self.reserved:
                    self.reserved.add(cand)
                    s = index_symbol(cand)
                    self.dummies.append(s)
                    return s
        raise UnsupportedError("too many summation indices")  # pragma: no cover

    def define(self, ident: str, value: IExpr) -> None:
        """Name an intermediate (a chain link): a later node named ``ident`` (a MatrixSymbol, or a
        Symbol when 1×1) is ``value`` itself, so its entries appear exactly as built here."""
        self.defined[ident] = value
        self.reserved.add(ident)

    def translate(self, node) -> IExpr:
        """``node`` (a matrix expression or a scalar built from the node set) in index form."""
        self.reserved |= {str(a) for a in node.atoms(sp.Symbol, sp.MatrixSymbol)}
        return self.index(node)

    def index(self, node) -> IExpr:
        """The handler of ``node``'s class (or of its nearest base class that has one)."""
        for cls in type(node).__mro__:
            handler = getattr(self, "_" + cls.__name__, None)
            if handler is not None:
                return handler(node)
        raise UnsupportedError(f"{type(node).__name__} has no index form")

    # --- leaves ---
    def _MatrixSymbol(self, node):
        if node.name in self.defined:
            return self.defined[node.name]
        r, c = (_bound(d) for d in node.shape)
        if r == 1 and c == 1:
            sym = scalar(node.name)
            return IExpr((r, c), lambda i, j: sym)
        base = self.bases.setdefault(node.name, sp.IndexedBase(node.name))
        if c == 1:
            return IExpr((r, c), lambda i, j: base[i])
        return IExpr((r, c), lambda i, j: base[i, j])

    def _Symbol(self, node):
        if node.name in self.defined:
            return self.defined[node.name]
        return IExpr(_ONE, lambda i, j: node)

    def _Number(self, node):
        return IExpr(_ONE, lambda i, j: node)

    _NumberSymbol = _Number

    # --- matrix nodes ---
    def _MatAdd(self, node):
        terms = [self.index(a) for a in node.args]
        return IExpr(terms[0].shape, lambda i, j: sp.Add(*(t.entry(i, j) for t in terms)))

    def _MatMul(self, node):
        """Left to right: a scalar factor scales; two matrices multiply, summed over a fresh index
        unless the inner size is 1."""
        out, out_matrix = None, False
        for arg in node.args:
            x, x_matrix = self.index(arg), _is_matrix(arg)
            if out is None:
                out, out_matrix = x, x_matrix
            elif out_matrix and x_matrix:
                out = self._product(out, x)
            elif x_matrix:
                out, out_matrix = _scales(out, x), True
            else:
                out = _scaled(out, x)
        return out

    def _product(self, left, right):
        shape, inner = (left.shape[0], right.shape[1]), left.shape[1]
        if inner == 1:
            return IExpr(shape, lambda i, j: left.entry(i, 1) * right.entry(1, j))
        k = self.dummy()
        return IExpr(shape, lambda i, j: sp.Sum(left.entry(i, k) * right.entry(k, j), (k, 1, inner)))

    def _HadamardProduct(self, node):
        factors = [self.index(a) for a in node.args]
        return IExpr(factors[0].shape, lambda i, j: sp.Mul(*(f.entry(i, j) for f in factors)))

    def _Transpose(self, node):
        x = self.index(node.arg)
        return IExpr((x.shape[1], x.shape[0]), lambda i, j: x.entry(j, i))

    def _ElementwiseApplyFunction(self, node):
        """f over every entry; a registry function (read back from the Lambda) is applied as the
        registry applies it, with its parameters (leaky ReLU's slope)."""
        lam, x = node.function, self.index(node.expr)
        cls = registry.function_name(lam)
        decl = registry.of(cls) if cls is not None else None
        f = decl.applied(*registry.function_params(lam)) if decl is not None else lam
        return IExpr(x.shape, lambda i, j: f(x.entry(i, j)))

    # --- scalar nodes ---
    def _Trace(self, node):
        ones = _summed(node.arg)
        if ones is not None:
            x = self.index(ones)
            return IExpr(_ONE, _once(lambda: self._sum_all(x, lambda e: e)))
        x = self.index(node.arg)
        if x.scalar:
            return x          # a 1×1 matrix read as a scalar
        k = self.dummy()
        return IExpr(_ONE, lambda i, j: sp.Sum(x.entry(k, k), (k, 1, x.shape[0])))

    def _Norm(self, node):
        x = self.index(node.arg)
        return IExpr(_ONE, _once(lambda: sp.sqrt(self._sum_all(x, lambda e: e**2))))

    def _Add(self, node):
        terms = [self.index(a) for a in node.args]
        return IExpr(_ONE, lambda i, j: sp.Add(*(t.entry(1, 1) for t in terms)))

    def _Mul(self, node):
        factors = [self.index(a) for a in node.args]
        return IExpr(_ONE, lambda i, j: sp.Mul(*(f.entry(1, 1) for f in factors)))

    def _Pow(self, node):
        base, exp = (self.index(a) for a in node.args)
        return IExpr(_ONE, lambda i, j: base.entry(1, 1) ** exp.entry(1, 1))

    def _Function(self, node):
        """A scalar function; a registry function with its numeric parameters as the registry applies it."""
        decl = registry.of(node)
        if decl is not None:
            x, params = self.index(node.args[0]), node.args[1:]
            f = decl.applied(*params)
            return IExpr(_ONE, lambda i, j: f(x.entry(1, 1)))
        args = [self.index(a) for a in node.args]
        return IExpr(_ONE, lambda i, j: node.func(*(a.entry(1, 1) for a in args)))

    def _sum_all(self, x, f):
        r, c = x.shape
        if c == 1 or r == 1:
            k = self.dummy()
            n = r if c == 1 else c
            term = f(x.entry(k, 1) if c == 1 else x.entry(1, k))
            return sp.Sum(term, (k, 1, n))
        k, l = self.dummy(), self.dummy()
        return sp.Sum(f(x.entry(k, l)), (k, 1, r), (l, 1, c))


def _once(value):
    """A scalar's entry whose summation indices are drawn when it is first taken, then kept: the same
    expression wherever it occurs (so a chain link defined by a norm or a sum is recognised by its name)."""
    kept = []

    def entry(i, j):
        if not kept:
            kept.append(value())
        return kept[0]
    return entry


def _scales(c, x):
    """The scalar c times x (c's entry first, as written)."""
    return IExpr(x.shape, lambda i, j: c.entry(1, 1) * x.entry(i, j))


def _scaled(x, c):
    """x times the scalar c."""
    return IExpr(x.shape, lambda i, j: x.entry(i, j) * c.entry(1, 1))


def _summed(M):
    """M when ``M`` is 1ᵀ M 1 (how ``sum(M)`` is built), else None."""
    if isinstance(M, sp.MatMul) and len(M.args) == 3:
        first, middle, last = M.args
        if isinstance(first, sp.OneMatrix) and isinstance(last, sp.OneMatrix) and first.shape[0] == 1 == last.shape[1]:
            return middle
    return None


# --- the generic entry and its derivative ------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One case of the analysis: ``value`` when ``condition`` (LaTeX and text)."""

    value: object
    condition_latex: str
    condition_text: str
    blocks: tuple = ()       # the condition: groups of free indices equal within, different across; () = none


@dataclass
class GenericEntry:
    """F's generic entry and ∂F/∂X entry in index notation (symbolic bounds)."""

    f_indices: tuple
    x_indices: tuple
    entry: object            # F_{f_indices}
    derivative: object       # ∂F_{f_indices} / ∂X_{x_indices}, delta form
    cases: list = field(default_factory=list)
    dims: dict = field(default_factory=dict)   # dim symbol -> printed dim (int or name)
    f_base: str = "F"
    x_name: str = "X"
    x_shape: tuple = (1, 1)
    names: list = field(default_factory=list)   # Intermediate: the named links used in entry/derivative

    def shown(self, expr):
        """``expr`` with placeholder dimensions replaced by their integers."""
        return expr.xreplace({s: (sp.Integer(v) if isinstance(v, int) else s) for s, v in self.dims.items()})


@dataclass
class Intermediate:
    """A named link of a chain, z⁽¹⁾_i = definition: ``indices`` are the definition's free indices."""

    name: str
    indices: tuple
    definition: object        # in terms of the declared variables and earlier links' names


def unname(expr, names: list):
    """``expr`` with every named intermediate replaced by its definition (at the indices used)."""
    defs = {n.name: n for n in names}

    def expand(e):
        n = defs[e.base.label.name]
        return n.definition.xreplace(dict(zip(n.indices, e.indices)))

    def is_name(e):
        return isinstance(e, sp.Indexed) and e.base.label.name in defs

    scalars = {sp.Symbol(n.name): n.definition for n in names if not n.indices}
    for _ in range(len(names) + 1):
        if not any(is_name(a) for a in expr.atoms(sp.Indexed)) and not (expr.free_symbols & set(scalars)):
            return expr
        expr = expr.replace(is_name, expand).xreplace(scalars)
    return expr


def _name_links(builder, chain, exprs: list) -> tuple[list, list]:
    """Write ``exprs`` with the chain links' names: each link's inlined entry (at any index that
    occurs) becomes its name's entry, innermost link first.  Returns (exprs, [Intermediate])."""
    candidates = sorted({a for e in exprs for a in e.atoms(sp.Symbol) if a.is_integer}, key=str)
    tables, names = [], []

    def rename(e):
        for table in tables:
            e = e.xreplace(table)
        return e

    for link in chain[:-1]:
        value = builder.defined[link["name"]]
        r, c = value.shape
        axes = 0 if (r, c) == (1, 1) else (1 if c == 1 or r == 1 else 2)

        def at(t, value=value, axes=axes, c=c):
            if axes == 0:
                return value.entry(1, 1)
            if axes == 2:
                return value.entry(*t)
            return value.entry(t[0], 1) if c == 1 else value.entry(1, t[0])

        bound = {a for a in at(tuple(index_symbol(x) for x in "ij"[:max(axes, 1)])).atoms(sp.Symbol)}
        idx = tuple(index_symbol(x) for x in "ijkl" if index_symbol(x) not in bound or x in "ij")[:axes]
        base = sp.IndexedBase(link["name"])
        if axes == 0:
            table = {rename(at(())): sp.Symbol(link["name"])}
        elif axes == 1:
            table = {rename(at((t,))): base[t] for t in candidates}
        else:
            table = {rename(at((t, u))): base[t, u] for t in candidates for u in candidates}
        names.append(Intermediate(link["name"], idx, rename(at(idx))))
        tables.append(table)
    return [rename(e) for e in exprs], names


def _strip_piecewise(expr):
    """Keep the in-range branch of Piecewise(…, (0, True)) produced by delta sums."""
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0].expr)


def _sum_out_deltas(expr, free: set):
    """Σ_n δ_{in} f(n) = f(i) for a free index i (declared ranges agree: i and n index the same axis,
    which the explicit check confirms); innermost sums first, every other term left as it is."""
    def one(s):
        if not isinstance(s, sp.Sum) or len(s.limits) != 1:
            return s
        n, lo, hi = s.limits[0]
        body = sp.expand(s.function) if not isinstance(s.function, sp.Mul) else s.function
        if not isinstance(body, sp.Mul):
            return s
        for d in body.args:
            if isinstance(d, sp.KroneckerDelta) and n in d.args:
                other = d.args[0] if d.args[1] == n else d.args[1]
                if other in free:
                    rest = sp.Mul(*[a for a in body.args if a is not d])
                    return rest.subs(n, other)
        return s
    return expr.replace(lambda e: isinstance(e, sp.Sum), one)


def default_index_names(f_shape, x_shape, given=None) -> tuple[tuple, tuple]:
    """Index names for F (0, 1 or 2) and X (0, 1 or 2): ``given`` or i, j, k, l in order."""
    nf = 0 if f_shape == (1, 1) else (1 if f_shape[1] == 1 else 2)
    nx = 0 if x_shape == (1, 1) else (1 if x_shape[1] == 1 else 2)
    names = list(given) if given else list("ijkl")[: nf + nx]
    if len(names) != nf + nx:
        raise SymjacError(
            f"index_names needs {nf + nx} names ({nf} for the function, {nx} for the variable), got {len(names)}"
        )
    return tuple(names[:nf]), tuple(names[nf:])


def generic_entry(function: str, wrt: str, shapes: dict, index_names=None, chain=None) -> GenericEntry:
    """Derive ∂F_ij/∂X_kl in index notation from the expression (no per-example code).

    ``chain``: the spec's named links [{name, function}, …], the last equal to ``function``; the
    entry and the derivative are then written with the links' names (z⁽¹⁾_n, a⁽¹⁾_n, …) instead of
    the inlined forward pass, and ``names`` holds each link's definition.

    The text is read once, into the node set (:class:`~symjac.parsing.matrixexpr.MatrixExprBuilder`);
    :class:`IndexTranslator` writes that tree in index notation."""
    reserved = set(index_names or ()) | set("ijkl")
    builder = IndexTranslator(shapes, reserved=reserved)
    nodes = MatrixExprBuilder(shapes)
    if chain:
        for link in chain:
            node = evaluate(link["function"], nodes)
            builder.define(link["name"], builder.translate(node))
            # later links name this one: a MatrixSymbol of its shape (a scalar Symbol when 1×1)
            nodes.symbols[link["name"]] = (sp.MatrixSymbol(link["name"], *node.shape) if _is_matrix(node)
                                           else scalar(link["name"]))
        F = builder.defined[chain[-1]["name"]]
    else:
        F = builder.translate(evaluate(function, nodes))
    x_shape = builder.shapes[wrt]
    f_names, x_names = default_index_names(_plain(F.shape), _plain(x_shape), index_names)
    fi = [index_symbol(n) for n in f_names]
    xi = [index_symbol(n) for n in x_names]
    if len(fi) == 2:
        entry = F.entry(fi[0], fi[1])
    elif len(fi) == 1:
        entry = F.entry(fi[0], 1) if F.shape[1] == 1 else F.entry(1, fi[0])
    else:
        entry = F.entry(1, 1)
    base = builder.bases[wrt]
    target = scalar(wrt) if not xi else (base[xi[0]] if len(xi) == 1 else base[xi[0], xi[1]])
    deriv = _strip_piecewise(sp.diff(entry, target).doit())
    deriv = _sum_out_deltas(_strip_piecewise(deriv), set(fi) | set(xi))
    dims = {}
    for name, (r, c) in shapes.items():
        for d in (r, c):
            if d != 1:
                dims[dim_symbol(d)] = d
    names = []
    if chain and len(chain) > 1:
        (entry, deriv), names = _name_links(builder, chain, [entry, deriv])
    g = GenericEntry(tuple(fi), tuple(xi), entry, deriv, dims=dims, x_name=wrt, x_shape=x_shape, names=names)
    g.cases = case_analysis(deriv, xi, fi)
    return g


def _plain(shape):
    return tuple(1 if d == 1 else 2 for d in shape)  # only "is it 1" matters for index naming


def _partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for n in range(len(part)):
            yield part[:n] + [[first] + part[n]] + part[n + 1:]
        yield [[first]] + part


def case_analysis(expr, x_indices=(), f_indices=()) -> list[Case]:
    """Split a delta expression into cases by which delta indices coincide.

    Nonzero cases come first (most indices equal first); all zero cases merge
    into "otherwise".  Conditions list the variable's indices first
    ("j=p ≠ q"); a block is represented by its first function index.
    """
    order = tuple(x_indices) + tuple(f_indices)
    # only deltas between free indices are decided by a case; a delta on a summation (bound) index
    # stays inside its sum: a condition on a bound index, or renaming one, would change the formula
    free = set(order) if order else expr.free_symbols
    deltas = {d for d in expr.atoms(sp.KroneckerDelta) if d.free_symbols <= free}
    if not deltas:
        return [Case(expr, "", "")]
    key = lambda s: (_rank(s, order), s.name)  # noqa: E731
    syms = sorted({s for d in deltas for s in d.free_symbols}, key=key)
    if len(syms) > MAX_CASE_INDICES:
        return [Case(expr, "", "")]
    cases = []
    for part in _partitions(syms):
        part = sorted((sorted(b, key=key) for b in part), key=lambda b: key(b[0]))
        rep = {}
        for block in part:
            outs = [s for s in f_indices if s in block]
            keep = outs[0] if outs else block[0]
            for s in block:
                rep[s] = keep
        value = expr.replace(
            lambda e: isinstance(e, sp.KroneckerDelta) and e in deltas,
            lambda e: sp.Integer(1 if e.args[0].xreplace(rep) == e.args[1].xreplace(rep) else 0),
        ).subs(rep)     # subs, not xreplace: a bound index is never renamed
        if value == 0:
            continue
        cases.append((len(part), _condition(part), value, tuple(tuple(b) for b in part)))
    cases.sort(key=lambda c: c[0])
    out = [Case(v, cl, ct, blocks) for _, (cl, ct), v, blocks in cases]
    out.append(Case(sp.Integer(0), r"\text{otherwise}", "otherwise"))
    return out


def _rank(s, order):
    return order.index(s) if s in order else len(order)


def _condition(part) -> tuple[str, str]:
    blocks = [b for b in part]
    texts = ["=".join(s.name for s in b) for b in blocks]
    if len(blocks) == 1:
        t = texts[0]
    elif len(blocks) == 2:
        t = " ≠ ".join(texts)
    else:
        t = ", ".join(texts) + " pairwise different"
    latex = t.replace(" ≠ ", r" \neq ").replace("pairwise different", r"\text{ pairwise different}")
    return latex, t.replace("≠", "!=")


# --- evaluating index formulas at concrete indices ------------------------------------

class OutOfRange(SymjacError):
    """An index formula refers to an entry outside its matrix."""


def concrete_entries(expr, shapes: dict, values: dict, scoped: bool = False):
    """Substitute index/dimension ``values`` (symbol → int), expand sums, and turn
    ``A[i, j]`` into the explicit entry symbols; raises OutOfRange.  ``scoped``: substitute
    free occurrences only (a summation index of the same name is left bound), as a reader does."""
    subs = {k: sp.Integer(v) for k, v in values.items()}
    e = expr.subs(subs) if scoped else expr.xreplace(subs)
    e = e.doit()

    def entry(ix):
        name = str(ix.base.label)
        idx = [int(t) for t in ix.indices]
        r, c = shapes[name]
        if len(idx) == 1:
            idx = idx + [1]
        if not (1 <= idx[0] <= r and 1 <= idx[1] <= c):
            raise OutOfRange(f"{name}[{', '.join(str(t) for t in ix.indices)}] is outside the {r}x{c} {name}")
        return entry_symbol(name, idx[0]) if c == 1 else entry_symbol(name, idx[0], idx[1])

    return e.replace(lambda t: isinstance(t, sp.Indexed), entry)


@dataclass
class GenericCheck:
    """The generic formula evaluated at every index of a concrete instance."""

    checked: int
    mismatches: list      # (indices, got, want) or (indices, message, want)
    sizes: dict

    @property
    def passed(self) -> bool:
        return self.checked > 0 and not self.mismatches


def _index_ranges(shape_f, shape_x):
    def rng(shape):
        r, c = shape
        if r == 1 and c == 1:
            return [()]
        if c == 1:
            return [(a,) for a in range(1, r + 1)]
        return list(itertools.product(range(1, r + 1), range(1, c + 1)))
    return rng(shape_f), rng(shape_x)


def _array_index(idx, shape):
    if len(idx) == 2:
        return idx[0] - 1, idx[1] - 1
    if len(idx) == 1:
        return (idx[0] - 1, 0) if shape[1] == 1 else (0, idx[0] - 1)
    return 0, 0


def evaluate_formula(formula, g: GenericEntry, sizes: dict, concrete_shapes: dict, T, f_shape, x_shape,
                     component=False) -> GenericCheck:
    """Compare ``formula`` (delta form, or a callable (fidx, xidx) → expr) with T at every index."""
    dim_values = {dim_symbol(k): v for k, v in sizes.items()}
    for s, d in g.dims.items():
        if isinstance(d, int):
            dim_values[s] = d
    f_range, x_range = _index_ranges(f_shape, x_shape)
    if component:
        x_range = [()]
    checked, bad = 0, []
    for fidx in f_range:
        for xidx in x_range:
            subs = dict(dim_values)
            subs.update({s: v for s, v in zip(g.f_indices, fidx)})
            subs.update({s: v for s, v in zip(g.x_indices, xidx)})
            fa = _array_index(fidx, f_shape)
            want = T[fa] if component else T[fa + _array_index(xidx, x_shape)]
            try:
                got = formula(fidx, xidx) if callable(formula) else concrete_entries(formula, concrete_shapes, subs)
            except OutOfRange as exc:
                bad.append((fidx + xidx, str(exc), want))
                checked += 1
                continue
            if not exactly_equal(_strict_sympify(got), _strict_sympify(want)):
                bad.append((fidx + xidx, got, want))
            checked += 1
    return GenericCheck(checked, bad, dict(sizes))


def verify_generic(g: GenericEntry, sizes: dict, concrete_shapes: dict, T, f_shape, x_shape) -> GenericCheck:
    """Evaluate g.derivative at every (i, j, k, l) and compare with ``derivative_array`` T."""
    return evaluate_formula(g.derivative, g, sizes, concrete_shapes, T, f_shape, x_shape)


def _holds(blocks, env: dict) -> bool:
    """A case condition at concrete indices: equal within each block, different across blocks."""
    if not blocks:
        return True
    firsts = []
    for b in blocks:
        if len({env[s] for s in b}) != 1:
            return False
        firsts.append(env[b[0]])
    return len(set(firsts)) == len(firsts)


def verify_displayed(g: GenericEntry, sizes: dict, concrete_shapes: dict, T, F, f_shape, x_shape) -> GenericCheck:
    """Check what a document prints, not an internal object: the printed entry ``g.shown(g.entry)``
    (its intermediate names replaced by their printed definitions, ``g.names``) against F, the printed derivative ``g.shown(g.derivative)`` and every printed case
    ``g.shown(case.value)`` (chosen by its condition) against T, at every index of the instance.

    Free indices are substituted where free only (a summation index is kept bound), and a condition
    may name only the free indices (f_indices + x_indices)."""
    free = set(g.f_indices) | set(g.x_indices)
    for c in g.cases:
        bound = {s for b in c.blocks for s in b} - free
        if bound:
            return GenericCheck(1, [((), f"the case '{c.condition_text}' names {', '.join(sorted(map(str, bound)))}, "
                                     "which is not a free index", None)], dict(sizes))
    dim_values = {dim_symbol(k): v for k, v in sizes.items()}
    dim_values.update({s: d for s, d in g.dims.items() if isinstance(d, int)})

    def at(expr, fidx, xidx):
        env = dict(dim_values)
        env.update(zip(g.f_indices, fidx))
        env.update(zip(g.x_indices, xidx))
        return concrete_entries(g.shown(unname(expr, g.names)), concrete_shapes, env, scoped=True), env

    checks = [evaluate_formula(lambda f, x: at(g.entry, f, ())[0], g, sizes, concrete_shapes, F, f_shape, x_shape,
                               component=True),
              evaluate_formula(lambda f, x: at(g.derivative, f, x)[0], g, sizes, concrete_shapes, T, f_shape, x_shape)]
    if len(g.cases) > 1:
        def case_value(f, x):
            env = dict(zip(g.f_indices, f))
            env.update(zip(g.x_indices, x))
            case = next(c for c in g.cases if _holds(c.blocks, env))
            return at(case.value, f, x)[0]
        checks.append(evaluate_formula(case_value, g, sizes, concrete_shapes, T, f_shape, x_shape))
    return GenericCheck(sum(c.checked for c in checks), [m for c in checks for m in c.mismatches], dict(sizes))


# --- the index-claim syntax ------------------------------------------------------------

_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Subscript, ast.Tuple,
            ast.Call, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
            ast.Compare, ast.Eq, ast.NotEq, ast.BoolOp, ast.And, ast.Or, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_FUNCS = set(_ELEMENTWISE) | {"sum", "delta"}
_ARITY = {**{f: tuple(range(1, 2 + len(d.params))) for f, d in _ELEMENTWISE.items()}, "delta": (2,), "sum": (3, 4)}
_USAGE = {"delta": "delta(i, j)", "sum": "sum(expression, index, upper) or sum(expression, index, lower, upper)"}

MAX_INDEX_TEXT = 2000       # characters in one formula or condition
MAX_NESTING = 50            # depth of the expression tree
MAX_POWER = 64              # |exponent| of a numeric power
MAX_SUM_TERMS = 64          # terms of one sum(...) at evaluation
MAX_EVAL_STEPS = 100_000    # nodes visited by one evaluator (nested sums multiply)
MAX_NUMBER_BITS = 4096      # size of an exact number a power may produce


def _depth(node) -> int:
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > MAX_NESTING:
            break
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(n))
    return deepest


def _numeric_constant(node):
    """The value of a literal number, or of −/+ a literal number; None for anything else."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return sign * node.value
    return None


def parse_index_text(text: str) -> ast.AST:
    """Parse and whitelist an index formula or condition; raises ParseError / UnsupportedError (one line).

    Beyond the whitelist: functions are called with their arity, tuples appear
    only as ``NAME[i, j]`` subscripts, literal exponents are at most
    ``MAX_POWER`` in size and nesting at most ``MAX_NESTING`` deep.
    """
    if not isinstance(text, str) or not text.strip():
        raise ParseError("empty index formula")
    if len(text) > MAX_INDEX_TEXT:
        raise ParseError(f"index formula too long ({len(text)} characters, limit {MAX_INDEX_TEXT})")
    shown = text.strip()
    if len(shown) > 80:
        shown = shown[:77] + "..."
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or "too deeply nested"
        raise ParseError(f"syntax error in {shown!r}: {msg}", (getattr(exc, "offset", None) or 1) - 1) from None
    if _depth(tree) > MAX_NESTING:
        raise ParseError(f"index formula {shown!r} is nested more than {MAX_NESTING} deep")
    slices = {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
    for node in ast.walk(tree):
        pos = getattr(node, "col_offset", None)
        if not isinstance(node, _ALLOWED):
            raise UnsupportedError(f"{type(node).__name__} is not allowed in index formula {shown!r}", pos)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS or node.keywords:
                raise UnsupportedError(f"unknown function in {shown!r}; allowed: {', '.join(sorted(_FUNCS))}", pos)
            f = node.func.id
            if len(node.args) not in _ARITY[f]:
                usage = _USAGE.get(f, f"{f}(x)")
                raise ParseError(f"{f} takes {' or '.join(map(str, _ARITY[f]))} argument(s), got "
                                 f"{len(node.args)}: write {usage}", pos)
            if f == "sum" and not isinstance(node.args[1], ast.Name):
                raise ParseError(f"the second argument of sum must be an index name: write {_USAGE['sum']}", pos)
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name):
                raise UnsupportedError(f"only NAME[i, j] entries are allowed in {shown!r}", pos)
            n_idx = len(node.slice.elts) if isinstance(node.slice, ast.Tuple) else 1
            if n_idx not in (1, 2):
                raise ParseError(f"{node.value.id}[...] takes one or two indices, got {n_idx}", pos)
        if isinstance(node, ast.Tuple) and id(node) not in slices:
            raise ParseError(f"a tuple is not a value in {shown!r}: write one expression (entries as NAME[i, j])", pos)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ParseError(f"only numbers are allowed as literals in {shown!r}", pos)
            if isinstance(v, float) and v != v or v in (float("inf"), float("-inf")):
                raise ParseError(f"the number in {shown!r} is too large", pos)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            e = _numeric_constant(node.right)
            if e is not None and abs(e) > MAX_POWER:
                raise ParseError(f"exponent {e} in {shown!r} is beyond the limit of ±{MAX_POWER}", pos)
    return tree.body


def _check_powers(e):
    """e, unless products / powers made a power above ``MAX_POWER`` ((x+1)**64 * (x+1)**64 …)."""
    for p in e.atoms(sp.Pow):
        if p.exp.is_Number and p.exp.is_finite and abs(p.exp) > MAX_POWER:
            raise SymjacError(f"the index formula raises {p.base} to the power {p.exp}; the limit is {MAX_POWER}")
    return e


def _bits(v) -> int:
    return max(abs(v.p).bit_length(), abs(v.q).bit_length()) if v.is_Rational else 0


class IndexEvaluator:
    """Evaluate a parsed index formula at concrete indices.

    ``env``: index and dimension names → int; ``shapes``: variable → (rows, cols) ints.
    Bounded: sums of at most ``MAX_SUM_TERMS`` terms, exponents of at most
    ``MAX_POWER``, ``MAX_EVAL_STEPS`` nodes per evaluator.  Malformed input
    raises :class:`SymjacError` (one line), never a Python error.
    """

    def __init__(self, shapes: dict, env: dict):
        self.shapes = shapes
        self.env = dict(env)
        self.steps = 0

    def run(self, node):
        self.steps += 1
        if self.steps > MAX_EVAL_STEPS:
            raise SymjacError(f"index formula needs more than {MAX_EVAL_STEPS} evaluation steps (nested sums?)")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise UnsupportedError(f"{type(node).__name__} is not allowed in an index formula")
        return method(node)

    def _value(self, node):
        """An arithmetic value (not a condition)."""
        v = self.run(node)
        if isinstance(v, bool) or not isinstance(v, sp.Basic):
            raise SymjacError("a comparison (==, <, and, or …) is a condition, not a value: "
                              "use it as a case's condition")
        return v

    def _Expression(self, n):
        return self.run(n.body)

    def _Constant(self, n):
        from fractions import Fraction
        v = n.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise SymjacError("only numbers are allowed as literals in an index formula")
        if isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                raise SymjacError("a number in the index formula is too large")
            return sp.Rational(Fraction(repr(v)))
        return sp.Integer(v)

    def _Name(self, n):
        if n.id in self.env:
            return sp.Integer(self.env[n.id])
        if n.id in self.shapes:
            r, c = self.shapes[n.id]
            if (r, c) == (1, 1):
                return scalar(n.id)
            raise SymjacError(f"{n.id} is a {r}x{c} matrix: write its entries, {n.id}[i, j]"
                              if c != 1 else f"{n.id} is a vector: write its entries, {n.id}[i]")
        raise SymjacError(f"unknown name {n.id!r} in index formula")

    def _index(self, node) -> int:
        v = self.run(node)
        if isinstance(v, bool) or not isinstance(v, sp.Basic) or not v.is_Integer:
            raise SymjacError("indices (in NAME[...], delta, sum bounds and comparisons) must be whole numbers")
        return int(v)

    def _Subscript(self, n):
        if not isinstance(n.value, ast.Name):
            raise UnsupportedError("only NAME[i, j] entries are allowed in an index formula")
        name = n.value.id
        if name not in self.shapes:
            raise SymjacError(f"unknown matrix {name!r} in index formula")
        sl = n.slice
        elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
        if len(elts) not in (1, 2):
            raise SymjacError(f"{name}[...] takes one or two indices, got {len(elts)}")
        idx = [self._index(e) for e in elts]
        r, c = self.shapes[name]
        shown = ",".join(str(i) for i in idx)
        if len(idx) == 1:
            if c != 1 and r != 1:
                raise SymjacError(f"{name} is a matrix: write {name}[i, j]")
            k = idx[0]
            if not 1 <= k <= max(r, c):
                raise OutOfRange(f"{name}[{shown}] is outside the {r}x{c} {name}")
            return entry_symbol(name, k)
        if not (1 <= idx[0] <= r and 1 <= idx[1] <= c):
            raise OutOfRange(f"{name}[{shown}] is outside the {r}x{c} {name}")
        if c == 1 and idx[1] == 1:
            return entry_symbol(name, idx[0])
        return entry_symbol(name, idx[0], idx[1])

    def _BinOp(self, n):
        a, b = self._value(n.left), self._value(n.right)
        op = type(n.op)
        if op is ast.Pow:
            return self._power(a, b)
        funcs = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b, ast.Div: lambda: a / b}
        if op not in funcs:
            raise UnsupportedError(f"operator {op.__name__} is not allowed in an index formula")
        out = funcs[op]()
        return _check_powers(out) if op in (ast.Mult, ast.Div) else out

    @staticmethod
    def _power(a, b):
        if b.is_Number:
            if not b.is_finite:
                raise SymjacError(f"exponent {b} is not a finite number")
            if abs(b) > MAX_POWER:
                raise SymjacError(f"exponent {b} is beyond the limit of ±{MAX_POWER}")
            if a.is_Rational and b.is_Integer and _bits(a) * abs(int(b)) > MAX_NUMBER_BITS:
                raise SymjacError(f"a power in the index formula gives a number of more than {MAX_NUMBER_BITS} bits")
        return _check_powers(a ** b)

    def _UnaryOp(self, n):
        v = self._value(n.operand)
        if isinstance(n.op, ast.USub):
            return -v
        if isinstance(n.op, ast.UAdd):
            return v
        raise UnsupportedError(f"{type(n.op).__name__} is not allowed in an index formula")

    def _Call(self, n):
        if not isinstance(n.func, ast.Name) or n.func.id not in _FUNCS or n.keywords:
            raise UnsupportedError(f"unknown function in index formula; allowed: {', '.join(sorted(_FUNCS))}")
        f = n.func.id
        if len(n.args) not in _ARITY[f]:
            raise SymjacError(f"{f} takes {' or '.join(map(str, _ARITY[f]))} argument(s), got {len(n.args)}: "
                              f"write {_USAGE.get(f, f + '(x)')}")
        if f in _ELEMENTWISE:
            return _ELEMENTWISE[f](*(self._value(a) for a in n.args))
        if f == "delta":
            a, b = (self._index(x) for x in n.args)
            return sp.Integer(1 if a == b else 0)
        # sum(expr, idx, hi) or sum(expr, idx, lo, hi)
        if not isinstance(n.args[1], ast.Name):
            raise SymjacError(f"the second argument of sum must be an index name: write {_USAGE['sum']}")
        lo = self._index(n.args[2]) if len(n.args) == 4 else 1
        hi = self._index(n.args[-1])
        if hi - lo + 1 > MAX_SUM_TERMS:
            raise SymjacError(f"sum from {lo} to {hi} has {hi - lo + 1} terms; the limit is {MAX_SUM_TERMS}")
        name = n.args[1].id
        saved = self.env.get(name)
        total = sp.Integer(0)
        try:
            for k in range(lo, hi + 1):
                self.env[name] = k
                total += self._value(n.args[0])
        finally:
            if saved is None:
                self.env.pop(name, None)
            else:
                self.env[name] = saved
        return total

    def _Compare(self, n):
        left = self._index(n.left)
        for op, right_node in zip(n.ops, n.comparators):
            right = self._index(right_node)
            table = {ast.Eq: left == right, ast.NotEq: left != right, ast.Lt: left < right,
                     ast.LtE: left <= right, ast.Gt: left > right, ast.GtE: left >= right}
            if type(op) not in table:
                raise UnsupportedError(f"comparison {type(op).__name__} is not allowed in an index condition")
            if not table[type(op)]:
                return False
            left = right
        return True

    def _BoolOp(self, n):
        vals = [self.run(v) for v in n.values]
        if not all(isinstance(v, bool) for v in vals):
            raise SymjacError("'and' / 'or' combine comparisons (i == j, p != q), not values")
        return all(vals) if isinstance(n.op, ast.And) else any(vals)


__all__ = [
    "IndexTranslator", "IExpr", "GenericEntry", "Case", "GenericCheck", "OutOfRange", "generic_entry",
    "case_analysis", "verify_generic", "evaluate_formula", "parse_index_text", "IndexEvaluator",
    "default_index_names", "index_symbol", "dim_symbol", "concrete_entries",
]
