"""`photo-annotator embed`: (re)build the vectors that semantic search ranks."""

from __future__ import annotations

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db


@click.command()
@click.option("--embedder", "embedder_id", default="minilm", show_default=True,
              help="The embedder plugin (`photo-annotator plugins` lists them).")
@click.option("--model", metavar="HUB_ID|FOLDER", help="The embedder's model instead of its default.")
@click.option("--device", default="auto", show_default=True,
              help="cuda, cuda:N, mps, cpu, or auto: CUDA, then Apple MPS, then CPU.")
@click.option("--batch-size", type=click.IntRange(1, 4096),
              help="Texts (default 64) or photos (default 16) embedded at once.")
@click.option("--photos", is_flag=True,
              help="Embed the photos themselves (an image-text embedder such as clip), not their captions.")
@json_option
@db_option
def embed(embedder_id: str, model: str | None, device: str, batch_size: int | None, photos: bool,
          as_json: bool, db: str | None) -> None:
    """Embed every caption that has no vector of the embedder's model yet, or whose text changed since.

    Vectors are stored in the catalogue with their model, so running it again embeds only what is
    new or edited; vectors of other models are kept. With --photos, an image-text embedder embeds the
    photos' pixels, so searches find photos that have no caption yet.
    """
    from desktop_app.cli.job_output import ProgressBar
    from desktop_app.services.search import TextOnlyEmbedder
    from desktop_app.services.search import embed as run_embed

    catalogue = open_db(db)
    bar = ProgressBar(f"Embedding {'photos' if photos else 'captions'}")
    try:
        report = run_embed(catalogue, embedder_id, model=model, device=device, batch_size=batch_size,
                           photos=photos, progress=bar.update)
    except TextOnlyEmbedder as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        bar.close()
    if as_json:
        emit_json(report.to_json())
        return
    echo(f"{report.model_id}: {report.embedded} {report.kind} embedded, {report.current} already current "
         f"({report.seconds:.1f} s)")
    for photo_id, reason in report.failed:
        echo(f"  photo {photo_id} not embedded: {reason}")
