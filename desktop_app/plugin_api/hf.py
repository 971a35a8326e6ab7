"""Loading and running Hugging Face transformers captioning models: shared by the built-in captioners.

- Models come from a local folder or a hub id (cached after the first download). safetensors only.
- No code from a model folder ever runs: every load passes ``trust_remote_code=False`` (so transformers
  never asks "run the custom code? [y/N]"), and a model that declares classes of its own (``auto_map``
  or ``custom_pipelines`` in one of its config files) is refused in one line before transformers sees
  it. ``load_pretrained`` is the one entry for every ``from_pretrained`` of the app and its plugins.
- A model that is neither cached nor reachable fails fast with one message that names the model,
  where we looked, and the two fixes; a ``--model`` that is a path to nothing says so.
- Device: CUDA, then Apple MPS, then CPU, unless the user chooses; bf16 on GPUs that support it.
  SDPA attention where the architecture has it, eager otherwise.
- Generation returns per-token probabilities, so every caption carries a confidence and the editor
  can see which words the model was unsure of.

torch and transformers are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import socket
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from desktop_app.errors import one_line
from desktop_app.plugin_api.captioner import (
    Captioner,
    CaptionInterrupted,
    CaptionResult,
    OptionSpec,
    TokenScore,
)
from desktop_app.plugin_api.prepared import PreparedImage, collate, token_padding
from desktop_app.settings import looks_like_folder

log = logging.getLogger(__name__)

HUB_PROBE_TIMEOUT_S = 3.0


class ModelNotAvailableError(Exception):
    """The model's weights are not here and cannot be fetched; the message says what to do."""


class ModelLoadError(Exception):
    """The model exists but cannot be loaded (wrong format, unsupported architecture...)."""


class RemoteCodeError(ModelLoadError):
    """The model needs Python code of its own, which is never run."""


# Keys by which a model's config files make transformers import Python files from the model.
REMOTE_CODE_KEYS = ("auto_map", "custom_pipelines")
# Config files a model may declare such classes in, for hub models in the cache (in a folder, every
# *config*.json is read): the model's, its tokenizer's, (image/video) processor's, feature extractor's.
CONFIG_FILES = ("config.json", "tokenizer_config.json", "preprocessor_config.json", "processor_config.json",
                "image_processor_config.json", "video_preprocessor_config.json",
                "feature_extractor_config.json", "generation_config.json")


# --- devices ------------------------------------------------------------------------------------------

def resolve_device(requested: str | None = None) -> str:
    """"auto" (or None): CUDA, then Apple MPS, then CPU. Anything else is taken as given."""
    import torch

    if requested and requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(device: str, requested: str | None = None,
                  native_bf16: Callable[[str], bool] | None = None) -> Any:
    """bf16 where the hardware computes it natively (CUDA GPUs that support it; CPUs with AVX512-BF16
    or AMX, where it halves the time of a float32 run), float32 elsewhere. A requested name
    ("float32", "float16") wins. ``native_bf16(device)`` answers the hardware question (default
    ``has_native_bf16``): tests pass their own, so both choices are tested on any machine."""
    import torch

    if requested and requested != "auto":
        return getattr(torch, requested)
    return torch.bfloat16 if (native_bf16 or has_native_bf16)(device) else torch.float32


def has_native_bf16(device: str) -> bool:
    """Whether ``device`` computes bf16 in hardware: a CUDA GPU that supports it, or a CPU with
    AVX512-BF16 or AMX. Apple MPS and other devices: no (float32 there)."""
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_bf16_supported())
    return device == "cpu" and cpu_has_native_bf16()


def cpu_has_native_bf16() -> bool:
    """Whether this CPU multiplies bf16 in hardware (elsewhere bf16 is emulated and slower)."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # torch.cpu's own feature probes
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in checks)


# --- loading -----------------------------------------------------------------------------------------

def is_local_folder(source: str) -> bool:
    return Path(source).expanduser().is_dir()


def hub_cache_dir() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


def quiet_transformers() -> None:
    """Keep transformers' progress bars and advice off the user's terminal; our log says what matters.

    With debug logging on (-vv) they stay, for diagnosing a model.
    """
    from transformers.utils import logging as hf_logging

    if not log.isEnabledFor(logging.DEBUG):
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def load_pretrained(loader: Any, source: str, revision: str | None, **kwargs: Any) -> Any:
    """``loader.from_pretrained(source)`` from a local folder, the hub cache, or (if reachable) the hub.

    Never runs code from the model: a model that declares its own classes is refused (RemoteCodeError)
    before ``loader`` sees it, and transformers is told ``trust_remote_code=False`` whatever the caller
    passed."""
    quiet_transformers()
    kwargs["trust_remote_code"] = False
    refuse_remote_code(source, revision)
    if is_local_folder(source):
        folder = str(Path(source).expanduser())
        return _call(loader, folder, source, local_files_only=True, **kwargs)
    if looks_like_folder(source) or not valid_hub_id(source):
        raise ModelNotAvailableError(unavailable_reason(source, revision))
    try:
        return _call(loader, source, source, revision=revision, local_files_only=True, **kwargs)
    except ModelNotAvailableError:
        if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes") or not _hub_reachable():
            raise
    log.info("downloading %s from the model hub", source)
    loaded = _call(loader, source, source, revision=revision, **kwargs)
    refuse_remote_code(source, revision)  # what was just downloaded may declare classes of its own
    return loaded


def unavailable_reason(source: str, revision: str | None = None) -> str | None:
    """Why ``load_pretrained`` would find no model at ``source`` (the same message), without loading
    anything; None when it is a folder, is in the hub cache, or can be downloaded now."""
    if is_local_folder(source):
        return None
    if looks_like_folder(source):
        return f"model folder {source} does not exist"
    if not valid_hub_id(source):
        return f"model '{source}' is neither a model folder nor a hub id (org/name)"
    if _files_of(source, revision) is not None:
        return None
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes") or not _hub_reachable():
        return missing_model_message(source)
    return None


def _call(loader: Any, path: str, source: str, **kwargs: Any) -> Any:
    try:
        return loader.from_pretrained(path, **kwargs)
    except OSError as exc:
        if is_local_folder(source):
            raise ModelLoadError(f"cannot load a model from the folder {source}: {one_line(exc)}") from exc
        raise ModelNotAvailableError(missing_model_message(source)) from exc
    except ValueError as exc:
        if "trust_remote_code" not in str(exc):
            raise
        # transformers refused code that a file fetched during this call asks for: name the file.
        refuse_remote_code(source, kwargs.get("revision"))
        raise RemoteCodeError(remote_code_message(source, "auto_map", "its config")) from exc


def refuse_remote_code(source: str, revision: str | None) -> None:
    """Raise RemoteCodeError if the model (a folder, or a hub id's files in the hub cache) declares
    classes of its own, which transformers would import from Python files that came with it."""
    folder = _files_of(source, revision)
    if folder is None:
        return
    names = sorted({path.name for path in folder.glob("*config*.json")} | set(CONFIG_FILES))
    for name in names:
        path = folder / name
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # absent or unreadable: transformers' own error will say so, if it needs the file
        key = _remote_code_key(settings)
        if key is not None:
            raise RemoteCodeError(remote_code_message(source, key, name))


def config_file(source: str, revision: str | None = None) -> dict[str, Any]:
    """The model's ``config.json`` read as plain JSON, without transformers (nothing of the model runs,
    even one that would be refused): {} when it is not here or not readable."""
    folder = _files_of(source, revision)
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8")) if folder else {}
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def remote_code_message(source: str, key: str, file_name: str) -> str:
    what = f"model folder {source}" if is_local_folder(source) else f"model {source}"
    return (f"{what} needs its own Python code ({key} in {file_name}), which Photo Annotator never runs; "
            "use a model that transformers supports natively")


def _remote_code_key(settings: Any) -> str | None:
    """The first remote-code key anywhere in a config's settings (a processor's config nests those of
    its parts), or None."""
    if isinstance(settings, dict):
        for key, value in settings.items():
            if key in REMOTE_CODE_KEYS and value:
                return str(key)
            found = _remote_code_key(value)
            if found is not None:
                return found
    return None


def _files_of(source: str, revision: str | None) -> Path | None:
    """The folder holding the model's files here: the folder itself, or a hub id's snapshot in the hub
    cache; None when nothing of it is here."""
    if is_local_folder(source):
        return Path(source).expanduser()
    if looks_like_folder(source) or not valid_hub_id(source):
        return None
    from huggingface_hub import try_to_load_from_cache

    for name in CONFIG_FILES:
        try:
            cached = try_to_load_from_cache(source, name, cache_dir=hub_cache_dir(), revision=revision)
        except Exception:  # not a valid hub id, an unreadable cache: nothing of it is here
            return None
        if isinstance(cached, str):
            return Path(cached).parent
    return None


def valid_hub_id(source: str) -> bool:
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(source)
    except HFValidationError:
        return False
    return True


def missing_model_message(model_id: str) -> str:
    return (
        f"model '{model_id}' is not downloaded (looked in {hub_cache_dir()}) and the model hub "
        "cannot be reached; connect to the internet once to download it, or use a local model "
        "folder with --model FOLDER"
    )


def _hub_reachable() -> bool:
    """One quick connection attempt, instead of the hub client's minute of retries when offline."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host, port = endpoint.hostname or "huggingface.co", endpoint.port or 443
    try:
        with socket.create_connection((host, port), timeout=HUB_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def load_config(source: str, revision: str | None) -> dict[str, Any]:
    """The model's ``config.json`` as a plain dict, read even for model types this transformers does
    not know (so that an error can name the type), through ``load_pretrained`` like every load."""
    return load_pretrained(_ConfigFile, source, revision)


def supported_model_type(config: dict[str, Any], source: str, supported: dict[str, str], user: str) -> str:
    """The ``model_type`` of a model's ``config`` when it is one of ``supported`` (model type: what
    it is, for the message); otherwise a ModelLoadError saying that ``user`` ("the generic
    captioner") cannot use ``source``, and what it supports."""
    model_type = config.get("model_type")
    if model_type not in supported:
        listed = ", ".join(f"{name} ({what})" for name, what in supported.items())
        raise ModelLoadError(f"{user} cannot use {source}: its model type is '{model_type or 'not given'}'; "
                             f"supported model types: {listed}")
    return str(model_type)


class _ConfigFile:
    @staticmethod
    def from_pretrained(path: str, **kwargs: Any) -> dict[str, Any]:
        from transformers import PretrainedConfig

        config, _ = PretrainedConfig.get_config_dict(path, **kwargs)
        return config


def load_model(model_class: Any, source: str, revision: str | None, device: str, dtype: Any,
               **kwargs: Any) -> Any:
    """A model in inference mode on ``device``: safetensors only, no remote code, SDPA if possible."""
    common = {"use_safetensors": True, "dtype": dtype, **kwargs}
    try:
        model = load_pretrained(model_class, source, revision, attn_implementation="sdpa", **common)
    except (ValueError, ImportError) as exc:
        if "sdpa" not in str(exc).lower() and "scaled_dot_product" not in str(exc).lower():
            raise ModelLoadError(f"cannot load {source}: {one_line(exc)}") from exc
        model = load_pretrained(model_class, source, revision, attn_implementation="eager", **common)
    return model.to(device).eval()


# --- the shared captioner ------------------------------------------------------------------------------

class TransformersCaptioner(Captioner):
    """A captioner backed by a transformers model: loading, generation and scoring done once, here.

    Subclasses load their parts in ``_load`` (setting ``network``, ``tokenizer`` and whatever
    processor they need) and turn images into model inputs in ``_inputs``. A subclass may instead
    give ``_preprocessor`` and ``_image_inputs`` (the built-in captioners do): its processor's step
    then runs in ``prepare``, on the engine's decode threads, and ``_inputs`` (``_batch_inputs``) only
    puts the prepared images together and moves them to the device.
    """

    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec("max_new_tokens", int, 40, "Longest caption, in tokens."),
        OptionSpec("num_beams", int, 1, "Beam search width (1: greedy, fastest)."),
    )

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        super().__init__(model, revision)
        self.network: Any = None
        self.tokenizer: Any = None
        self.device: str | None = None
        self.dtype: Any = None
        self._threads = threading.local()  # each decode thread's copy of the processor

    @property
    def loaded(self) -> bool:
        return self.network is not None

    def load(self, device: str, dtype: str | None) -> None:
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(self.device, dtype)
        self._load(self.model, self.revision, self.device, self.dtype)

    def unload(self) -> None:
        self.network = self.tokenizer = None
        vars(self).pop("_attention_passes", None)  # word_attention's kept passes (plugin_api/explain.py)
        self._unload_parts()
        if self.device and self.device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()

    def prepare(self, images: list[Any], options: dict[str, Any]) -> Sequence[Any]:
        """The processor's work on each image (resize, normalise, tiling, the prompt's tokens) on the
        engine's decode threads: one ``PreparedImage`` per image. The images unchanged when the
        subclass has no ``_image_inputs`` or the model is not loaded (``caption`` processes them)."""
        processor = self._preprocessor()  # held: an unload on the model thread may clear it meanwhile
        if processor is None or not self._prepares:
            return images
        # A fast tokenizer is not safe to share between threads (changing its padding while another
        # thread encodes raises "Already borrowed"): each decode thread works with its own copy.
        local = getattr(self._threads, "processor", None)
        if local is None or local[0] is not processor:
            local = self._threads.processor = (processor, copy.deepcopy(processor))
        settings = {**self.option_defaults(), **options}
        return [self._prepared(local[1], image, settings) for image in images]

    def caption(self, images: Sequence[Any], options: dict[str, Any]) -> list[CaptionResult]:
        if not self.loaded:
            raise RuntimeError(f"captioner {self.id} is not loaded")
        settings = {**self.option_defaults(), **options}
        images = list(images)
        # Each image's seconds: its share of the batch's time here (processing the images that come
        # unprepared, moving inputs to the device, generating, decoding the text) plus the time its
        # own preparation took on a decode thread.
        started = time.perf_counter()
        inputs, prompt = self._inputs(images, settings)
        generation = {
            "max_new_tokens": int(settings["max_new_tokens"]),
            "num_beams": int(settings["num_beams"]),
            "do_sample": False,
            **self._generation_extras(settings),
        }
        token_ids, probabilities = generate_with_scores(self.network, inputs, generation, self.interrupt)
        results = results_from_generation(self, self.tokenizer, token_ids, probabilities, prompt, 0.0,
                                          self._clean)
        share = (time.perf_counter() - started) / max(1, len(results))
        return [replace(result, seconds=share + _prepare_seconds(image))
                for result, image in zip(results, images, strict=True)]

    def _batch_inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """Model inputs for a batch of ``PreparedImage``s or images (prepared here, on this thread),
        on the model's device, and the prompt: the images' inputs put together as the processor
        would have for the whole batch (token sequences padded on the tokenizer's side, image
        tensors of different shapes padded with zeros). What ``_inputs`` returns in subclasses with
        ``_image_inputs``."""
        processor = self._preprocessor()
        entries = [image if isinstance(image, PreparedImage) else self._prepared(processor, image, settings)
                   for image in images]
        prompts = {entry.prompt for entry in entries}
        if len(prompts) > 1:
            raise ValueError(f"a batch prepared for different prompts: {sorted(map(str, prompts))}")
        tokenizer = getattr(processor, "tokenizer", None) or self.tokenizer
        inputs = collate([entry.inputs for entry in entries], token_padding(tokenizer))
        moved = {name: value.to(self.device) for name, value in inputs.items()}
        moved["pixel_values"] = moved["pixel_values"].to(self.dtype)
        return moved, entries[0].prompt

    def word_attention(self, images: Sequence[Any], texts: Sequence[str], spans: Sequence[tuple[int, int]],
                       options: dict[str, Any]) -> list[Any]:
        """See Captioner.word_attention: one teacher-forced pass (plugin_api/explain.py) as the
        subclass's ``_teacher_forcing`` says; None for every image when it has none."""
        from desktop_app.plugin_api.explain import explain_words

        return explain_words(self, images, texts, spans, options)

    # -- for subclasses ----------------------------------------------------------------------------

    def _teacher_forcing(self, settings: dict[str, Any]) -> Any:
        """How the loaded model reads a given text (an explain.TeacherForcing), for
        ``word_attention``; None (the default): it cannot."""
        return None

    @abstractmethod
    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        """Load ``network``, ``tokenizer`` and the processor(s) from ``source``."""

    @abstractmethod
    def _inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """Model inputs for a batch, on the model's device, and the prompt used (or None)."""

    def _preprocessor(self) -> Any:
        """The processor ``_image_inputs`` works with, or None (not loaded, or none)."""
        return None

    def _image_inputs(self, processor: Any, image: Any,
                      settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """One image's model inputs from ``processor`` (CPU tensors, batch dimension 1) and the prompt.
        Runs on the decode threads: it must not touch the model or the device."""
        raise NotImplementedError

    def _unload_parts(self) -> None:
        """Drop processor references; the base class drops network and tokenizer."""

    def _generation_extras(self, settings: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _clean(self, text: str) -> str:
        return text

    # -- preparing ---------------------------------------------------------------------------------

    @property
    def _prepares(self) -> bool:
        return type(self)._image_inputs is not TransformersCaptioner._image_inputs

    def _prepared(self, processor: Any, image: Any, settings: dict[str, Any]) -> PreparedImage:
        if processor is None:
            raise RuntimeError(f"captioner {self.id} is not loaded")
        started = time.perf_counter()
        inputs, prompt = self._image_inputs(processor, image, settings)
        inputs = dict(inputs)
        # The device's number format now, on this thread: the same values as converting on the
        # device (float32 rounds to bfloat16 the same way anywhere), and half the bytes to move.
        if self.dtype is not None and inputs["pixel_values"].is_floating_point():
            inputs["pixel_values"] = inputs["pixel_values"].to(self.dtype)
        return PreparedImage(inputs, prompt, time.perf_counter() - started)


def _prepare_seconds(image: Any) -> float:
    return image.seconds if isinstance(image, PreparedImage) else 0.0


# --- generation -------------------------------------------------------------------------------------

def generate_with_scores(model: Any, inputs: dict[str, Any], generation: dict[str, Any],
                         interrupt: Callable[[], bool] | None = None) -> tuple[Any, Any]:
    """Generated token ids (prompt removed) and each token's probability, as (batch, length) tensors.

    ``interrupt`` is polled after every generated token; once it returns True generation stops and
    CaptionInterrupted is raised (the half-written captions are of no use).
    """
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _Interrupt(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), bool(interrupt and interrupt()), dtype=torch.bool,
                              device=input_ids.device)

    extra = {"stopping_criteria": StoppingCriteriaList([_Interrupt()])} if interrupt else {}
    if interrupt is not None and interrupt():
        raise CaptionInterrupted
    with torch.inference_mode():
        output = model.generate(**inputs, **generation, **extra, output_scores=True,
                                return_dict_in_generate=True)
        if interrupt is not None and interrupt():
            raise CaptionInterrupted
        scores = model.compute_transition_scores(
            output.sequences, output.scores, getattr(output, "beam_indices", None), normalize_logits=True
        )
    # One score per generated token: the tail of the sequences, whether or not they hold the prompt.
    generated = output.sequences[:, -scores.shape[1]:] if scores.shape[1] else output.sequences[:, :0]
    return generated, scores.float().exp()


def results_from_generation(
    captioner: Captioner,
    tokenizer: Any,
    token_ids: Any,
    probabilities: Any,
    prompt: str | None,
    seconds: float,
    clean: Any = None,
) -> list[CaptionResult]:
    """CaptionResults with confidence = mean probability of the caption's tokens (specials excluded)."""
    special = set(tokenizer.all_special_ids)
    eos = _eos_ids(tokenizer)
    results = []
    for ids, probs in zip(token_ids.tolist(), probabilities.tolist(), strict=True):
        tokens: list[TokenScore] = []
        kept: list[int] = []
        for token_id, probability in zip(ids, probs, strict=True):
            if token_id in eos:
                break
            if token_id in special:
                continue
            kept.append(token_id)
            if math.isfinite(probability):
                tokens.append(TokenScore(tokenizer.decode([token_id]), float(probability)))
        text = tokenizer.decode(kept, skip_special_tokens=True).strip()
        if clean is not None:
            text = clean(text)
        confidence = sum(t.probability for t in tokens) / len(tokens) if tokens else None
        results.append(CaptionResult(
            text=text,
            confidence=confidence,
            model_id=captioner.model,
            model_revision=captioner.revision,
            prompt=prompt,
            seconds=seconds / max(1, len(token_ids)),
            token_scores=tuple(tokens),
        ))
    return results


def _eos_ids(tokenizer: Any) -> set[int]:
    value = tokenizer.eos_token_id
    if value is None:
        return set()
    return set(value) if isinstance(value, list | tuple) else {value}
