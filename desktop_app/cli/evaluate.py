"""`photo-annotator evaluate`: caption metrics and validation loss of captioning models on the approved
captions, models side by side."""

from __future__ import annotations

import click

from desktop_app.cli.common import db_option, echo, emit_json, engine_options, json_option, open_db

SPLITS = ("validation", "train", "all")  # training.evaluate.Split, spelled out so --help stays fast


@click.command()
@click.option("--captioner", "captioner_id", required=True, metavar="ID",
              help="Which captioner (see `photo-annotator plugins`).")
@click.option("--model", "models", multiple=True, metavar="HUB_ID|FOLDER",
              help="A model to evaluate: a hub id or a model folder (a fine-tuned one from `train`); "
                   "repeatable. The model a fine-tune started from (its training.json), else the "
                   "captioner's own, is evaluated beside them unless --no-base.")
@click.option("--base/--no-base", default=True, show_default=True,
              help="Evaluate the base model too: the model each fine-tuned --model started from, else the "
                   "captioner's own (the settings', else its default); one that is not here is left out "
                   "with a note. Without --model, the captioner's own model is evaluated.")
@click.option("--split", "split_name", type=click.Choice(SPLITS), default="validation", show_default=True,
              help="Which approved captions: the validation or train part of the split `train` makes "
                   "(same share and seed), or all.")
@click.option("--library", "libraries", multiple=True, metavar="PATH|ID",
              help="Only this library's approved captions (its folder, or its id); repeatable.")
@engine_options
@json_option
@db_option
def evaluate(captioner_id: str, models: tuple[str, ...], base: bool, split_name: str,
             libraries: tuple[str, ...], device: str, dtype: str, batch_size: int, decode_workers: int,
             prefetch: int, as_json: bool, db: str | None) -> None:
    """Caption the split's photos with each model and score the captions against the approved ones:
    pairs, validation loss, BLEU-1..4, METEOR, ROUGE-L and CIDEr, one column per model.

    Captions go through the same engine as `caption` but are not stored. Scores follow the COCO
    caption evaluation (pycocoevalcap, PTB tokenizer); METEOR and the tokenizer run with the Java on
    this machine, offline. SPICE is not computed (it needs a download of Stanford CoreNLP models). With
    --json: one JSON object with each model's figures and the notes.
    """
    from desktop_app.catalogue.photos import find_library
    from desktop_app.cli.job_output import ProgressBar
    from desktop_app.services.engine import build_engine
    from desktop_app.training.evaluate import EvaluationError, base_models_of, split_settings_of
    from desktop_app.training.evaluate import evaluate as run_evaluation

    engine = build_engine(device=device, dtype=dtype, batch_size=batch_size, decode_workers=decode_workers,
                          prefetch=prefetch)
    engine.registry.get_captioner(captioner_id)  # an unknown id fails here, before any work
    catalogue = open_db(db)
    library_ids = None
    if libraries:
        with catalogue.read() as session:
            library_ids = [find_library(session, ref).id for ref in libraries]
    # The base to compare with: the model each fine-tune started from, else the captioner's own.
    bases: list[str | None] = (base_models_of(models) or [None]) if base and models else []
    # A fine-tuned model is scored on the photos it was not trained on: its own split's settings.
    validation_share, seed = split_settings_of(models)
    bars: list[ProgressBar] = []

    def on_model(model: str) -> None:
        for bar in bars:
            bar.close()
        if not as_json:
            echo(f"evaluating {model}...", err=True)
        bars[:] = [ProgressBar(f"Captioning with {model}")]

    try:
        report = run_evaluation(catalogue, captioner_id, list(models), split_name, engine=engine, bases=bases,
                                library_ids=library_ids, validation_share=validation_share, seed=seed,
                                on_model=on_model, progress=lambda done, total: bars[-1].update(done, total))
    except EvaluationError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        for bar in bars:
            bar.close()
    if as_json:
        emit_json(report.to_json())
        return
    echo(f"{report.captioner_id} on {report.pairs} approved captions ({report.split.value} split)")
    echo()
    for line in report.table().splitlines():  # echo shows a newline inside a line escaped
        echo(line)
    echo()
    for note in report.notes():
        echo(f"note: {note}")
