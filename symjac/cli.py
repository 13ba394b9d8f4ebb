"""The ``symjac`` command.

Each subcommand lives in ``symjac/commands/<name>.py`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a
callable ``(args) -> int`` (the exit code).  Bad input raises
:class:`~symjac.errors.SymjacError`; it is printed as one line and the
command exits 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from symjac.version import __version__
from symjac.errors import SymjacError

# Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("derive", "docs", "verify", "check", "grade", "autograder", "autograder_zip", "generate", "audit",
            "init_study", "serve")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 (argparse's own code)."""

    def error(self, message):  # noqa: D102 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symjac",
        description=(
            "Matrix calculus with explicit conventions: derive Jacobians entry by entry "
            "and in closed form, verify them, write them as LaTeX/Markdown, check answers."
        ),
        epilog="Run 'symjac COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"symjac {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()          # a closed pipe shows here, inside the handler, not at exit
        return code
    except SymjacError as exc:
        print(f"symjac {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symjac: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _broken_pipe()


def _broken_pipe() -> int:
    """The reader of standard output went away (``symjac derive … | head -1``): stop quietly.

    Standard output is pointed at /dev/null so that flushing it at exit raises nothing; the exit
    status is 141 (128 + SIGPIPE), as for a command killed by the broken pipe.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor
        pass
    return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
