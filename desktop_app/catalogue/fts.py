"""The catalogue's keyword index in SQLite (FTS5, migration 0002), and the translation of a parsed
search query (desktop_app.query_language) into a safe FTS5 MATCH expression.

The translator walks the syntax tree; another catalogue's index gets a sibling module that walks the
same tree (PostgreSQL's ``tsquery``, say) and keeps the same meaning: what ``excludes_only`` marks lists
nothing, and an exclusion that is an alternative of OR is dropped. Every word or phrase reaches FTS5
quoted, so nothing a user types is read as FTS5 syntax (``NEAR``, ``*``, ``:``, ``^``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, literal_column, table

from desktop_app.catalogue.models import CaptionKind
from desktop_app.query_language import Node, Term, excludes_only, for_index, parse

FTS_TABLE = "captions_fts"  # its shadow tables share the name as a prefix
# The index's tokenizer, as migration 0002 made it: a throwaway index that must split words as the
# catalogue's does (search snippets) uses it too.
TOKENIZER = "porter unicode61 remove_diacritics 2"
# The FTS5 table as queries see it; its hidden "rank" column is the bm25 score (lower is better).
caption_index = table(FTS_TABLE, column("rowid"), column("rank"))
# The index holds every caption's text; a search looks at the photos' current captions of these kinds
# unless told otherwise (`search --kind`): what a photo says now, not superseded drafts or kept texts.
SEARCHED_KINDS = (CaptionKind.DESCRIPTION, CaptionKind.ALT_TEXT)


def matches(expression: str) -> Any:
    """The condition "the indexed caption matches the FTS5 ``expression``"."""
    return literal_column(FTS_TABLE).op("MATCH")(expression)


def translate(text: str, *, typing: bool = False) -> str | None:
    """The FTS5 MATCH expression for what the user typed (see query_language.parse; ``typing``: the last
    word is a prefix while it is being typed), or None: search nothing."""
    return to_fts(parse(text, typing=typing))


def to_fts(node: Node | None) -> str | None:
    """The FTS5 MATCH expression for ``node``; None when it can match nothing FTS5 can list (no term,
    or only exclusions)."""
    if node is None or excludes_only(node):
        return None
    return _emit(node).text


@dataclass(frozen=True)
class _Fts:
    text: str
    atom: bool  # a single quoted term: needs no parentheses anywhere


def _emit(node: Node) -> _Fts:
    """The expression of ``node``; of what it excludes when ``excludes_only(node)`` (its parent says NOT)."""
    return for_index(node, _term, _all, _any,
                     lambda wanted, unwanted: _Fts(f"{_group(wanted)} NOT {_group(unwanted)}", False))


def _term(term: Term) -> _Fts:
    return _Fts('"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else ""), True)


def _group(part: _Fts) -> str:
    return part.text if part.atom else f"({part.text})"


def _all(parts: list[_Fts]) -> _Fts:
    if len(parts) == 1:
        return parts[0]
    if all(part.atom for part in parts):
        return _Fts(" ".join(part.text for part in parts), False)
    # FTS5 refuses an implicit AND before a parenthesis: say AND.
    return _Fts(" AND ".join(_group(part) for part in parts), False)


def _any(parts: list[_Fts]) -> _Fts:
    if len(parts) == 1:
        return parts[0]
    return _Fts(" OR ".join(_group(part) for part in parts), False)
