"""`photo-annotator search`: find photos by what their captions say."""

from __future__ import annotations

from datetime import date

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db

MODES = ("hybrid", "keyword", "semantic", "image")  # desktop_app.search.results.SearchMode, hybrid first
ORIGINS = ("ai", "human", "imported")  # desktop_app.catalogue.models.CaptionOrigin


@click.command()
@click.argument("query")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True,
              help="keyword: the words themselves (\"phrases\", prefix*, AND/OR/NOT, -word); semantic: "
                   "by meaning; hybrid: both, fused; image: photos by their pixels, captioned or not, "
                   "with an image-text embedder (--embedder clip, after `embed --photos`).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="At most N photos.")
@click.option("--state", type=click.Choice(["any", "approved", "draft", "rejected"]), default="any",
              show_default=True, help="Search every caption, or only captions in this review state.")
@click.option("--library", metavar="PATH|ID", help="Only photos of this library.")
@click.option("--folder", metavar="PATH", help="Only photos in this folder of the library (and below).")
@click.option("--from", "taken_from", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only photos taken on or after this day.")
@click.option("--to", "taken_to", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only photos taken on or before this day.")
@click.option("--captioner", metavar="ID", help="Only captions written by this captioner.")
@click.option("--origin", type=click.Choice(ORIGINS), help="Only captions a model wrote, a person wrote, "
                                                            "or that were imported from the files.")
@click.option("--embedder", default="minilm", show_default=True,
              help="The text embedder semantic search uses.")
@click.option("--model", metavar="HUB_ID|FOLDER", help="The embedder's model instead of its default.")
@click.option("--device", default="auto", show_default=True, help="Where the embedder runs: cuda, mps, cpu.")
@json_option
@db_option
def search(query: str, mode: str, limit: int, state: str, library: str | None, folder: str | None,
           taken_from: date | None, taken_to: date | None, captioner: str | None, origin: str | None,
           embedder: str, model: str | None, device: str, as_json: bool, db: str | None) -> None:
    """Photos whose captions match QUERY, best first.

    JSON lines carry: photo_id, path, caption_id, caption, score, snippet (the caption with the
    matched words in [brackets], for keyword matches). Run `photo-annotator embed` first for semantic
    search; hybrid search without vectors answers by keyword and says so.
    """
    from desktop_app.catalogue.models import CaptionOrigin, ReviewState
    from desktop_app.catalogue.photos import display_path, find_library
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.search.results import SearchFilters, SearchMode
    from desktop_app.search.service import SearchService

    catalogue = open_db(db)
    library_id = None
    if library:
        with catalogue.read() as session:
            library_id = find_library(session, library).id
    filters = SearchFilters(
        library_id=library_id, folder=folder,
        taken_from=taken_from.date() if taken_from else None, taken_to=taken_to.date() if taken_to else None,
        approved_only=state == "approved",
        state=ReviewState(state) if state in ("draft", "rejected") else None, captioner=captioner,
        origin=CaptionOrigin(origin) if origin else None,
    )
    service = SearchService(catalogue, load_plugins(), embedder_id=embedder, model=model, device=device)
    try:
        result = service.search(query, SearchMode(mode), filters, limit)
    finally:
        service.close()
    for notice in result.notices:
        echo(f"photo-annotator: note: {notice}", err=True)
    for hit in result.hits:
        if as_json:
            emit_json(hit.to_json())
        else:
            echo(f"{hit.score:8.4f}  {display_path(hit.path)}  {hit.snippet or hit.caption}")
