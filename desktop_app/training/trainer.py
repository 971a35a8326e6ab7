"""Fine-tuning a captioner's model on approved captions: VisionEncoderDecoder, BLIP and Florence-2.

- The model loads through the captioner's own ``load()`` (safetensors, no remote code), in float32;
  on CUDA the forward pass runs under bf16 autocast where the GPU supports it.
- AdamW with a linear warmup/decay schedule, gradient accumulation, optional gradient checkpointing,
  early stopping on validation loss (the loss the evaluation reports: ``training.evaluate.loss_inputs``).
- ``OUTPUT/checkpoints/last`` is written after every epoch and on cancel: weights, optimizer,
  scheduler, random states, position and the split's photo ids. Training the same output again
  continues from it: the same step count and the same data order as an uninterrupted run.
- The result is ``OUTPUT/vN``: a model folder that the same captioner loads with ``--model OUTPUT/vN``
  (safetensors weights, processor, generation config, a model card README.md, training.json).

torch and transformers are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop_app import __version__
from desktop_app.errors import one_line
from desktop_app.plugin_api.captioner import Captioner
from desktop_app.training.dataset import (
    Pair,
    PhotoCaptionDataset,
    TrainingDataError,
    check_enough,
    split,
)
from desktop_app.training.evaluate import BLIP, FLORENCE, VISION_ENCODER_DECODER

log = logging.getLogger(__name__)

# The model families with a teacher-forced loss (training.evaluate knows how to build their inputs).
TRAINABLE_MODEL_TYPES = {
    VISION_ENCODER_DECODER: "VisionEncoderDecoder",
    BLIP: "BLIP",
    FLORENCE: "Florence-2",
}
CHECKPOINT = Path("checkpoints") / "last"
BEST = Path("checkpoints") / "best"
STATE_FILE = "state.json"
TENSORS_FILE = "optimizer.pt"
WEIGHTS_FILE = "model.safetensors"

Progress = Callable[[int, int, float | None, float | None], None]  # step, total, train loss, val loss


class TrainingError(Exception):
    """Training cannot start or go on; the message says why, in one line."""


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 3
    lr: float = 5e-5
    batch_size: int = 8
    accumulate: int = 1  # micro-batches per optimizer step
    warmup_steps: int | None = None  # None: a tenth of the optimizer steps
    weight_decay: float = 0.01
    patience: int | None = 2  # epochs without a better validation loss before stopping; None: never
    gradient_checkpointing: bool = False
    validation_share: float = 0.1
    seed: int = 0
    max_grad_norm: float | None = 1.0
    workers: int | None = None  # data loader processes; None: 2 on GPUs, 0 (decode inline) on CPUs
    # After a finished run, evaluate the new model beside its base on the held-out split (the train
    # job's end: training/evaluate.py evaluate_fine_tune).
    evaluate: bool = True

    def check(self) -> None:
        for name in ("epochs", "batch_size", "accumulate"):
            if getattr(self, name) < 1:
                raise TrainingError(f"{name.replace('_', ' ')} must be at least 1")
        if not self.lr > 0:
            raise TrainingError("the learning rate must be positive")
        if not 0 < self.validation_share < 1:
            raise TrainingError("the validation share must be between 0 and 1")


@dataclass
class TrainReport:
    captioner_id: str
    base_model: str
    output: str
    model_folder: str | None  # OUTPUT/vN; None when cancelled
    checkpoint: str | None  # OUTPUT/checkpoints/last while the run can be resumed
    device: str
    precision: str  # "bf16 autocast" or "float32"
    train_pairs: int
    validation_pairs: int
    steps: int  # optimizer steps done (in all runs of this training)
    total_steps: int
    epochs_done: int
    resumed_from_step: int | None
    cancelled: bool
    stopped_early: bool
    train_loss: list[float]  # mean training loss per epoch
    validation_loss: list[float]  # per epoch
    best_epoch: int | None  # 1-based epoch whose weights were saved
    seconds: float
    samples_per_second: float
    settings: dict[str, Any] = field(default_factory=dict)
    # After a finished run: the new model beside the one it started from on the held-out split
    # (training.evaluate.EvaluationReport), or why that evaluation could not run.
    evaluation: Any = None
    evaluation_note: str | None = None

    def summary(self) -> str:
        if self.cancelled:
            return (f"training stopped at step {self.steps} of {self.total_steps}; checkpoint saved in "
                    f"{self.checkpoint}; run the same command again to resume")
        best = self.validation_loss[self.best_epoch - 1] if self.best_epoch else None
        early = ", stopped early" if self.stopped_early else ""
        loss = f", best validation loss {best:.4f} (epoch {self.best_epoch})" if best is not None else ""
        return (f"fine-tuned {self.base_model} on {self.train_pairs} photos ({self.validation_pairs} for "
                f"validation): {self.epochs_done} epochs, {self.steps} steps{early}{loss}; saved "
                f"{self.model_folder} (use it with --captioner {self.captioner_id} --model "
                f"{self.model_folder})")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["evaluation"] = self.evaluation.to_json() if self.evaluation is not None else None
        return data


# --- which models can be fine-tuned -------------------------------------------------------------------

def trainable_model_type(captioner: Captioner, source: str) -> str:
    """The model family of ``source`` under ``captioner`` (from its config.json, before any weights
    load); a TrainingError names what cannot be fine-tuned and why."""
    from desktop_app.plugin_api.hf import TransformersCaptioner, load_config

    if not isinstance(captioner, TransformersCaptioner):
        raise TrainingError(f"captioner {captioner.id} cannot be fine-tuned: it is not a transformers "
                            "captioning model")
    model_type = load_config(source, captioner.revision).get("model_type")
    if model_type not in TRAINABLE_MODEL_TYPES:
        known = ", ".join(f"{name} ({kind})" for kind, name in TRAINABLE_MODEL_TYPES.items())
        raise TrainingError(f"captioner {captioner.id} cannot be fine-tuned: its model {source} is of "
                            f"type '{model_type or 'not given'}'; fine-tuning supports {known}")
    return str(model_type)


def model_id(source: str) -> str:
    """How a base model is recorded (training.json, the model card): a local folder as its absolute path,
    so that `evaluate` finds it from any directory; a hub id as it is."""
    folder = Path(source).expanduser()
    return str(folder.resolve()) if folder.is_dir() else source


# --- training -----------------------------------------------------------------------------------------

def train(captioner: Captioner, pairs: Sequence[Pair], output: Path, settings: TrainSettings | None = None,
          *, device: str | None = None, progress: Progress | None = None,
          stop: Callable[[], bool] | None = None) -> TrainReport:
    """Fine-tune ``captioner``'s model (its ``model``: hub id or folder) on ``pairs`` into ``output``.

    If ``output`` holds an unfinished run's checkpoint, that run continues (its settings and split
    win over ``settings``). ``stop`` is polled between optimizer steps; once it returns True a
    checkpoint is written and the report says cancelled. ``progress(step, total, train_loss,
    val_loss)`` is called after each optimizer step (val_loss: the last epoch's, or None).
    """
    import torch

    from desktop_app.plugin_api.hf import resolve_device

    started = time.perf_counter()
    check_enough(pairs)
    output = Path(output).expanduser()
    resume = _read_checkpoint(output, captioner)
    if resume is not None:
        settings = TrainSettings(**resume["settings"])
    settings = settings or TrainSettings()
    settings.check()
    model_type = trainable_model_type(captioner, captioner.model)
    train_pairs, validation_pairs = _split_for(pairs, settings, resume)

    device = resolve_device(device)
    captioner.load(device, "float32")  # float32 master weights; bf16 only inside autocast
    network = captioner.network  # type: ignore[attr-defined]
    if settings.gradient_checkpointing:
        if not getattr(network, "supports_gradient_checkpointing", False):
            raise TrainingError(f"{captioner.model} does not support gradient checkpointing")
        network.gradient_checkpointing_enable()
    autocast = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    options = captioner.option_defaults()

    batches_per_epoch = math.ceil(len(train_pairs) / settings.batch_size)
    steps_per_epoch = math.ceil(batches_per_epoch / settings.accumulate)
    total_steps = steps_per_epoch * settings.epochs
    warmup = settings.warmup_steps if settings.warmup_steps is not None else total_steps // 10
    optimizer, scheduler = _optimizer(network, settings, warmup, total_steps)

    state = {"step": 0, "epoch": 0, "batch": 0, "train_loss": [], "validation_loss": [], "best_epoch": None,
             "best_loss": None, "epoch_loss_sum": 0.0, "epoch_loss_count": 0}
    if resume is not None:
        _restore(output / CHECKPOINT, network, optimizer, scheduler, device)
        state.update({key: resume[key] for key in state})
        log.info("resuming %s at step %d", output, state["step"])
    else:
        torch.manual_seed(settings.seed)
        random.seed(settings.seed)
        shutil.rmtree(output / "checkpoints", ignore_errors=True)
    resumed_from = state["step"] if resume is not None else None

    base_model = model_id(captioner.model)
    identity = {"captioner_id": captioner.id, "base_model": base_model, "model_type": model_type,
                "settings": asdict(settings), "train_ids": [p.photo_id for p in train_pairs],
                "validation_ids": [p.photo_id for p in validation_pairs], "finished": False}
    workers = settings.workers if settings.workers is not None else (2 if device != "cpu" else 0)
    max_side = getattr(captioner, "max_image_side", None)
    samples = 0
    cancelled = stopped_early = False

    def forward_loss(images: list[Any], captions: list[str]) -> Any:
        from desktop_app.training.evaluate import loss_inputs

        inputs = loss_inputs(captioner, images, captions, options)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            return network(**inputs).loss

    while state["epoch"] < settings.epochs and not cancelled and not stopped_early:
        epoch = state["epoch"]
        order = _epoch_order(len(train_pairs), settings.seed, epoch)
        batches = [order[i:i + settings.batch_size] for i in range(0, len(order), settings.batch_size)]
        network.train()
        loader = _loader(train_pairs, batches[state["batch"]:], max_side, workers)
        pending = 0
        for images, captions in loader:
            loss = forward_loss(images, captions)
            (loss / settings.accumulate).backward()
            state["epoch_loss_sum"] += float(loss.detach().float()) * len(captions)
            state["epoch_loss_count"] += len(captions)
            samples += len(captions)
            state["batch"] += 1
            pending += 1
            if pending < settings.accumulate and state["batch"] < len(batches):
                continue
            if settings.max_grad_norm:
                torch.nn.utils.clip_grad_norm_(network.parameters(), settings.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            pending = 0
            state["step"] += 1
            if progress is not None:
                last_val = state["validation_loss"][-1] if state["validation_loss"] else None
                progress(state["step"], total_steps, state["epoch_loss_sum"] / state["epoch_loss_count"],
                         last_val)
            if stop is not None and stop() and state["batch"] < len(batches):
                cancelled = True
                break
        if cancelled:
            break
        val_loss = _validation_loss(network, validation_pairs, settings.batch_size, max_side, workers,
                                    forward_loss)
        state["train_loss"].append(state["epoch_loss_sum"] / max(1, state["epoch_loss_count"]))
        state["validation_loss"].append(val_loss)
        state.update(epoch=epoch + 1, batch=0, epoch_loss_sum=0.0, epoch_loss_count=0)
        if state["best_loss"] is None or val_loss < state["best_loss"]:
            state.update(best_loss=val_loss, best_epoch=epoch + 1)
            _save_weights(network, output / BEST)
        elif settings.patience is not None and state["epoch"] - state["best_epoch"] >= settings.patience:
            stopped_early = True
        if progress is not None:
            progress(state["step"], total_steps, state["train_loss"][-1], val_loss)
        _write_checkpoint(output, network, optimizer, scheduler, {**identity, **state})
        if stop is not None and stop() and state["epoch"] < settings.epochs:
            cancelled = True

    seconds = time.perf_counter() - started
    report = TrainReport(
        captioner_id=captioner.id, base_model=base_model, output=str(output), model_folder=None,
        checkpoint=str(output / CHECKPOINT), device=device,
        precision="bf16 autocast" if autocast else "float32", train_pairs=len(train_pairs),
        validation_pairs=len(validation_pairs), steps=state["step"], total_steps=total_steps,
        epochs_done=state["epoch"], resumed_from_step=resumed_from, cancelled=cancelled,
        stopped_early=stopped_early, train_loss=state["train_loss"],
        validation_loss=state["validation_loss"], best_epoch=state["best_epoch"], seconds=seconds,
        samples_per_second=samples / seconds if seconds else 0.0, settings=asdict(settings),
    )
    if cancelled:
        if state["batch"]:  # stopped inside an epoch: the epoch-end checkpoint is older
            _write_checkpoint(output, network, optimizer, scheduler, {**identity, **state})
        return report
    _load_weights(network, output / BEST)
    report.model_folder = str(_save_model(captioner, output, report))
    _write_checkpoint_state(output, {**identity, **state, "finished": True})
    report.checkpoint = None
    return report


def _split_for(pairs: Sequence[Pair], settings: TrainSettings,
               resume: dict[str, Any] | None) -> tuple[list[Pair], list[Pair]]:
    if resume is None:
        return split(pairs, settings.validation_share, settings.seed)
    by_id = {pair.photo_id: pair for pair in pairs}
    wanted = [*resume["train_ids"], *resume["validation_ids"]]
    missing = [photo_id for photo_id in wanted if photo_id not in by_id]
    if missing:
        raise TrainingError(f"{len(missing)} photos of the interrupted training are no longer approved or "
                            "readable, so it cannot continue; remove its checkpoints folder to start over")
    return ([by_id[i] for i in resume["train_ids"]], [by_id[i] for i in resume["validation_ids"]])


def _epoch_order(count: int, seed: int, epoch: int) -> list[int]:
    """The training pairs' order in an epoch: fixed by seed and epoch, so a resumed run sees the same."""
    import torch

    generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(count, generator=generator).tolist()


def _collate(batch: list[tuple[Any, str]]) -> tuple[list[Any], list[str]]:
    return [image for image, _ in batch], [caption for _, caption in batch]


def _loader(pairs: list[Pair], batches: list[list[int]], max_side: int | None, workers: int) -> Any:
    """Decoded (images, captions) batches in the given order; ``workers`` processes decode ahead."""
    import torch
    from torch.utils.data import DataLoader

    # Its own generator: a loader draws a seed when iterated, which must not move the global random
    # state (dropout), or a run resumed inside an epoch would differ from an uninterrupted one.
    return DataLoader(PhotoCaptionDataset(pairs, max_side), batch_sampler=batches, collate_fn=_collate,
                      num_workers=workers, prefetch_factor=2 if workers else None,
                      generator=torch.Generator().manual_seed(0))


def _validation_loss(network: Any, pairs: list[Pair], batch_size: int, max_side: int | None, workers: int,
                     forward_loss: Callable[[list[Any], list[str]], Any]) -> float:
    import torch

    network.eval()
    batches = [list(range(i, min(i + batch_size, len(pairs)))) for i in range(0, len(pairs), batch_size)]
    total, count = 0.0, 0
    with torch.no_grad():
        for images, captions in _loader(pairs, batches, max_side, workers):
            total += float(forward_loss(images, captions).float()) * len(captions)
            count += len(captions)
    network.train()
    return total / max(1, count)


def _optimizer(network: Any, settings: TrainSettings, warmup: int, total: int) -> tuple[Any, Any]:
    import torch
    from transformers import get_linear_schedule_with_warmup

    # No weight decay on biases and norms, as usual for transformers.
    decay, no_decay = [], []
    for name, parameter in network.named_parameters():
        if parameter.requires_grad:
            (no_decay if parameter.ndim < 2 or "norm" in name.lower() else decay).append(parameter)
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": settings.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=settings.lr)
    return optimizer, get_linear_schedule_with_warmup(optimizer, warmup, max(total, 1))


# --- checkpoints ----------------------------------------------------------------------------------------

def _read_checkpoint(output: Path, captioner: Captioner) -> dict[str, Any] | None:
    """The unfinished run's state in ``output``, if any; a TrainingError if it is another training's."""
    path = output / CHECKPOINT / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise TrainingError(f"cannot read the checkpoint {path}: {one_line(exc)}; remove "
                            f"{output / 'checkpoints'} to start over") from exc
    if state.get("finished"):
        return None
    base_model = state.get("base_model")
    if state.get("captioner_id") != captioner.id or not isinstance(base_model, str) or (
            model_id(base_model) != model_id(captioner.model)):
        raise TrainingError(f"{output} holds an unfinished training of {state.get('base_model')} "
                            f"(captioner {state.get('captioner_id')}); resume it with the same captioner and "
                            "model, or choose another --output")
    return state


def _save_weights(network: Any, folder: Path) -> None:
    from safetensors.torch import save_model

    folder.mkdir(parents=True, exist_ok=True)
    save_model(network, str(folder / WEIGHTS_FILE))


def _load_weights(network: Any, folder: Path) -> None:
    from safetensors.torch import load_model

    load_model(network, str(folder / WEIGHTS_FILE), device=str(next(network.parameters()).device))


def _write_checkpoint(output: Path, network: Any, optimizer: Any, scheduler: Any,
                      state: dict[str, Any]) -> None:
    """Write checkpoints/last anew, then swap it in: a crash mid-write leaves the previous one."""
    import torch

    final = output / CHECKPOINT
    temp = final.with_name(final.name + ".partial")
    shutil.rmtree(temp, ignore_errors=True)
    _save_weights(network, temp)
    rng = {"torch": torch.get_rng_state(), "python": _python_rng()}
    if torch.cuda.is_available():
        rng["cuda"] = torch.cuda.get_rng_state_all()
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng},
               temp / TENSORS_FILE)
    (temp / STATE_FILE).write_text(json.dumps(state, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(temp, final)


def _write_checkpoint_state(output: Path, state: dict[str, Any]) -> None:
    (output / CHECKPOINT / STATE_FILE).write_text(json.dumps(state, indent=1))


def _restore(folder: Path, network: Any, optimizer: Any, scheduler: Any, device: str) -> None:
    import torch

    _load_weights(network, folder)
    saved = torch.load(folder / TENSORS_FILE, map_location=device, weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    torch.set_rng_state(saved["rng"]["torch"].cpu())
    if "cuda" in saved["rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([state.cpu() for state in saved["rng"]["cuda"]])
    version, internal, gauss = saved["rng"]["python"]
    random.setstate((version, tuple(internal), gauss))


def _python_rng() -> list[Any]:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


# --- the saved model ---------------------------------------------------------------------------------

def _save_model(captioner: Captioner, output: Path, report: TrainReport) -> Path:
    """OUTPUT/vN (N one more than the highest there): weights, processor, generation config, card."""
    versions = [int(p.name[1:]) for p in output.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
    folder = output / f"v{max(versions, default=0) + 1}"
    temp = output / f".{folder.name}.partial"
    shutil.rmtree(temp, ignore_errors=True)
    network = captioner.network  # type: ignore[attr-defined]
    if report.settings.get("gradient_checkpointing"):
        network.gradient_checkpointing_disable()
    network.eval()
    network.save_pretrained(temp)
    for part in ("processor", "image_processor", "tokenizer"):
        value = getattr(captioner, part, None)
        if value is not None:
            value.save_pretrained(temp)
    report.model_folder = str(folder)
    (temp / "training.json").write_text(json.dumps(report.to_json(), indent=1))
    (temp / "README.md").write_text(model_card(report))
    os.replace(temp, folder)
    return folder


def model_card(report: TrainReport) -> str:
    settings = report.settings
    rows = "\n".join(f"| {epoch} | {train:.4f} | {val:.4f} |" for epoch, (train, val)
                     in enumerate(zip(report.train_loss, report.validation_loss, strict=True), start=1))
    best = report.validation_loss[report.best_epoch - 1] if report.best_epoch else None
    return f"""---
base_model: {report.base_model}
library_name: transformers
pipeline_tag: image-to-text
tags: [image-captioning, photo-annotator, fine-tuned]
---

# Fine-tuned {report.base_model}

Fine-tuned by Photo Annotator {__version__} on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} from the
catalogue's approved captions, for the `{report.captioner_id}` captioner:
`photo-annotator caption --captioner {report.captioner_id} --model {report.model_folder} ...`

- Base model: `{report.base_model}`
- Data: {report.train_pairs} photos for training, {report.validation_pairs} for validation (split by photo id,
  seed {settings.get('seed')}, validation share {settings.get('validation_share')})
- Settings: {settings.get('epochs')} epochs, learning rate {settings.get('lr')}, batch size
  {settings.get('batch_size')} x {settings.get('accumulate')} accumulated, warmup steps
  {settings.get('warmup_steps') if settings.get('warmup_steps') is not None else 'a tenth of the steps'},
  weight decay {settings.get('weight_decay')}, patience {settings.get('patience')}, gradient checkpointing
  {'on' if settings.get('gradient_checkpointing') else 'off'}; AdamW, linear warmup and decay
- Device: {report.device} ({report.precision}); {report.steps} optimizer steps in {report.epochs_done} epochs
  {'(stopped early: no better validation loss)' if report.stopped_early else ''}
- Saved weights: epoch {report.best_epoch}, validation loss {best:.4f}

| epoch | training loss | validation loss |
|---|---|---|
{rows}
""" if best is not None else f"# Fine-tuned {report.base_model}\n"


__all__ = ["TRAINABLE_MODEL_TYPES", "Progress", "TrainReport", "TrainSettings", "TrainingDataError",
           "TrainingError", "train", "trainable_model_type"]
