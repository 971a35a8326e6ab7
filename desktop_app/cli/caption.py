"""`photo-annotator caption`: caption photos with a captioner and store the results as AI drafts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, engine_options, json_option, open_db


@adds_to_catalogue
@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--captioner", "captioner_id", required=True, metavar="ID",
              help="Which captioner (see `photo-annotator plugins`).")
@click.option("--model", metavar="HUB_ID|FOLDER",
              help="A hub model id or a local model folder (default: the settings', else the captioner's).")
@engine_options
@click.option("--prompt", help="The captioner's prompt or task, for captioners that take one.")
@click.option("--max-new-tokens", type=click.IntRange(1, 1024), help="Longest caption, in tokens.")
@json_option
@db_option
def caption(paths: tuple[str, ...], captioner_id: str, model: str | None, device: str, dtype: str,
            batch_size: int, prompt: str | None, max_new_tokens: int | None, as_json: bool,
            db: str | None) -> None:
    """Caption PATHS (photos or folders) and store each result as an AI draft caption.

    Photos not yet in the catalogue are added first. The work runs as a job in the catalogue's queue:
    if it is interrupted (Ctrl+C, a crash), `photo-annotator jobs resume` finishes it without
    captioning any photo twice. A new AI caption never replaces a caption a person wrote, edited or
    approved: it is stored beside it. Exits 1 if any photo failed.
    """
    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.catalogue.photos import display_path
    from desktop_app.cli.job_output import CaptionOutput, report_failure, run_in_foreground
    from desktop_app.jobs.checks import ModelFolderError, OptionError, check_caption_job
    from desktop_app.jobs.runner import JobRunner
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.settings import load_settings

    registry = load_plugins()
    prototype = registry.get_captioner(captioner_id)
    options: dict[str, Any] = {}
    if prompt is not None:
        options["prompt"] = prompt
    if max_new_tokens is not None:
        options["max_new_tokens"] = max_new_tokens
    settings_models = load_settings().captioner_models
    # The checks the runner makes when it queues the job, made before any scan: a mistake costs nothing.
    try:
        check_caption_job(prototype, model, options, settings_models.get(captioner_id))
    except ModelFolderError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    except OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'--{exc.option.replace('_', '-')}'") from None

    catalogue = open_db(db)
    photo_ids, refused, empty = _photos_for(catalogue, paths)
    for path, reason in refused:
        report_failure(path, reason, as_json)
    if not photo_ids:
        where = ", ".join(display_path(folder) for folder in empty) or "the paths given"
        raise click.ClickException(f"no readable photos to caption in {where}")
    for folder in empty:
        echo(f"photo-annotator: error: no readable photos to caption in {display_path(folder)}", err=True)
    engine = CaptionEngine(registry, device=device, dtype=dtype, batch_size=batch_size,
                           models=settings_models)
    runner = JobRunner(catalogue, engine, CaptionOutput(as_json))
    job = runner.queue_caption_job(captioner_id, photo_ids, model=model, options=options)
    ended = run_in_foreground(runner, job.id)
    failed = len(refused) + ended.failed
    if failed:
        total = ended.total + len(refused)
        echo(f"photo-annotator: error: {failed} of {total} photos could not be captioned", err=True)
    if failed or empty:
        sys.exit(1)


def _photos_for(catalogue: Any, paths: tuple[str, ...]) -> tuple[list[int], list[tuple[str, str]], list[str]]:
    """Photo ids for PATHS, scanning into the catalogue what is not there yet (or changed); the
    (path, reason) of each named file that is no photo at all, and the folders without a readable
    photo: they fail alone, the rest go on."""
    from desktop_app.catalogue.photos import find_photo, readable_photo_ids_under
    from desktop_app.library.images import is_candidate
    from desktop_app.library.scanner import Scanner

    scanner = Scanner(catalogue)
    ids: list[int] = []
    refused: list[tuple[str, str]] = []
    empty: list[str] = []
    for raw in paths:
        if Path(raw).is_file() and not is_candidate(raw):
            refused.append((raw, "not a photo or DICOM file the app reads"))
            continue
        scanner.scan(raw)  # incremental: costs a stat per file when nothing changed
        with catalogue.read() as session:
            if Path(raw).is_dir():
                found = readable_photo_ids_under(session, raw)
                ids += found
                if not found:
                    empty.append(raw)
            else:
                ids.append(find_photo(session, raw).id)
    return list(dict.fromkeys(ids)), refused, empty
