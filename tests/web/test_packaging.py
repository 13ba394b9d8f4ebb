"""Packaging of the web pages: the extra, KaTeX and its licence in the package data, the SPDX licence."""
from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "symjac" / "web" / "static"


def test_licence_is_an_spdx_string_so_setuptools_does_not_warn():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "MIT"
    assert "setuptools>=77" in meta["build-system"]["requires"]


def test_web_extra_and_package_data_ship_katex_with_its_licence():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(d.startswith("starlette") for d in meta["project"]["optional-dependencies"]["web"])
    assert any(d.startswith("selenium") for d in meta["project"]["optional-dependencies"]["test"])
    data = meta["tool"]["setuptools"]["package-data"]["symjac"]
    assert {"web/static/katex/*", "web/static/katex/fonts/*"} <= set(data)
    assert "MIT License" in (STATIC / "katex" / "LICENSE").read_text()
    assert (STATIC / "katex" / "katex.min.js").stat().st_size > 100_000
    css = (STATIC / "katex" / "katex.min.css").read_text()
    fonts = {p.name for p in (STATIC / "katex" / "fonts").iterdir()}
    assert "KaTeX_Main-Regular.woff2" in fonts
    import re

    for ref in set(re.findall(r"url\(fonts/([^)]+)\)", css)):
        assert ref in fonts, ref          # every font the stylesheet names is shipped: nothing from a CDN
