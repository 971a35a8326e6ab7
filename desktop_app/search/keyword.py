"""Keyword search over caption text with the catalogue's text index: on SQLite its FTS5 table (migration
0002), ranked by bm25; on PostgreSQL its generated tsvector column (migration 0013), ranked by ts_rank_cd.

What the user types is read in our own query language (desktop_app.query_language: words, "phrases",
prefix*, AND / OR / NOT, -exclusion, parentheses) and reaches the index only as a safe expression
(desktop_app.catalogue.fts, fts_postgres; text_index picks the one of the catalogue's database).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session

from desktop_app.catalogue import fts_postgres
from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS
from desktop_app.catalogue.fts import TOKENIZER, caption_index, matches
from desktop_app.catalogue.models import Caption, Photo
from desktop_app.catalogue.photos import absolute_path, library_roots
from desktop_app.catalogue.text_index import is_postgres, ranked_captions, translate
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
# PostgreSQL ranks the first RANK_BOUND matching captions the index gives (in table order), not every one:
# ts_rank_cd reads each match's tsvector (about 4 us each), and a word in half of a million captions
# would take seconds. tests/benchmarks/team_search.py reports the top-20 overlap with full ranking: at
# 1,000,000 captions 0.77 (mean) with 5,000, 0.89 with 10,000 and 0.97 with 20,000, whose p95 went
# past half a second on 2 cores; a query matching fewer captions than the bound is ranked exactly.
RANK_BOUND = 5_000
_MARK_START, _MARK_END = "\x02", "\x03"  # ts_headline's markers, made "[" and "]" once the text is cut
_MARKED = re.compile(f"({_MARK_START}[^{_MARK_END}]*{_MARK_END})")
_HEADLINE_OPTIONS = (f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords={SNIPPET_TOKENS}, "
                     f"MinWords={SNIPPET_TOKENS // 2}, ShortWord=0, MaxFragments=1")


def keyword_search(
    session: Session, text: str, filters: SearchFilters = NO_FILTERS, limit: int = 20
) -> list[SearchHit]:
    """The photos whose current captions of ``filters.kinds`` (the description and the alt text unless
    told) match ``text``, best bm25 first, one hit per photo (through its best-matching caption), at
    most ``limit``; with the photos whose accepted keywords the query names fused in (keyword_terms.py).
    Any text is safe; one that can match nothing gives []."""
    expression = translate(session, text)
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
    if is_postgres(session):
        snippets = _headlines(session, expression, list(rows))
    else:
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


def _headlines(session: Session, expression: str, caption_ids: list[int]) -> dict[int, str]:
    """PostgreSQL's _snippets: ts_headline over each caption's first SNIPPET_WINDOW characters, with the
    same markers, and "…" where the text goes on (ts_headline says nothing of that)."""
    window = func.left(Caption.text, SNIPPET_WINDOW)
    query = fts_postgres.tsquery(expression)
    phrases = fts_postgres.phrases(expression)
    snippets: dict[int, str] = {}
    for start in range(0, len(caption_ids), IN_CHUNK):
        for caption_id, text, headline in session.execute(
                select(Caption.id, window, func.ts_headline(fts_postgres.config(), window, query,
                                                            _HEADLINE_OPTIONS))
                .where(Caption.id.in_(caption_ids[start:start + IN_CHUNK]),
                       func.to_tsvector(fts_postgres.config(), window).op("@@")(query))):
            plain = headline.replace(_MARK_START, "").replace(_MARK_END, "").strip()
            marked = _joined_phrases(headline.strip(), phrases)
            before = "" if text.lstrip().startswith(plain) else "…"
            after = "" if text.rstrip().endswith(plain) and len(text) < SNIPPET_WINDOW else "…"
            snippets[caption_id] = before + marked.replace(_MARK_START, "[").replace(_MARK_END, "]") + after
    return snippets


def _joined_phrases(headline: str, phrases: list[str]) -> str:
    """ts_headline marks each word; FTS5 marks a phrase's words as one span: join the marks of
    neighbouring words that are one of ``phrases``."""
    if not phrases:
        return headline
    parts = _MARKED.split(headline)  # text, mark, text, mark... (the marks at odd indexes)
    joined = [parts[0]]
    for index in range(1, len(parts), 2):
        mark, after = parts[index], parts[index + 1]
        if len(joined) > 1 and joined[-1] == " " and joined[-2].startswith(_MARK_START):
            words = f"{joined[-2][1:-1]} {mark[1:-1]}".casefold()
            if any(f" {words} " in f" {phrase} " for phrase in phrases):
                joined[-2:] = [joined[-2][:-1] + " " + mark[1:]]
                joined.append(after)
                continue
        joined += [mark, after]
    return "".join(joined)


def matching_captions(session: Session, expression: str, caption_ids: Iterable[int]) -> set[int]:
    """Those of ``caption_ids`` whose text matches the index ``expression`` (such as a query's
    exclusions, applied to captions found by meaning)."""
    ids = list(caption_ids)
    hits = ranked_captions(session, expression).subquery()
    found: set[int] = set()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        found.update(session.scalars(select(hits.c.caption_id).where(hits.c.caption_id.in_(chunk))))
    return found


def _best_caption_per_photo(
    session: Session, expression: str, filters: SearchFilters, limit: int
) -> list[tuple[int, float]]:
    """(caption id, rank) of the best-ranked matching caption of each of the ``limit`` best photos.

    SQLite ranks and cuts to the first rows; a photo with several matching captions takes several
    of them, so fetch more than ``limit`` rows, and more again only if duplicates left too few.
    """
    fetch = limit * OVERFETCH
    ranked = _ranked_postgres if is_postgres(session) else _ranked
    while True:
        best: dict[int, tuple[int, float]] = {}
        rows = session.execute(ranked(expression, filters, fetch)).all()
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


def _ranked_postgres(expression: str, filters: SearchFilters, fetch: int) -> Select[Any]:
    """_ranked on PostgreSQL: the first RANK_BOUND matching captions the search looks at, ranked."""
    conditions = filter_conditions(filters)
    matching = select(Caption.id, Caption.photo_id, fts_postgres.TEXT_SEARCH.label("words"))
    if conditions:
        matching = matching.join(Photo, Photo.id == Caption.photo_id)
    first = (matching.where(fts_postgres.matches(expression), searched(filters), *conditions)
             .limit(RANK_BOUND).subquery())
    rank = fts_postgres.rank(expression, first.c.words)
    return (select(first.c.id, first.c.photo_id, rank, true().label("eligible"))
            .order_by(rank, first.c.id).limit(fetch))
