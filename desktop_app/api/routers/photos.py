"""GET /photos (the `photos` listing: the same filters and sort, in pages with their total) and
GET /photos/{id} (`show --json`: metadata, every caption with its history, the accepted keywords)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from desktop_app.api.auth import Context, Reader
from desktop_app.services.photos import PhotoFilters, photo_page, photo_record

router = APIRouter(tags=["photos"])

MAX_PAGE = 1000

Status = Literal["ok", "missing", "error"]
State = Literal["draft", "approved", "rejected", "none"]
Review = Literal["needs-review", "ai-draft", "approved", "rejected", "edited", "none", "errors", "missing",
                 "flagged"]
Sort = Literal["name", "date-taken", "confidence", "changed", "relevance"]
KeywordStateName = Literal["accepted", "suggested", "rejected", "removed-in-file"]


@router.get("/photos")
def list_photos(
    ctx: Context, _token: Reader,
    library: Annotated[str | None, Query(description="A library's folder or id.")] = None,
    folder: Annotated[str | None, Query(description="A folder on disk or inside the library.")] = None,
    status: Status | None = None, state: State | None = None, review: Review | None = None,
    flagged: bool = False, captioner: str | None = None,
    search: Annotated[str | None, Query(description="Words the captions hold.")] = None,
    keyword: Annotated[list[str] | None, Query(description="Accepted keyword (repeat: all of them).")] = None,
    vocab: str | None = None, keyword_state: KeywordStateName | None = None, sort: Sort = "name",
    desc: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """A page of the photos the filters select, in the `photos` command's order: ``items`` (its JSON
    objects), ``total`` (the whole listing), ``limit``, ``offset``. Pages of one listing never overlap
    and never skip a photo while the catalogue does not change."""
    filters = PhotoFilters(library=library, folder=folder, status=status, state=state, review=review,
                           flagged=flagged, captioner=captioner, text=search, terms=tuple(keyword or ()),
                           vocab=vocab, keyword_state=keyword_state, sort=sort, descending=desc)
    return photo_page(ctx.catalogue, filters, limit=limit, offset=offset, totals=ctx.totals).to_json()


@router.get("/photos/{photo_id}")
def get_photo(photo_id: int, ctx: Context, _token: Reader) -> dict[str, Any]:
    """Everything about a photo: `show --json`."""
    return photo_record(ctx.catalogue, str(photo_id))
