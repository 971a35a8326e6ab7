"""Settings: the defaults shipped in resources/default-settings.json, overlaid with the user's own file.

The user's file is ``settings.json`` in the platform's config folder (``$PHOTO_ANNOTATOR_CONFIG``
overrides the folder); it only needs the keys that differ from the defaults.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app import locations

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class LibrarySettings:
    thumbnail_size: int
    scan_workers: int  # 0: one per CPU core
    ignored_folders: frozenset[str]


@dataclass(frozen=True)
class Settings:
    library: LibrarySettings
    # Per captioner id, the model to use instead of its default: a hub id or a local folder
    # (air-gapped archives keep their models in folders). `--model` on a command wins over this.
    captioner_models: dict[str, str]


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
    captioners = values.get("captioners") or {}
    if not isinstance(captioners, dict):
        raise TypeError("'captioners' must be an object")
    return Settings(
        library=LibrarySettings(
            thumbnail_size=int(library["thumbnail_size"]),
            scan_workers=int(library["scan_workers"]),
            ignored_folders=frozenset(library["ignored_folders"]),
        ),
        captioner_models={
            str(captioner_id): str(entry["model"])
            for captioner_id, entry in captioners.items()
            if isinstance(entry, dict) and entry.get("model")
        },
    )


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
