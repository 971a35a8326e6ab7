"""Keyword search over caption text with the catalogue's FTS5 index.

Any string a user types becomes a safe FTS5 expression: its words, each quoted (so FTS5 operators,
quotes and parentheses are plain text), all required, the last one as a prefix so results follow
typing. (The full query syntax with phrases, OR and NOT comes with the search issue.)
"""

from __future__ import annotations

import re

# Words as the FTS5 unicode61 tokenizer sees them: letters and digits of any script.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS = 32  # a pasted paragraph still makes a cheap query


def fts_expression(text: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed, or None if it holds no word."""
    words = _WORD.findall(text)[:MAX_WORDS]
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    if text.rstrip() == text:  # still typing the last word: match it as a prefix
        quoted[-1] += "*"
    return " ".join(quoted)
