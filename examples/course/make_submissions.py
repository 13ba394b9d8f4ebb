"""Write examples/course/submissions/ from the hand-written answer variants below (deterministic).

Run from the repository root:  python examples/course/make_submissions.py
Each student gets one variant per problem (or none: a missing answer), cycling through the lists
with a fixed stride so that every variant appears; two students hand in one file with markers.
"""
from pathlib import Path

VARIANTS = {
    "jac_vec": [
        ("right", r"x^T \otimes I_2"),
        ("right", r"\begin{bmatrix} x_1 & 0 & x_2 & 0 & x_3 & 0 \\ 0 & x_1 & 0 & x_2 & 0 & x_3 \end{bmatrix}"),
        ("transposed", r"x \otimes I_2"),
        ("other vec order", r"I_2 \otimes x^T"),
        ("sign", r"-x^T \otimes I_2"),
        ("entries", r"\begin{bmatrix} x_1 & 0 & x_2 & 0 & x_3 & 0 \\ 0 & x_1 & 0 & x_2 & 0 & x_2 \end{bmatrix}"),
        ("invalid", r"x^T \otimes {I_2"),
    ],
    "grad": [
        ("right", r"-2X^T(y - Xw)"),
        ("right", r"2 X^T X w - 2 X^T y"),
        ("transposed", r"-2(y - Xw)^T X"),
        ("sign", r"2X^T(y - Xw)"),
        ("scale", r"-X^T(y - Xw)"),
        ("invalid", r"\nabla_w = ??"),
    ],
    "layer": [
        ("right", r"(I_2 - \operatorname{diag}(\tanh(Wa + b))^2) (a^T \otimes I_2)"),
        ("right", r"a^T \otimes (I_2 - \operatorname{diag}(\tanh(Wa + b))^2)"),
        ("other vec order", r"(I_2 - \operatorname{diag}(\tanh(Wa + b))^2) (I_2 \otimes a^T)"),
        ("transposed", r"(a \otimes I_2) (I_2 - \operatorname{diag}(\tanh(Wa + b))^2)"),
        ("sign", r"(\operatorname{diag}(\tanh(Wa + b))^2 - I_2) (a^T \otimes I_2)"),
        ("missing factor", r"a^T \otimes I_2"),
        ("hostile", r"\input{/etc/passwd}"),
    ],
    "entry": [
        ("right", r"\delta_{jq} A_{ip} + \delta_{jp} A_{iq}"),
        ("missing term", r"\delta_{jp} A_{iq}"),
        ("sign", r"-\delta_{jq} A_{ip} - \delta_{jp} A_{iq}"),
        ("invalid", r"\delta_{jq A_{ip}"),
    ],
}
STUDENTS = 32
MARKERS = {"s31", "s32"}      # these hand in one file, homework.tex, with % problem: LABEL markers


def main(root: Path = Path(__file__).resolve().parent / "submissions") -> None:
    for k in range(1, STUDENTS + 1):
        name = f"s{k:02d}"
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        parts = []
        for n, (label, variants) in enumerate(VARIANTS.items()):
            if (k + n) % 9 == 0:
                continue                       # a missing answer
            kind, tex = variants[(k + 2 * n) % len(variants)]
            if name in MARKERS:
                parts.append(f"% problem: {label}\n{tex}\n")
            else:
                (folder / f"{label}.tex").write_text(tex + "\n", encoding="utf-8")
        if parts:
            (folder / "homework.tex").write_text("% homework 3\n" + "\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
