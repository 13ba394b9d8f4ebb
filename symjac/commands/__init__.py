"""Subcommands of ``symjac``; each module exposes ``register(subparsers)``.

Shared argument types live here so that every command validates the same way:
a bad value is an argparse usage error (one line, exit 2), never a traceback.
"""
from __future__ import annotations

import argparse
import math

from symjac.checking.sandbox import MAX_TIMEOUT


def bounded_int(lo: int, hi: int):
    """An argparse ``type`` accepting integers in [lo, hi]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be between {lo} and {hi}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def timeout_seconds(text: str) -> float:
    """argparse ``type`` for --timeout: seconds, more than 0 and at most 600."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {text}")
    return value


def positive_number(text: str) -> float:
    """argparse ``type``: a finite number greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text}")
    return value
