"""Subcommands of ``symjac``; each module exposes ``register(subparsers)``.

Shared argument types live here so that every command validates the same way:
a bad value is an argparse usage error (one line, exit 2), never a traceback.
"""
from __future__ import annotations

import argparse


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
