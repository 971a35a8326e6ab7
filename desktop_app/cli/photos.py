"""`photo-annotator photos` and `show`: list photos and look at one in full."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db

STATUSES = ("ok", "missing", "error")
STATES = ("draft", "approved", "rejected", "none")
# The values of catalogue.photos.ReviewFilter and SortKey, spelled out so `--help` imports no catalogue.
REVIEW_FILTERS = ("needs-review", "ai-draft", "approved", "rejected", "edited", "none", "errors", "missing",
                  "flagged")
SORT_KEYS = ("name", "date-taken", "confidence", "changed", "relevance")
# catalogue.models.KeywordState's values a filter takes (withdrawn: as if never added).
KEYWORD_STATES = ("accepted", "suggested", "rejected", "removed-in-file")
JSON_BATCH = 500  # photos per accepted-keywords query in --json output
# catalogue.models.CaptionKind's values, in the order `show` lists them, with their headings.
KIND_HEADINGS = {"description": "Description", "alt-text": "Alt text",
                 "extended-description": "Extended description"}


@click.command()
@click.option("--library", metavar="PATH|ID", help="Only this library (its folder, or its id).")
@click.option("--folder", metavar="PATH",
              help="Only photos in this folder and below: a path on disk, or a folder inside the library "
                   "(e.g. 2021/paris).")
@click.option("--status", type=click.Choice(STATUSES), help="Only photos with this file status.")
@click.option("--state", type=click.Choice(STATES),
              help="Only photos whose current caption is in this review state ('none': no caption).")
@click.option("--review", type=click.Choice(REVIEW_FILTERS),
              help="Only photos needing review, AI drafts, approved, rejected, edited by a person, without "
                   "a caption, with unreadable files, missing files, or flagged drafts.")
@click.option("--flagged", is_flag=True,
              help="Only photos whose current caption is a draft with flags to check (`flags PHOTO` lists "
                   "them): the same as --review flagged.")
@click.option("--captioner", metavar="ID", help="Only photos whose current caption this captioner wrote.")
@click.option("--search", "text", metavar="WORDS", help="Only photos whose captions hold these words.")
@click.option("--keyword", "terms", multiple=True, metavar="TERM",
              help="Only photos with this accepted keyword or a narrower one (a label or a synonym; "
                   "repeat for photos with all of them).")
@click.option("--vocab", metavar="NAME",
              help="The vocabulary of --keyword's terms, where a label is in several.")
@click.option("--keyword-state", type=click.Choice(KEYWORD_STATES),
              help="With --keyword: the keyword in this state instead of accepted; alone: photos with any "
                   "keyword in it (suggested: suggestions to review; removed-in-file: taken out of the file "
                   "by another program).")
@click.option("--sort", type=click.Choice(SORT_KEYS), default="name", show_default=True,
              help="Order of the list (relevance: best keyword match first, with --search).")
@click.option("--desc", is_flag=True, help="Reverse the order (newest, most confident first).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many photos.")
@json_option
@db_option
def photos(library: str | None, folder: str | None, status: str | None, state: str | None, review: str | None,
           flagged: bool, captioner: str | None, text: str | None, terms: tuple[str, ...], vocab: str | None,
           keyword_state: str | None, sort: str, desc: bool, limit: int | None, as_json: bool,
           db: str | None) -> None:
    """List photos with their status and current caption, under a header line; by name (natural
    order: "img2" before "IMG10", case-insensitive) unless --sort says otherwise.

    JSON lines carry: id, path, library, status, error, format, width, height, date_taken,
    caption (the current description), caption_origin, caption_state, captioner, confidence,
    caption_notice, alt_text (the current alt text, or null), keywords (the accepted keywords' labels).
    """
    from desktop_app.catalogue.keywords import accepted_labels
    from desktop_app.catalogue.photos import display_path
    from desktop_app.services.photos import PhotoFilters
    from desktop_app.services.photos import listing as photo_listing

    if flagged and review not in (None, "flagged"):  # before opening any catalogue
        raise click.UsageError(f"--flagged and --review {review} cannot be combined: choose one")
    filters = PhotoFilters(library=library, folder=folder, status=status, state=state, review=review,
                           flagged=flagged, captioner=captioner, text=text, terms=terms, vocab=vocab,
                           keyword_state=keyword_state, sort=sort, descending=desc)
    catalogue = open_db(db)
    with catalogue.read() as session:
        listing = photo_listing(session, filters, limit)
        if as_json:
            for batch in _batches(listing):
                labels = accepted_labels(session, [photo.id for photo in batch])
                for photo in batch:
                    emit_json({**photo.to_json(), "keywords": labels.get(photo.id, [])})
            return
        header = True
        for photo in listing:
            if header:
                echo(_row("id", "status", "state", "path", "caption (or why the file cannot be read)"))
                header = False
            state_text = photo.caption_state.value if photo.caption_state else "-"
            detail = photo.error if photo.error else (photo.caption or "")
            echo(_row(str(photo.id), photo.status.value, state_text, display_path(photo.path),
                      _shorten(detail)))


def _batches(listing: Iterator[Any], size: int = JSON_BATCH) -> Iterator[list[Any]]:
    """The listing in lists of ``size``: one keyword query per list, not per photo."""
    batch: list[Any] = []
    for item in listing:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(photo_id: str, status: str, state: str, path: str, detail: str) -> str:
    return f"{photo_id:>6}  {status:<7}  {state:<8}  {path}  {detail}"


@click.command()
@click.argument("photo", metavar="PHOTO")
@json_option
@db_option
def show(photo: str, as_json: bool, db: str | None) -> None:
    """Show PHOTO (its path or its id): metadata, every caption and its full history."""
    from desktop_app.services.photos import photo_record

    record = photo_record(open_db(db), photo)
    if as_json:
        emit_json(record)
    else:
        _print_record(record)


def _file_field_lines(fields: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The descriptive fields read from the photo's file (metadata/read.py), as `show` lists them."""
    location = fields.get("location") or {}
    places = [location[key] for key in ("sublocation", "city", "state", "country") if location.get(key)]
    return [("title", fields.get("title")), ("headline", fields.get("headline")),
            ("creator", "; ".join(fields.get("creator") or []) or None), ("rights", fields.get("rights")),
            ("persons", ", ".join(fields.get("persons") or []) or None),
            ("location", ", ".join(places) or None)]


def _print_record(record: dict[str, Any]) -> None:
    from desktop_app.catalogue.photos import display_path

    echo(display_path(record["path"]))
    lines = [
        ("id", record["id"]),
        ("status", record["status"] + (f" ({record['error']})" if record["error"] else "")),
        ("format", _format_line(record)),
        ("taken", record["date_taken"]),
        ("camera", " ".join(filter(None, [record["camera_make"], record["camera_model"]])) or None),
        ("gps", _gps_line(record["gps"])),
        ("orientation", record["orientation"]),
        ("content hash", record["content_hash"]),
        *_file_field_lines(record.get("file_fields") or {}),
    ]
    for label, value in lines:
        if value not in (None, ""):
            echo(f"  {label + ':':<14}{value}")
    if not record["captions"]:
        echo("  no captions")
    for kind, heading in KIND_HEADINGS.items():  # grouped by kind: each has its own current caption
        group = [caption for caption in record["captions"] if caption["kind"] == kind]
        if group:
            echo(f"\n  {heading} ({len(group)} caption{'s' if len(group) > 1 else ''}):")
            _print_captions(group)


def _print_captions(captions: list[dict[str, Any]]) -> None:
    for caption in captions:
        marker = "current" if caption["current"] else "other"
        echo(f"\n  Caption {caption['id']} ({marker}, revision {caption['revision']}): {caption['state']}, "
             f"{caption['origin']}"
             + (f", by {caption['author']}" if caption["author"] else ""))
        echo(f"    {caption['text']}")
        for flag in caption.get("flags") or []:
            echo(f"    flag: {flag['text']!r} ({flag['category']}): {flag['reason']}")
        if caption["notice"]:
            echo(f"    [{caption['notice']}]")
        source = [caption["captioner"], caption["model"], caption["model_revision"]]
        if any(source):
            echo("    model: " + " / ".join(s for s in source if s)
                 + (f", confidence {caption['confidence']:.2f}" if caption["confidence"] is not None else ""))
        for revision in caption["history"]:
            who = revision["author"] or revision["origin"]
            if revision.get("db_role"):
                who += f" (database role {revision['db_role']})"
            note = f" ({revision['note']})" if revision["note"] else ""
            echo(f"    r{revision['revision']:<3} {revision['at'][:19]}  {revision['action']:<11} "
                 f"{revision['state']:<8} {who}{note}: {_shorten(revision['text'])}")


def _format_line(record: dict[str, Any]) -> str | None:
    if not record["format"]:
        return None
    size = f", {_bytes(record['size'])}" if record["size"] else ""
    return f"{record['format']} {record['width']}x{record['height']}{size}"


def _bytes(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _gps_line(gps: dict[str, Any] | None) -> str | None:
    if not gps:
        return None
    altitude = f", {gps['altitude']:.0f} m" if gps["altitude"] is not None else ""
    return f"{gps['latitude']:.6f}, {gps['longitude']:.6f}{altitude}"


def _shorten(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
