"""`photo-annotator caption`: caption photos with a captioner and store the results as AI drafts."""

from __future__ import annotations

import sys
from typing import Any

import click

from desktop_app.cli.common import (
    adds_to_catalogue,
    cluster_options,
    db_option,
    echo,
    engine_options,
    json_option,
    open_db,
)


@adds_to_catalogue
@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--captioner", "captioner_id", required=True, metavar="ID",
              help="Which captioner (see `photo-annotator plugins`).")
@click.option("--model", metavar="HUB_ID|FOLDER",
              help="A hub model id or a local model folder (default: the settings', else the captioner's).")
@engine_options
@cluster_options
@click.option("--prompt", help="The captioner's prompt or task, for captioners that take one.")
@click.option("--max-new-tokens", type=click.IntRange(1, 1024), help="Longest caption, in tokens.")
@json_option
@db_option
def caption(paths: tuple[str, ...], captioner_id: str, model: str | None, device: str, dtype: str,
            batch_size: int, decode_workers: int, prefetch: int, cluster: str | None, actors: int,
            ship_bytes: bool, prompt: str | None, max_new_tokens: int | None, as_json: bool,
            db: str | None) -> None:
    """Caption PATHS (photos or folders) and store each result as an AI draft caption.

    Photos not yet in the catalogue are added first. The work runs as a job in the catalogue's queue:
    if it is interrupted (Ctrl+C, a crash), `photo-annotator jobs resume` finishes it without
    captioning any photo twice. A new AI caption never replaces a caption a person wrote, edited or
    approved: it is stored beside it. Exits 1 if any photo failed.

    With --cluster the photos are captioned through Ray, on every GPU of this machine (local) or of a
    cluster (auto, ray://HOST:PORT), with the same guarantees; see README "Captioning on a cluster".
    """
    from desktop_app.catalogue.photos import display_path
    from desktop_app.cli.job_output import JobOutput, report_failure, run_in_foreground
    from desktop_app.jobs.checks import ModelFolderError, OptionError
    from desktop_app.jobs.store import JobError
    from desktop_app.services import jobs
    from desktop_app.services.engine import build_engine
    from desktop_app.services.models import check_caption
    from desktop_app.services.scanning import photos_for
    from desktop_app.settings import load_settings

    settings = load_settings()
    engine = build_engine(settings, device=device, dtype=dtype, batch_size=batch_size,
                          decode_workers=decode_workers, prefetch=prefetch)
    prototype = engine.registry.get_captioner(captioner_id)
    options: dict[str, Any] = {}
    if prompt is not None:
        options["prompt"] = prompt
    if max_new_tokens is not None:
        options["max_new_tokens"] = max_new_tokens
    # The checks the runner makes when it queues the job, made before any scan: a mistake costs nothing.
    try:
        check_caption(prototype, model, options, settings)
    except ModelFolderError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    except OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'--{exc.option.replace('_', '-')}'") from None

    try:
        spec = jobs.cluster_spec(cluster, actors, ship_bytes)
    except JobError as exc:
        raise click.ClickException(str(exc)) from None

    catalogue = open_db(db)
    found = photos_for(catalogue, paths)
    for path, reason in found.refused:
        report_failure(path, reason, as_json)
    if not found.photo_ids:
        where = ", ".join(display_path(folder) for folder in found.empty) or "the paths given"
        raise click.ClickException(f"no readable photos to caption in {where}")
    for folder in found.empty:
        echo(f"photo-annotator: error: no readable photos to caption in {display_path(folder)}", err=True)
    runner = jobs.make_runner(catalogue, engine, JobOutput(as_json), cluster=spec)
    job = jobs.queue_caption_job(runner, captioner_id, found.photo_ids, model=model, options=options)
    ended = run_in_foreground(runner, job.id)
    failed = len(found.refused) + ended.failed
    if failed:
        total = ended.total + len(found.refused)
        echo(f"photo-annotator: error: {failed} of {total} photos could not be captioned", err=True)
    if failed or found.empty:
        sys.exit(1)
