"""`photo-annotator write-metadata`: approved captions and accepted keywords into XMP sidecars or the photo
files themselves."""

from __future__ import annotations

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db
from desktop_app.cli.photos import REVIEW_FILTERS


@click.command("write-metadata")
@click.argument("photos", nargs=-1, metavar="[PHOTO]...")
@click.option("--sidecar", "mode", flag_value="sidecar", default=True,
              help="Write an XMP sidecar beside each photo (the default; the photo is not touched).")
@click.option("--embed", "mode", flag_value="embed",
              help="Write into the photo file itself (JPEG, TIFF, PNG, WebP).")
@click.option("--sidecar-name", type=click.Choice(("photo.jpg.xmp", "photo.xmp")), default="photo.jpg.xmp",
              show_default=True,
              help="Sidecar file naming: photo.jpg.xmp (digiKam, darktable) or photo.xmp (Lightroom, "
                   "Bridge).")
@click.option("--dry-run", is_flag=True,
              help="Print what would change (file, field, old -> new); write nothing.")
@click.option("--force", is_flag=True,
              help="Also write files changed since the last scan, and replace descriptions another program "
                   "wrote.")
@click.option("--remove-rejected-keywords", is_flag=True,
              help="Also remove from the files the keywords an editor rejected (by default a keyword the "
                   "file holds stays there even when rejected in the catalogue).")
@click.option("--library", metavar="PATH|ID", help="Only this library (its folder, or its id).")
@click.option("--folder", type=click.Path(path_type=str),
              help="Only photos in this folder and below: a path on disk, or a folder inside the library "
                   "(e.g. 2021/paris).")
@click.option("--review", type=click.Choice(REVIEW_FILTERS), help="Only photos in this review group.")
@click.option("--captioner", metavar="ID", help="Only photos whose current caption this captioner wrote.")
@click.option("--search", "text", metavar="WORDS", help="Only photos whose captions hold these words.")
@json_option
@db_option
def write_metadata(photos: tuple[str, ...], mode: str, sidecar_name: str, dry_run: bool, force: bool,
                   remove_rejected_keywords: bool, library: str | None, folder: str | None,
                   review: str | None, captioner: str | None, text: str | None, as_json: bool,
                   db: str | None) -> None:
    """Write the approved current caption of each selected photo (PHOTO paths or ids, else all photos
    the options select) into XMP dc:description, IPTC Caption-Abstract (UTF-8) and EXIF
    ImageDescription, with the reviewer and model in IPTC Writer-Editor and the photoannotator XMP
    namespace; an approved alt text and extended description into the IPTC 2021 accessibility fields
    (XMP Iptc4xmpCore:AltTextAccessibility, ExtDescrAccessibility); the photo's accepted keywords into
    XMP dc:subject, IPTC Keywords (64 bytes each) and XMP lr:hierarchicalSubject ("Animals|Mammals|Dogs"),
    with the IPTC digest brought up to date, so that every reader following the Metadata Working Group
    reads back the same. Only approved texts and accepted keywords are written; a photo whose caption
    is not approved is written only when its keywords differ from what its file holds. Keywords
    removed from a file by another program are never written back; rejected ones the file holds stay
    unless --remove-rejected-keywords.

    A file changed since the last scan, or holding a text Photo Annotator did not write in a field it
    would write, is skipped (and listed) unless --force. Embedding never corrupts a photo: the new
    file is checked (fields read back, pixels identical) before it replaces the original in one step.
    With --json: one object (mode, dry_run, written, unchanged, skipped, failed, cancelled, files).
    """
    from desktop_app.catalogue.photos import (
        PhotoQuery,
        ReviewFilter,
        display_path,
        find_library,
        find_photo,
        resolve_folder,
    )
    from desktop_app.library.metadata.report import WriteStatus
    from desktop_app.services.metadata import write_metadata as run_write

    catalogue = open_db(db)
    selection: list[int] | PhotoQuery
    with catalogue.read() as session:
        if photos:
            selection = [find_photo(session, photo).id for photo in photos]
        else:
            chosen = find_library(session, library) if library else None
            inside = None
            if folder:  # a path on disk or inside the library, as every --folder takes it
                chosen, inside = resolve_folder(session, folder, chosen)
            selection = PhotoQuery(
                library_id=chosen.id if chosen else None, folder=inside,
                review=ReviewFilter(review) if review else None, captioner=captioner, text=text,
            )
    report = run_write(catalogue, selection, mode=mode, dry_run=dry_run, force=force,
                       sidecar_name=sidecar_name, remove_rejected_keywords=remove_rejected_keywords)
    if as_json:
        emit_json(report.to_json())
    else:
        for outcome in report.outcomes:
            target = display_path(outcome.target or outcome.path or str(outcome.photo_id))
            if outcome.status in (WriteStatus.WRITTEN, WriteStatus.WOULD_WRITE):
                verb = "would write" if dry_run else "wrote"
                echo(f"{verb} {target}")
                for change in outcome.changes:
                    echo(f"  {change.field}: {_show(change.old)} -> {_show(change.new)}")
                for note in outcome.notes:
                    echo(f"  note: {note}")
            elif outcome.status in (WriteStatus.SKIPPED, WriteStatus.FAILED):
                echo(f"{outcome.status.value} {target}: {outcome.reason}", err=True)
        echo(report.summary())
    if report.failed:
        raise SystemExit(1)


def _show(value: str | None, width: int = 70) -> str:
    if value is None:
        return "(none)"
    value = " ".join(value.split())
    return repr(value if len(value) <= width else value[: width - 1] + "…")
