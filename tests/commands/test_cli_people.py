"""CLI items for people: spec paths anywhere, stdout by default, quiet broken pipes, examples in --help,
the spec reference (docs/specs.md)."""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from symjac.cli import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
GRAM = ROOT / "derivations" / "gram.toml"
CHECK_DATA = ROOT / "tests" / "data" / "check"

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.mark.parametrize("command", [c.replace("_", "-") for c in COMMANDS])
def test_every_command_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert re.search(r"^examples?:\n  symjac " + command + " ", out, re.M), out


def test_broken_pipe_is_quiet(capsys, monkeypatch):
    """``symjac derive … | head -1``: the reader has gone; no traceback, exit 141."""
    r, w = os.pipe()
    os.close(r)
    saved = os.dup(1)
    try:
        monkeypatch.setattr(sys, "stdout", open(w, "w", buffering=1, closefd=False))
        os.dup2(w, 1)
        code = main(["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--points", "0"])
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(w)
    assert code == 141
    assert capsys.readouterr().err == ""


def test_verify_takes_spec_paths_outside_the_checkout(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["verify", str(GRAM)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^gram\s+notes\s+yes\s+4\s+2$", out, re.M) and "1 of 1 derivations verified" in out
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "gram.toml").write_text(GRAM.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "affine_x.toml").write_text((ROOT / "derivations" / "affine_x.toml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    assert main(["verify", "specs"]) == 0
    assert "2 of 2 derivations verified" in capsys.readouterr().out


def test_verify_and_docs_without_a_catalogue_say_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for cmd in ("verify", "docs"):
        assert main([cmd]) == 2
        err = capsys.readouterr().err
        assert err == (f"symjac {cmd}: error: derivations: no such folder of specs; run symjac in the symjac "
                       "checkout (the folder holding derivations/), pass --catalogue DIR, or name spec files or "
                       f"folders, e.g. symjac {cmd} path/to/spec.toml\n")
    assert main(["verify", "nope.toml"]) == 2
    assert "nope.toml: cannot read" in capsys.readouterr().err


def test_docs_of_a_spec_path_prints_markdown_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["docs", str(GRAM)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Gradient of K = AᵀA with respect to A\n")
    assert list(tmp_path.iterdir()) == []
    # --catalogue without --out: standard output too, never the repository's docs/
    assert main(["docs", "--catalogue", str(ROOT / "derivations"), "gram"]) == 0
    assert capsys.readouterr().out == out
    assert list(tmp_path.iterdir()) == []


def test_docs_out_writes_where_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["docs", str(GRAM), "--out", "built"]) == 0
    assert (tmp_path / "built" / "derivations" / "gram.md").read_text(encoding="utf-8").startswith("# Gradient of K")
    assert "wrote" in capsys.readouterr().err


def test_grade_without_out_prints_json_to_stdout(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["grade", str(CHECK_DATA / "gram_notes.toml"), str(CHECK_DATA / "subs"), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    verdicts = [r["verdict"] for r in json.loads(out)["results"]]
    assert verdicts == ["correct", "incorrect", "incorrect", "invalid"]
    assert err.rstrip().endswith("-> standard output")
    assert list(tmp_path.iterdir()) == []          # no results.json appeared


def _sections(text: str) -> dict:
    parts = re.split(r"^### `([a-z_]+)`\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_spec_reference_documents_every_key_with_an_example():
    from symjac.checking.spec import CLAIMED_KEYS, TOP_KEYS

    text = (ROOT / "docs" / "specs.md").read_text(encoding="utf-8")
    top, claimed = text.split("## Keys of a `[[claimed]]` entry")
    for keys, part in ((TOP_KEYS, top), (CLAIMED_KEYS, claimed)):
        sections = _sections(part)
        assert set(sections) == set(keys)
        for key, body in sections.items():
            example = re.search(r"```toml\n(.*?)```", body, re.S)
            assert example and re.search(rf"^(\[\[?)?{key}\b", example.group(1), re.M), key
            tomllib.loads(example.group(1))       # every example is valid TOML


def test_spec_reference_complete_example_verifies():
    from symjac.catalogue.derivation import derive_spec
    from symjac.checking.spec import spec_from_dict

    text = (ROOT / "docs" / "specs.md").read_text(encoding="utf-8")
    example = re.search(r"## A complete example\n\n```toml\n(.*?)```", text, re.S).group(1)
    d = derive_spec(spec_from_dict(tomllib.loads(example), "example.toml"))
    assert d.verified and [c.verdict for c in d.claims] == ["agrees"]
