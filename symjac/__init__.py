"""symjac: symbolic derivation and verification engine for matrix calculus."""
from .conventions import (
    GRADIENT,
    NOTES,
    ROW,
    VEC,
    Convention,
    commutation_matrix,
    get_convention,
    unvec,
    vec,
)
from .errors import ParseError, ShapeError, SymjacError, UnsupportedError
from .functions import affine, gram, layer, least_squares, relu, sigmoid, tanh
from .jacobian import derivative_array, gradient, jacobian
from .symbols import matrix, scalar, vector

__version__ = "0.1.0"
