"""What every search mode takes and returns: the filters a user can set and one hit per photo.

Keyword, semantic and hybrid search all take a SearchFilters and return SearchHits, so the CLI, the
GUI's search box and the fusion of modes handle them alike.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_

from desktop_app.catalogue.fts import SEARCHED_KINDS
from desktop_app.catalogue.keywords import keyword_photo_ids
from desktop_app.catalogue.models import Caption, CaptionKind, CaptionOrigin, Photo, ReviewState


class SearchMode(enum.StrEnum):
    KEYWORD = "keyword"
    SEMANTIC = "semantic"
    HYBRID = "hybrid"  # the default: keyword and semantic ranks fused
    IMAGE = "image"  # photos by their pixels, through an image-text embedder (CLIP, SigLIP)


@dataclass(frozen=True)
class SearchFilters:
    """Which captions a search looks at. The defaults: the current description and alt text of every
    photo (``kinds``: the current captions of these kinds; never a superseded or kept-beside one)."""

    library_id: int | None = None
    folder: str | None = None  # a folder inside the library ("a/b"): it and below
    taken_from: date | None = None  # the photo's date taken, inclusive
    taken_to: date | None = None  # inclusive
    approved_only: bool = False  # `--state approved`: only captions an editor approved
    state: ReviewState | None = None  # the caption's review state (approved_only wins)
    captioner: str | None = None
    origin: CaptionOrigin | None = None
    kinds: tuple[CaptionKind, ...] = SEARCHED_KINDS
    # Only photos with each of these terms (ids; AND), or a term below it in its hierarchy, as an
    # accepted keyword (`search --keyword`): every mode, as PhotoQuery.keyword_terms does for lists.
    keyword_terms: tuple[int, ...] = ()


class Matched(enum.StrEnum):
    """How a hit was found."""

    WORDS = "words"  # its caption holds the query's words (keyword search)
    KEYWORD = "keyword"  # it has an accepted keyword the query names (or a narrower one), its caption not
    MEANING = "meaning"  # its caption means something close (semantic search), without the words
    BOTH = "both"  # hybrid: by its words and by meaning
    PIXELS = "pixels"  # image search: by the photo itself


@dataclass(frozen=True)
class SearchHit:
    """One photo found, through its best-matching caption. ``score``: higher is better, 1.0 at best
    (keyword: bm25 relevance relative to the best hit of the same search; semantic and image: the cosine
    similarity of the query and the caption or photo; hybrid: the fused reciprocal-rank score relative to
    a photo both rankings put first). ``snippet``: a bounded extract of the caption with the matched
    words between [ and ] (keyword matches), else None."""

    photo_id: int
    caption_id: int | None  # None: a photo found by its pixels (image-text search) that has no caption
    path: str
    caption: str
    score: float
    snippet: str | None = None
    matched: Matched | None = None
    kind: CaptionKind | None = None  # the caption's kind (the description, the alt text...); None: no caption

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (`search --json`): add keys, never rename or remove them."""
        return {"photo_id": self.photo_id, "path": self.path, "caption_id": self.caption_id,
                "caption": self.caption, "score": round(self.score, 6), "snippet": self.snippet,
                "matched": self.matched.value if self.matched else None,
                "kind": self.kind.value if self.kind else None}


def filter_conditions(filters: SearchFilters, caption: Any = Caption) -> list[ColumnElement[bool]]:
    """WHERE conditions for ``filters`` on a query joining ``caption`` (the Caption entity or an alias)
    with Photo on caption.photo_id == Photo.id."""
    conditions: list[ColumnElement[bool]] = []
    if filters.library_id is not None:
        conditions.append(Photo.library_id == filters.library_id)
    if filters.folder:
        prefix = filters.folder.strip("/") + "/"
        # An index range on rel_path: everything that starts with "folder/" (see photos.list_photos).
        conditions += [Photo.rel_path >= prefix, Photo.rel_path < prefix[:-1] + "0"]
    if filters.taken_from is not None:
        conditions.append(Photo.date_taken >= datetime.combine(filters.taken_from, time.min))
    if filters.taken_to is not None:
        conditions.append(Photo.date_taken < datetime.combine(filters.taken_to + timedelta(days=1), time.min))
    for term_id in dict.fromkeys(filters.keyword_terms):
        conditions.append(Photo.id.in_(keyword_photo_ids(term_id)))
    if filters.approved_only:
        conditions.append(caption.state == ReviewState.APPROVED)
    elif filters.state is not None:
        conditions.append(caption.state == filters.state)
    if filters.captioner:
        conditions.append(caption.captioner_id == filters.captioner)
    if filters.origin is not None:
        conditions.append(caption.origin == filters.origin)
    return conditions


def searched(filters: SearchFilters, caption: Any = Caption) -> ColumnElement[bool]:
    """The condition "``caption`` is one a search with ``filters`` looks at": a current caption of one
    of its kinds."""
    return and_(caption.is_current.is_(True), caption.kind.in_(filters.kinds))


def is_unfiltered(filters: SearchFilters) -> bool:
    return filters == SearchFilters()
