"""symjac: symbolic derivation and verification engine for matrix calculus."""
from symjac.conventions import (
    DENOMINATOR,
    ENTRY,
    GRADIENT,
    HESSIAN,
    TENSOR,
    NOTES,
    ROW,
    VEC,
    Convention,
    commutation_matrix,
    get_convention,
    unvec,
    vec,
)
from symjac.errors import ParseError, ShapeError, SymjacError, UnsupportedError
from symjac.blocks import affine, gram, layer, least_squares, relu, sigmoid, tanh
from symjac.elementwise import gelu, leaky_relu, log_sigmoid, softplus
from symjac.checking.engine import Problem, Report
from symjac.checking.pool import check
from symjac.calculus.closedform import closed_form, closed_form_entry, closed_form_gradient, closed_form_hessian, instantiate
from symjac.calculus.explicit import derivative, derivative_array, gradient, jacobian
from symjac.study.networks import Layer, Network, network
from symjac.evaluate.numeric import NumericCheck, finite_difference_check, lambdify, numeric_agreement
from symjac.results import JacobianResult, derive
from symjac.study.spectral import init_matrix, power_run, spectral_radius
from symjac.symbols import matrix, scalar, vector

from .version import __version__  # noqa: E402

__all__ = [
    "matrix", "vector", "scalar",
    "jacobian", "derivative", "derivative_array", "gradient", "derive", "JacobianResult",
    "Convention", "VEC", "NOTES", "ROW", "GRADIENT", "DENOMINATOR", "TENSOR", "ENTRY", "HESSIAN",
    "get_convention",
    "commutation_matrix", "vec", "unvec",
    "lambdify", "finite_difference_check", "NumericCheck", "numeric_agreement",
    "Problem", "Report", "check",
    "closed_form", "closed_form_entry", "closed_form_gradient", "closed_form_hessian", "instantiate",
    "network", "Network", "Layer", "spectral_radius", "init_matrix", "power_run",
    "affine", "gram", "least_squares", "layer", "tanh", "sigmoid", "relu",
    "softplus", "log_sigmoid", "gelu", "leaky_relu",
    "SymjacError", "ParseError", "ShapeError", "UnsupportedError",
]
