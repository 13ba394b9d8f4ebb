"""A generated batch of student folders for the course tests: mixed right / wrong / invalid / hostile."""
from __future__ import annotations

from pathlib import Path

SET_TOML = """title = "batch"
[[problems]]
label = "jac"
points = 2
[problems.inline]
title = "Jacobian of Ax with respect to A"
function = "A @ x"
wrt = "A"
convention = "vec"
[problems.inline.shapes]
A = [2, 3]
x = [3]
"""

ANSWERS = [
    r"x^T \otimes I_2",                                                            # right
    r"\begin{bmatrix} x_1 & 0 & x_2 & 0 & x_3 & 0 \\ 0 & x_1 & 0 & x_2 & 0 & x_3 \end{bmatrix}",  # right
    r"x \otimes I_2",                                                              # transposed
    r"I_2 \otimes x^T",                                                            # other vec order
    r"-x^T \otimes I_2",                                                           # sign
    r"2 x^T \otimes I_2",                                                          # scale
    r"x^T \otimes {I_2",                                                           # invalid
    r"\input{/etc/passwd}",                                                        # hostile
    "{" * 300 + "x" + "}" * 300,                                                   # hostile: nesting
    r"\mathrm{__import__('os').system('true')}",                                   # hostile: Python bait
    "x\x00^T",                                                                     # hostile: NUL byte
    r"(x^T \otimes I_2)^{99999999}",                                               # hostile: huge power
]


def make_batch(root: Path, students: int) -> tuple[Path, Path]:
    """(set file, submissions folder) with ``students`` folders, answers cycling through ANSWERS;
    every 50th student hands in nothing."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "set.toml").write_text(SET_TOML)
    subs = root / "subs"
    for k in range(students):
        d = subs / f"st{k:04d}"
        d.mkdir(parents=True)
        if k % 50 != 49:
            (d / "jac.tex").write_text(ANSWERS[k % len(ANSWERS)])
    return root / "set.toml", subs
