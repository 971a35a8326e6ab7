"""`photo-annotator import`: photos from web addresses saved into a library folder, scanned, and
optionally captioned."""

from __future__ import annotations

import sys
from typing import Any

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, emit_json, json_option, open_db


@adds_to_catalogue
@click.command("import")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--into", "folder", required=True, metavar="FOLDER", type=click.Path(path_type=str),
              help="The library folder the photos are saved in (a new folder becomes a library).")
@click.option("--caption", "captioner_id", metavar="CAPTIONER",
              help="Caption the imported photos with this captioner (see `photo-annotator plugins`).")
@click.option("--model", metavar="HUB_ID|FOLDER", help="The captioner's model (default: the settings').")
@click.option("--allow-private", is_flag=True, default=None,
              help="Allow loopback and private addresses (an intranet server); refused by default.")
@click.option("--max-size", "max_size_mb", type=click.FloatRange(0.001, 100_000), metavar="MB",
              help="The largest download, in MB (default: the settings', 100).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(0.1, 3600), metavar="S",
              help="Seconds to connect and between two reads (default: the settings', 30); the whole "
                   "download may take ten times this.")
@json_option
@db_option
def import_(urls: tuple[str, ...], folder: str, captioner_id: str | None, model: str | None,
            allow_private: bool | None, max_size_mb: float | None, timeout_s: float | None, as_json: bool,
            db: str | None) -> None:
    """Save the images at URL... into FOLDER, keep each address in the file's XMP (dc:source) and the
    catalogue, and scan them in.

    Only http and https addresses are fetched, with redirects checked hop by hop; loopback and private
    addresses are refused unless --allow-private. Each address is fetched alone: a bad one gets one
    line saying why (HTTP 404, refused address, too large, not an image, timed out...) and the rest go
    on. A file already in FOLDER is never overwritten: a name in use gets " (2)". Prints where each
    photo was saved; exits 1 if any address failed.
    """
    from desktop_app.services import importing
    from desktop_app.settings import load_settings

    settings = load_settings()
    try:
        importing.check_folder(folder)
    except importing.ImportTargetError as exc:
        raise click.BadParameter(str(exc), param_hint="'--into'") from None
    fetch_limits = importing.limits(settings.importing, allow_private, max_size_mb, timeout_s)
    engine = _checked_engine(captioner_id, model) if captioner_id else None  # before anything is fetched
    catalogue = open_db(db)
    results = importing.import_sources(catalogue, urls, folder, fetch_limits,
                                       progress=lambda _done, _total, item: _show(item, as_json))
    failed = sum(not item.ok for item in results)
    photo_ids = [item.photo_id for item in results if item.ok and item.photo_id is not None]
    caption_failed = 0
    if engine is not None and captioner_id and photo_ids:
        from desktop_app.cli.job_output import JobOutput, run_in_foreground
        from desktop_app.services import jobs

        runner = jobs.make_runner(catalogue, engine, JobOutput(as_json))
        job = jobs.queue_caption_job(runner, captioner_id, photo_ids, model=model)
        caption_failed = run_in_foreground(runner, job.id).failed
    if failed:
        echo(f"photo-annotator: error: {failed} of {len(results)} addresses could not be imported", err=True)
    if caption_failed:
        echo(f"photo-annotator: error: {caption_failed} imported photos could not be captioned", err=True)
    if failed or caption_failed:
        sys.exit(1)


def _checked_engine(captioner_id: str, model: str | None) -> Any:
    """The engine to caption with, once the captioner, its model and options are checked as `caption`
    checks them (a mistake is found before anything is fetched)."""
    from desktop_app.jobs.checks import ModelFolderError, OptionError
    from desktop_app.services.engine import build_engine
    from desktop_app.services.models import check_caption
    from desktop_app.settings import load_settings

    settings = load_settings()
    engine = build_engine(settings)
    prototype = engine.registry.get_captioner(captioner_id)  # UnknownCaptionerError: one line
    try:
        check_caption(prototype, model, {}, settings)
    except ModelFolderError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    except OptionError as exc:
        raise click.ClickException(str(exc)) from None
    return engine


def _show(item: Any, as_json: bool) -> None:
    """One line per address as it is done: where it was saved, or why not."""
    from desktop_app.catalogue.photos import display_path

    if as_json:
        emit_json(item.as_json())
    elif item.ok:
        echo(f"{item.source} -> {display_path(item.path or '')}")
    else:
        echo(f"{item.source}: failed: {item.error}", err=True)
