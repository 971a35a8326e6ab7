"""The catalogue's keyword index in PostgreSQL (migration 0013: the generated ``captions.text_search``
tsvector column with its GIN index), and the translation of a parsed search query
(desktop_app.query_language) into a safe ``tsquery``: the sibling of fts.py, with the same meaning.

The tree becomes the text ``to_tsquery`` reads, with the index's own text search configuration (English
stemming, no stop words, accents folded where the server has unaccent: see migration 0013), bound as a
parameter. Every word or phrase is a quoted lexeme, so nothing a user types is read as tsquery syntax
(``&``, ``|``, ``!``, ``<->``, ``:*``...); ``to_tsquery`` splits a quoted lexeme into words as the index
did and joins them as a phrase (``<->``), so a word reads alike in the index and the query. As in fts.py,
what ``excludes_only`` marks lists nothing, an exclusion that is an alternative of OR is dropped, and a
prefix* matches the words beginning so (``:*``; of a phrase, its last word).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import bindparam, func, literal_column
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR
from sqlalchemy.types import Text

from desktop_app.query_language import Node, Term, excludes_only, for_index, parse

TEXT_SEARCH_CONFIG = "photo_annotator"  # migration 0013
# The captions' generated tsvector column: the ORM does not describe it (SQLite has no such column).
TEXT_SEARCH = literal_column("captions.text_search", TSVECTOR)
# ts_rank_cd's normalisation: rank / (1 + log(document length)), so that, as with bm25, of two captions
# holding the words alike the shorter ranks first.
RANK_NORMALISATION = 1


def config() -> Any:
    return literal_column(f"'{TEXT_SEARCH_CONFIG}'", REGCONFIG)


def tsquery(expression: str) -> Any:
    """The tsquery of a translated ``expression`` (a bound parameter, read by to_tsquery)."""
    return func.to_tsquery(config(), bindparam(None, expression, type_=Text))


def matches(expression: str, vector: Any = TEXT_SEARCH) -> Any:
    """The condition "the caption's (or ``vector``'s) words match ``expression``"."""
    return vector.op("@@")(tsquery(expression))


def rank(expression: str, vector: Any = TEXT_SEARCH) -> Any:
    """The caption's rank for ``expression``, lower is better (as FTS5's bm25 rank): minus ts_rank_cd."""
    return -func.ts_rank_cd(vector, tsquery(expression), RANK_NORMALISATION)


def translate(text: str, *, typing: bool = False) -> str | None:
    """The tsquery text for what the user typed (see query_language.parse), or None: search nothing."""
    return to_tsquery(parse(text, typing=typing))


def to_tsquery(node: Node | None) -> str | None:
    """The tsquery text for ``node``; None when it can match nothing an index can list (no term, or only
    exclusions)."""
    if node is None or excludes_only(node):
        return None
    return _emit(node)


def phrases(expression: str) -> list[str]:
    """The phrases (lexemes of more than one word) of a translated ``expression``, as typed, case-folded:
    snippets mark a phrase's words as one span, as FTS5's do."""
    found = (_UNQUOTE.sub(lambda quoted: quoted[1] or quoted[2], lexeme).casefold()
             for lexeme in _LEXEME.findall(expression))
    return [" ".join(words) for lexeme in found if len(words := lexeme.split()) > 1]


_LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'", re.DOTALL)
_UNQUOTE = re.compile(r"\\(.)|'(')", re.DOTALL)


def _lexeme(text: str, prefix: bool = False) -> str:
    # Inside quotes, to_tsquery reads a backslash as escaping the next character and '' as a quote.
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def _term(term: Term) -> str:
    if not term.prefix:
        return _lexeme(term.text)
    # to_tsquery gives a quoted phrase's prefix mark to each of its words; FTS5 to its last one.
    *head, last = term.text.split()
    if not head:
        return _lexeme(last, prefix=True)
    return "(" + " <-> ".join([*(_lexeme(word) for word in head), _lexeme(last, prefix=True)]) + ")"


def _emit(node: Node) -> str:
    """The tsquery of ``node``; of what it excludes when ``excludes_only(node)`` (its parent says NOT)."""
    return for_index(node, _term, lambda parts: _join(" & ", parts), lambda parts: _join(" | ", parts),
                     lambda wanted, unwanted: f"({wanted} & !{unwanted})")


def _join(operator: str, parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + operator.join(parts) + ")"
