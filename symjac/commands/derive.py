"""``symjac derive EXPR --wrt VAR --shape A=3x2 …``: an explicit Jacobian, verified."""
from __future__ import annotations

import argparse

from symjac import elementwise as registry
from symjac.conventions import NAMES
from symjac.errors import SymjacError
from symjac.parsing.shapes import is_concrete, parse_shape_arg
from symjac.commands import bounded_int, timeout_seconds

FORMATS = ("text", "latex", "markdown", "json")
MAX_POINTS = 1000


def register(sub) -> None:
    p = sub.add_parser(
        "derive",
        help="derive a Jacobian entry by entry (and in closed form)",
        description=(
            "Derive the Jacobian of EXPR with respect to --wrt at the declared shapes, "
            "under an explicit convention, and verify it (symbolically and at random points)."
        ),
        epilog=(
            "examples:\n"
            "  symjac derive 'A.T @ A' --wrt A --shape A=3x2 --convention notes\n"
            "  symjac derive 'norm(y - Phi @ theta)**2' --wrt theta --shape y=3 --shape Phi=3x2 --shape theta=2\n"
            "  symjac derive 'tanh(W @ a + b)' --wrt W --wrt a --wrt b --shape W=2x3 --shape a=3 --shape b=2\n"
            "  symjac derive 'A.T @ A' --wrt A --shape A=mxn --closed-form\n\n"
            "syntax: @ matrix product, * scalar or elementwise, .T transpose, ** on scalars;\n"
            f"elementwise: {' '.join(registry.REGISTRY)} (leaky_relu(x, slope), default 0.01);\n"
            "functions: norm trace det logdet inv matrix_power kron hadamard vec diag sum eye.\n"
            "conventions: vec (default; column-first vec both sides, numerator layout),\n"
            "notes (outputs column-first, inputs row-first), row (row-first both sides),\n"
            "denominator (the transpose of vec; a scalar's derivative is a (pq)x1 column),\n"
            "gradient (a scalar's gradient in the variable's shape; else the denominator layout),\n"
            "hessian (d vec(grad F) / d (vec X)^T), tensor (dF_ij/dX_kl, shown as blocks i,j),\n"
            "entry (dF/dX_kl in F's shape, shown as blocks k,l)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expr", metavar="EXPR", help="the function, e.g. 'A.T @ A'")
    p.add_argument("--wrt", action="append", required=True, metavar="VAR",
                   help="variable to differentiate by; repeat to stack variables ([vec W; a; b])")
    p.add_argument("--shape", action="append", default=[], metavar="NAME=RxC",
                   help="declare a variable's shape: A=3x2, x=3 (vector), c=1 (scalar), A=mxn (symbolic)")
    p.add_argument("--convention", default="vec", metavar="NAME",
                   help=f"one of {', '.join(NAMES)} (default vec)")
    p.add_argument("--format", default="text", choices=FORMATS, help="output format (default text)")
    p.add_argument("--closed-form", action="store_true",
                   help="also give the size-free closed form (Kronecker / commutation / diag)")
    p.add_argument("--hessian", action="store_true",
                   help="the closed-form Hessian ∂vec∇F/∂(vec X)ᵀ of a scalar EXPR (implies --closed-form)")
    p.add_argument("--sizes", action="append", default=[], metavar="m=3,n=2",
                   help="sizes at which to prove the closed form (repeat for several; default: chosen at random)")
    p.add_argument("--points", type=bounded_int(0, MAX_POINTS), default=5,
                   help=f"random points for the numeric check, 0 to {MAX_POINTS} (default 5)")
    p.add_argument("--seed", type=bounded_int(0, 2**32 - 1), default=0, help="seed for the random points (default 0)")
    p.add_argument("--timeout", type=timeout_seconds, default=DEFAULT_TIMEOUT,
                   help=f"seconds for the whole derivation, at most 600 (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--memory-mb", type=bounded_int(256, 65536), default=DEFAULT_MEMORY_MB,
                   help=f"memory limit of the derivation in MB (default {DEFAULT_MEMORY_MB})")
    p.set_defaults(func=run)


DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 2048


def run(args) -> int:
    """Derive in a worker process with a time and memory limit; any failure is one line, exit 2."""
    from symjac.checking.sandbox import Sandbox

    with Sandbox(_derive_task, workers=1, timeout=args.timeout, memory_mb=args.memory_mb,
                 failure=_failure) as box:
        kind, value = box.run(_Args.of(args))
    if kind == "ok":
        text, code = value
        print(text)
        return code
    raise SymjacError(value)


class _Args:
    """The plain fields of the parsed arguments (picklable, no argparse objects)."""

    FIELDS = ("expr", "wrt", "shape", "convention", "format", "closed_form", "hessian", "sizes", "points", "seed",
              "timeout", "memory_mb")

    @classmethod
    def of(cls, args):
        a = cls()
        for f in cls.FIELDS:
            setattr(a, f, getattr(args, f, None))
        return a


def _failure(kind: str, info) -> tuple:
    if kind == "timeout":
        return ("error", f"the derivation took longer than {info:g} s (--timeout; at most 600)")
    if kind in ("memory", "crashed"):
        return ("error", "the derivation needs more memory or CPU time than allowed (--memory-mb, --timeout)")
    if kind == "cancelled":
        return ("error", "interrupted")
    return ("error", f"could not derive this expression ({_internal(info)})")


def _internal(name) -> str:
    return {"RecursionError": "nested too deeply", "ZeroDivisionError": "division by zero",
            "OverflowError": "numbers too large", "MemoryError": "out of memory"}.get(str(name),
                                                                                         "an internal failure")


def _derive_task(args) -> tuple:
    """Worker side: ("ok", (text, exit code)) or ("error", one-line message)."""
    import sys
    import warnings

    import numpy as np

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 12000))   # long chains of + and @ (a worker's own stack)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return "ok", _derive(args)
    except SymjacError as exc:
        return "error", str(exc).splitlines()[0] if str(exc) else "invalid input"
    except RecursionError:
        return "error", "the expression is nested too deeply (too many chained operations)"
    except ZeroDivisionError:
        return "error", "division by zero"
    except MemoryError:
        return "error", "the derivation needs more memory than allowed (--memory-mb)"
    except (OverflowError, ValueError) as exc:
        if "digits" in str(exc) or isinstance(exc, OverflowError):
            return "error", "a number in the expression is too large"
        return "error", f"could not derive this expression ({_describe(exc)})"
    except Exception as exc:  # noqa: BLE001 - no traceback reaches a user
        return "error", f"could not derive this expression ({_describe(exc)})"


def _describe(exc) -> str:
    text = str(exc)
    if "ComplexInfinity" in text or "zoo" in text:
        return "division by zero or an infinite value"
    if "ImaginaryUnit" in text or "complex" in text.lower():
        return "the result is not real"
    return "an internal failure; please report it"


def _derive(args) -> tuple:
    from symjac.conventions import get_convention
    from symjac.results import derive

    conv = get_convention(args.convention)
    shapes = {}
    for text in args.shape:
        name, shape = parse_shape_arg(text)
        if name in shapes:
            raise SymjacError(f"--shape declares {name} twice")
        shapes[name] = shape
    concrete = all(is_concrete(s) for s in shapes.values())
    closed = None
    if args.closed_form or args.hessian or not concrete:
        closed = _closed_form(args, shapes, conv)
    result = None
    if concrete and not args.hessian:
        result = derive(args.expr, args.wrt, shapes, conv, points=args.points, seed=args.seed)
    ok = (result is None or result.verification is None or result.verification.passed)
    from symjac import progress

    with progress.stage(f"writing the result ({args.format})"):
        text = _render(args.format, result, closed)
    return text, (0 if ok else 1)


def _closed_form(args, shapes, conv):
    try:
        from symjac.calculus.closedform import closed_form_from_text
    except ImportError:  # pragma: no cover - closedform ships with symjac
        raise SymjacError("closed forms are not available in this installation") from None
    kw = {}
    sizes = [_parse_sizes(t) for t in args.sizes]
    if sizes:
        kw = {"sizes": sizes, "trials": len(sizes)}
    kind = "hessian" if args.hessian else "auto"
    out = [closed_form_from_text(args.expr, w, shapes, conv if kind == "auto" else None, kind=kind, **kw)
           for w in args.wrt]
    return out


def _parse_sizes(text: str) -> dict:
    """'m=3,n=2' → {'m': 3, 'n': 2} (names and positive integers only)."""
    out = {}
    for part in text.split(","):
        name, eq, val = part.partition("=")
        name, val = name.strip(), val.strip()
        if not eq or not name.isidentifier() or not val.isdigit() or int(val) < 1 or int(val) > 12:
            raise SymjacError(f"cannot read --sizes {text!r}; write e.g. m=3,n=2 (sizes 1 to 12)")
        out[name] = int(val)
    return out


def _render(fmt, result, closed) -> str:
    from symjac.verification import from_proof

    vers = [from_proof(c.proof) if c.proof is not None else None for c in closed or ()]
    if fmt == "json":
        out = {}
        if result is not None:
            out.update(result.to_dict())
        if closed is not None:
            out["closed_form"] = closed[0].to_dict(vers[0])
            if len(closed) > 1:
                out["closed_forms"] = [c.to_dict(v) for c, v in zip(closed, vers)]
        from symjac.durable import dumps

        return dumps(out, indent=2)
    parts = []
    if result is not None:
        parts.append({"text": result.to_text, "latex": result.to_latex_statement, "markdown": result.to_markdown}[fmt]())
    for c, v in zip(closed or (), vers):
        parts.append(c.to_latex() if fmt == "latex" else c.report_text(v) if fmt == "text" else c.to_markdown(v))
    return "\n\n".join(parts)
