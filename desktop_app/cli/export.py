"""`photo-annotator export`: the current captions of a selection as CSV, JSON Lines, COCO captions or a
Hugging Face imagefolder."""

from __future__ import annotations

from pathlib import Path

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db
from desktop_app.cli.photos import REVIEW_FILTERS

# The values of exports.ExportFormat, spelled out so `--help` imports no catalogue.
FORMATS = ("csv", "jsonl", "coco", "hf-imagefolder")


@click.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="csv (UTF-8 with BOM, opens in Excel), jsonl, coco (captions JSON), or hf-imagefolder "
                   "(a folder of copies of the photos with metadata.jsonl, for `datasets`).")
@click.option("--state", type=click.Choice(("approved", "any")), default="any", show_default=True,
              help="approved: only photos whose current caption is approved; any: every current caption "
                   "(drafts and rejected ones too, their state in the output).")
@click.option("--library", metavar="PATH|ID", help="Only this library (its folder, or its id).")
@click.option("--review", type=click.Choice(REVIEW_FILTERS), help="Only photos in this review group.")
@click.option("--captioner", metavar="ID", help="Only photos whose current caption this captioner wrote.")
@click.option("--search", "text", metavar="WORDS", help="Only photos whose captions hold these words.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="The file (or, for hf-imagefolder, the folder) to write.")
@click.option("--force", is_flag=True,
              help="Replace the output if it exists (never the catalogue, a library's file or the thumbnail "
                   "cache: those are refused).")
@click.option("--link", is_flag=True,
              help="hf-imagefolder only: hard-link the photos instead of copying them (no extra space). "
                   "Risk: a linked file IS the library photo, so editing an exported image in place edits "
                   "the library photo.")
@json_option
@db_option
def export(fmt: str, state: str, library: str | None, review: str | None, captioner: str | None,
           text: str | None, output: Path, force: bool, link: bool, as_json: bool, db: str | None) -> None:
    """Export the current caption of each selected photo; photos without one are skipped.

    Every format carries the photo's accepted keywords: "keywords" (preferred labels) and
    "keyword_paths" ("Animals|Mammals|Dogs"), lists in JSON Lines, COCO images and imagefolder's
    metadata.jsonl, "; "-joined CSV columns. Medical drafts keep their notice in a "notice" column or
    field. CSV cells that a spreadsheet would
    run as a formula (starting with = + - @, a tab or a carriage return) get a leading quote. With
    --json, the summary is one JSON object: format, output, exported, skipped ({reason: count}),
    skipped_files, linked.
    """
    from desktop_app.exports import ExportError
    from desktop_app.services.exports import export as run_export
    from desktop_app.services.photos import PhotoFilters, photo_query

    if link and fmt != "hf-imagefolder":
        raise click.UsageError("--link applies to --format hf-imagefolder only (the other formats hold no "
                               "photos)")
    catalogue = open_db(db)
    with catalogue.read() as session:  # the selection as `photos` and the HTTP API read it
        query = photo_query(session, PhotoFilters(library=library, review=review, captioner=captioner,
                                                  text=text))
    try:
        report = run_export(catalogue, fmt, output, query,
                            approved_only=state == "approved", force=force, link=link)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        emit_json(report.to_json())
    else:
        echo(report.summary())  # echo shows control characters escaped
        for path, reason in report.skipped_files:
            echo(f"  skipped {path}: {reason}", err=True)
