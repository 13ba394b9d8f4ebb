"""`symjac init-study`: files written, report contents, bad input exits 2, docs page regenerates."""
import json
import re
from pathlib import Path

import pytest

from symjac.cli import main
from symjac.commands.init_study import generate_docs, render_markdown
from symjac.study.spectral import init_study

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--k", "4", "--steps", "30", "--depth", "6", "--width", "16", "--ks", "10,40", "--seeds", "4"]


def test_writes_figures_and_reports(tmp_path, capsys):
    out = tmp_path / "study"
    assert main(["init-study", *SMALL, "--init", "xavier", "--seed", "3", "--out", str(out)]) == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(["circular_law.png", "eigenvalues.png", "jacobian_depth.png",
                           "norm_quotient.png", "quotient_cases.png"])
    for p in out.glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
    data = json.loads((out / "report.json").read_text())
    P = data["power"]
    assert data["parameters"]["scheme"] == "xavier" and P["k"] == 4 and len(P["quotients"]) == 30
    assert len(P["exact_eigenvalues"]) == 4  # k ≤ 4: exact eigenvalues too
    assert P["spectral_radius"] == pytest.approx(max(abs(complex(*z)) for z in P["eigenvalues"]))
    assert data["depth"]["max_depth"] == 6 and set(data["depth"]["curves"]) == {"linear", "tanh"}
    md = (out / "report.md").read_text()
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
        assert (out / link).exists(), link
    assert f"ρ(A) = {P['spectral_radius']:.6f}" in md
    assert "wrote 7 files" in capsys.readouterr().out


def test_same_seed_same_report():
    """Seeded: the same parameters give the same numbers and the same Markdown."""
    kw = dict(k=6, steps=20, depth=4, width=8, ks=(8, 16), n_seeds=3, depth_seeds=2, seed=5)
    a, b = init_study(**kw), init_study(**kw)
    assert render_markdown(a) == render_markdown(b)
    assert a["circular_law"] == b["circular_law"] and a["power"]["quotients"] == b["power"]["quotients"]
    assert init_study(**{**kw, "seed": 6})["power"]["quotients"] != a["power"]["quotients"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--k", "-3"], "k must be a positive integer"),
        (["--steps", "0"], "steps must be a positive integer"),
        (["--depth", "0"], "depth must be a positive integer"),
        (["--init", "lecun"], "unknown initialisation scheme"),
        (["--ks", "10,x"], "--ks must be"),
        (["--width", "-1"], "width must be"),
        (["--k", "100000"], "k must be at most 2000, got 100000"),
        (["--width", "100000"], "width must be at most 1024, got 100000"),
        (["--depth", "100000"], "depth must be at most 200, got 100000"),
        (["--steps", "100000000"], "steps must be at most 10000, got 100000000"),
        (["--seeds", "100000"], "seeds must be at most 200, got 100000"),
        (["--seeds", "0"], "seeds must be a positive integer, got 0"),
        (["--ks", "10,100000"], "--ks sizes must be at most 1000, got 100000"),
        (["--ks", ",".join(["10"] * 13)], "--ks takes at most 12 sizes, got 13"),
        (["--ks", "1000,1000,1000", "--seeds", "200"], "Σ k³ × seeds = 6e+11, limit 5e+10"),
        (["--width", "1024", "--depth", "200"], "the depth study at width 1024, depth 200 is too large"),
    ],
)
def test_bad_input_exits_2(tmp_path, capsys, argv, message):
    assert main(["init-study", *argv, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("symjac init-study: error:") and err.count("\n") == 1


def test_limits_are_checked_before_any_work_or_output(tmp_path, capsys):
    """A huge --k is refused in a line, not by numpy's _ArrayMemoryError after allocating."""
    out = tmp_path / "o"
    assert main(["init-study", "--k", "100000", "--out", str(out)]) == 2
    assert not out.exists()
    assert "Traceback" not in capsys.readouterr().err


def test_help_states_the_limits(capsys):
    with pytest.raises(SystemExit):
        main(["init-study", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for phrase in ("at most 2000", "at most 10000", "at most 200)", "at most 1024", "at most 12 sizes, each at most 1000"):
        assert phrase in text, phrase


def test_the_api_has_the_same_limits():
    from symjac.errors import SymjacError
    with pytest.raises(SymjacError, match="k must be at most 2000, got 5000"):
        init_study(k=5000)
    with pytest.raises(SymjacError, match="each of ks must be at most 1000"):
        init_study(ks=(10, 5000))
    with pytest.raises(SymjacError, match="depth seeds must be a positive integer"):
        init_study(depth_seeds=0)


def test_missing_out_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["init-study", "--k", "5"])
    assert exc.value.code == 2


def test_docs_page_is_generated(tmp_path):
    """docs/init-study.md is exactly what generate_docs() writes (figures are not compared)."""
    page = generate_docs(tmp_path, figures=False)
    committed = ROOT / "docs" / "init-study.md"
    assert page.read_text() == committed.read_text()
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", committed.read_text()):
        assert (ROOT / "docs" / link).exists(), link
