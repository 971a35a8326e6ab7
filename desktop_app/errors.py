"""Turning exceptions into the one-line reasons users see (never a traceback)."""

from __future__ import annotations

MAX_REASON = 200


def one_line(exc: BaseException) -> str:
    """The first line of the exception's message; its type name when it has no message.

    A foreign message (from a library, the OS, a plugin) is shortened to MAX_REASON characters;
    our own messages (exceptions defined in desktop_app) are kept whole, since they end with what
    to do about the failure.
    """
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    if not _ours(exc):
        first = first[:MAX_REASON]
    return first or type(exc).__name__


def _ours(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] == "desktop_app"
