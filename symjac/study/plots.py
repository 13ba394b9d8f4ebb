"""Figures for the initialisation study (matplotlib, Agg backend; deterministic given the data).

Every function takes the JSON-ready dict of :func:`symjac.study.spectral.init_study`
(or a part of it) and a path, writes one PNG and returns the path.  No
randomness here: the data carry their seeds.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from symjac.errors import SymjacError
from symjac.study.spectral import SCHEMES

COLORS = {"standard": "#d62728", "xavier": "#1f77b4", "xavier_uniform": "#17becf", "kaiming": "#2ca02c",
          "orthogonal": "#9467bd"}
NAMES = {"standard": "standard N(0,1)", "xavier": "Xavier normal", "xavier_uniform": "Xavier uniform",
         "kaiming": "Kaiming/He", "orthogonal": "orthogonal g·Q"}
FIGURES = ("norm_quotient", "quotient_cases", "eigenvalues", "circular_law", "jacobian_depth")
_DPI = 110


@functools.lru_cache(maxsize=1)
def _pyplot():
    """matplotlib.pyplot on the Agg backend, imported on first use (matplotlib is the optional extra)."""
    try:
        import matplotlib
    except ImportError:
        raise SymjacError("figures need matplotlib: install symjac[plots] (pip install 'symjac[plots]')") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path) -> Path:
    import io

    from symjac.durable import write_bytes

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    write_bytes(path, buf.getvalue())           # atomic; never through a symbolic link
    return path


def plot_norm_quotient(power: dict, path) -> Path:
    """‖Aⁿx‖ (log scale) and the quotient ‖Aⁿx‖/‖Aⁿ⁻¹x‖ against n, with ρ(A)."""
    logn = np.array(power["log10_norms"])
    n = np.arange(len(logn))
    q = np.array(power["quotients"])
    rho = power["spectral_radius"]
    fig, (ax1, ax2) = _pyplot().subplots(1, 2, figsize=(11, 4))
    ax1.semilogy(n, 10.0 ** np.clip(logn, -300, 300), "o-", ms=3, color="#1f77b4", label=r"$\|A^n x\|$")
    ax1.semilogy(n, 10.0 ** np.clip(logn[0] + n * np.log10(max(rho, 1e-300)), -300, 300), "--", color="gray",
                 label=r"$\|x\|\,\rho^n$")
    ax1.set_xlabel("n (number of products)")
    ax1.set_ylabel(r"$\|A^n x\|_2$ (log scale)")
    ax1.set_title(f"Norm of $A^n x$, A {power['k']}×{power['k']} {NAMES[power['scheme']]}")
    ax1.legend()
    ax1.grid(True, which="major", alpha=0.3)
    m = np.arange(1, len(q) + 1)
    ax2.plot(m, q, "o-", ms=3, color="#ff7f0e", label=r"quotient $\|A^n x\|/\|A^{n-1}x\|$")
    ax2.plot(m, power["root_rate"], ":", color="#9467bd", label=r"root rate $(\|A^n x\|/\|x\|)^{1/n}$")
    ax2.axhline(rho, ls="--", color="black", label=rf"spectral radius $\rho(A)$ = {rho:.4f}")
    ax2.set_xlabel("n")
    ax2.set_ylabel("stretching factor")
    kind = power["dominance"]["kind"].replace("_", " ")
    ax2.set_title(f"Quotient against n (dominant eigenvalue: {kind})")
    ax2.legend()
    ax2.grid(True, alpha=0.3)
    return _save(fig, path)


def plot_quotient_cases(cases: dict, path) -> Path:
    """One panel per behaviour: quotient, root rate and tail rate against ρ."""
    fig, axes = _pyplot().subplots(1, len(cases), figsize=(5 * len(cases), 4), sharey=True)
    for ax, (name, c) in zip(np.atleast_1d(axes), cases.items()):
        q = np.array(c["quotients"])
        m = np.arange(1, len(q) + 1)
        ax.plot(m, q, "o-", ms=3, color="#ff7f0e", label="quotient")
        ax.plot(m, c["root_rate"], ":", color="#9467bd", label="root rate")
        ax.axhline(c["tail_rate"], ls="-", lw=5, alpha=0.35, color="#2ca02c", label=f"tail-fit rate {c['tail_rate']:.4f}")
        ax.axhline(c["spectral_radius"], ls="--", color="black", label=rf"$\rho$ = {c['spectral_radius']:.4f}")
        ax.set_title(name)
        ax.set_xlabel("n")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    np.atleast_1d(axes)[0].set_ylabel(r"$\|A^n x\|/\|A^{n-1}x\|$")
    return _save(fig, path)


def _circle(ax, r, **kw):
    t = np.linspace(0, 2 * np.pi, 400)
    ax.plot(r * np.cos(t), r * np.sin(t), **kw)


def plot_eigenvalues(power: dict, circle: dict, path) -> Path:
    """Eigenvalues of A and of a large Xavier matrix in the complex plane, with the unit circle (and, when
    the data have them, those of an orthogonal matrix of the same size: on the circle of radius g)."""
    fig, (ax1, ax2) = _pyplot().subplots(1, 2, figsize=(11, 5))
    ev = np.array(power["eigenvalues"])
    rho = power["spectral_radius"]
    _circle(ax1, 1.0, color="gray", ls="-", label="unit circle")
    _circle(ax1, rho, color="black", ls="--", label=rf"$|\lambda| = \rho$ = {rho:.3f}")
    ax1.scatter(ev[:, 0], ev[:, 1], color="#d62728", zorder=3, label="eigenvalues of A")
    lim = 1.15 * max(rho, 1.0)
    ax1.set_xlim(-lim, lim)
    ax1.set_ylim(-lim, lim)
    ax1.set_aspect("equal")
    ax1.set_xlabel(r"Re $\lambda$")
    ax1.set_ylabel(r"Im $\lambda$")
    ax1.set_title(f"A: {power['k']}×{power['k']}, {NAMES[power['scheme']]}")
    ax1.legend(loc="upper right", fontsize=8)
    ax1.grid(True, alpha=0.3)
    big = np.array(circle["eigenvalues"])
    _circle(ax2, 1.0, color="black", ls="--", label="unit circle (circular law)")
    ax2.scatter(big[:, 0], big[:, 1], s=6, color="#1f77b4", label=f"{len(big)} eigenvalues (Xavier)")
    if circle.get("orthogonal_eigenvalues"):
        orth = np.array(circle["orthogonal_eigenvalues"])
        g = circle.get("orthogonal_gain", 1.0)
        ax2.scatter(orth[:, 0], orth[:, 1], s=6, marker="x", color=COLORS["orthogonal"],
                    label=f"orthogonal g·Q, g = {g:g}: all on |λ| = g")
    ax2.set_xlim(-1.3, 1.3)
    ax2.set_ylim(-1.3, 1.3)
    ax2.set_aspect("equal")
    ax2.set_xlabel(r"Re $\lambda$")
    ax2.set_ylabel(r"Im $\lambda$")
    ax2.set_title(f"{circle['k']}×{circle['k']} Xavier matrix, entries N(0, 1/k)"
                  + (" — and an orthogonal one" if circle.get("orthogonal_eigenvalues") else ""))
    ax2.legend(loc="upper right", fontsize=8)
    ax2.grid(True, alpha=0.3)
    return _save(fig, path)


def plot_circular_law(study: dict, path) -> Path:
    """Spectral radius against k per scheme (log–log), and ρ divided by its circular-law limit."""
    ks = np.array(study["ks"])
    fig, (ax1, ax2) = _pyplot().subplots(1, 2, figsize=(12, 4.5))
    normal_done = False
    for sch, d in study["schemes"].items():
        c = COLORS.get(sch)
        ax1.plot(ks, d["mean"], "o-", color=c, label=NAMES.get(sch, sch))
        ax1.fill_between(ks, d["min"], d["max"], color=c, alpha=0.15)
        ax1.plot(ks, d["limit"], ":", color=c)
        lim = np.array(d["limit"])
        if sch not in ("xavier_uniform", "orthogonal"):
            # the normal schemes are the same draws scaled: ρ/limit coincides, draw it once
            if normal_done:
                continue
            normal_done = True
            label, c = "normal schemes (standard, Xavier, Kaiming)", "#1f77b4"
        else:
            label = NAMES[sch]
        ax2.plot(ks, np.array(d["mean"]) / lim, "o-", color=c, label=f"{label}: mean")
        ax2.fill_between(ks, np.array(d["min"]) / lim, np.array(d["max"]) / lim, color=c, alpha=0.15,
                         label=f"{label}: min–max")
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("k (matrix size)")
    ax1.set_ylabel(r"spectral radius $\rho$ (log scale)")
    ax1.set_title(f"ρ over {study['n_seeds']} seeds (band: min–max)\ndotted: circular-law limit √(k·var)")
    ax1.legend(fontsize=8)
    ax1.grid(True, which="both", alpha=0.3)
    ax2.axhline(1.0, ls="--", color="black", label="circular-law limit")
    ax2.set_xscale("log")
    ax2.set_xlabel("k (matrix size)")
    ax2.set_ylabel(r"$\rho$ / $\sqrt{k\,\mathrm{var}}$")
    ax2.set_title("ρ divided by its limit\n(limit 1 for Xavier and orthogonal, √2 for Kaiming, √k for standard)")
    ax2.legend(fontsize=8)
    ax2.grid(True, which="both", alpha=0.3)
    return _save(fig, path)


def plot_jacobian_depth(depth: dict, path) -> Path:
    """RMS singular value and the spread σ_max/σ_median of ∂a⁽ᴸ⁾/∂x against depth L."""
    acts = list(depth["curves"])
    fig, axes = _pyplot().subplots(2, len(acts), figsize=(6.5 * len(acts), 9), sharex=True, squeeze=False,
                             layout="constrained")
    for j, act in enumerate(acts):
        top, bottom = axes[0, j], axes[1, j]
        for sch, d in depth["curves"][act].items():
            c = COLORS.get(sch)
            L = np.array(d["depths"])
            top.semilogy(L, 10.0 ** np.clip(d["log10_rms"], -300, 300), "-", color=c, label=f"{NAMES.get(sch, sch)}: RMS σ")
            top.semilogy(L, 10.0 ** np.clip(d["log10_sigma_max"], -300, 300), "--", color=c, lw=0.9)
            med = np.array([np.nan if v is None else v for v in d["log10_sigma_median"]], dtype=float)
            spread = np.array(d["log10_sigma_max"]) - med
            bottom.semilogy(L, 10.0 ** spread, "-", color=c, label=NAMES.get(sch, sch))
        top.axhline(1.0, color="black", lw=0.8, ls=":")
        top.set_title(f"{act} network, width {depth['width']}: Jacobian against depth\n"
                      "solid: RMS singular value ‖J‖_F/√width; dashed: σ_max")
        top.set_ylabel("singular value (log scale)")
        top.legend(fontsize=8)
        top.grid(True, which="major", alpha=0.3)
        note = ("\n(scale-free: the normal schemes coincide; orthogonal stays at 1)" if act == "linear"
                else "\n(a curve ends where σ_median < 1e-13·σ_max)")
        bottom.set_title("spread σ_max / σ_median (1 = isometry)" + note)
        bottom.set_xlabel("depth L (layers)")
        bottom.set_ylabel("σ_max / σ_median (log scale)")
        bottom.legend(fontsize=8)
        bottom.grid(True, which="major", alpha=0.3)
    return _save(fig, path)


def study_figures(result: dict, out_dir) -> dict[str, Path]:
    """Write every figure of the study into ``out_dir``; {name: path}."""
    out_dir = Path(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    return {
        "norm_quotient": plot_norm_quotient(result["power"], out_dir / "norm_quotient.png"),
        "quotient_cases": plot_quotient_cases(result["cases"], out_dir / "quotient_cases.png"),
        "eigenvalues": plot_eigenvalues(result["power"], result["circle"], out_dir / "eigenvalues.png"),
        "circular_law": plot_circular_law(result["circular_law"], out_dir / "circular_law.png"),
        "jacobian_depth": plot_jacobian_depth(result["depth"], out_dir / "jacobian_depth.png"),
    }


__all__ = ["FIGURES", "plot_norm_quotient", "plot_quotient_cases", "plot_eigenvalues", "plot_circular_law",
           "plot_jacobian_depth", "study_figures", "SCHEMES"]
