"""Size-free matrix calculus: differentials, Kronecker / commutation / diag forms, each checked
against the entry-by-entry engine at several sizes.

    from symjac.closedform import closed_form, closed_form_gradient, instantiate

``closed_form(F, X, convention=VEC)`` differentiates a SymPy matrix expression
F (``MatrixSymbol`` with dimension symbols, ``Transpose``, ``Inverse``,
``MatPow``, ``Trace``, ``Determinant``, ``log``, Hadamard, Kronecker,
elementwise functions, ``Vec``, ``Diag``, ``Norm``) by differentials
(Magnus & Neudecker, rules in :mod:`.rules`), identifies the derivative
(:mod:`.identify`), tidies it (:mod:`.readable`) and checks it against the
elementwise engine at ≥ 3 random sizes (:mod:`.proof`).
"""
from .build import MatrixExprBuilder, build_matrix_expr, closed_form_from_text
from .core import ClosedFormResult, closed_form, closed_form_gradient, closed_form_hessian
from .differentials import differential
from .instantiate import instantiate
from .latex import to_latex, to_text
from .objects import (
    CommutationMatrix,
    Diag,
    DiagEmbedding,
    ElementwiseDerivative,
    Norm,
    Unvec,
    Vec,
    elementwise,
)
from .proof import ClosedFormCheckError, ProofRecord
from .readable import tidy
from .rules import RULES

__all__ = [
    "closed_form",
    "closed_form_gradient",
    "closed_form_hessian",
    "closed_form_from_text",
    "instantiate",
    "ClosedFormResult",
    "ProofRecord",
    "ClosedFormCheckError",
    "MatrixExprBuilder",
    "build_matrix_expr",
    "differential",
    "tidy",
    "to_latex",
    "to_text",
    "RULES",
    "CommutationMatrix",
    "Vec",
    "Unvec",
    "Diag",
    "DiagEmbedding",
    "ElementwiseDerivative",
    "Norm",
    "elementwise",
]
