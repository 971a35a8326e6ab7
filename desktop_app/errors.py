"""Turning exceptions into the one-line reasons users see (never a traceback)."""

from __future__ import annotations

MAX_REASON = 200


def one_line(exc: BaseException) -> str:
    """The first line of the exception's message, shortened; its type name when it has no message."""
    lines = str(exc).strip().splitlines()
    return (lines[0][:MAX_REASON] if lines else "") or type(exc).__name__
