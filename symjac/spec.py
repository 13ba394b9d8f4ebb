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

from .conventions import PRESETS
from .errors import SpecError, SymjacError
from .parsing.expr import names_in
from .parsing.shapes import check_name, is_concrete, normalize_shape

CONVENTIONS = tuple(PRESETS) + ("tensor",)
TOP_KEYS = {
    "title": "short title (required)",
    "function": "the function, in the safe expression syntax (required)",
    "wrt": "the variable to differentiate by; omit for a value problem",
    "convention": "vec | notes | row | gradient | tensor (default vec)",
    "description": "prose shown above the derivation",
    "source": "where the problem comes from",
    "shapes": "table: variable name -> [rows, cols] (integers or dimension names)",
    "values": "table: variable name -> number / list / nested list (numeric exercises)",
    "claimed": "array of tables {label, latex, note}: what a source asserts, to be checked",
    "chain": "array of tables {name, function}: intermediate functions for a chain-rule derivation",
    "choices": "array of tables {label, values}: candidate parameter values to compare (an exercise)",
    "target": "table: expected outputs for `choices`, e.g. {inputs = [[1], [0]], outputs = [0, 1]}",
    "activation_note": "prose about the activation used",
}
CLAIMED_KEYS = {"label", "latex", "note", "convention"}
CHAIN_KEYS = {"name", "function"}
CHOICE_KEYS = {"label", "values"}


@dataclass
class Spec:
    """A validated derivation spec. ``name`` is the file's stem."""

    name: str
    title: str
    function: str
    wrt: str | None
    convention: str
    shapes: dict
    values: dict = field(default_factory=dict)
    claimed: list = field(default_factory=list)
    chain: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    target: dict = field(default_factory=dict)
    description: str = ""
    source: str = ""
    activation_note: str = ""
    path: Path | None = None

    @property
    def concrete(self) -> bool:
        return all(is_concrete(s) for s in self.shapes.values())


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
    claimed = _table_list(data, "claimed", CLAIMED_KEYS, path)
    for n, item in enumerate(claimed, 1):
        if not isinstance(item.get("latex"), str):
            raise _fail(path, f"claimed[{n}].latex", "missing: the claimed result as LaTeX")
    chain = _table_list(data, "chain", CHAIN_KEYS, path)
    choices = _table_list(data, "choices", CHOICE_KEYS, path)
    target = data.get("target", {})
    if not isinstance(target, dict):
        raise _fail(path, "target", "must be a table")
    spec = Spec(
        name=path.stem, title=title, function=function, wrt=wrt, convention=convention,
        shapes=shapes, values=values, claimed=claimed, chain=chain, choices=choices,
        target=target, description=_str(data, "description", path), source=_str(data, "source", path),
        activation_note=_str(data, "activation_note", path), path=path,
    )
    _check_buildable(spec)
    return spec


def _check_buildable(spec: Spec) -> None:
    """Concrete specs are built once so shape mismatches surface at load time."""
    if not spec.concrete:
        return
    from .parsing.explicit import build_explicit

    try:
        build_explicit(spec.function, spec.shapes)
        for n, link in enumerate(spec.chain, 1):
            build_explicit(link.get("function", ""), spec.shapes)
    except SymjacError as exc:
        raise _fail(spec.path, "function", str(exc)) from None


def load_spec(path: str | Path) -> Spec:
    """Read and validate one spec file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}") from None
    return spec_from_dict(data, path)


def load_catalogue(directory: str | Path = "derivations") -> list[Spec]:
    """All specs in ``directory``, sorted by file name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SpecError(f"{directory}: no such directory")
    return [load_spec(p) for p in sorted(directory.glob("*.toml"))]


__all__ = ["Spec", "load_spec", "load_catalogue", "spec_from_dict", "TOP_KEYS", "CONVENTIONS"]
