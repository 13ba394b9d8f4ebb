"""``symjac check PROBLEM ANSWER``: is a LaTeX answer right, and if not, why.

Exit status: 0 correct, 1 incorrect, 2 invalid input (unreadable answer or problem, bad
option), 3 checker error (an unexpected failure inside symjac: the answer was not judged).
"""
from __future__ import annotations

import argparse
import sys

from symjac.errors import SymjacError
from symjac.commands import timeout_seconds

EXIT_CODES = {"correct": 0, "incorrect": 1, "invalid": 2, "error": 3}


class InvalidAnswerError(SymjacError):
    """The answer could not be read; the CLI prints the message and exits 2."""


def register(sub) -> None:
    p = sub.add_parser(
        "check", help="check a LaTeX answer against a problem (exit 0 correct, 1 wrong, 2 invalid, 3 checker error)",
        description="Check a LaTeX answer against a problem spec (TOML). The answer is parsed safely "
                    "in a worker process with a time limit; a wrong answer is diagnosed "
                    "(transposed, input_order, output_order, sign, scale, missing_term, shape, entries…).",
        epilog="examples:\n"
               "  symjac check derivations/gram.toml answer.tex     # a catalogue spec is a problem\n"
               "  echo '\\delta_{jq}A_{ip} + \\delta_{jp}A_{iq}' | symjac check derivations/gram.toml -\n"
               "  symjac check problem.toml answer.tex --format json\n\n"
               "An explicit matrix (entries like A_{11}) is compared at the spec's [dimensions]\n"
               "(the notes' instance); a size-free answer (A^\\top, \\otimes, K_{mn}) at random sizes\n"
               "and at that instance; with [values], a matrix of numbers is compared with the\n"
               "Jacobian at those values; index notation uses the spec's index_names.\n\n"
               "exit status: 0 correct, 1 incorrect, 2 invalid input, 3 checker error (a bug in symjac:\n"
               "the answer was not judged). See docs/checking.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("problem", metavar="PROBLEM", help="problem spec (TOML, the derivations/ format, e.g. derivations/gram.toml)")
    p.add_argument("answer", metavar="ANSWER", help="file with the LaTeX answer, or - for standard input")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--timeout", type=timeout_seconds, default=5.0, help="seconds per answer, at most 600 (default 5)")
    p.set_defaults(func=run)


def read_answer_file(path: str, limit: int = 2_000_000) -> str:
    """The text of a regular file (a FIFO, device or directory is refused, never waited on)."""
    import os
    import stat

    from symjac.durable import safe_text

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SymjacError(f"{safe_text(path)}: cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SymjacError(f"{safe_text(path)}: cannot read: not a regular file")
        size = os.fstat(fd).st_size
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise SymjacError(f"{safe_text(path)}: cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    return _text(data, limit, size)


def read_answer_stream(stream, limit: int = 2_000_000, count_limit: int = 1 << 30) -> str:
    """Standard input's text; past ``limit`` bytes the rest is only counted (up to ``count_limit``) so that
    the refusal names the real size."""
    raw = getattr(stream, "buffer", None)
    if raw is None:                      # a text stream (tests): measure it in UTF-8
        data = stream.read(limit + 1).encode("utf-8", "surrogateescape")
        size = len(data) + (len(stream.read(count_limit).encode("utf-8", "surrogateescape"))
                            if len(data) > limit else 0)
        return _text(data, limit, size)
    data = raw.read(limit + 1)
    size = len(data)
    while len(data) > limit and size < count_limit:
        chunk = raw.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
    return _text(data, limit, size)


def _text(data: bytes, limit: int, size: int) -> str:
    if len(data) > limit:
        from symjac.parsing.latex.guard import Oversized

        return Oversized(data[:limit].decode("utf-8", "replace"), max(size, len(data)))
    return data.decode("utf-8", "replace")


def run(args) -> int:
    from symjac.checking.engine import Problem
    from symjac.checking.pool import AnswerSandbox
    from symjac.durable import dumps

    problem = Problem.from_file(args.problem)
    answer = read_answer_stream(sys.stdin) if args.answer == "-" else read_answer_file(args.answer)
    with AnswerSandbox(workers=1, timeout=args.timeout) as box:
        report = box.check(problem, answer)
    if args.format == "json":
        print(dumps(report.to_dict(), indent=2))        # strict JSON: inf/nan named as strings
        return EXIT_CODES.get(report.verdict, 3)
    if report.verdict == "invalid":
        raise InvalidAnswerError(report.message)
    if report.verdict not in ("correct", "incorrect"):
        print(f"symjac check: {report.message}", file=sys.stderr)
        return EXIT_CODES["error"]
    print(report.message)
    if report.diagnosis:
        print("diagnosis: " + ", ".join(report.diagnosis))
    if report.verdict != "correct":
        print(f"score: {report.score:g}")
    return 0 if report.verdict == "correct" else 1
