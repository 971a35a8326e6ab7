"""`photo-annotator explain PHOTO --word WORD`: where the model looked on the photo when it wrote a word
of its caption (the caption's AI draft, also after an editor changed it), as a heatmap."""

from __future__ import annotations

import click

from desktop_app.cli.captions import KINDS
from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db

METHODS = ("auto", "cross-attention", "gradient")  # plugin_api.explain.METHODS, spelled out for --help


@click.command()
@click.argument("photo")
@click.option("--word", required=True, help="A word of the caption's AI draft (any case).")
@click.option("--occurrence", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Which time the word occurs in the draft, counting from 1.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write the photo with the heatmap over it to this PNG file, at the photo's size.")
@click.option("--kind", type=click.Choice(KINDS), default="description", show_default=True,
              help="Which of the photo's captions: its description, alt text or extended description.")
@click.option("--captioner", "captioner_id", metavar="ID",
              help="The captioner to ask (default: the one that wrote the draft).")
@click.option("--model", metavar="HUB_ID|FOLDER",
              help="The model to ask (default: the one that wrote the draft).")
@click.option("--method", type=click.Choice(METHODS), default="auto", show_default=True,
              help="cross-attention: the decoder's attention over the image's patches; gradient: how much "
                   "each region's pixels sway the word's probability; auto: cross-attention where the model "
                   "has it, else the gradient.")
@click.option("--device", default=None, help="cuda, cuda:N, mps, cpu or auto (default: the settings').")
@json_option
@db_option
def explain(photo: str, word: str, occurrence: int, output: str | None, kind: str, captioner_id: str | None,
            model: str | None, method: str, device: str | None, as_json: bool, db: str | None) -> None:
    """Show where the model looked on PHOTO (a path or an id) when it wrote WORD.

    The model that wrote the caption reads its AI draft once more (teacher forcing: no new caption is
    generated) and the decoder's cross-attention over the image's patches, averaged over its layers and
    heads, becomes a heatmap over the photo; models without usable cross-attention give a gradient map.
    Prints the word, its tokens and where the map peaks; with --json, one JSON object with the map (a
    grid of shares of the photo's area, rows x cols, summing to 1), the word, its tokens, the model and
    the method.
    """
    from desktop_app.catalogue.models import CaptionKind
    from desktop_app.services.engine import build_engine
    from desktop_app.services.explain import Explainer, ExplainError

    explainer = Explainer(open_db(db), build_engine(device=device))
    try:
        found = explainer.explain(photo, word, occurrence, kind=CaptionKind(kind), captioner_id=captioner_id,
                                  model=model, method=method)
    except ExplainError as exc:
        raise click.ClickException(str(exc)) from exc
    if output:
        _write_overlay(found.draft.path, found.grid, output)
    if as_json:
        emit_json({**found.to_json(), "output": output})
        return
    rows, cols = found.grid.shape
    echo(f"'{found.word}' (occurrence {found.occurrence}, tokens {' '.join(found.tokens)}) "
         f"in: {found.draft.text}")
    echo(f"{found.method} of {found.captioner_id} ({found.model}); {rows} x {cols} map, peak at row "
         f"{found.peak()[0] + 1}, column {found.peak()[1] + 1} ({_where(found.peak(), rows, cols)})")
    if output:
        echo(f"wrote {output}")


def _write_overlay(path: str, grid: object, output: str) -> None:
    from desktop_app.library.decoding import decode_file
    from desktop_app.services.explain import overlay

    image, reason = decode_file(path)
    if image is None:
        raise click.ClickException(f"cannot draw the heatmap: {reason}")
    try:
        overlay(image, grid).save(output, format="PNG")  # type: ignore[arg-type]
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc


def _where(peak: tuple[int, int], rows: int, cols: int) -> str:
    """The peak's place in words: top left, centre, bottom right..."""
    vertical = ("top", "middle", "bottom")[min(2, 3 * peak[0] // rows)]
    horizontal = ("left", "centre", "right")[min(2, 3 * peak[1] // cols)]
    return "centre" if (vertical, horizontal) == ("middle", "centre") else f"{vertical} {horizontal}"
