"""Keyword search over caption text with the catalogue's FTS5 index (migration 0002), ranked by bm25.

What the user types is read in our own query language (desktop_app.query_language: words, "phrases",
prefix*, AND / OR / NOT, -exclusion, parentheses) and reaches FTS5 only as a safe expression
(desktop_app.catalogue.fts).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select, true
from sqlalchemy.orm import Session

from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS
from desktop_app.catalogue.fts import TOKENIZER, caption_index, matches, translate
from desktop_app.catalogue.models import Caption, Photo
from desktop_app.catalogue.photos import absolute_path, library_roots
from desktop_app.search.keyword_terms import with_keyword_matches
from desktop_app.search.results import Matched, SearchFilters, SearchHit, filter_conditions, searched

NO_FILTERS = SearchFilters()  # frozen: safe as a default
OVERFETCH = 3  # caption rows fetched per hit wanted: most photos hold one or two captions
IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-parameter limit
SNIPPET_TOKENS = 24  # a longer caption is cut around its matches, with "…"
# Snippets are made from a caption's first SNIPPET_WINDOW characters only: FTS5's snippet() takes time
# that grows with the square of the text's length (4.7 s for 1 MB; an 8.7 MB caption took 100 s), and
# captions longer than the limit on edits can still be in a catalogue. Within the limit, the whole text.
SNIPPET_WINDOW = MAX_CAPTION_CHARS


def keyword_search(
    session: Session, text: str, filters: SearchFilters = NO_FILTERS, limit: int = 20
) -> list[SearchHit]:
    """The photos whose current captions of ``filters.kinds`` (the description and the alt text unless
    told) match ``text``, best bm25 first, one hit per photo (through its best-matching caption), at
    most ``limit``; with the photos whose accepted keywords the query names fused in (keyword_terms.py).
    Any text is safe; one that can match nothing gives []."""
    expression = translate(text)
    if expression is None or limit <= 0:
        return []
    return with_keyword_matches(session, text, filters,
                                lambda wanted: _caption_hits(session, expression, filters, wanted), limit)


def _caption_hits(session: Session, expression: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
    best = _best_caption_per_photo(session, expression, filters, limit)
    if not best:
        return []
    caption_ids = [caption_id for caption_id, _rank in best]
    rows = {
        row.id: row
        for row in session.execute(
            select(Caption.id, Caption.photo_id, Caption.text, Caption.kind, Photo.library_id, Photo.rel_path)
            .join(Photo, Photo.id == Caption.photo_id)
            .where(Caption.id.in_(caption_ids))
        )
    }
    snippets = _snippets(expression, ((caption_id, row.text) for caption_id, row in rows.items()))
    roots = library_roots(session)
    # bm25 is negative, lower is better, and its scale depends on the collection: relative to the best
    # hit it reads as a relevance, 1.0 for the best match.
    best_rank = min(rank for _caption_id, rank in best)
    return [
        SearchHit(
            photo_id=row.photo_id,
            caption_id=caption_id,
            path=absolute_path(roots[row.library_id], row.rel_path),
            caption=row.text,
            score=rank / best_rank if best_rank < 0 else 1.0,
            snippet=snippets.get(caption_id) or opening(row.text),
            matched=Matched.WORDS,
            kind=row.kind,
        )
        for caption_id, rank in best
        if (row := rows.get(caption_id)) is not None
    ]


def opening(text: str, words: int = SNIPPET_TOKENS) -> str:
    """The first ``words`` words of ``text`` (read from a bounded prefix), with "…" when there is more."""
    head = text[:SNIPPET_WINDOW].split(maxsplit=words)
    cut = len(head) > words or len(text) > SNIPPET_WINDOW
    return " ".join(head[:words]) + ("…" if cut else "")


def _snippets(expression: str, captions: Iterable[tuple[int, str]]) -> dict[int, str]:
    """caption id -> the caption with the words matching ``expression`` in [brackets], cut to about
    SNIPPET_TOKENS words around them, made by FTS5's snippet() from the caption's first SNIPPET_WINDOW
    characters in a throwaway in-memory index with the catalogue's tokenizer (so its words match as the
    search's did). A caption whose match lies beyond the window has none (callers show its opening)."""
    with sqlite3.connect(":memory:") as connection:
        connection.execute(f"CREATE VIRTUAL TABLE hits USING fts5(text, tokenize='{TOKENIZER}')")
        connection.executemany("INSERT INTO hits(rowid, text) VALUES (?, ?)",
                               ((caption_id, text[:SNIPPET_WINDOW]) for caption_id, text in captions))
        rows = connection.execute(
            "SELECT rowid, snippet(hits, 0, '[', ']', '…', ?) FROM hits WHERE hits MATCH ?",
            (SNIPPET_TOKENS, expression)).fetchall()
    connection.close()
    return dict(rows)


def matching_captions(session: Session, expression: str, caption_ids: Iterable[int]) -> set[int]:
    """Those of ``caption_ids`` whose text matches the FTS5 ``expression`` (such as a query's exclusions,
    applied to captions found by meaning)."""
    ids = list(caption_ids)
    found: set[int] = set()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        found.update(session.scalars(
            select(caption_index.c.rowid).where(matches(expression), caption_index.c.rowid.in_(chunk))))
    return found


def _best_caption_per_photo(
    session: Session, expression: str, filters: SearchFilters, limit: int
) -> list[tuple[int, float]]:
    """(caption id, bm25) of the best-ranked matching caption of each of the ``limit`` best photos.

    SQLite ranks and cuts to the first rows; a photo with several matching captions takes several
    of them, so fetch more than ``limit`` rows, and more again only if duplicates left too few.
    """
    fetch = limit * OVERFETCH
    while True:
        best: dict[int, tuple[int, float]] = {}
        rows = session.execute(_ranked(expression, filters, fetch)).all()
        for caption_id, photo_id, rank, eligible in rows:
            if eligible and photo_id not in best:
                best[photo_id] = (caption_id, rank)
                if len(best) == limit:
                    return list(best.values())
        if len(rows) < fetch:  # every match seen
            return list(best.values())
        fetch *= 4


def _ranked(expression: str, filters: SearchFilters, fetch: int) -> Select[Any]:
    """(caption id, photo id, bm25, whether the search looks at it) of the first ``fetch`` matching
    captions, best first."""
    conditions = filter_conditions(filters)
    if not conditions:
        # Rank and cut inside the index alone; only the rows kept meet the captions table, which says
        # which of them are current captions of the kinds searched (most are).
        top = (
            select(caption_index.c.rowid, caption_index.c.rank)
            .where(matches(expression))
            .order_by(caption_index.c.rank)
            .limit(fetch)
            .subquery()
        )
        return (
            select(top.c.rowid, Caption.photo_id, top.c.rank, searched(filters).label("eligible"))
            .join(Caption, Caption.id == top.c.rowid)
            .order_by(top.c.rank)
        )
    return (
        select(caption_index.c.rowid, Caption.photo_id, caption_index.c.rank, true().label("eligible"))
        .select_from(caption_index)
        .join(Caption, Caption.id == caption_index.c.rowid)
        .join(Photo, Photo.id == Caption.photo_id)
        .where(matches(expression), searched(filters), *conditions)
        .order_by(caption_index.c.rank)
        .limit(fetch)
    )
