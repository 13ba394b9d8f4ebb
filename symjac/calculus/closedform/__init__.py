"""Size-free matrix calculus: differentials, Kronecker / commutation / diag forms, each checked
against the entry-by-entry engine at several sizes.

    from symjac.calculus.closedform import closed_form, closed_form_gradient, instantiate

``closed_form(F, X, convention=VEC)`` differentiates a SymPy matrix expression
F (``MatrixSymbol`` with dimension symbols, ``Transpose``, ``Inverse``,
``MatPow``, ``Trace``, ``Determinant``, ``log``, Hadamard, Kronecker,
elementwise functions, ``Vec``, ``Diag``, ``Norm``) by differentials
(Magnus & Neudecker, rules in :mod:`.rules`), identifies the derivative
(:mod:`.identify`), tidies it (:mod:`.readable`) and checks it against the
elementwise engine at ≥ 3 random sizes (:mod:`.proof`: valid, well-conditioned
instances only, a time budget, NumPy evaluation of the closed form via :mod:`.numeric`).

Also: a scalar ``Symbol`` as the variable; symbolic integer powers (:mod:`.powers`);
entries and SymPy's entry sums (:mod:`.entries`); structured variables, D_n, L_n,
vech and ``closed_form_entry`` (:mod:`.structured`); declared properties from
:mod:`symjac.properties`.  To run a result: ``symjac.lambdify(result)`` and
:func:`symjac.evaluate.closedform.to_source`.
"""
from symjac.calculus.closedform.build import MatrixExprBuilder, build_matrix_expr, closed_form_from_text
from symjac.calculus.closedform.core import (
    ClosedFormResult,
    closed_form,
    closed_form_entry,
    closed_form_gradient,
    closed_form_hessian,
)
from symjac.calculus.closedform.structured import DuplicationMatrix, EliminationMatrix, vech
from symjac.calculus.closedform.differentials import differential
from symjac.calculus.closedform.instantiate import instantiate
from symjac.render.closedform import to_latex, to_text
from symjac.calculus.closedform.objects import (
    CommutationMatrix,
    Diag,
    DiagEmbedding,
    ElementwiseDerivative,
    Norm,
    Unvec,
    Vec,
    elementwise,
)
from symjac.calculus.closedform.proof import ClosedFormCheckError, ProofRecord
from symjac.calculus.closedform.readable import tidy
from symjac.calculus.closedform.rules import RULES

__all__ = [
    "closed_form",
    "closed_form_gradient",
    "closed_form_hessian",
    "closed_form_entry",
    "DuplicationMatrix",
    "EliminationMatrix",
    "vech",
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
