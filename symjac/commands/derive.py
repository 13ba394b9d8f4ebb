"""``symjac derive EXPR --wrt VAR --shape A=3x2 …``: an explicit Jacobian, verified."""
from __future__ import annotations

import argparse
import json

from symjac.conventions import PRESETS
from symjac.errors import SymjacError
from symjac.parsing.shapes import is_concrete, parse_shape_arg
from symjac.commands import bounded_int

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
            "functions: tanh sigmoid relu exp log sin cos sqrt norm trace det logdet inv\n"
            "matrix_power kron hadamard vec diag sum eye.\n"
            "conventions: vec (default; column-first vec both sides, numerator layout),\n"
            "notes (outputs column-first, inputs row-first), row (row-first both sides),\n"
            "gradient (the transpose of vec)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("expr", metavar="EXPR", help="the function, e.g. 'A.T @ A'")
    p.add_argument("--wrt", action="append", required=True, metavar="VAR",
                   help="variable to differentiate by; repeat to stack variables ([vec W; a; b])")
    p.add_argument("--shape", action="append", default=[], metavar="NAME=RxC",
                   help="declare a variable's shape: A=3x2, x=3 (vector), c=1 (scalar), A=mxn (symbolic)")
    p.add_argument("--convention", default="vec", metavar="NAME",
                   help=f"one of {', '.join(PRESETS)} (default vec)")
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
    p.set_defaults(func=run)


def run(args) -> int:
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
    print(_render(args.format, result, closed))
    ok = (result is None or result.verification is None or result.verification.passed)
    return 0 if ok else 1


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
    if fmt == "json":
        out = {}
        if result is not None:
            out.update(result.to_dict())
        if closed is not None:
            out["closed_form"] = closed[0].to_dict()
            if len(closed) > 1:
                out["closed_forms"] = [c.to_dict() for c in closed]
        return json.dumps(out, indent=2)
    parts = []
    if result is not None:
        parts.append({"text": result.to_text, "latex": result.to_latex, "markdown": result.to_markdown}[fmt]())
    for c in closed or ():
        parts.append({"text": c.report_text, "latex": c.to_latex, "markdown": c.to_markdown}[fmt]())
    return "\n\n".join(parts)
