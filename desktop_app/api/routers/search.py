"""GET /search: `search` over HTTP, every mode (keyword, semantic, hybrid, image) and filter, best first,
in pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from desktop_app.api.auth import Context, Reader

router = APIRouter(tags=["search"])

MAX_HITS = 10_000  # as `search --limit`

Mode = Literal["hybrid", "keyword", "semantic", "image"]
Kind = Literal["description", "alt-text", "extended-description"]


@router.get("/search")
def search(
    ctx: Context, _token: Reader,
    q: Annotated[str, Query(min_length=1, description="Words, \"phrases\", prefix*, AND/OR/NOT, -word.")],
    mode: Mode = "hybrid",
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    offset: Annotated[int, Query(ge=0, lt=MAX_HITS)] = 0,
    state: Literal["any", "approved", "draft", "rejected"] = "any",
    library: str | None = None, folder: str | None = None,
    taken_from: Annotated[date | None, Query(alias="from")] = None,
    taken_to: Annotated[date | None, Query(alias="to")] = None,
    captioner: str | None = None, origin: Literal["ai", "human", "imported"] | None = None,
    kind: Annotated[list[Kind] | None, Query(description="Repeat for several; default: description and "
                                                          "alt text.")] = None,
    keyword: Annotated[list[str] | None, Query(description="Accepted keyword (repeat: all of them).")] = None,
    vocab: str | None = None,
    embedder: Annotated[str | None, Query(description="Default: minilm (image mode: an image-text "
                                                      "embedder such as clip).")] = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Photos whose captions match ``q``, best first: ``items`` (`search --json`'s objects), ``mode``
    (what answered: hybrid answers by keyword, with a notice, when search by meaning cannot run),
    ``notices``, ``offset``, ``limit``, ``more`` (whether hits follow this page) and ``total`` (the
    number of hits when this page is the last, else null: a ranked search stops at the page asked for)."""
    from desktop_app.search.results import SearchMode
    from desktop_app.services.search import open_search, search_filters

    filters = search_filters(ctx.catalogue, library=library, folder=folder, taken_from=taken_from,
                             taken_to=taken_to, state=state, captioner=captioner, origin=origin,
                             kinds=tuple(kind or ()), terms=tuple(keyword or ()), vocab=vocab)
    wanted = min(offset + limit + 1, MAX_HITS)  # one more: whether another page follows
    if embedder is None and model is None:
        with ctx.search_lock:
            result = ctx.search().search(q, SearchMode(mode), filters, wanted)
    else:
        service = open_search(ctx.catalogue, **({"embedder_id": embedder} if embedder else {}), model=model)
        try:
            result = service.search(q, SearchMode(mode), filters, wanted)
        finally:
            service.close()
    hits = result.hits[offset:offset + limit]
    more = len(result.hits) > offset + limit
    return {"items": [hit.to_json() for hit in hits], "mode": result.mode.value, "notices": result.notices,
            "offset": offset, "limit": limit, "more": more,
            "total": None if more else len(result.hits)}
