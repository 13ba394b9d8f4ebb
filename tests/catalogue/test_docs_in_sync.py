"""docs/derivations/ is exactly what `symjac docs` generates from derivations/ (regenerate and compare bytes)."""
from pathlib import Path

from symjac.catalogue.derivation import derive_spec
from symjac.catalogue.documents import render_all
from symjac.checking.spec import load_catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_docs_match_the_catalogue():
    files = render_all([derive_spec(s) for s in load_catalogue(ROOT / "derivations")])
    stale = [rel for rel, content in files.items()
             if not (ROOT / "docs" / rel).exists() or (ROOT / "docs" / rel).read_text(encoding="utf-8") != content]
    generated = {ROOT / "docs" / rel for rel in files}
    extra = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs" / "derivations").glob("*.*")
                   if p.suffix in (".md", ".tex") and p not in generated)
    assert not stale, f"out of date (run `symjac docs`): {stale}"
    assert not extra, f"generated files without a spec (delete them): {extra}"


def test_generation_is_deterministic():
    a = render_all([derive_spec(s) for s in load_catalogue(ROOT / "derivations")[:3]])
    b = render_all([derive_spec(s) for s in load_catalogue(ROOT / "derivations")[:3]])
    assert a == b
