import sympy as sp
from hypothesis import settings

settings.register_profile("symjac", max_examples=12, deadline=None, derandomize=True)
settings.load_profile("symjac")


def brute_force_jacobian(F, X, outputs="col", inputs="col"):
    """Reference: SymPy's Matrix.jacobian on flattened F and X (slow, obviously right)."""
    from symjac.conventions import flatten

    F = F if isinstance(F, sp.MatrixBase) else sp.Matrix([[F]])
    Xs = X if isinstance(X, (list, tuple)) else [X]
    ins = []
    for x in Xs:
        ins.extend(flatten(x if isinstance(x, sp.MatrixBase) else sp.Matrix([[x]]), inputs))
    outs = flatten(F, outputs)
    return sp.Matrix(outs).jacobian(sp.Matrix(ins))
