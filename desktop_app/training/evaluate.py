"""Evaluating captioning models on the editors' approved captions: caption metrics and validation loss.

Each model captions the split's photos through the CaptionEngine (the code path users hit: same
decoding, preprocessing, prompt and generation settings), and its captions are scored against the
approved ones with the COCO metrics (training.metrics). The validation loss is the teacher-forced mean
cross-entropy per caption token of the approved captions under the model, from the model's own
``forward(labels=...)``: for VisionEncoderDecoder, BLIP and Florence-2 models; other models get the
metrics only, with the reason the loss is missing.

torch is imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.captioning.engine import CaptionEngine, WorkItem, decode_for
from desktop_app.catalogue import Catalogue
from desktop_app.errors import isolated, one_line
from desktop_app.plugin_api.captioner import Captioner
from desktop_app.training.dataset import Pair, approved_pairs, split
from desktop_app.training.metrics import METRICS, SPICE_NOTE, caption_metrics

# transformers' model_type of the architectures whose loss is computed here.
log = logging.getLogger(__name__)

VISION_ENCODER_DECODER = "vision-encoder-decoder"
BLIP = "blip"
FLORENCE = "florence2"
LOSS_MODEL_TYPES = (VISION_ENCODER_DECODER, BLIP, FLORENCE)


class EvaluationError(Exception):
    """Nothing to evaluate, or a model that cannot be evaluated; ``str()`` is the one-line message."""


class Split(enum.StrEnum):
    VALIDATION = "validation"
    TRAIN = "train"
    ALL = "all"


@dataclass(frozen=True)
class ModelEvaluation:
    """One model's results on the split."""

    model: str  # the hub id or folder the captioner loaded
    label: str  # a short column heading: the hub id, or the folder's name
    pairs: int  # approved captions scored (photos the model captioned)
    failed: dict[str, str]  # photo path -> why the model could not caption it (left out of the scores)
    validation_loss: float | None
    loss_note: str | None  # why there is no loss
    metrics: dict[str, float]
    unavailable: dict[str, str]  # metric -> why it was not computed
    tokenizer: str

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model, "label": self.label, "pairs": self.pairs, "failed": self.failed,
            "validation_loss": self.validation_loss, "loss_note": self.loss_note, "metrics": self.metrics,
            "unavailable": self.unavailable, "tokenizer": self.tokenizer,
        }


@dataclass(frozen=True)
class EvaluationReport:
    captioner_id: str
    split: Split
    pairs: int  # approved pairs in the split
    models: list[ModelEvaluation] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)  # base model -> why it was not evaluated

    def notes(self) -> list[str]:
        """What the table does not show: base models left out, metrics left out and why, photos that
        failed, the tokenizer."""
        notes = [f"base model {model} not evaluated: {reason}" for model, reason in self.left_out.items()]
        notes.append(SPICE_NOTE)
        for evaluation in self.models:
            for metric, reason in evaluation.unavailable.items():
                notes.append(f"{metric} not computed for {evaluation.label}: {reason}")
            if evaluation.loss_note:
                notes.append(f"no validation loss for {evaluation.label}: {evaluation.loss_note}")
            if evaluation.failed:
                notes.append(f"{evaluation.label} could not caption {len(evaluation.failed)} photos "
                             "(left out of its scores)")
        tokenizers = {evaluation.tokenizer for evaluation in self.models}
        notes += [f"text tokenized by the {tokenizer}" for tokenizer in sorted(tokenizers)]
        return list(dict.fromkeys(notes))

    def table(self) -> str:
        """Models side by side: one column each, one row per figure ("-": not computed)."""
        rows: list[tuple[str, list[str]]] = [
            ("pairs", [str(e.pairs) for e in self.models]),
            (f"{self.split.value} loss" if self.split is not Split.ALL else "loss",
             [_number(e.validation_loss, 4) for e in self.models]),
        ]
        rows += [(name, [_number(e.metrics.get(name), 4) for e in self.models]) for name in METRICS]
        headings = ["", *(e.label for e in self.models)]
        widths = [max(len(headings[0]), *(len(name) for name, _ in rows))]
        widths += [max(len(heading), *(len(values[i]) for _, values in rows))
                   for i, heading in enumerate(headings[1:])]
        lines = ["  ".join(text.ljust(width) if i == 0 else text.rjust(width)
                           for i, (text, width) in enumerate(zip(headings, widths, strict=True))).rstrip()]
        for name, values in rows:
            cells = [name.ljust(widths[0])] + [value.rjust(width)
                                                for value, width in zip(values, widths[1:], strict=True)]
            lines.append("  ".join(cells))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"captioner": self.captioner_id, "split": self.split.value, "pairs": self.pairs,
                "models": [evaluation.to_json() for evaluation in self.models], "left_out": self.left_out,
                "notes": self.notes()}


def _number(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:.{places}f}"


def training_record(model: str | None) -> dict[str, Any] | None:
    """A fine-tuned model folder's training.json (what ``train`` wrote: settings, base model...), or None
    for any other model or an unreadable record."""
    record = Path(model).expanduser() / "training.json" if model else None
    if record is None or not record.is_file():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: not a training record (%s)", record, exc)
        return None
    if not isinstance(data, dict):
        log.warning("ignoring %s: not a training record", record)
        return None
    return data


def split_settings_of(models: Sequence[str | None]) -> tuple[float, int]:
    """The validation share and seed a fine-tuned model was trained with (its folder's training.json,
    the first one found), so that it is scored on the photos it never saw; else the trainer's defaults."""
    for model in models:
        record = training_record(model)
        if record is None:
            continue
        try:
            settings = record.get("settings") or {}
            return float(settings.get("validation_share", 0.1)), int(settings.get("seed", 0))
        except (ValueError, TypeError, AttributeError):
            log.warning("ignoring the settings in %s's training.json", model)
    return 0.1, 0


def base_models_of(models: Sequence[str | None]) -> list[str]:
    """The models the fine-tuned ones among ``models`` started from (their training.json's
    base_model), in order, each once: what a fine-tune is compared with."""
    bases: list[str] = []
    for model in models:
        base = (training_record(model) or {}).get("base_model")
        if isinstance(base, str) and base and base not in bases:
            bases.append(base)
    return bases


def evaluate(catalogue: Catalogue, captioner_id: str, models: Sequence[str | None],
             split_name: Split | str = Split.VALIDATION, *, engine: CaptionEngine,
             library_ids: Sequence[int] | None = None, validation_share: float = 0.1, seed: int = 0,
             options: dict[str, Any] | None = None, java: str | None = None,
             on_model: Callable[[str], None] | None = None,
             progress: Callable[[int, int], None] | None = None,
             bases: Sequence[str | None] = ()) -> EvaluationReport:
    """Evaluate each of ``bases``, then each of ``models`` (None: the captioner's configured model, else
    its default) on the approved captions of ``split_name`` (the train/validation split the trainer
    makes with the same ``validation_share`` and ``seed``, or all approved pairs).

    ``bases`` are the models to compare with (see ``base_models_of``): one that is not here (not a
    folder, not in the hub cache, and the hub out of reach) is left out with a note, and the rest are
    evaluated. ``engine`` runs the captioning (services.engine.build_engine: the settings' device,
    number format, batch size and models). ``on_model`` is told each model's name before it starts,
    ``progress(done, total)`` each photo that model has captioned.
    """
    from desktop_app.plugin_api.hf import unavailable_reason

    chosen = Split(split_name)
    pairs = split_pairs(catalogue, chosen, library_ids=library_ids, validation_share=validation_share,
                        seed=seed)
    if not pairs:
        where = "approved captions" if chosen is Split.ALL else f"approved captions in the {chosen} split"
        raise EvaluationError(f"there are no {where} to evaluate against; approve some captions first")
    report = EvaluationReport(captioner_id, chosen, len(pairs))
    seen: set[str] = set()
    for model, is_base in [(model, True) for model in bases] + [(model, False) for model in models or [None]]:
        source = engine.model_for(captioner_id, model)
        if source in seen:
            continue  # the base model named again
        seen.add(source)
        reason = unavailable_reason(source) if is_base else None
        if reason is not None:
            report.left_out[source] = reason
            continue
        if on_model is not None:
            on_model(source)
        report.models.append(evaluate_model(engine, captioner_id, model, pairs, options=options, java=java,
                                            progress=progress))
    return report


def evaluate_fine_tune(catalogue: Catalogue, engine: CaptionEngine, report: Any) -> None:
    """After a finished fine-tune (``report``: a TrainReport with its model folder), evaluate the new model
    beside the model it started from on the split held out from its training, as `photo-annotator
    evaluate --captioner ID --model FOLDER` does; the result (or why it could not run) goes on
    ``report``. Never raises: the training succeeded whatever the evaluation does."""
    folder = report.model_folder
    if not folder:
        return
    try:
        validation_share, seed = split_settings_of([folder])
        report.evaluation = evaluate(catalogue, report.captioner_id, [folder], Split.VALIDATION,
                                     engine=engine,
                                     bases=base_models_of([folder]) or [report.base_model],
                                     validation_share=validation_share, seed=seed)
    except Exception as exc:  # a failed evaluation leaves a note, not a failed training job
        log.info("evaluating %s failed: %s", folder, exc, exc_info=True)
        report.evaluation_note = one_line(exc)
    finally:
        engine.unload()  # the models compared make room again, as the training's did


def split_pairs(catalogue: Catalogue, chosen: Split, *, library_ids: Sequence[int] | None = None,
                validation_share: float = 0.1, seed: int = 0) -> list[Pair]:
    pairs = approved_pairs(catalogue, list(library_ids) if library_ids is not None else None)
    if chosen is Split.ALL:
        return list(pairs)
    train, validation = split(pairs, validation_share=validation_share, seed=seed)
    return list(validation if chosen is Split.VALIDATION else train)


def model_label(source: str) -> str:
    """A column heading: a local folder by its name, a hub id as it is."""
    path = Path(source).expanduser()
    return path.name if path.is_dir() else source


def evaluate_model(engine: CaptionEngine, captioner_id: str, model: str | None, pairs: Sequence[Pair], *,
                   options: dict[str, Any] | None = None, java: str | None = None,
                   progress: Callable[[int, int], None] | None = None) -> ModelEvaluation:
    """Caption ``pairs``' photos with one model through the engine, score the captions, and compute the
    validation loss of the approved captions."""
    source = engine.model_for(captioner_id, model)
    by_id = {pair.photo_id: pair for pair in pairs}
    items = [WorkItem(pair.photo_id, pair.path) for pair in by_id.values()]
    candidates: dict[int, str] = {}
    failed: dict[str, str] = {}
    for outcome in engine.run(captioner_id, items, model=model, options=options):
        if outcome.result is not None:
            candidates[outcome.item.key] = outcome.result.text
        else:
            failed[outcome.item.path] = outcome.error or "no caption"
        if progress is not None:
            progress(len(candidates) + len(failed), len(items))
    loss: float | None = None
    loss_note: str | None = None
    scores: dict[str, float] = {}
    unavailable: dict[str, str] = {}
    tokenizer = ""
    if candidates:
        scored = caption_metrics({key: [by_id[key].caption] for key in candidates}, candidates, java=java)
        scores, unavailable, tokenizer = dict(scored), scored.unavailable, scored.tokenizer
        captioner = engine.captioner(captioner_id, model)  # the copy that captioned, from the cache
        settings = {**captioner.option_defaults(), **(options or {})}
        try:
            loss = validation_loss(captioner, [by_id[key] for key in candidates], settings,
                                   batch_size=engine.batch_size)
        except EvaluationError as exc:
            loss_note = str(exc)
        except BaseException as caught:  # the model's own code failed: its captions are still scored
            exc = isolated(caught)
            log.warning("validation loss of %s failed", source, exc_info=exc)
            loss_note = f"the model failed: {type(exc).__name__}: {one_line(exc)}"
    else:
        loss_note = "the model captioned none of the photos"
        unavailable = {name: "the model captioned none of the photos" for name in METRICS}
    return ModelEvaluation(model=source, label=model_label(source), pairs=len(candidates), failed=failed,
                           validation_loss=loss, loss_note=loss_note, metrics=scores, unavailable=unavailable,
                           tokenizer=tokenizer)


# --- validation loss ----------------------------------------------------------------------------------

def model_type(captioner: Captioner) -> str | None:
    network = getattr(captioner, "network", None)
    return getattr(getattr(network, "config", None), "model_type", None)


def validation_loss(captioner: Captioner, pairs: Sequence[Pair], settings: dict[str, Any],
                    batch_size: int = 8) -> float:
    """Mean cross-entropy per caption token of the pairs' captions given their photos, teacher forced,
    under the loaded ``captioner``'s model (the model's own ``forward(labels=...)`` loss, weighted by
    each batch's token count). Raises EvaluationError for a model type it does not know."""
    import torch

    kind = model_type(captioner)
    if kind not in LOSS_MODEL_TYPES:
        raise EvaluationError(f"computed for {', '.join(LOSS_MODEL_TYPES)} models only, "
                              f"not for model type '{kind or 'unknown'}'")
    total, tokens = 0.0, 0
    for start in range(0, len(pairs), max(1, batch_size)):
        batch = pairs[start:start + batch_size]
        decoded = [decode_for(captioner, pair.path) for pair in batch]
        ready = [(pair, image) for pair, (image, _error) in zip(batch, decoded, strict=True)
                 if image is not None]
        if not ready:
            continue
        inputs = loss_inputs(captioner, [image for _, image in ready], [pair.caption for pair, _ in ready],
                             settings)
        with torch.inference_mode():
            loss = captioner.network(**inputs).loss  # type: ignore[attr-defined]
        # The model averages over the batch's predicted tokens: weight by them for a per-token mean.
        labels = inputs["labels"][:, 1:] if kind == BLIP else inputs["labels"]
        count = int((labels != -100).sum())
        total += float(loss.float()) * count
        tokens += count
    if not tokens:
        raise EvaluationError("none of the photos could be read")
    return total / tokens


def loss_inputs(captioner: Captioner, images: Sequence[Any], captions: Sequence[str],
                settings: dict[str, Any]) -> dict[str, Any]:
    """The model's inputs for a teacher-forced loss of ``captions`` given ``images``: the captioner's
    own image (and prompt) inputs plus ``labels`` (padding -100), on the model's device.

    - VisionEncoderDecoder: labels are the caption's tokens and the end-of-text token; the model
      prepends its decoder start token.
    - BLIP: the caption's tokens start with the [DEC] token generation starts from, and are both the
      decoder's input and its labels (the model shifts them).
    - Florence-2: the caption's <s> ... </s> tokens are the labels; the prompt (the task token, as
      when captioning) is the encoder's text input.
    """
    import torch

    kind = model_type(captioner)
    tokenizer = captioner.tokenizer  # type: ignore[attr-defined]
    inputs, _ = captioner._inputs(list(images), settings)  # type: ignore[attr-defined]
    device = inputs["pixel_values"].device
    if kind == VISION_ENCODER_DECODER:
        end = tokenizer.eos_token_id if tokenizer.eos_token_id is not None else tokenizer.sep_token_id
        rows = [tokenizer(text, add_special_tokens=False).input_ids + ([end] if end is not None else [])
                for text in captions]
        width = max(len(row) for row in rows)
        labels = torch.tensor([row + [-100] * (width - len(row)) for row in rows])
        return {"pixel_values": inputs["pixel_values"], "labels": labels.to(device)}
    encoded = tokenizer(list(captions), padding=True, return_tensors="pt")
    ids, mask = encoded.input_ids, encoded.attention_mask
    if kind == BLIP:
        ids[:, 0] = captioner.network.config.text_config.bos_token_id  # type: ignore[attr-defined]
        labels = ids.masked_fill(mask == 0, -100)
        return {"pixel_values": inputs["pixel_values"], "input_ids": ids.to(device),
                "attention_mask": mask.to(device), "labels": labels.to(device)}
    return {**inputs, "labels": ids.masked_fill(mask == 0, -100).to(device)}
