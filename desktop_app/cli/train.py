"""`photo-annotator train`: fine-tune a captioner's model on the catalogue's approved captions, as a job
in the catalogue's queue run in the foreground (like `caption`)."""

from __future__ import annotations

from pathlib import Path

import click

from desktop_app.cli.common import db_option, json_option, open_db


@click.command()
@click.option("--captioner", "captioner_id", required=True, metavar="ID",
              help="Which captioner's model to fine-tune (encoder-decoder, generic, medical-report).")
@click.option("--model", metavar="HUB_ID|FOLDER",
              help="The model to start from (default: the settings', else the captioner's).")
@click.option("--library", "libraries", multiple=True, metavar="PATH|ID",
              help="Train on this library's approved captions only (repeatable; default: all libraries).")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder for the checkpoints and the versioned models (OUTPUT/v1, v2...).")
@click.option("--epochs", type=click.IntRange(1), default=3, show_default=True,
              help="Passes over the training photos (fewer when early stopping ends it).")
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=5e-5, show_default=True,
              help="Peak learning rate (AdamW).")
@click.option("--batch-size", type=click.IntRange(1), default=8, show_default=True,
              help="Photos per forward pass (lower it if memory runs out).")
@click.option("--accumulate", type=click.IntRange(1), default=1, show_default=True,
              help="Batches whose gradients add up to one optimizer step.")
@click.option("--warmup-steps", type=click.IntRange(0), help="Linear warmup (default: a tenth of the steps).")
@click.option("--patience", type=click.IntRange(0), default=2, show_default=True,
              help="Stop after this many epochs without a better validation loss; 0: never stop early.")
@click.option("--validation-share", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.1,
              show_default=True, help="Share of the photos held out for validation (split by photo id).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the validation split and the photos' order: the same seed repeats a run.")
@click.option("--gradient-checkpointing", is_flag=True, help="Less memory, about a third more time.")
@click.option("--evaluate/--no-evaluate", default=True, show_default=True,
              help="After training, evaluate the new model beside the model it started from on the held-out "
                   "photos (as `photo-annotator evaluate` does) and print the table.")
@click.option("--device", default="auto", show_default=True,
              help="cuda, cuda:N, mps, cpu, or auto: CUDA, then Apple MPS, then CPU.")
@json_option
@db_option
def train(captioner_id: str, model: str | None, libraries: tuple[str, ...], output: Path, epochs: int,
          lr: float, batch_size: int, accumulate: int, warmup_steps: int | None, patience: int,
          validation_share: float, seed: int, gradient_checkpointing: bool, evaluate: bool, device: str,
          as_json: bool, db: str | None) -> None:
    """Fine-tune a captioner's model on the approved captions and save it as OUTPUT/vN.

    The work runs as a job in the catalogue's queue (`photo-annotator jobs` lists it with its optimizer
    steps). Photos are split into training and validation by photo id (adding photos later moves none
    of the others). A checkpoint is saved after every epoch and on Ctrl+C (exit status 130): the same
    command again, or `photo-annotator jobs resume ID`, continues where it stopped, with the settings
    it started with. The saved folder works as the captioner's model: `photo-annotator caption
    --captioner ID --model OUTPUT/vN`. With --json, one progress object per optimizer step and the
    report at the end.
    """
    from desktop_app.catalogue.photos import find_library
    from desktop_app.cli.job_output import JobOutput, run_in_foreground
    from desktop_app.jobs.checks import ModelFolderError
    from desktop_app.services import jobs
    from desktop_app.services.engine import build_engine
    from desktop_app.training.dataset import TrainingDataError
    from desktop_app.training.trainer import TrainingError, TrainSettings

    engine = build_engine(device=device)
    engine.registry.get_captioner(captioner_id)  # an unknown id fails here, before any work
    catalogue = open_db(db)
    with catalogue.read() as session:
        library_ids = [find_library(session, ref).id for ref in libraries] or None
    settings = TrainSettings(epochs=epochs, lr=lr, batch_size=batch_size, accumulate=accumulate,
                             warmup_steps=warmup_steps, patience=patience or None,
                             gradient_checkpointing=gradient_checkpointing,
                             validation_share=validation_share, seed=seed, evaluate=evaluate)
    runner = jobs.make_runner(catalogue, engine, JobOutput(as_json))
    try:
        job = jobs.queue_train_job(runner, captioner_id, output, settings, model=model,
                                   library_ids=library_ids)
    except ModelFolderError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    except (TrainingError, TrainingDataError) as exc:
        raise click.ClickException(str(exc)) from None
    run_in_foreground(runner, job.id)
