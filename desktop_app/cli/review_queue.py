"""`photo-annotator review-queue`: the photos needing review, most useful first."""

from __future__ import annotations

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db


@click.command("review-queue")
@click.option("--library", metavar="PATH|ID", help="Only this library (its folder, or its id).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many photos.")
@json_option
@db_option
def review_queue(library: str | None, limit: int | None, as_json: bool, db: str | None) -> None:
    """List the photos needing review, most useful first: lowest confidence first (in steps of 0.05),
    and within a step, the photos whose captions are least like any approved caption (novelty: the
    cosine distance to the nearest approved caption's vector, from `photo-annotator embed`).

    A photo whose caption has no vector yet comes after those of its step that have one; captions
    without a confidence come last. Photos another editor is reviewing in the app (a claim that lapses
    after 5 minutes without activity) are left out. JSON lines carry: photo_id, caption_id, path,
    captioner, confidence, novelty (null: unknown).
    """
    from desktop_app.catalogue.photos import display_path, find_library
    from desktop_app.services.review_queue import ReviewQueue

    catalogue = open_db(db)
    library_id = None
    if library:
        with catalogue.read() as session:
            library_id = find_library(session, library).id
    entries = ReviewQueue(catalogue).entries(library_id=library_id, limit=limit)
    if as_json:
        for entry in entries:
            emit_json(entry.to_json())
        return
    if not entries:
        echo("no photo needs review")
        return
    echo(f"{'id':>6}  {'confidence':>10}  {'novelty':>7}  path")
    for entry in entries:
        confidence = "-" if entry.confidence is None else f"{entry.confidence:.3f}"
        novelty = "-" if entry.novelty is None else f"{entry.novelty:.3f}"
        echo(f"{entry.photo_id:>6}  {confidence:>10}  {novelty:>7}  {display_path(entry.path)}")
