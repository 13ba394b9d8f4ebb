"""Derivation specs: ``derivations/*.toml`` read, validated, and checked for shape errors.

A spec is data, not code (format in CONTRIBUTING.md).  The same file is a
derivation to document and a problem to grade answers against.  Every error
names the file, the key and the problem, as one line.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from symjac.conventions import NAMES
from symjac.errors import SpecError, SymjacError
from symjac.parsing.expr import names_in
from symjac.parsing.shapes import check_name, is_concrete, normalize_shape

CONVENTIONS = NAMES   # every named convention (symjac.conventions)
TOP_KEYS = {
    "title": "short title (required)",
    "function": "the function, in the safe expression syntax (required)",
    "wrt": "the variable to differentiate by; omit for a value problem",
    "convention": " | ".join(NAMES) + " (default vec)",
    "description": "prose shown above the derivation",
    "source": "where the problem comes from",
    "shapes": "table: variable name -> [rows, cols] (integers or dimension names)",
    "dimensions": "table: dimension name -> integer, the size of the explicit instance (e.g. {M = 3, N = 2})",
    "output_name": "the function's letter in formulas (default F), e.g. \"K\" for K = AᵀA",
    "index_names": "list of index letters: the function's, then the variable's (e.g. [\"p\", \"q\", \"i\", \"j\"])",
    "values": "table: variable name -> number / list / nested list (numeric exercises)",
    "claimed": "array of tables (see CLAIMED_KEYS): what a source asserts, to be checked",
    "chain": "array of tables {name, function}: a chain-rule decomposition; the first link is a function "
             "of `wrt`, each later link of the previous link's name; the last equals `function`",
    "choices": "array of tables {label, values}: candidate parameter values to compare (an exercise)",
    "target": "table {inputs = {name = [one value per case]}, outputs = [expected output per case]} for `choices`",
    "activation_note": "prose about the activation used",
    "properties": "table: variable name -> list of properties (symmetric, diagonal, spd, invertible, orthogonal, "
                  "positive, nonnegative, integer, full_column_rank) and size relations (\"m >= n\"); answers are "
                  "compared at random points and sizes that satisfy them",
    "symmetric": "for a gradient by a symmetric variable: free (G + Gᵀ − G∘I, Matrix Cookbook §2.8) | frobenius ((G + Gᵀ)/2)",
    "definitions": "inline table: name -> expression, in order (named intermediates the function and answers may use)",
    "sigma": "what \\sigma means in answers to this problem: tanh | sigmoid (default: tanh when the function uses only tanh)",
}
CLAIMED_KEYS = {
    "label": "who claims it, where (e.g. \"notes, p. 7\")",
    "latex": "the claim exactly as the source writes it (LaTeX; required)",
    "note": "optional prose",
    "convention": "the claim's Jacobian convention (default: the spec's)",
    "kind": "jacobian | entry | component | value | shape (default inferred from the keys below)",
    "matrix": "jacobian claim: rows of entries in index syntax with integer subscripts, e.g. [[\"2*A[1,1]\", \"0\"]]",
    "expression": "jacobian claim: the claimed Jacobian in the safe expression syntax, e.g. \"kron(eye(M), x.T)\"",
    "entry": "entry claim: dF/dX at generic indices (index_names) in index syntax",
    "cases": "entry claim: [[formula, condition], ...] in index syntax; condition \"otherwise\" for the rest",
    "component": "component claim: the generic entry of the function in index syntax, e.g. \"sum(A[j,i]*x[j], j, N)\"",
    "value": "value claim: number / list / nested list",
    "of": "value or shape claim: the quantity, in the safe expression syntax (default: the function)",
    "tolerance": "value claim: absolute tolerance (default: half a unit in the last decimal stated)",
    "shape": "shape claim: [rows, cols] of the Jacobian, integers or products of dimension names (\"M*N\")",
}
CLAIM_KINDS = ("jacobian", "entry", "component", "value", "shape")
CHAIN_KEYS = {"name", "function"}
CHOICE_KEYS = {"label", "values"}
TARGET_KEYS = {"inputs", "outputs"}


@dataclass
class Spec:
    """A validated derivation spec. ``name`` is the file's stem."""

    name: str
    title: str
    function: str
    wrt: str | None
    convention: str
    shapes: dict
    dimensions: dict = field(default_factory=dict)
    index_names: list = field(default_factory=list)
    output_name: str = "F"
    values: dict = field(default_factory=dict)
    claimed: list = field(default_factory=list)
    chain: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    target: dict = field(default_factory=dict)
    description: str = ""
    source: str = ""
    activation_note: str = ""
    sigma: str | None = None
    path: Path | None = None
    properties: dict = field(default_factory=dict)
    definitions: dict = field(default_factory=dict)
    symmetric: str | None = None

    @property
    def concrete(self) -> bool:
        """True when every shape has integer sizes (given, or through ``dimensions``)."""
        return all(is_concrete(s) for s in self.instance_shapes.values())

    @property
    def general(self) -> bool:
        """True when some shape is written with dimension names."""
        return not all(is_concrete(s) for s in self.shapes.values())

    @property
    def instance_shapes(self) -> dict:
        """The shapes with dimension names replaced by their ``dimensions`` sizes."""
        return {k: tuple(self.dimensions.get(d, d) if isinstance(d, str) else d for d in v)
                for k, v in self.shapes.items()}


def _numeric(value, depth: int = 0) -> bool:
    """A number, or a list (at most 2 levels deep) of numbers: values are data, never text."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, list) and depth < 2:
        return all(_numeric(v, depth + 1) for v in value)
    return False


def _finite(value) -> bool:
    import math

    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def _brief(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _check_problem_kind(path, wrt, function, values, choices, target, shapes) -> None:
    """Faults that would make every answer wrong, or accept every answer: refused at load time."""
    if choices and not target:
        raise _fail(path, "target", "[[choices]] needs a [target] (inputs and outputs) to compare the choices with")
    if target and not choices:
        raise _fail(path, "choices", "[target] is given but there are no [[choices]]")
    if wrt is None and not choices:
        used = sorted(names_in(function))
        missing = [n for n in used if n not in values]
        if missing:
            raise _fail(path, "values", f"a value problem (no wrt) needs a value for every variable; "
                                        f"missing: {', '.join(missing)}")
    if choices:
        free = set(names_in(function)) - set(target.get("inputs", {}))
        for n, item in enumerate(choices, 1):
            missing = sorted(free - set(item.get("values", {})) - set(values))
            if missing:
                raise _fail(path, f"choices[{n}].values", f"no value for {', '.join(missing)}")


def _sigma(data, path) -> str | None:
    sigma = data.get("sigma")
    if sigma is not None and sigma not in ("tanh", "sigmoid"):
        raise _fail(path, "sigma", f"must be 'tanh' or 'sigmoid', got {sigma!r}")
    return sigma


def _fail(path, key, problem) -> SpecError:
    return SpecError(f"{path}: {key}: {problem}")


def _str(data, key, path, required=False, default=""):
    if key not in data:
        if required:
            raise _fail(path, key, "missing (required)")
        return default
    value = data[key]
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(path, key, f"must be a non-empty string, got {value!r}")
    return value


def _table_list(data, key, allowed, path) -> list:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(path, key, "must be an array of tables ([[" + key + "]])")
    for n, item in enumerate(items, 1):
        unknown = set(item) - allowed
        if unknown:
            raise _fail(path, f"{key}[{n}]", f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    return items


def spec_from_dict(data: dict, path: str | Path = "<spec>") -> Spec:
    """Validate a parsed TOML table; raises SpecError naming ``path`` and the key."""
    path = Path(path)
    unknown = set(data) - set(TOP_KEYS)
    if unknown:
        raise _fail(path, ", ".join(sorted(unknown)), f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    title = _str(data, "title", path, required=True)
    function = _str(data, "function", path, required=True)
    wrt = data.get("wrt")
    if wrt is not None:
        if not isinstance(wrt, str):
            raise _fail(path, "wrt", f"must be a variable name, got {wrt!r}")
    convention = data.get("convention", "vec")
    if convention not in CONVENTIONS:
        raise _fail(path, "convention", f"unknown convention {convention!r}; choose one of {', '.join(CONVENTIONS)}")
    raw_shapes = data.get("shapes", {})
    if not isinstance(raw_shapes, dict):
        raise _fail(path, "shapes", "must be a table: name = [rows, cols]")
    try:
        shapes = {
            check_name(k, f"{path}: shapes"): normalize_shape(v, f"{path}: shapes.{k}")
            for k, v in raw_shapes.items()
        }
    except SpecError:
        raise
    except SymjacError as exc:
        raise SpecError(str(exc)) from None
    definitions = _definitions(data, shapes, path)
    if definitions:
        function = _expanded(function, definitions, shapes, path)
    properties = _properties(data, shapes, path)
    try:
        used = names_in(function)
    except SymjacError as exc:
        raise _fail(path, "function", str(exc)) from None
    missing = sorted(used - set(shapes))
    if missing:
        raise _fail(path, "shapes", f"no shape for {', '.join(missing)} (used in function)")
    if wrt is not None and wrt not in shapes:
        raise _fail(path, "wrt", f"{wrt!r} has no shape in [shapes]")
    values = data.get("values", {})
    if not isinstance(values, dict):
        raise _fail(path, "values", "must be a table: name = number or list")
    for name, value in values.items():
        if not _numeric(value):
            raise _fail(path, f"values.{name}", "must be a number or a (nested) list of numbers")
        if not _finite(value):
            raise _fail(path, f"values.{name}", "must be finite (no inf or nan)")
    dimensions = _dimensions(data, shapes, path)
    index_names = data.get("index_names", [])
    if not isinstance(index_names, list) or not all(isinstance(n, str) and n.isalpha() and len(n) == 1
                                                    for n in index_names):
        raise _fail(path, "index_names", f"must be a list of single letters, got {index_names!r}")
    if len(set(index_names)) != len(index_names):
        raise _fail(path, "index_names", f"letters repeat: {index_names!r}")
    for name, value in values.items():
        if name not in shapes:
            raise _fail(path, f"values.{name}", "no shape for this name in [shapes]")
        _check_value(value, path, f"values.{name}")
    claimed = _table_list(data, "claimed", set(CLAIMED_KEYS), path)
    for n, item in enumerate(claimed, 1):
        _check_claim(item, n, path, shapes, convention)
    chain = _table_list(data, "chain", CHAIN_KEYS, path)
    for n, link in enumerate(chain, 1):
        for key in ("name", "function"):
            if not isinstance(link.get(key), str) or not link[key].strip():
                raise _fail(path, f"chain[{n}].{key}", "missing or not a string")
        try:
            names_in(link["function"])
        except SymjacError as exc:
            raise _fail(path, f"chain[{n}].function", str(exc)) from None
    choices = _table_list(data, "choices", CHOICE_KEYS, path)
    for n, item in enumerate(choices, 1):
        vals = item.get("values")
        if not isinstance(vals, dict) or not all(k in shapes for k in vals):
            raise _fail(path, f"choices[{n}].values", "must be a table of declared variables -> numbers")
        for k, v in vals.items():
            if not _numeric(v) or not _finite(v):
                raise _fail(path, f"choices[{n}].values.{k}", f"must be a finite number or list of numbers, got {_brief(v)}")
        if "label" not in item or not isinstance(item["label"], str):
            raise _fail(path, f"choices[{n}].label", "missing: a short label such as \"a\"")
    target = data.get("target", {})
    if not isinstance(target, dict):
        raise _fail(path, "target", "must be a table")
    _check_target(target, path, shapes, bool(choices))
    _check_problem_kind(path, wrt, function, values, choices, target, shapes)
    spec = Spec(
        name=path.stem, title=title, function=function, wrt=wrt, convention=convention,
        shapes=shapes, dimensions=dimensions, index_names=index_names,
        output_name=_output_name(data, path),
        values=values, claimed=claimed, chain=chain, choices=choices,
        target=target, description=_str(data, "description", path), source=_str(data, "source", path),
        activation_note=_str(data, "activation_note", path), path=path,
        sigma=_sigma(data, path), properties=properties, definitions=definitions,
        symmetric=_symmetric_rule(data, path, convention, wrt, shapes),
    )
    _check_buildable(spec)
    return spec


def _definitions(data, shapes, path) -> dict:
    defs = data.get("definitions", {})
    if not isinstance(defs, dict) or not all(isinstance(v, str) for v in defs.values()):
        raise _fail(path, "definitions", "must be a table: name = \"expression\"")
    return dict(defs)


def _expanded(function, definitions, shapes, path) -> str:
    """The function with each defined name replaced by its expression (checked for sizes)."""
    from symjac.checking.definitions import expand

    try:
        return expand(function, definitions, shapes)[0]
    except SymjacError as exc:
        raise _fail(path, "definitions", str(exc)) from None


def _properties(data, shapes, path) -> dict:
    """[properties]: name -> list of property names and size relations; validated, kept as lists."""
    from symjac.properties import split_properties

    props = data.get("properties", {})
    if not isinstance(props, dict):
        raise _fail(path, "properties", "must be a table: name = [\"symmetric\", …]")
    for name in props:
        if name not in shapes:
            raise _fail(path, f"properties.{name}", "no shape for this name in [shapes]")
    try:
        split_properties(props, shapes)
    except SymjacError as exc:
        raise _fail(path, "properties", str(exc)) from None
    return {k: [v] if isinstance(v, str) else list(v) for k, v in props.items()}


def _symmetric_rule(data, path, convention, wrt, shapes) -> str | None:
    rule = data.get("symmetric")
    if rule is None:
        return None
    if rule not in ("free", "frobenius"):
        raise _fail(path, "symmetric", f"must be \"free\" or \"frobenius\", got {rule!r}")
    if wrt is None or convention != "gradient":
        raise _fail(path, "symmetric", "applies to convention = \"gradient\" by a symmetric variable")
    r, c = shapes[wrt]
    if r != c:
        raise _fail(path, "symmetric", f"{wrt} must be square")
    return rule


def _output_name(data, path) -> str:
    name = data.get("output_name", "F")
    import re
    if not isinstance(name, str) or not re.match(r"^[A-Za-z]+[0-9]*$", name):
        raise _fail(path, "output_name", f"must be letters optionally followed by digits (a1), got {name!r}")
    return name


def _dimensions(data, shapes, path) -> dict:
    dims = data.get("dimensions", {})
    if not isinstance(dims, dict):
        raise _fail(path, "dimensions", "must be a table: dimension name -> positive integer")
    used = {d for s in shapes.values() for d in s if isinstance(d, str)}
    for k, v in dims.items():
        if k not in used:
            raise _fail(path, f"dimensions.{k}", f"not used by any shape (dimension names: {', '.join(sorted(used)) or 'none'})")
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 64:
            raise _fail(path, f"dimensions.{k}", f"must be an integer from 1 to 64, got {v!r}")
    return dict(dims)


def _check_value(value, path, key) -> None:
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
        isinstance(value, list) and value and all(
            (isinstance(v, (int, float)) and not isinstance(v, bool))
            or (isinstance(v, list) and v and all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in v))
            for v in value))
    if not ok:
        raise _fail(path, key, f"must be a number, a list of numbers or a list of rows, got {value!r}")


def _claim_kind(item) -> str:
    if "kind" in item:
        return item["kind"]
    for key, kind in (("cases", "entry"), ("entry", "entry"), ("component", "component"),
                      ("value", "value"), ("shape", "shape")):
        if key in item:
            return kind
    return "jacobian"


def _check_claim(item, n, path, shapes, convention) -> None:
    from symjac.calculus.indexform import parse_index_text

    where = f"claimed[{n}]"
    if not isinstance(item.get("latex"), str):
        raise _fail(path, f"{where}.latex", "missing: the claimed result as LaTeX")
    kind = _claim_kind(item)
    if kind not in CLAIM_KINDS:
        raise _fail(path, f"{where}.kind", f"unknown kind {kind!r}; choose one of {', '.join(CLAIM_KINDS)}")
    item["kind"] = kind
    if "convention" in item and item["convention"] not in CONVENTIONS:
        raise _fail(path, f"{where}.convention", f"unknown convention {item['convention']!r}")
    try:
        if "matrix" in item:
            rows = item["matrix"]
            if not isinstance(rows, list) or not rows or not all(
                    isinstance(r, list) and r and all(isinstance(c, (str, int, float)) for c in r) for r in rows):
                raise SpecError("must be a list of rows of entries (strings in index syntax)")
            if len({len(r) for r in rows}) != 1:
                raise SpecError("rows have different lengths")
            for r in rows:
                for c in r:
                    parse_index_text(str(c))
        for key in ("entry", "component"):
            if key in item:
                parse_index_text(item[key])
        if "cases" in item:
            cases = item["cases"]
            if not isinstance(cases, list) or not cases or not all(
                    isinstance(c, list) and len(c) == 2 and all(isinstance(t, str) for t in c) for c in cases):
                raise SpecError("must be a list of [formula, condition] pairs of strings")
            for formula, cond in cases:
                parse_index_text(formula)
                if cond.strip() != "otherwise":
                    parse_index_text(cond)
        for key in ("expression", "of"):
            if key in item:
                used = names_in(item[key])
                missing = sorted(used - set(shapes))
                if missing:
                    raise SpecError(f"no shape for {', '.join(missing)}")
        if "value" in item:
            _check_value(item["value"], path, f"{where}.value")
        if "tolerance" in item and (isinstance(item["tolerance"], bool) or not isinstance(item["tolerance"], (int, float))
                                    or item["tolerance"] < 0):
            raise SpecError("tolerance must be a number >= 0")
        if "shape" in item:
            sh = item["shape"]
            if not isinstance(sh, list) or len(sh) != 2:
                raise SpecError("shape must be [rows, cols]")
            for d in sh:
                parse_index_text(str(d))
    except SpecError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise _fail(path, f"{where}.{_claim_key(item)}", str(exc)) from None
    except SymjacError as exc:
        raise _fail(path, f"{where}.{_claim_key(item)}", str(exc)) from None
    needs = {"entry": ("entry", "cases"), "component": ("component",), "value": ("value",), "shape": ("shape",)}
    if kind in needs and not any(k in item for k in needs[kind]):
        raise _fail(path, where, f"a {kind} claim needs one of: {', '.join(needs[kind])}")


def _claim_key(item) -> str:
    for key in ("matrix", "cases", "entry", "component", "expression", "of", "value", "shape", "tolerance"):
        if key in item:
            return key
    return "latex"


def _check_target(target, path, shapes, has_choices) -> None:
    if not target:
        return
    unknown = set(target) - TARGET_KEYS
    if unknown:
        raise _fail(path, f"target.{sorted(unknown)[0]}", f"unknown key; allowed: {', '.join(sorted(TARGET_KEYS))}")
    inputs, outputs = target.get("inputs"), target.get("outputs")
    if not isinstance(inputs, dict) or not isinstance(outputs, list):
        raise _fail(path, "target", "needs inputs = {name = [values]} and outputs = [values]")
    for k, v in inputs.items():
        if k not in shapes:
            raise _fail(path, f"target.inputs.{k}", "no shape for this name in [shapes]")
        if not isinstance(v, list) or len(v) != len(outputs):
            raise _fail(path, f"target.inputs.{k}", f"needs one value per output ({len(outputs)})")


def _check_buildable(spec: Spec) -> None:
    """Concrete specs are built once so shape mismatches surface at load time."""
    if not spec.concrete:
        return
    from symjac.parsing.explicit import build_explicit

    shapes = spec.instance_shapes
    try:
        value, _ = build_explicit(spec.function, shapes)
    except SymjacError as exc:
        raise _fail(spec.path, "function", str(exc)) from None
    declared = dict(shapes)
    for n, link in enumerate(spec.chain, 1):
        try:
            v, _ = build_explicit(link["function"], declared)
        except SymjacError as exc:
            raise _fail(spec.path, f"chain[{n}].function", str(exc)) from None
        declared[link["name"]] = getattr(v, "shape", (1, 1))
    for name, value in spec.values.items():
        want = shapes[name]
        got = _value_shape(value)
        if got != tuple(want) and not (want[1] == 1 and got == (1, want[0])):
            raise _fail(spec.path, f"values.{name}",
                        f"has shape {got[0]}x{got[1]} but {name} is declared {want[0]}x{want[1]}")
    _check_key_finite(spec, shapes)


MAX_KEY_ENTRIES = 4096


def _check_key_finite(spec: Spec, shapes: dict) -> None:
    """With [values] for every variable: the function (and its Jacobian, for a derivative problem)
    must be finite real numbers there, else no answer could be judged against it."""
    import warnings

    import numpy as np
    import sympy as sp

    from symjac.evaluate.numeric import lambdify
    from symjac.parsing.explicit import build_explicit
    from symjac.symbols import shape_of

    used = names_in(spec.function)
    if not spec.values or not used <= set(spec.values) or spec.choices:
        return
    try:
        value, variables = build_explicit(spec.function, shapes)
        F = value if isinstance(value, sp.MatrixBase) else sp.Matrix([[value]])
        what = "the function"
        if spec.wrt is not None:
            from symjac.calculus.explicit import jacobian

            F = jacobian(F, variables[spec.wrt])
            what = f"the Jacobian by {spec.wrt}"
        if len(F) > MAX_KEY_ENTRIES:
            return
        names = sorted(n for n in used if n in variables)
        args = [variables[n] for n in names]
        arrays = [np.asarray(spec.values[n], dtype=float).reshape(shape_of(variables[n])) for n in names]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = np.asarray(lambdify(sp.ImmutableMatrix(F), args)(*arrays))
        if np.iscomplexobj(out) and np.any(np.abs(out.imag) > 0):
            raise _fail(spec.path, "values", f"{what} is not real at these values: no answer could be judged against it")
        out = np.real(out)
        if not np.all(np.isfinite(out)):
            bad = "undefined (nan)" if np.any(np.isnan(out)) else "infinite (overflow)"
            raise _fail(spec.path, "values", f"{what} is {bad} at these values: no answer could be judged against it")
    except SpecError:
        raise
    except SymjacError:
        return                                          # shape faults are reported elsewhere
    except (ValueError, OverflowError):
        raise _fail(spec.path, "values", "numbers too large to evaluate the problem with") from None


def _value_shape(value) -> tuple:
    if not isinstance(value, list):
        return (1, 1)
    if isinstance(value[0], list):
        return (len(value), len(value[0]))
    return (len(value), 1)


def load_spec(path: str | Path) -> Spec:
    """Read and validate one spec file."""
    path = Path(path)
    from symjac.durable import safe_text

    shown = safe_text(path)
    try:
        if path.exists() and not path.is_file():
            raise SpecError(f"{shown}: cannot read: not a regular file")
        raw = path.read_bytes()[:5_000_001]
    except OSError as exc:
        raise SpecError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > 5_000_000:
        raise SpecError(f"{shown}: too large for a spec (more than 5 MB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{shown}: not valid UTF-8 text (byte {exc.start + 1})") from None
    text = text.removeprefix("\ufeff")                 # a UTF-8 byte-order mark is accepted
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{shown}: invalid TOML: {exc}") from None
    except (RecursionError, MemoryError):
        raise SpecError(f"{shown}: invalid TOML: nested too deeply") from None
    try:
        return spec_from_dict(data, path)
    except RecursionError:
        raise SpecError(f"{shown}: function: nested too deeply (too many chained operations)") from None


def load_catalogue(directory: str | Path = "derivations") -> list[Spec]:
    """All specs in ``directory``, sorted by file name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SpecError(f"{directory}: no such directory")
    return [load_spec(p) for p in sorted(directory.glob("*.toml"))]


__all__ = ["Spec", "load_spec", "load_catalogue", "spec_from_dict", "TOP_KEYS", "CLAIMED_KEYS", "CONVENTIONS"]
