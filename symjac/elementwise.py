r"""THE registry of elementwise (scalar) functions: one declaration per function.

Each :class:`Declaration` says everything symjac knows about one function:

* ``sympy``: its SymPy form ``f(z, *params)`` (SymPy's own class, or a class
  below where SymPy has none);
* ``derivative(node, u, *params)``: f′(u) as a SymPy expression, written in
  terms of the node f(u) itself where possible (tanh′ = 1 − node²), so the
  engine never rebuilds f(u) — **the only place each derivative is written**;
* ``numpy(z, *params)``: a float64 implementation; f′ in NumPy is compiled
  from ``derivative`` (:meth:`Declaration.numpy_derivative`), never rewritten;
* ``definition(z, *params)``: f in elementary SymPy functions (for checks
  independent of ``derivative``, and for ``evalf``);
* ``latex`` / ``text``: how it prints; ``names`` (text syntax) and
  ``latex_names`` (``\tanh``, ``\operatorname{softplus}``) it is parsed from;
* ``params``: numeric parameters after the argument, with defaults
  (``leaky_relu(x, 0.01)``); ``jax``: optional JAX form;
  ``domain``: "real" or "positive" (where f is defined, for random checks).

Readers: the explicit engine, closed forms, index forms, expression and LaTeX
parsing, printers, lambdify, networks and the spectral study.  A new function
is one :func:`declare` call.  ``apply`` / ``elementwise`` apply a function to a
scalar / every entry of a matrix.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np
import sympy as sp
from sympy.core.function import ArgumentIndexError

from symjac.errors import SymjacError

_SQRT2 = sp.sqrt(2)
NUMPY_PREFIX = "_symjac_"  # name of a registry function in lambdify's NumPy namespace


@dataclass(frozen=True)
class Declaration:
    """One elementwise function (see the module docstring for each field)."""

    name: str
    sympy: Callable
    derivative: Callable
    numpy: Callable
    definition: Callable
    latex: str
    text: str
    names: tuple = ()
    latex_names: tuple = ()
    params: tuple = ()          # ((name, default), ...)
    jax: Callable | None = None  # jax module → f(z, *params)
    domain: str = "real"

    def __call__(self, z, *params):
        """f(z, *params) in SymPy, defaults filled in."""
        return self.sympy(z, *self.with_defaults(params))

    def with_defaults(self, params) -> tuple:
        params = tuple(params)
        if len(params) > len(self.params):
            raise SymjacError(f"{self.name} takes at most {len(self.params)} parameter(s), got {len(params)}")
        return params + tuple(sp.nsimplify(d) for _, d in self.params[len(params):])

    def applied(self, *params) -> Callable:
        """z ↦ f(z, *params), applied as :func:`apply` does (fast for non-numbers)."""
        full = self.with_defaults(params)
        if not full:
            return self.sympy
        return lambda z: _call(self.sympy, (z, *full))

    @cached_property
    def _numpy_prime(self):
        z = sp.Symbol("z", real=True)
        ps = sp.symbols(f"p0:{len(self.params)}", real=True)
        node = self.sympy(z, *ps)
        expr = self.derivative(node, z, *ps)
        return sp.lambdify((z, *ps), expr, modules=[numpy_namespace(), "numpy"], printer=numpy_printer())

    def numpy_derivative(self, z, *params):
        """f′(z) in float64, compiled from ``derivative`` (arrays broadcast)."""
        full = [float(p) for p in self.with_defaults(params)]
        z = np.asarray(z, dtype=float)
        return np.broadcast_to(self._numpy_prime(z, *full), z.shape).astype(float)


REGISTRY: dict[str, Declaration] = {}
_BY_NAME: dict[str, Declaration] = {}
_BY_CLASS: dict = {}


def declare(d: Declaration) -> Declaration:
    """Add a function to the registry (its name, aliases and SymPy class become known everywhere)."""
    REGISTRY[d.name] = d
    for n in (d.name, *d.names):
        _BY_NAME[n] = d
    _BY_CLASS[d.sympy] = d
    return d


def get(name: str) -> Declaration:
    """The declaration of a text name (``softplus``), or SymjacError naming the known ones."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise SymjacError(f"unknown elementwise function {name!r}: choose one of {', '.join(REGISTRY)}") from None


def of(node_or_class) -> Declaration | None:
    """The declaration of a SymPy function class or applied node, or None."""
    if callable(node_or_class) and not isinstance(node_or_class, sp.Basic) and node_or_class in _BY_CLASS:
        return _BY_CLASS[node_or_class]         # a declared SymPy form that is not a class (sp.sqrt)
    cls = node_or_class if isinstance(node_or_class, type) else type(node_or_class)
    return _BY_CLASS.get(cls)


def text_names() -> dict[str, Declaration]:
    """Every name the expression syntax accepts → its declaration."""
    return dict(_BY_NAME)


def latex_names() -> dict[str, Declaration]:
    r"""Every LaTeX name (command without backslash, or \operatorname word) → its declaration."""
    return {n: d for d in REGISTRY.values() for n in d.latex_names}


def numpy_namespace() -> dict[str, Callable]:
    """The NumPy implementations under the names the classes below print in lambdify code."""
    ns = {NUMPY_PREFIX + d.name: d.numpy for d in REGISTRY.values()}
    ns["erf"] = _np_erf
    return ns


def numpy_printer():
    """A strict NumPy printer that prints registry functions and erf by their namespace names."""
    from sympy.printing.numpy import NumPyPrinter

    return NumPyPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": False,
                         "user_functions": {"erf": "erf"}, "strict": True})


# --- apply to a scalar or to every entry ------------------------------------------

def _call(f, args):
    if isinstance(f, type) and issubclass(f, sp.Function) and not all(a.is_number for a in args[:1]):
        return f(*args, evaluate=False)
    return f(*args)


def apply(f, z):
    """f(z), skipping SymPy's argument canonicalisation when z is not a number.

    ``tanh(Σ w_j a_j)`` spends ~15 ms in assumption queries (is it zero? can a
    minus sign be pulled out?) that never change a layer's pre-activation; the
    unevaluated call is the same function of the same argument.
    """
    if not isinstance(f, type) or not issubclass(f, sp.Function):
        return f(z)
    return f(z) if z.is_number else f(z, evaluate=False)


def elementwise(f, M):
    """f applied to every entry of M (or to a scalar), as :func:`apply` does."""
    if isinstance(M, sp.MatrixBase):
        return M.applyfunc(lambda e: apply(f, e))
    return apply(f, M)


# --- SymPy classes for the functions SymPy lacks --------------------------------------

class RegistryFunction(sp.Function):
    """A function declared in the registry: derivative, evalf, LaTeX and NumPy come from there."""

    @classmethod
    def eval(cls, z, *params):
        if z.is_Float or (z.is_zero and cls._exact_at_zero):
            return of(cls).definition(z, *params)
        return None

    _exact_at_zero = True

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return of(self).derivative(self, self.args[0], *self.args[1:])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return of(self).definition(*self.args)._eval_evalf(prec)

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return of(self).definition(*args)

    def _latex(self, printer, exp=None):
        d = of(self)
        inner = ", ".join(printer._print(a) for a in self.args)
        body = r"%s\left(%s\right)" % (d.latex, inner)
        return body if exp is None else r"%s^{%s}" % (body, exp)

    def _numpycode(self, printer):
        return "%s%s(%s)" % (NUMPY_PREFIX, of(self).name, ", ".join(printer._print(a) for a in self.args))



class sigmoid(RegistryFunction):
    """The logistic sigmoid σ(z) = 1 / (1 + e^{−z}); σ′(z) = σ(z)(1 − σ(z))."""

    nargs = 1


class relu(RegistryFunction):
    """ReLU(z) = max(0, z); ReLU′(z) = Heaviside(z) with Heaviside(0) = 0 (as PyTorch and JAX)."""

    nargs = 1

    @classmethod
    def eval(cls, z):
        if z.is_number and z.is_extended_real:
            return sp.Max(0, z)
        if z.is_nonnegative:
            return z
        if z.is_nonpositive:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_Max(self, z, **kwargs):
        return sp.Max(0, z)

    def _eval_rewrite_as_Piecewise(self, z, **kwargs):
        return sp.Piecewise((z, z > 0), (0, True))


class softplus(RegistryFunction):
    """softplus(z) = log(1 + e^z); softplus′ = σ(z)."""

    nargs = 1


class log_sigmoid(RegistryFunction):
    """log σ(z) = −log(1 + e^{−z}); its derivative is 1 − σ(z) = σ(−z)."""

    nargs = 1


class gelu(RegistryFunction):
    """GELU(z) = z Φ(z) = z/2 (1 + erf(z/√2)) (the exact, erf form)."""

    nargs = 1


class leaky_relu(RegistryFunction):
    """leaky_relu(z, a) = z for z > 0, a·z otherwise (slope a, default 0.01); derivative a at 0."""

    nargs = 2

    def __new__(cls, z, slope=sp.Rational(1, 100), **options):
        return super().__new__(cls, z, slope, **options)

    @classmethod
    def eval(cls, z, slope):
        if z.is_number and z.is_extended_real:
            return z if z.is_nonnegative else slope * z
        if z.is_nonnegative:
            return z
        return None


def _np_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))                     # stable on both sides
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


_np_erf = np.vectorize(math.erf, otypes=[float])
_Phi = lambda u: (1 + sp.erf(u / _SQRT2)) / 2        # noqa: E731 - the normal CDF, written once


# --- THE DECLARATIONS -------------------------------------------------------------------

declare(Declaration(
    "tanh", sp.tanh, lambda node, u: 1 - node**2, np.tanh, sp.tanh,
    r"\tanh", "tanh", latex_names=("tanh",), jax=lambda jax: jax.numpy.tanh))
declare(Declaration(
    "sigmoid", sigmoid, lambda node, u: node * (1 - node), _np_sigmoid, lambda z: 1 / (1 + sp.exp(-z)),
    r"\sigma", "σ", latex_names=("sigmoid", "Sigmoid"), jax=lambda jax: jax.nn.sigmoid))
declare(Declaration(
    "relu", relu, lambda node, u: sp.Heaviside(u, 0) if u.is_number else sp.Heaviside(u, 0, evaluate=False),
    lambda z: np.maximum(z, 0.0), lambda z: sp.Max(0, z),
    r"\operatorname{ReLU}", "relu", latex_names=("relu", "ReLU", "Relu"), jax=lambda jax: jax.nn.relu))
declare(Declaration(
    "exp", sp.exp, lambda node, u: node, np.exp, sp.exp,
    r"\exp", "exp", latex_names=("exp",), jax=lambda jax: jax.numpy.exp))
declare(Declaration(
    "log", sp.log, lambda node, u: 1 / u, np.log, sp.log,
    r"\log", "log", latex_names=("log", "ln"), jax=lambda jax: jax.numpy.log, domain="positive"))
declare(Declaration(
    "sqrt", sp.sqrt, lambda node, u: 1 / (2 * node), np.sqrt, sp.sqrt,
    r"\sqrt", "sqrt", latex_names=("sqrt",), jax=lambda jax: jax.numpy.sqrt, domain="positive"))
declare(Declaration(
    "sin", sp.sin, lambda node, u: sp.cos(u), np.sin, sp.sin,
    r"\sin", "sin", latex_names=("sin",), jax=lambda jax: jax.numpy.sin))
declare(Declaration(
    "cos", sp.cos, lambda node, u: -sp.sin(u), np.cos, sp.cos,
    r"\cos", "cos", latex_names=("cos",), jax=lambda jax: jax.numpy.cos))
declare(Declaration(
    "abs", sp.Abs, lambda node, u: sp.sign(u), np.abs, sp.Abs,
    r"\operatorname{abs}", "abs", latex_names=("abs",), jax=lambda jax: jax.numpy.abs))
declare(Declaration(
    "softplus", softplus, lambda node, u: sigmoid(u), lambda z: np.logaddexp(0.0, z),
    lambda z: sp.log(1 + sp.exp(z)),
    r"\operatorname{softplus}", "softplus", latex_names=("softplus", "Softplus"), jax=lambda jax: jax.nn.softplus))
declare(Declaration(
    "log_sigmoid", log_sigmoid, lambda node, u: 1 - sigmoid(u), lambda z: -np.logaddexp(0.0, -np.asarray(z, float)),
    lambda z: -sp.log(1 + sp.exp(-z)),
    r"\operatorname{logsigmoid}", "log_sigmoid", latex_names=("logsigmoid", "LogSigmoid"),
    jax=lambda jax: jax.nn.log_sigmoid))
declare(Declaration(
    "gelu", gelu, lambda node, u: _Phi(u) + u * sp.exp(-u**2 / 2) / sp.sqrt(2 * sp.pi),
    lambda z: 0.5 * np.asarray(z, float) * (1.0 + _np_erf(np.asarray(z, float) / math.sqrt(2.0))),
    lambda z: z * _Phi(z),
    r"\operatorname{GELU}", "gelu", latex_names=("gelu", "GELU"),
    jax=lambda jax: (lambda z: jax.nn.gelu(z, approximate=False))))
declare(Declaration(
    "leaky_relu", leaky_relu, lambda node, u, a: a + (1 - a) * sp.Heaviside(u, 0),
    lambda z, a=0.01: np.where(np.asarray(z, float) > 0, z, a * np.asarray(z, float)),
    lambda z, a=sp.Rational(1, 100): sp.Piecewise((z, z > 0), (a * z, True)),
    r"\operatorname{LeakyReLU}", "leaky_relu", latex_names=("leakyrelu", "LeakyReLU", "leaky_relu"),
    params=(("slope", "0.01"),), jax=lambda jax: (lambda z, a=0.01: jax.nn.leaky_relu(z, a))))



# --- a one-argument Lambda d ↦ F(d, *numbers) read back as its registry function ---------

def function_name(lam: sp.Lambda):
    """The function class when ``lam`` is ``d ↦ F(d)`` (or ``F(d, *numbers)``), else None (the closed-form printers and engine)."""
    (v,), body = lam.variables, lam.expr
    if isinstance(body, sp.Function) and body.args[:1] == (v,) and all(a.is_number for a in body.args[1:]):
        return body.func
    for d in REGISTRY.values():              # a SymPy form that is not a function class: sqrt(d) = d**(1/2)
        if not isinstance(d.sympy, type) and not d.params and body == d.sympy(v):
            return d.sympy
    return None


def function_params(lam: sp.Lambda) -> tuple:
    """The numeric parameters after the argument when ``lam`` is ``d ↦ F(d, *params)`` (leaky_relu's slope)."""
    return tuple(lam.expr.args[1:]) if isinstance(function_name(lam), type) else ()


__all__ = [
    "Declaration", "REGISTRY", "declare", "get", "of", "text_names", "latex_names", "numpy_namespace",
    "numpy_printer", "apply", "elementwise", "RegistryFunction", "function_name", "function_params",
    "sigmoid", "relu", "softplus", "log_sigmoid", "gelu", "leaky_relu",
]
