"""``symjac serve [--host H] [--port N]``: the local web pages (Derive, Check, Catalogue)."""
from __future__ import annotations

import argparse
import sys

from symjac.commands import bounded_int
from symjac.errors import SymjacError


def register(sub) -> None:
    p = sub.add_parser(
        "serve", help="start the local web pages: derive, check answers, browse the catalogue",
        description="Serve symjac's web pages (Derive, Check, Catalogue) on this machine. Math is typeset "
                    "by KaTeX shipped inside symjac (no network needed). Input is parsed, never evaluated, "
                    "in worker processes with time and memory limits. Needs the web extra: "
                    "pip install 'symjac[web]'.",
        epilog="examples:\n"
               "  symjac serve                      # http://127.0.0.1:8000/\n"
               "  symjac serve --port 8123 --catalogue path/to/derivations\n\n"
               "Binds to 127.0.0.1 (this machine only) unless --host says otherwise.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=bounded_int(0, 65535), default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--catalogue", default="derivations", metavar="DIR",
                   help="folder of derivation specs for the Catalogue and Check pages (default derivations)")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        import uvicorn

        from symjac.web.app import create_app
    except ImportError as exc:
        raise SymjacError(f"the web pages need the web extra ({exc.name} is missing): "
                          "pip install 'symjac[web]'") from None
    app = create_app(args.catalogue)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"symjac serve: warning: listening on {args.host}: other machines can reach these pages",
              file=sys.stderr)
    print(f"symjac serve: http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
