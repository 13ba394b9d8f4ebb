"""One error hierarchy for everything symjac reports to a user.

Every failure caused by input (an expression, a LaTeX answer, a spec file, a
shape) is a :class:`SymjacError`; the CLI prints ``str(error)`` on one line and
exits 2.  Anything else escaping is a bug in symjac.
"""
from __future__ import annotations


class SymjacError(Exception):
    """Base class: a problem with the input, explained in one line.

    ``position`` is the 0-based column in the input text when known; it is
    appended to the message as "(at column N)".
    """

    def __init__(self, message: str, position: int | None = None):
        self.position = position
        if position is not None:
            message = f"{message} (at column {position + 1})"
        super().__init__(message)


class ParseError(SymjacError):
    """Text could not be read; ``text`` is the input when known."""

    def __init__(self, message: str, position: int | None = None, text: str | None = None):
        self.text = text
        super().__init__(message, position)


class ShapeError(SymjacError):
    """Operands whose shapes do not fit; the message names both shapes."""


class UnsupportedError(SymjacError):
    """A construct symjac has no rule for; the message names it."""


class ConventionError(SymjacError):
    """An unknown convention name or an inconsistent combination of orders."""


class SpecError(SymjacError):
    """A derivation spec file is malformed; the message names file and key."""



__all__ = [
    "SymjacError",
    "ParseError",
    "ShapeError",
    "UnsupportedError",
    "ConventionError",
    "SpecError",
]
