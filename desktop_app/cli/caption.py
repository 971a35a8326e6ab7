"""`photo-annotator caption`: caption photos with a captioner and store the results as AI drafts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--captioner", "captioner_id", required=True, metavar="ID",
              help="Which captioner (see `photo-annotator plugins`).")
@click.option("--model", metavar="HUB_ID|FOLDER",
              help="A hub model id or a local model folder (default: the settings', else the captioner's).")
@click.option("--device", default="auto", show_default=True,
              help="cuda, mps, cpu, or auto (CUDA, then Apple MPS, then CPU).")
@click.option("--dtype", type=click.Choice(["auto", "float32", "bfloat16", "float16"]), default="auto",
              show_default=True,
              help="Number format of the model; auto: bfloat16 where the GPU or CPU computes it natively, "
                   "else float32.")
@click.option("--batch-size", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--prompt", help="The captioner's prompt or task, for captioners that take one.")
@click.option("--max-new-tokens", type=click.IntRange(1, 1024), help="Longest caption, in tokens.")
@json_option
@db_option
def caption(paths: tuple[str, ...], captioner_id: str, model: str | None, device: str, dtype: str,
            batch_size: int, prompt: str | None, max_new_tokens: int | None, as_json: bool,
            db: str | None) -> None:
    """Caption PATHS (photos or folders) and store each result as an AI draft caption.

    Photos not yet in the catalogue are added first. A new AI caption never replaces a caption a
    person wrote, edited or approved: it is stored beside it. Exits 1 if any photo failed.
    """
    from desktop_app.captioning.engine import CaptionEngine, WorkItem
    from desktop_app.catalogue.captions import store_ai_caption
    from desktop_app.catalogue.models import Photo
    from desktop_app.catalogue.photos import absolute_path, display_path
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.settings import load_settings

    registry = load_plugins()
    prototype = registry.get_captioner(captioner_id)
    options: dict[str, Any] = {}
    if prompt is not None:
        if "prompt" not in {spec.name for spec in prototype.options}:
            raise click.UsageError(f"captioner {captioner_id} takes no --prompt")
        options["prompt"] = prompt
    if max_new_tokens is not None:
        options["max_new_tokens"] = max_new_tokens

    catalogue = open_db(db)
    photo_ids, refused = _photos_for(catalogue, paths)
    with catalogue.read() as session:
        items = [WorkItem(photo.id, absolute_path(photo.library.root, photo.rel_path))
                 for photo in (session.get(Photo, photo_id) for photo_id in photo_ids)]
    engine = CaptionEngine(registry, device=device, dtype=dtype, batch_size=batch_size,
                           models=load_settings().captioner_models)
    for path, reason in refused:
        _report_failure(path, reason, as_json)
    failed = len(refused)
    try:
        for outcome in engine.run(captioner_id, items, model=model, options=options):
            path = outcome.item.path
            if outcome.error is not None:
                failed += 1
                _report_failure(path, outcome.error, as_json)
                continue
            result = outcome.result
            assert result is not None
            with catalogue.write() as session:
                stored = store_ai_caption(
                    session, session.get(Photo, outcome.item.key), result.text,
                    captioner_id=captioner_id, model_id=result.model_id,
                    model_revision=result.model_revision, prompt=result.prompt,
                    confidence=result.confidence, notice=result.notice,
                    token_scores=[[t.token, round(t.probability, 4)] for t in result.token_scores],
                )
                record = {"path": path, "photo_id": outcome.item.key, "caption_id": stored.id,
                          "status": "ok", "error": None, "text": result.text,
                          "current": stored.is_current, "confidence": result.confidence,
                          "captioner": captioner_id, "model": result.model_id,
                          "model_revision": result.model_revision, "prompt": result.prompt,
                          "notice": result.notice,
                          "seconds": round(result.seconds, 4)}
            if as_json:
                emit_json(record)
            else:
                confidence = f" ({result.confidence:.0%} sure)" if result.confidence is not None else ""
                echo(f"{display_path(path)}: {result.text}{confidence}")
                if result.notice:
                    echo(f"  [{result.notice}]")
    finally:
        engine.unload()
    if failed:
        total = len(items) + len(refused)
        echo(f"photo-annotator: error: {failed} of {total} photos could not be captioned", err=True)
        sys.exit(1)


def _photos_for(catalogue: Any, paths: tuple[str, ...]) -> tuple[list[int], list[tuple[str, str]]]:
    """Photo ids for PATHS, scanning into the catalogue what is not there yet (or changed), and the
    (path, reason) of each named file that is no photo at all: it fails alone, the rest go on."""
    from desktop_app.catalogue.photos import find_photo, readable_photo_ids_under
    from desktop_app.library.images import is_candidate
    from desktop_app.library.scanner import Scanner

    scanner = Scanner(catalogue)
    ids: list[int] = []
    refused: list[tuple[str, str]] = []
    for raw in paths:
        if Path(raw).is_file() and not is_candidate(raw):
            refused.append((raw, "not a photo or DICOM file the app reads"))
            continue
        scanner.scan(raw)  # incremental: costs a stat per file when nothing changed
        with catalogue.read() as session:
            if Path(raw).is_dir():
                ids += readable_photo_ids_under(session, raw)
            else:
                ids.append(find_photo(session, raw).id)
    return list(dict.fromkeys(ids)), refused


def _report_failure(path: str, reason: str, as_json: bool) -> None:
    from desktop_app.catalogue.photos import display_path

    if as_json:
        emit_json({"path": path, "status": "error", "error": reason})
    else:
        echo(f"{display_path(path)}: failed: {reason}", err=True)
