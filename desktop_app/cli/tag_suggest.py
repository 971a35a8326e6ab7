"""`photo-annotator tags suggest`: suggest keywords from the vocabularies for photos, as a job."""

from __future__ import annotations

import sys
from typing import Any

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, json_option, open_db


@adds_to_catalogue
@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--tagger", "tagger_id", metavar="ID",
              help="Which tagger (see `photo-annotator plugins`; default: caption-text, from the captions).")
@click.option("--model", metavar="HUB_ID|FOLDER", help="The tagger's model (default: the tagger's own).")
@click.option("--vocab", "vocabularies", metavar="NAME", multiple=True,
              help='A vocabulary to suggest from (repeatable; default: every imported one; "from files" '
                   "only when named).")
@click.option("--top", "top_n", type=click.IntRange(1, 1000), metavar="N",
              help="At most N suggestions per photo (default: the tagger's, 10 unless it says otherwise).")
@click.option("--threshold", type=click.FloatRange(0, 1), metavar="X",
              help="The score a suggestion needs, 0 to 1 (default: the tagger's calibrated one).")
@click.option("--device", metavar="auto|cpu|cuda|mps",
              help="Where the tagger's model runs (default: the settings').")
@json_option
@db_option
def suggest(paths: tuple[str, ...], tagger_id: str | None, model: str | None, vocabularies: tuple[str, ...],
            top_n: int | None, threshold: float | None, device: str | None, as_json: bool,
            db: str | None) -> None:
    """Suggest keywords for PATHS (photos or folders) from the catalogue's vocabularies.

    Each suggestion is stored as a suggested keyword with its score, tagger and evidence, for review
    (`tags accept`, `tags reject`, the app); a keyword a person accepted or rejected is never touched,
    so a rejected keyword does not come back. Photos not yet in the catalogue are added first. The
    work runs as a job in the catalogue's queue: interrupted (Ctrl+C, a crash), `photo-annotator jobs
    resume` finishes it without tagging any photo twice. Prints each photo's suggestions, best first
    (--json: one object per photo, its suggestions with term, vocabulary, score, evidence and tagger).
    Exits 1 if any photo failed.
    """
    from desktop_app.catalogue.photos import display_path
    from desktop_app.cli.job_output import JobOutput, report_failure, run_in_foreground
    from desktop_app.jobs.store import JobError
    from desktop_app.services import jobs
    from desktop_app.services.engine import build_engine
    from desktop_app.services.scanning import photos_for

    engine = build_engine(device=device)
    catalogue = open_db(db)
    runner = jobs.make_runner(catalogue, engine, JobOutput(as_json))
    options: dict[str, Any] = {"vocabularies": list(vocabularies) or None, "top_n": top_n,
                               "threshold": threshold}
    # The checks made when the job is queued, made once before any scan: a mistake costs nothing.
    try:
        tagger_id = tagger_id or jobs.default_tagger(engine.registry)
        jobs.check_tag_job(runner, tagger_id, model, options)
    except JobError as exc:
        message = str(exc)
        hint = next((hint for word, hint in (("tagger", "'--tagger'"), ("vocabular", "'--vocab'"),
                                             ("model", "'--model'")) if word in message), None)
        if hint is None:
            raise click.ClickException(message) from None
        raise click.BadParameter(message, param_hint=hint) from None
    found = photos_for(catalogue, paths)
    for path, reason in found.refused:
        report_failure(path, reason, as_json)
    if not found.photo_ids:
        where = ", ".join(display_path(folder) for folder in found.empty) or "the paths given"
        raise click.ClickException(f"no readable photos to tag in {where}")
    for folder in found.empty:
        echo(f"photo-annotator: error: no readable photos to tag in {display_path(folder)}", err=True)
    job = jobs.queue_tag_job(runner, tagger_id, found.photo_ids, model=model, options=options)
    ended = run_in_foreground(runner, job.id)
    failed = len(found.refused) + ended.failed
    if failed:
        total = ended.total + len(found.refused)
        echo(f"photo-annotator: error: {failed} of {total} photos could not be tagged", err=True)
    if failed or found.empty:
        sys.exit(1)

