"""`photo-annotator train`: fine-tune a captioner's model on the catalogue's approved captions."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db

if TYPE_CHECKING:
    from desktop_app.cli.job_output import ProgressBar


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
@click.option("--device", default="auto", show_default=True,
              help="cuda, cuda:N, mps, cpu, or auto: CUDA, then Apple MPS, then CPU.")
@json_option
@db_option
def train(captioner_id: str, model: str | None, libraries: tuple[str, ...], output: Path, epochs: int,
          lr: float, batch_size: int, accumulate: int, warmup_steps: int | None, patience: int,
          validation_share: float, seed: int, gradient_checkpointing: bool, device: str, as_json: bool,
          db: str | None) -> None:
    """Fine-tune a captioner's model on the approved captions and save it as OUTPUT/vN.

    Photos are split into training and validation by photo id (adding photos later moves none of the
    others). A checkpoint is saved after every epoch and on Ctrl+C (exit status 130): the same command
    again continues where it stopped, with the settings it started with. The saved folder works as
    the captioner's model: `photo-annotator caption --captioner ID --model OUTPUT/vN`. With --json,
    one progress object per optimizer step and the report at the end.
    """
    from desktop_app.catalogue.photos import find_library
    from desktop_app.cli.job_output import ProgressBar
    from desktop_app.jobs.checks import ModelFolderError, resolve_model
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.settings import load_settings
    from desktop_app.training.dataset import TrainingDataError, approved_pairs
    from desktop_app.training.trainer import TrainingError, TrainSettings
    from desktop_app.training.trainer import train as run_training

    prototype = load_plugins().get_captioner(captioner_id)
    try:  # stored in the fine-tuned model's training.json: absolute, whatever the current folder
        model = resolve_model(model)
    except ModelFolderError as exc:
        raise click.BadParameter(str(exc), param_hint="'--model'") from None
    source = model or load_settings().captioner_models.get(captioner_id)
    captioner = type(prototype)(model=source)
    catalogue = open_db(db)
    with catalogue.read() as session:
        library_ids = [find_library(session, ref).id for ref in libraries] or None
    pairs = approved_pairs(catalogue, library_ids)
    settings = TrainSettings(epochs=epochs, lr=lr, batch_size=batch_size, accumulate=accumulate,
                             warmup_steps=warmup_steps, patience=patience or None,
                             gradient_checkpointing=gradient_checkpointing,
                             validation_share=validation_share, seed=seed)
    stopping = _CtrlC()
    bar = ProgressBar("Fine-tuning", unit="step ", log_every=0.05)
    try:
        report = run_training(captioner, pairs, output, settings, device=device,
                              progress=_progress(as_json, bar), stop=stopping)
    except (TrainingError, TrainingDataError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        stopping.restore()
        bar.close()
    if as_json:
        emit_json({"event": "done", **report.to_json()})
    else:
        echo(report.summary())
    if report.cancelled:
        echo(f"photo-annotator: interrupted at step {report.steps} of {report.total_steps}; the same command "
             f"resumes from the checkpoint in {output}", err=True)
        sys.exit(130)


class _CtrlC:
    """The first Ctrl+C asks the trainer to stop after its current step (it saves a checkpoint);
    a second one interrupts at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        echo("\nstopping after this step and saving a checkpoint (Ctrl+C again to quit at once)", err=True)

    def __call__(self) -> bool:
        return self.requested

    def restore(self) -> None:
        signal.signal(signal.SIGINT, self._previous)


def _progress(as_json: bool, bar: ProgressBar) -> Any:
    def show(step: int, total: int, loss: float | None, val_loss: float | None) -> None:
        if as_json:
            emit_json({"event": "progress", "step": step, "total": total, "train_loss": loss,
                       "validation_loss": val_loss})
            sys.stdout.flush()  # a reader on a pipe sees each step as it ends
            return
        detail = f"  loss {loss:.4f}" if loss is not None else ""
        if val_loss is not None:
            detail += f"  validation loss {val_loss:.4f}"
        bar.update(step, total, detail)

    return show
