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
from .checking import Problem, Report, check
from .closedform import closed_form, closed_form_gradient, closed_form_hessian, instantiate
from .jacobian import derivative_array, gradient, jacobian
from .networks import Layer, Network, network
from .numeric import NumericCheck, finite_difference_check, lambdify, numeric_agreement
from .result import JacobianResult, derive
from .spectral import init_matrix, power_run, spectral_radius
from .symbols import matrix, scalar, vector

__version__ = "0.1.0"

__all__ = [
    "matrix", "vector", "scalar",
    "jacobian", "derivative_array", "gradient", "derive", "JacobianResult",
    "Convention", "VEC", "NOTES", "ROW", "GRADIENT", "get_convention",
    "commutation_matrix", "vec", "unvec",
    "lambdify", "finite_difference_check", "NumericCheck", "numeric_agreement",
    "Problem", "Report", "check",
    "closed_form", "closed_form_gradient", "closed_form_hessian", "instantiate",
    "network", "Network", "Layer", "spectral_radius", "init_matrix", "power_run",
    "affine", "gram", "least_squares", "layer", "tanh", "sigmoid", "relu",
    "SymjacError", "ParseError", "ShapeError", "UnsupportedError",
]
