"""Text for a person's terminal: control characters shown, never obeyed.

A caption or a file name can hold escape sequences (``ESC ]52`` writes the clipboard, ``ESC [2J``
clears the screen), bells, newlines and bidi overrides that make text read backwards. Every
human-readable line the command line prints passes through ``printable``; ``--json`` output stays
exact (its escaping is JSON's own).
"""

from __future__ import annotations

import re

# C0 (but not space), DEL, C1, and the Unicode bidi controls (embeddings, overrides, isolates, marks).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as a visible escape (``\\x1b``, ``\\n``,
    ``\\u202e``), so printing it cannot move the cursor, ring, rewrite the clipboard or reorder
    the line. Printable text, non-ASCII letters included, is unchanged."""
    return _UNSAFE.sub(_escape, text)
