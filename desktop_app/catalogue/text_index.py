"""The catalogue's caption text index, whichever database holds it: SQLite's FTS5 table (fts.py) or
PostgreSQL's generated tsvector column (fts_postgres.py). A parsed query becomes the engine's expression
(a string, always passed as a bound parameter), and ``ranked_captions`` lists the captions matching it
with a rank, lower is better, as FTS5's bm25 rank reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from desktop_app.catalogue import fts, fts_postgres
from desktop_app.catalogue.models import Caption
from desktop_app.query_language import Node, parse


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def to_expression(session: Session, node: Node | None) -> str | None:
    """The index's expression for ``node``; None when it can list nothing (see query_language)."""
    return fts_postgres.to_tsquery(node) if is_postgres(session) else fts.to_fts(node)


def translate(session: Session, text: str, *, typing: bool = False) -> str | None:
    """The index's expression for what the user typed (query_language.parse), or None: search nothing."""
    return to_expression(session, parse(text, typing=typing))


def ranked_captions(session: Session, expression: str) -> Select[Any]:
    """(caption_id, rank) of every caption matching ``expression``, unordered; rank: lower is better."""
    if is_postgres(session):
        return select(Caption.id.label("caption_id"),
                      fts_postgres.rank(expression).label("rank")).where(fts_postgres.matches(expression))
    return select(fts.caption_index.c.rowid.label("caption_id"),
                  fts.caption_index.c.rank.label("rank")).where(fts.matches(expression))
