"""How the window words counts and messages."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 photo``, ``2,500 photos``."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def sentence(message: str) -> str:
    """A one-line message (written lower-case for ``error: ...`` on a terminal) as a sentence."""
    return message[:1].upper() + message[1:]
