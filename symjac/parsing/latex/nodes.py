"""The node set of LaTeX answers and their evaluation at one point, as the checker uses it.

The parser (:mod:`symjac.parsing.latex.parser`) builds SymPy trees from
``MatrixSymbol``, ``MatMul``, ``MatAdd``, ``Transpose``, ``Inverse``,
``MatPow``, ``Trace``, ``Determinant``, ``Identity``, SymPy's Kronecker and
Hadamard products and elementwise functions, and the classes of
:mod:`symjac.parsing.nodes` (commutation matrices, ``diag``, ``vec``, ``adj``,
norms): the node set shared with the text builder and the closed-form engine.  Nothing simplifies or evaluates on
construction.

:func:`evaluate` computes such a tree with NumPy through the one interpreter of the node set
(:mod:`symjac.parsing.numeric`: node by node, no generated code) at one point given by an
:class:`Env`; a scalar answer is a float, a matrix a 2-D array.
"""
from __future__ import annotations

# The one node set (shared with the closed-form engine); re-exported for the parser and the checker.
from symjac.parsing.nodes import (  # noqa: F401
    Adjugate, Commutation, CommutationMatrix, Diag, Hadamard, Kron, Norm, SingleEntry, Vec,
)
from symjac.parsing.numeric import Evaluator, entry_index  # noqa: F401 - entry_index re-exported


class Env(Evaluator):
    """Values for one evaluation: ``dims`` (dimension Symbol → int), ``arrays`` (name → 2-D array),
    ``indices`` (index Symbol → 1-based int); its memo is shared by every :func:`evaluate` on it."""

    def __init__(self, dims: dict, arrays: dict, indices: dict | None = None):
        super().__init__(dims, arrays, indices)
        self.dims, self.arrays = dims, arrays


def evaluate(expr, env: Env, expected_shape=None):
    """A (validated) answer tree's value at ``env``: a float for a scalar, else a 2-D array.

    ``expected_shape`` lets a bare ``I`` or ``\\mathbf 1`` take the size of the result.
    """
    v = env.value(expr, expected_shape)
    if v.shape == (1, 1) and not getattr(expr, "is_Matrix", False):
        return float(v[0, 0])
    return v


__all__ = [
    "Kron", "Hadamard", "Commutation", "CommutationMatrix", "Vec", "Diag", "Adjugate", "Norm",
    "Env", "evaluate", "entry_index",
]
