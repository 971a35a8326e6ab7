"""Settings: shipped defaults, the user's overrides, and a broken user file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from desktop_app.library.scanner import Scanner
from desktop_app.settings import load_settings, user_settings_path
from tests import photo_files


def test_defaults_come_from_the_bundled_file() -> None:
    settings = load_settings().library
    assert settings.thumbnail_size == 320
    assert "@eaDir" in settings.ignored_folders


def test_user_file_overrides_only_what_it_names(catalogue, tmp_path: Path) -> None:
    user_settings_path().parent.mkdir(parents=True)
    user_settings_path().write_text(
        json.dumps({"library": {"thumbnail_size": 128, "ignored_folders": ["Trash"]}})
    )
    settings = load_settings().library
    assert settings.thumbnail_size == 128 and settings.scan_workers == 0

    root = tmp_path / "lib"
    photo_files.jpeg(root / "keep.jpg", seed=1)
    photo_files.jpeg(root / "Trash" / "thrown.jpg", seed=2)
    scanner = Scanner(catalogue)
    report = scanner.scan(root)
    assert report.new == 1
    assert scanner.thumbnails.size == 128


def test_a_broken_user_file_falls_back_to_defaults_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    user_settings_path().parent.mkdir(parents=True)
    user_settings_path().write_text('{"library": {"thumbnail_size": "huge"')
    with caplog.at_level(logging.WARNING):
        assert load_settings().library.thumbnail_size == 320
    assert "ignoring" in caplog.text


def test_saved_settings_load_back_as_they_were() -> None:
    from dataclasses import replace

    from desktop_app.settings import EngineSettings, PromptPreset, save_settings

    changed = replace(
        load_settings(),
        engine=EngineSettings(device="cpu", dtype="float32", batch_size=4),
        captioner_models={"generic": "/models/blip"},
        prompt_presets={"product-description": (PromptPreset("Shoes", "Describe the colour of the shoe."),)},
        catalogue="/archive/catalogue.db",
        acknowledged_disclaimers=frozenset({"medical-report"}),
    )
    path = save_settings(changed)
    assert path == user_settings_path() and not list(path.parent.glob(".*.tmp"))
    assert load_settings() == changed
