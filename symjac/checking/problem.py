r"""The problem language: :class:`Problem` (a function of declared variables, the variable to
differentiate by or None for a value problem, shapes, a convention), its declared properties and
symmetric rule, integer parameters, and the symbolic shapes of the function and of the expected answer.

Nothing here judges an answer (:mod:`symjac.checking.engine` does); a bad problem is a :class:`CheckError`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from symjac.conventions import Convention, get_convention
from symjac.errors import SymjacError


class CheckError(SymjacError):
    """The problem itself cannot be checked (bad spec, unsupported function…)."""


@dataclass
class Problem:
    r"""A problem to check answers against.

    function: expression-syntax text (``"A.T @ A"``) or a SymPy expression of
    ``MatrixSymbol``s / explicit matrices.  wrt: the variable, or None for a
    value problem (answer = the function's value at ``values``).  shapes: name →
    (rows, cols), ints or dimension names.  convention: vec | notes | row |
    gradient | tensor.  indices: the letters of a generic entry ∂F_ij/∂X_kl for
    ``tensor``.  sigma: what ``\sigma`` in an answer means, ``"sigmoid"`` (the logistic
    function) or ``"tanh"``; by default ``"tanh"`` when the function's text contains
    ``tanh`` and not ``sigmoid``, else ``"sigmoid"`` (a spec's ``sigma`` key, when the spec
    format has one, overrides it).  tolerance: absolute tolerance on numbers in value problems
    (plus 1 % relative).  partial_credit: score explicit matrices by the
    fraction of correct entries.
    """

    function: object
    wrt: str | None
    shapes: dict
    convention: Convention | str = "vec"
    values: dict | None = None
    indices: tuple | None = None
    sigma: str | None = None
    tolerance: float = 0.005
    partial_credit: bool = True
    title: str = ""
    choices: list = field(default_factory=list)
    target: dict = field(default_factory=dict)
    dimensions: dict = field(default_factory=dict)
    definitions: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)   # name → ["spd", "m >= n", …] (symjac.properties)
    symmetric: str | None = None   # gradient by a symmetric variable: "free" (G + Gᵀ − G∘I) or "frobenius"
    output_name: str = "F"    # the function's letter: a statement "F = …" in an answer is about the function

    def __post_init__(self):
        try:
            self.convention = get_convention(self.convention)
        except SymjacError as exc:
            raise CheckError(str(exc)) from None
        if self.wrt is not None and self.convention.answer_rank == 4 and not self.convention.index_notation \
                and self.convention.kind != "entry":
            raise CheckError(f"answers in the {self.convention.name} convention cannot be checked yet: "
                             "use vec, notes, row, denominator, gradient, hessian or tensor")
        self.shapes = {k: _shape_tuple(v) for k, v in dict(self.shapes).items()}
        # named intermediates (z = W a + b): the function is expanded, answers may use the names
        from symjac.checking.definitions import expand

        self.definitions = dict(self.definitions or {})
        self.function, self.expanded_definitions, self.definition_shapes = expand(
            self.function, self.definitions, self.shapes)
        if self.wrt is not None and self.wrt not in self.shapes:
            raise CheckError(f"wrt {self.wrt!r} has no declared shape")
        self.variable_properties, self.size_relations = _declared_properties(self.properties, self.shapes)
        _check_symmetric_rule(self)
        # scalars declared integer (the p of tr(X^p)): compared at p = 2, 3, 4 (see _check_integer_parameters)
        self.integer_parameters = tuple(n for n, props in self.properties.items()
                                        if "integer" in props and n != self.wrt and self.shapes.get(n) == (1, 1))
        if isinstance(self.function, str):
            shown = self.function
            for n in self.integer_parameters:
                shown = _substitute_name(shown, n, str(INTEGER_VALUES[0]))
            function_shape(shown, self.shapes)   # a ShapeError names inconsistent sizes now
        if self.sigma is not None and self.sigma not in ("sigmoid", "tanh"):
            raise CheckError(f"sigma must be 'sigmoid' or 'tanh', got {self.sigma!r}")
        if self.sigma is None:
            text = self.function if isinstance(self.function, str) else sp.srepr(self.function)
            self.sigma = "tanh" if ("tanh" in text and "sigmoid" not in text) else "sigmoid"
        # index notation (a generic entry ∂F_ij/∂X_kl) is the answer of a tensor problem; it is also
        # accepted for any derivative problem whose index letters were given explicitly
        self.generic_entries = self.indices is not None or self.convention.index_notation
        self.indices = tuple(self.indices) if self.indices is not None else ("i", "j", "k", "l")
        if len(self.indices) != 4 or not all(n is None or isinstance(n, str) for n in self.indices):
            raise CheckError(f"indices must be 4 letters (None for an axis of size 1), got {self.indices!r}")
        self.dimensions = dict(self.dimensions or {})
        for d, v in self.dimensions.items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise CheckError(f"dimension {d} must be a positive integer, got {v!r}")

    @classmethod
    def from_file(cls, path) -> "Problem":
        from symjac.checking.spec import load_spec

        spec = load_spec(path)
        return cls.from_spec(spec)

    @classmethod
    def from_spec(cls, spec) -> "Problem":
        """The problem a spec poses: its ``dimensions`` fix the explicit instance, its
        ``index_names`` (the function's letters, then the variable's) are the letters of
        an index-notation answer."""
        indices = None
        names = list(getattr(spec, "index_names", None) or [])
        if names and spec.wrt is not None:
            indices = _spec_indices(spec.function, spec.wrt, spec.shapes, names)
        return cls(
            function=spec.function, wrt=spec.wrt, shapes=spec.shapes, convention=spec.convention,
            values=spec.values or None, title=spec.title, choices=list(spec.choices or []),
            target=dict(spec.target or {}), dimensions=dict(getattr(spec, "dimensions", None) or {}),
            indices=indices, sigma=getattr(spec, "sigma", None),
            properties=dict(getattr(spec, "properties", None) or {}),
            symmetric=getattr(spec, "symmetric", None),
            definitions=dict(getattr(spec, "definitions", None) or {}),
            output_name=getattr(spec, "output_name", None) or "F",
        )

    def instance_sizes(self) -> dict | None:
        """Sizes of the dimension names at the problem's explicit instance: ``dimensions``,
        completed from the shapes of ``values``; None when some size stays unknown."""
        known = {d: v for d, v in self.dimensions.items() if d in self.dims}
        for name, value in (self.values or {}).items():
            if name not in self.shapes:
                continue
            a = np.asarray(value, dtype=float)
            r, c = self.shapes[name]
            got = {0: (1, 1), 1: (a.shape[0], 1) if c == 1 or r != 1 else (1, a.shape[0]), 2: a.shape}.get(a.ndim)
            if got is None:
                continue
            for d, v in zip((r, c), got):
                if isinstance(d, str):
                    known.setdefault(d, int(v))
        return known if all(d in known for d in self.dims) else None

    @property
    def concrete(self) -> bool:
        return all(isinstance(d, int) for s in self.shapes.values() for d in s)

    @property
    def dims(self) -> list[str]:
        return sorted({d for s in self.shapes.values() for d in s if isinstance(d, str)})


def _declared_properties(properties, shapes) -> tuple[dict, tuple]:
    """({name: frozenset of properties}, size relations) of a problem; a CheckError names a bad one."""
    from symjac.properties import split_properties

    try:
        return split_properties(properties or {}, shapes)
    except SymjacError as exc:
        raise CheckError(str(exc)) from None


SYMMETRIC_RULES = ("free", "frobenius")


def _check_symmetric_rule(problem: Problem) -> None:
    """``symmetric = "free" | "frobenius"``: a gradient by a square variable, which is then symmetric
    (added to its properties when not declared)."""
    rule = problem.symmetric
    if rule is None:
        return
    if rule not in SYMMETRIC_RULES:
        raise CheckError(f"symmetric must be 'free' or 'frobenius', got {rule!r}")
    if problem.wrt is None or problem.convention.kind != "gradient":
        raise CheckError("symmetric = free / frobenius applies to the gradient convention by a symmetric variable")
    r, c = problem.shapes[problem.wrt]
    if r != c:
        raise CheckError(f"symmetric = {rule}: {problem.wrt} must be square")
    props = dict(problem.variable_properties)
    props[problem.wrt] = props.get(problem.wrt, frozenset()) | {"symmetric"}
    problem.variable_properties = props


def symmetric_gradient(G: np.ndarray, rule: str) -> np.ndarray:
    """The gradient of a scalar by a symmetric X from the unstructured one G (X's shape):
    ``free`` — X's distinct entries as the parameters, G + Gᵀ − G∘I (Matrix Cookbook §2.8);
    ``frobenius`` — the Riesz representer in the symmetric matrices, (G + Gᵀ)/2."""
    if rule == "free":
        return G + G.T - np.diag(np.diag(G))
    return (G + G.T) / 2


def _dim_symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, integer=True, positive=True)


_ONE = (sp.S.One, sp.S.One)


def function_shape(function: str, shapes: dict) -> tuple:
    """(rows, cols) of an expression-syntax function, as SymPy expressions of the dimension names.

    Built by the closed-form builder, so inconsistent sizes (``A @ B`` with A m×n, B m×n) are a
    :class:`~symjac.errors.ShapeError`; a scalar function is (1, 1)."""
    from symjac.parsing.matrixexpr import build_matrix_expr

    expr, _ = build_matrix_expr(function, shapes)
    return tuple(expr.shape) if getattr(expr, "is_Matrix", False) else _ONE


def _symbolic_shape(shape) -> tuple:
    return tuple(sp.Integer(d) if isinstance(d, int) else _dim_symbol(d) for d in shape)


def _spec_indices(function, wrt, shapes, names) -> tuple:
    """A spec's ``index_names`` (the function's letters, then the variable's; one per axis of size
    other than 1, two for a row vector) as the checker's four letters, None for an axis of size 1."""
    if not isinstance(function, str):
        raise CheckError("index_names need a function in the expression syntax")
    f_shape = function_shape(function, shapes)
    x_shape = _symbolic_shape(_shape_tuple(shapes[wrt]))

    def axes(shape):
        if tuple(shape) == _ONE:
            return 0
        return 1 if shape[1] == 1 else 2

    nf, nx = axes(f_shape), axes(x_shape)
    if len(names) != nf + nx:
        raise CheckError(f"index_names needs {nf + nx} letters ({nf} for the function, {nx} for {wrt}), "
                         f"got {len(names)}")
    out = []
    for n, letters in ((nf, names[:nf]), (nx, names[nf:])):
        out += [None, None] if n == 0 else ([letters[0], None] if n == 1 else list(letters))
    return tuple(out)


def _shape_tuple(v):
    if isinstance(v, (list, tuple)):
        if len(v) == 0:      # () : a scalar
            return (1, 1)
        if len(v) == 1:
            return (v[0], 1)
        if len(v) == 2:
            return (v[0], v[1])
    if isinstance(v, (int, str)):
        return (v, 1)
    raise CheckError(f"shape must be (rows, cols), got {v!r}")


def _parse_shapes(problem: Problem) -> dict:
    return {**problem.shapes, **getattr(problem, "definition_shapes", {})}


INTEGER_VALUES = (2, 3, 4)   # where an integer parameter is compared


def _substitute_name(text: str, name: str, body: str) -> str:
    from symjac.checking.definitions import _substitute

    return _substitute(text, name, body)


def _entry_problem(problem: Problem) -> bool:
    return problem.wrt is not None and problem.convention.kind == "entry"


def _entry_letters(problem: Problem) -> tuple:
    """The index letters of ∂F/∂X_ij in an entry-convention answer: the last two given ``indices`` (i, j by default)."""
    given = [n for n in (problem.indices or ()) if n is not None]
    return tuple(given[-2:]) if problem.generic_entries and len(given) >= 2 and problem.indices != ("i", "j", "k", "l") \
        else ("i", "j")


def _answer_shape_at(problem: Problem, fshape) -> tuple:
    """The shape of the expected answer (symbolic), from the function's shape."""
    X = _symbolic_shape(problem.shapes[problem.wrt])
    return problem.convention.answer_shape(fshape, X)


def _as_expr(x):
    """SymPy objects as they are, Python ints as Integers (no sympify: nothing here is re-parsed)."""
    return sp.Integer(x) if isinstance(x, int) else x
