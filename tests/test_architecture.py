"""The package's import graph: data flows one way through the stages of DESIGN.md.

text → expression → derivative → verification → rendering / checking.  Every
module of ``symjac/`` belongs to a stage; a module may import its own stage and
earlier ones, never a later one (lazy imports inside functions count too), and
no two modules import each other, directly or in a cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symjac"

# Stage of each top-level module or subpackage, in data-flow order.
STAGES = [
    ("errors", "durable", "version", "progress"),
    ("symbols",),
    ("conventions",),
    ("elementwise",),
    ("blocks", "properties"),
    ("parsing",),
    ("render",),          # printers of expressions (documents of derivations are the catalogue's)
    ("calculus",),
    ("evaluate",),
    ("verification",),
    ("results",),
    ("checking",),
    ("catalogue",),
    ("study",),
    ("web",),
    ("commands", "cli", "__main__"),
]
RANK = {name: k for k, names in enumerate(STAGES) for name in names}
# Facades that only re-export the public API: they may import every stage.
FACADES = {"symjac", "symjac.closedform"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every symjac module named by an import statement anywhere in the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:          # annotations only: never imported at run time
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "symjac")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "symjac":
                continue
            # ``from symjac.x import y`` imports the submodule symjac.x.y when y is one, else a name of x
            for alias in node.names:
                sub = PACKAGE.parent / Path(*(target + "." + alias.name).split("."))
                if sub.with_suffix(".py").exists() or (sub / "__init__.py").exists():
                    found.add(target + "." + alias.name)
                else:
                    found.add(target)
    return found


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {m: {i for i in _imports(p) if i in MODULES and i != m} for m, p in MODULES.items()}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "symjac"


def test_every_module_has_a_stage():
    unknown = sorted(m for m in MODULES if m not in FACADES and _stage(m) not in RANK)
    assert not unknown, f"assign these modules a stage in tests/test_architecture.py: {unknown}"


def test_no_module_imports_a_later_stage():
    backwards = []
    for m, deps in GRAPH.items():
        if m in FACADES:
            continue
        for d in deps:
            if d in FACADES:
                backwards.append(f"{m} → {d} (import from the defining module, not a facade)")
            elif RANK[_stage(d)] > RANK[_stage(m)]:
                backwards.append(f"{m} → {d}")
    assert not backwards, "imports against the data flow:\n" + "\n".join(sorted(backwards))


def test_no_import_cycles():
    graph = {m: d for m, d in GRAPH.items() if m not in FACADES}
    state, stack, cycles = {}, [], []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if d.startswith(m + "."):      # a package's __init__ re-exporting its own modules
                continue
            if state.get(d) == "open":
                cycles.append(" → ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_sandbox_knows_nothing_of_checking():
    deps = GRAPH.get("symjac.checking.sandbox", set())
    assert not {d for d in deps if d.startswith("symjac.checking") or d.startswith("symjac.parsing")}


@pytest.mark.parametrize("module", ["symjac.cli", "symjac.checking.engine", "symjac.calculus.explicit"])
def test_the_graph_sees_real_imports(module):
    """Guard against a vacuous pass: modules known to import others are seen to."""
    assert GRAPH[module]
