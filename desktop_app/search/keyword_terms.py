"""Keywords in a search by words: a query's word or "phrase" that is a keyword's label or one of its
synonyms finds the photos with that keyword accepted, or a narrower one ("animals" finds a photo
tagged Dogs), even when no caption says it.

How a query reads, for a photo with a keyword the query names: its accepted keywords count as words
it holds beside its captions, and the whole query is read against both (so "dog grass" finds a photo
tagged Dogs whose caption says "grass"; "cat -dog" leaves out a photo tagged Dogs). A word matches a
label in its singular or plural ("dog", "Dogs"; "puppy", "Puppies"); a query of plain words matches a
multi-word label as a whole ("golden retriever"), as does a "phrase"; a prefix* matches captions only.

Ranking: the photos found by keyword make a ranking of their own (a keyword the query names before a
narrower one, then those whose captions match too, in caption order); it is fused with the caption
ranking by reciprocal rank, as hybrid search fuses words and meaning, so the first photo found by
keyword scores like the first caption hit and a photo found both ways ranks above either. A photo
found by keyword alone shows "keyword: LABEL" as its snippet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, and_, literal, select
from sqlalchemy.orm import Session

from desktop_app.catalogue.keywords import keyword_photo_ids, named_term_ids
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    KeywordState,
    Photo,
    PhotoKeyword,
    Term,
    TermBroader,
)
from desktop_app.catalogue.photos import absolute_path, library_roots
from desktop_app.catalogue.text_index import ranked_captions, to_expression
from desktop_app.query_language import And, Node, Not, Or, excludes_only, parse
from desktop_app.query_language import Term as Word
from desktop_app.search.results import Matched, SearchFilters, SearchHit, filter_conditions, searched

RRF_K = 60  # reciprocal rank fusion's constant, as search/service.py's
MAX_DEPTH = 32  # hierarchy levels walked below a named term (a cycle in a hand-made vocabulary ends)
IN_CHUNK = 500  # ids per IN (...) list


def with_keyword_matches(session: Session, text: str, filters: SearchFilters,
                         caption_search: Callable[[int], list[SearchHit]], limit: int) -> list[SearchHit]:
    """The best ``limit`` caption hits (``caption_search(n)``: keyword search's first n, best first) with
    the photos the query's keywords find fused in; the caption hits alone when it names no keyword."""
    node = parse(text)
    named = _named(session, node) if node is not None else {}
    found = _keyword_photos(session, named, filters)  # query node -> the photos it finds by keyword
    candidates = set().union(*found.values())
    if node is None or not candidates:
        return caption_search(limit)
    matched = candidates if node in found and isinstance(node, Word) else _Reader(
        session, found, candidates, filters).read(node)
    fetch = limit
    while True:  # caption hits the query's keywords exclude drop out: fetch more to keep ``limit``
        caption_hits = caption_search(fetch)
        kept = [hit for hit in caption_hits if hit.photo_id not in candidates or hit.photo_id in matched]
        if len(kept) >= limit or len(caption_hits) < fetch:
            break
        fetch *= 4
    kept = kept[:limit]
    wanted = _positive(node)
    by_keyword = matched & set().union(*(photos for query_node, photos in found.items()
                                         if query_node in wanted))
    caption_rank = {hit.photo_id: rank for rank, hit in enumerate(kept)}
    seeds = set().union(*(ids for query_node, ids in named.items() if query_node in wanted))
    best = _nearest(session, seeds, by_keyword,
                    [photo_id for photo_id in caption_rank if photo_id in by_keyword], limit)
    order = sorted(best, key=lambda photo_id: (best[photo_id][0], caption_rank.get(photo_id, len(kept)),
                                               photo_id))[:limit]
    return _fused(kept, _hits(session, order, best, {hit.photo_id: hit for hit in kept}), limit)


def _positive(node: Node) -> set[Node]:
    """The nodes of the query that are looked for (not under a NOT)."""
    if isinstance(node, Not):
        return set()
    if isinstance(node, Word):
        return {node}
    return {node}.union(*(_positive(child) for child in node.children))


def _words(node: Node) -> list[Word]:
    if isinstance(node, Word):
        return [node]
    if isinstance(node, Not):
        return _words(node.child)
    return [word for child in node.children for word in _words(child)]


def _named(session: Session, node: Node) -> dict[Node, set[int]]:
    """The query's words, phrases, and its plain words read as one label, that name terms: their ids."""
    texts: dict[Node, str] = {word: word.text for word in _words(node) if not word.prefix}
    if isinstance(node, And) and all(isinstance(child, Word) and not child.phrase and not child.prefix
                                     for child in node.children):
        texts[node] = " ".join(child.text for child in node.children)  # type: ignore[union-attr]
    named: dict[Node, set[int]] = {}
    for query_node, text in texts.items():
        terms = named_term_ids(text)
        ids = set(session.scalars(terms)) if terms is not None else set()
        if ids:
            named[query_node] = ids
    return named


def _allowed(filters: SearchFilters) -> Select[Any] | None:
    """The photos the filters let through (with a caption that passes, when a caption filter is set),
    or None for all."""
    if filters.approved_only or filters.state or filters.captioner or filters.origin:
        return (select(Caption.photo_id).join(Photo, Photo.id == Caption.photo_id)
                .where(searched(filters), *filter_conditions(filters)))
    conditions = filter_conditions(filters)
    return select(Photo.id).where(*conditions) if conditions else None


def _keyword_photos(session: Session, named: dict[Node, set[int]],
                    filters: SearchFilters) -> dict[Node, set[int]]:
    """Per query node: the photos (that the filters let through) with an accepted keyword it names or
    one below it."""
    allowed = _allowed(filters)
    found: dict[Node, set[int]] = {}
    for query_node, seeds in named.items():
        query = keyword_photo_ids(select(Term.id).where(Term.id.in_(sorted(seeds))))
        if allowed is not None:
            query = query.where(PhotoKeyword.photo_id.in_(allowed))
        photos = set(session.scalars(query))
        if photos:
            found[query_node] = photos
    return found


def _nearest(session: Session, seeds: set[int], photos: set[int], also: list[int],
             limit: int) -> dict[int, tuple[int, str]]:
    """For the first ``limit`` of ``photos`` by how far below a term of ``seeds`` their keyword is (then
    by id), and for those of ``also``: that depth and their keyword's label."""
    tree = (select(Term.id.label("id"), literal(0).label("depth")).where(Term.id.in_(sorted(seeds)))
            .cte("named", recursive=True))
    tree = tree.union(select(TermBroader.term_id, tree.c.depth + 1)
                      .join(tree, TermBroader.broader_id == tree.c.id).where(tree.c.depth < MAX_DEPTH))
    rows = (select(PhotoKeyword.photo_id, tree.c.depth, Term.label)
            .join(tree, tree.c.id == PhotoKeyword.term_id).join(Term, Term.id == PhotoKeyword.term_id)
            .where(PhotoKeyword.state == KeywordState.ACCEPTED)
            .order_by(tree.c.depth, Term.label_key, PhotoKeyword.photo_id))
    best: dict[int, tuple[int, str]] = {}
    for photo_id, depth, label in session.execute(rows.where(PhotoKeyword.photo_id.in_(also))):
        best.setdefault(photo_id, (depth, label))
    firsts = 0
    fetch = limit * 4
    while True:
        seen = 0
        for photo_id, depth, label in session.execute(rows.limit(fetch)):
            seen += 1
            if photo_id in photos and photo_id not in best:
                best[photo_id] = (depth, label)
                firsts += 1
                if firsts >= limit:
                    return best
        if seen < fetch:
            return best
        fetch *= 4


class _Reader:
    """A query read against the candidate photos' captions and keywords together, as sets of photos
    (the index's reading of NOT and OR kept: see catalogue/fts.py)."""

    def __init__(self, session: Session, found: dict[Node, set[int]], candidates: set[int],
                 filters: SearchFilters) -> None:
        self.session, self.found, self.candidates, self.filters = session, found, candidates, filters
        self._captions: dict[Word, set[int]] = {}

    def read(self, node: Node) -> set[int]:
        by_keyword = set(self.found.get(node, ()))
        if isinstance(node, Word):
            return by_keyword | self._by_caption(node)
        if isinstance(node, Not):
            return self.candidates - self.read(node.child)
        wanted = [self.read(child) for child in node.children if not excludes_only(child)]
        if isinstance(node, Or):
            return by_keyword.union(*wanted)
        unwanted = [self._excluded(child) for child in node.children if excludes_only(child)]
        kept = set.intersection(*wanted) if wanted else set(self.candidates)
        return by_keyword | kept.difference(*unwanted)

    def _excluded(self, node: Node) -> set[int]:
        """What an exclusions-only node leaves out: NOT a AND NOT b, a or b; NOT a OR NOT b, a and b."""
        if isinstance(node, Not):
            return self.read(node.child)
        if isinstance(node, Word):
            return set()
        parts = [self._excluded(child) for child in node.children]
        return set().union(*parts) if isinstance(node, And) else set.intersection(*parts)

    def _by_caption(self, word: Word) -> set[int]:
        if word not in self._captions:
            expression = to_expression(self.session, word)
            found: set[int] = set()
            if expression is not None:
                hits = ranked_captions(self.session, expression).subquery()
                query = (select(Caption.photo_id).join(hits, hits.c.caption_id == Caption.id)
                         .join(Photo, Photo.id == Caption.photo_id)
                         .where(searched(self.filters),
                                *filter_conditions(self.filters)))
                if len(self.candidates) <= IN_CHUNK:
                    query = query.where(Caption.photo_id.in_(sorted(self.candidates)))
                # Else every match at once: one pass over the index beats one per chunk of candidates.
                found.update(self.session.scalars(query))
                found &= self.candidates
            self._captions[word] = found
        return self._captions[word]


def _hits(session: Session, photo_ids: Iterable[int], best: dict[int, tuple[int, str]],
          caption_hits: dict[int, SearchHit]) -> list[SearchHit]:
    """A hit per photo: its caption hit when it has one, else its current description (if any) with
    "keyword: LABEL" as the snippet."""
    ids = list(photo_ids)
    rows: dict[int, Any] = {}
    others = [photo_id for photo_id in ids if photo_id not in caption_hits]
    for start in range(0, len(others), IN_CHUNK):
        for row in session.execute(
                select(Photo.id, Photo.library_id, Photo.rel_path, Caption.id, Caption.text)
                .outerjoin(Caption, and_(Caption.photo_id == Photo.id, Caption.is_current.is_(True),
                                         Caption.kind == CaptionKind.DESCRIPTION))
                .where(Photo.id.in_(others[start:start + IN_CHUNK]))):
            rows[row[0]] = row
    roots = library_roots(session) if rows else {}
    hits = []
    for photo_id in ids:
        if photo_id in caption_hits:
            hits.append(caption_hits[photo_id])
        elif (row := rows.get(photo_id)) is not None:
            _id, library_id, rel_path, caption_id, text = row
            hits.append(SearchHit(photo_id=photo_id, caption_id=caption_id,
                                  path=absolute_path(roots[library_id], rel_path), caption=text or "",
                                  score=0.0, snippet=f"keyword: {best[photo_id][1]}", matched=Matched.KEYWORD,
                                  kind=CaptionKind.DESCRIPTION if caption_id is not None else None))
    return hits


def _fused(caption_hits: list[SearchHit], keyword_hits: list[SearchHit], limit: int) -> list[SearchHit]:
    """The two rankings fused by reciprocal rank; scores relative to the best (1.0)."""
    scores: dict[int, float] = {}
    shown: dict[int, SearchHit] = {}
    for ranking in (caption_hits, keyword_hits):
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.photo_id] = scores.get(hit.photo_id, 0.0) + 1.0 / (RRF_K + rank)
            shown.setdefault(hit.photo_id, hit)
    if not scores:
        return []
    top = max(scores.values())
    order = sorted(shown, key=lambda photo_id: -scores[photo_id])[:limit]  # stable: caption order on ties
    return [replace(shown[photo_id], score=scores[photo_id] / top) for photo_id in order]
