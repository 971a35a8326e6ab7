"""Settings: the defaults shipped in resources/default-settings.json, overlaid with the user's own file.

The user's file is ``settings.json`` in the platform's config folder (``$PHOTO_ANNOTATOR_CONFIG``
overrides the folder); it only needs the keys that differ from the defaults.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop_app import locations

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda", "mps")  # and cuda:N for the Nth GPU
DTYPES = ("auto", "float32", "bfloat16", "float16")
APPEARANCES = ("system", "light", "dark", "high-contrast")  # the window's themes (ui/themes.py)
BATCH_SIZES = (1, 256)
DECODE_WORKERS = (1, 32)  # threads decoding and preparing photos ahead of the model
PREFETCH_BATCHES = (1, 8)  # batches decoded ahead of the one the model works on
CLUSTER_ACTORS = (0, 1024)  # 0: one per GPU of the cluster, or one on a CPU-only one
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d+)?")
# Where caption jobs run: "" in this process; "local" a Ray instance over this machine; "auto" the Ray
# cluster this machine belongs to; "ray://HOST:PORT" a cluster's Ray client server.
_CLUSTER = re.compile(r"|local|auto|ray://[^\s/:]+(:\d+)?")


def is_cluster(value: str) -> bool:
    """Whether ``value`` names where caption jobs may run: "" (here), local, auto or ray://HOST:PORT."""
    return _CLUSTER.fullmatch(value) is not None


def is_device(value: str) -> bool:
    """Whether ``value`` names a device the engine knows: auto, cpu, mps, cuda or cuda:N."""
    return _DEVICE.fullmatch(value) is not None


@dataclass(frozen=True)
class LibrarySettings:
    thumbnail_size: int
    scan_workers: int  # 0: one per CPU core
    ignored_folders: frozenset[str]


@dataclass(frozen=True)
class EngineSettings:
    """How captioning runs; the CLI's --device, --dtype, --batch-size, --decode-workers, --prefetch,
    --cluster and --actors win over these."""

    device: str  # auto, cpu, cuda, cuda:1, mps
    dtype: str  # auto, float32, bfloat16, float16
    batch_size: int
    decode_workers: int = 2  # threads decoding and preparing photos while the model works
    prefetch_batches: int = 1  # batches decoded ahead of the model's
    # Where the app's caption jobs run ("": in the app; local, auto or ray://HOST:PORT: through Ray).
    cluster: str = ""
    cluster_actors: int = 0  # captioner actors on the cluster; 0: one per GPU (one on a CPU-only cluster)


REVIEW_ORDERS = ("default", "most-useful")
FINETUNE_AFTER = (10, 100_000)


@dataclass(frozen=True)
class ReviewSettings:
    # The photo Ctrl+Enter's "next photo needing review" goes to: "default" (the next in the grid's order)
    # or "most-useful" (lowest confidence first, then photos unlike anything approved: review-queue).
    order: str = "default"
    # New approved captions of a captioner after which the app suggests fine-tuning it.
    finetune_after: int = 200
    # The languages whose flag rules apply to AI drafts and imported text (desktop_app/flagging).
    flag_languages: tuple[str, ...] = ("en",)
    # Also flag text that means what a rule describes (through the text embedder), not only its words.
    flag_meanings: bool = False


IMPORT_MAX_MB = (1, 10_000)
IMPORT_TIMEOUT_S = (1, 600)


@dataclass(frozen=True)
class ImportSettings:
    """Photos from the web, dropped and pasted (services/importing.py); `import`'s options win."""

    allow_private: bool = False  # loopback and private addresses (an intranet collection system)
    max_size_mb: int = 100  # the largest download
    timeout_s: int = 30  # connecting and between reads; the whole download may take 10 times this
    caption: str = ""  # a captioner id: photos dropped or pasted in the app are captioned with it


@dataclass(frozen=True)
class PromptPreset:
    """A named prompt a user can pick for a captioner that takes one."""

    name: str
    prompt: str


@dataclass(frozen=True)
class Settings:
    library: LibrarySettings
    engine: EngineSettings
    # Per captioner id, the model to use instead of its default: a hub id or a local folder
    # (air-gapped archives keep their models in folders). `--model` on a command wins over this.
    captioner_models: dict[str, str]
    # Per captioner id, the user's named prompts.
    prompt_presets: dict[str, tuple[PromptPreset, ...]]
    # The catalogue file; None: the platform's data folder. --db and $PHOTO_ANNOTATOR_DB win over it.
    catalogue: str | None
    # Captioner ids whose disclaimer the user has acknowledged (asked once, e.g. medical-report).
    acknowledged_disclaimers: frozenset[str]
    # The window's language: "system" (the system locale's, when the app has it, else English) or a
    # language code the app ships (desktop_app/ui/language.py). The command line is always English.
    language: str = "system"
    # The window's look: "system" (light or dark as the system is), "light", "dark" or "high-contrast".
    appearance: str = "system"
    # This machine's own folder for a library whose canonical root (as the catalogue stores it) is
    # mounted elsewhere here: {"/mnt/photos": "/Volumes/photos"} (`library set-root`).
    library_roots: dict[str, str] = field(default_factory=dict)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    importing: ImportSettings = field(default_factory=ImportSettings)


def user_settings_path() -> Path:
    return locations.config_dir() / "settings.json"


def load_settings() -> Settings:
    defaults = _read(locations.resources_dir() / "default-settings.json")
    user_file = user_settings_path()
    if not user_file.is_file():
        return _build(defaults)
    try:
        return _build(_merge(defaults, _read(user_file)))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        # A broken user file must not stop the app: say so and run on the defaults.
        log.warning("ignoring %s: %s", user_file, exc)
        return _build(defaults)


def _build(values: dict[str, Any]) -> Settings:
    library = values["library"]
    engine = values.get("engine") or {}
    captioners = values.get("captioners") or {}
    if not isinstance(captioners, dict) or not isinstance(engine, dict):
        raise TypeError("'captioners' and 'engine' must be objects")
    batch_size = int(engine.get("batch_size", 8))
    if not BATCH_SIZES[0] <= batch_size <= BATCH_SIZES[1]:
        raise ValueError("engine.batch_size must be between 1 and 256")
    device = str(engine.get("device") or "auto")
    dtype = str(engine.get("dtype") or "auto")
    if not is_device(device):
        raise ValueError(f"engine.device {device!r} is none of auto, cpu, cuda, cuda:N, mps")
    if dtype not in DTYPES:
        raise ValueError(f"engine.dtype {dtype!r} is none of {', '.join(DTYPES)}")
    decode_workers = _within(engine, "decode_workers", 2, DECODE_WORKERS)
    prefetch = _within(engine, "prefetch_batches", 1, PREFETCH_BATCHES)
    actors = _within(engine, "cluster_actors", 0, CLUSTER_ACTORS)
    cluster = str(engine.get("cluster") or "")
    if not is_cluster(cluster):
        raise ValueError(f"engine.cluster {cluster!r} is none of local, auto, ray://HOST:PORT (or empty)")
    return Settings(
        library=LibrarySettings(
            thumbnail_size=int(library["thumbnail_size"]),
            scan_workers=int(library["scan_workers"]),
            ignored_folders=frozenset(library["ignored_folders"]),
        ),
        engine=EngineSettings(device=device, dtype=dtype, batch_size=batch_size,
                              decode_workers=decode_workers, prefetch_batches=prefetch, cluster=cluster,
                              cluster_actors=actors),
        captioner_models={
            str(captioner_id): str(entry["model"])
            for captioner_id, entry in captioners.items()
            if isinstance(entry, dict) and entry.get("model")
        },
        prompt_presets={
            str(captioner_id): tuple(PromptPreset(str(preset["name"]), str(preset["prompt"]))
                                     for preset in entry.get("prompt_presets") or ())
            for captioner_id, entry in captioners.items()
            if isinstance(entry, dict) and entry.get("prompt_presets")
        },
        catalogue=str(values["catalogue"]) if values.get("catalogue") else None,
        acknowledged_disclaimers=frozenset(
            str(captioner_id) for captioner_id, entry in captioners.items()
            if isinstance(entry, dict) and entry.get("disclaimer_acknowledged")
        ),
        language=_language(values.get("language")),
        appearance=_appearance(values.get("appearance")),
        library_roots=_library_roots(values.get("library_roots")),
        review=_review(values.get("review")),
        importing=_importing(values.get("import")),
    )


def settings_json(settings: Settings) -> dict[str, Any]:
    """The JSON form of ``settings``, as the user's settings.json holds it."""
    captioners: dict[str, dict[str, Any]] = {}
    for captioner_id, model in settings.captioner_models.items():
        captioners.setdefault(captioner_id, {})["model"] = model
    for captioner_id, presets in settings.prompt_presets.items():
        captioners.setdefault(captioner_id, {})["prompt_presets"] = [
            {"name": preset.name, "prompt": preset.prompt} for preset in presets]
    for captioner_id in sorted(settings.acknowledged_disclaimers):
        captioners.setdefault(captioner_id, {})["disclaimer_acknowledged"] = True
    return {
        "library": {
            "thumbnail_size": settings.library.thumbnail_size,
            "scan_workers": settings.library.scan_workers,
            "ignored_folders": sorted(settings.library.ignored_folders),
        },
        "engine": {"device": settings.engine.device, "dtype": settings.engine.dtype,
                   "batch_size": settings.engine.batch_size,
                   "decode_workers": settings.engine.decode_workers,
                   "prefetch_batches": settings.engine.prefetch_batches,
                   "cluster": settings.engine.cluster, "cluster_actors": settings.engine.cluster_actors},
        "captioners": captioners,
        "catalogue": settings.catalogue,
        "language": settings.language,
        "appearance": settings.appearance,
        "library_roots": dict(sorted(settings.library_roots.items())),
        "review": {"order": settings.review.order, "finetune_after": settings.review.finetune_after,
                   "flag_languages": list(settings.review.flag_languages),
                   "flag_meanings": settings.review.flag_meanings},
        "import": {"allow_private": settings.importing.allow_private,
                   "max_size_mb": settings.importing.max_size_mb, "timeout_s": settings.importing.timeout_s,
                   "caption": settings.importing.caption},
    }


def _review(values: Any) -> ReviewSettings:
    if values is None:
        return ReviewSettings()
    if not isinstance(values, dict):
        raise TypeError("'review' must be an object")
    order = str(values.get("order") or "default")
    if order not in REVIEW_ORDERS:
        raise ValueError(f"review.order {order!r} is none of {', '.join(REVIEW_ORDERS)}")
    finetune_after = int(values.get("finetune_after", 200))
    if not FINETUNE_AFTER[0] <= finetune_after <= FINETUNE_AFTER[1]:
        raise ValueError(f"review.finetune_after must be between {FINETUNE_AFTER[0]} and {FINETUNE_AFTER[1]}")
    languages = values.get("flag_languages", ["en"])
    if not isinstance(languages, list) or not all(isinstance(code, str) for code in languages):
        raise TypeError("review.flag_languages must be a list of language codes")
    return ReviewSettings(order=order, finetune_after=finetune_after, flag_languages=tuple(languages),
                          flag_meanings=bool(values.get("flag_meanings", False)))


def _importing(values: Any) -> ImportSettings:
    if values is None:
        return ImportSettings()
    if not isinstance(values, dict):
        raise TypeError("'import' must be an object")
    max_mb, timeout = int(values.get("max_size_mb", 100)), int(values.get("timeout_s", 30))
    if not IMPORT_MAX_MB[0] <= max_mb <= IMPORT_MAX_MB[1]:
        raise ValueError(f"import.max_size_mb must be between {IMPORT_MAX_MB[0]} and {IMPORT_MAX_MB[1]}")
    if not IMPORT_TIMEOUT_S[0] <= timeout <= IMPORT_TIMEOUT_S[1]:
        raise ValueError(f"import.timeout_s must be between {IMPORT_TIMEOUT_S[0]} and {IMPORT_TIMEOUT_S[1]}")
    return ImportSettings(allow_private=bool(values.get("allow_private", False)), max_size_mb=max_mb,
                          timeout_s=timeout, caption=str(values.get("caption") or ""))


def _within(values: dict[str, Any], key: str, default: int, bounds: tuple[int, int]) -> int:
    number = int(values.get(key, default))
    if not bounds[0] <= number <= bounds[1]:
        raise ValueError(f"engine.{key} must be between {bounds[0]} and {bounds[1]}")
    return number


def _library_roots(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if not isinstance(value, dict) or not all(isinstance(each, str) and each
                                              for pair in value.items() for each in pair):
        raise ValueError("library_roots must map each library's root to a folder on this machine")
    return dict(value)


def set_library_root(root: str, here: str | None) -> Path:
    """Map the library whose canonical root is ``root`` to the folder ``here`` on this machine (None:
    forget the mapping) in the user's settings.json. Returns the path written."""
    settings = load_settings()
    roots = {key: value for key, value in settings.library_roots.items() if key != root}
    if here is not None:
        roots[root] = here
    return save_settings(replace(settings, library_roots=roots))


def _language(value: Any) -> str:
    language = str(value or "system")
    if not re.fullmatch(r"system|[a-z]{2,3}(_[A-Z]{2})?", language):
        raise ValueError(f"language {language!r} is neither 'system' nor a language code such as 'de'")
    return language


def _appearance(value: Any) -> str:
    appearance = str(value or "system")
    if appearance not in APPEARANCES:
        raise ValueError(f"appearance {appearance!r} is not one of {', '.join(APPEARANCES)}")
    return appearance


def save_settings(settings: Settings) -> Path:
    """Write ``settings`` to the user's settings.json (a temporary file, then an atomic replace,
    so a crash never leaves half a file). Returns the path written."""
    path = user_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(settings_json(settings), indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    os.replace(temporary, path)
    return path


def looks_like_folder(model: str) -> bool:
    """Whether a model setting names a local folder rather than a hub id ("org/name")."""
    return (model.startswith(("/", "~", ".", "\\")) or "\\" in model or model.count("/") > 1
            or re.match(r"[A-Za-z]:", model) is not None or Path(model).expanduser().is_dir())


def model_folder_problem(model: str) -> str | None:
    """Why ``model``, a local folder, cannot hold a model (None: fine, or a hub id)."""
    if not model or not looks_like_folder(model):
        return None
    folder = Path(model).expanduser()
    if not folder.is_dir():
        return f"no folder {folder}"
    if not (folder / "config.json").is_file():
        return f"{folder} has no config.json: not a model folder"
    return None


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        data = json.load(file)
    if not isinstance(data, dict):
        raise ValueError("settings must be a JSON object")
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
