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


def _save(**changes: object) -> None:
    from dataclasses import replace

    from desktop_app.settings import save_settings

    save_settings(replace(load_settings(), **changes))


@pytest.mark.parametrize("engine", [{"dtype": "float8"}, {"device": "gpu"}, {"batch_size": 0}])
def test_an_engine_setting_the_engine_cannot_use_falls_back_to_defaults(engine: dict) -> None:
    user_settings_path().parent.mkdir(parents=True)
    user_settings_path().write_text(json.dumps({"engine": engine}))
    from desktop_app.settings import EngineSettings

    assert load_settings().engine == EngineSettings(device="auto", dtype="auto", batch_size=8)


def test_the_catalogue_location_in_settings_is_used_unless_db_or_the_environment_say_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    from desktop_app.catalogue import open_catalogue, resolve_url

    assert resolve_url(None).database == str(isolated_env / "data" / "catalogue.db")
    _save(catalogue=str(tmp_path / "archive" / "catalogue.db"))
    assert resolve_url(None).database == str(tmp_path / "archive" / "catalogue.db")
    with open_catalogue(None):
        pass
    assert (tmp_path / "archive" / "catalogue.db").is_file()
    assert resolve_url(tmp_path / "arg.db").database == str(tmp_path / "arg.db")
    monkeypatch.setenv("PHOTO_ANNOTATOR_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).database == str(tmp_path / "env.db")


def test_command_line_engine_options_default_to_the_settings_and_flags_win() -> None:
    from desktop_app.cli.caption import caption
    from desktop_app.cli.jobs import resume
    from desktop_app.settings import EngineSettings

    def parsed(command, *args: str) -> dict:  # type: ignore[no-untyped-def]
        with command.make_context(command.name, list(args)) as context:
            return {name: context.params[name] for name in ("device", "dtype", "batch_size")}

    defaults = {"device": "auto", "dtype": "auto", "batch_size": 8}
    assert parsed(caption, "a.jpg", "--captioner", "generic") == defaults
    _save(engine=EngineSettings(device="cuda:1", dtype="float16", batch_size=3))
    assert parsed(caption, "a.jpg", "--captioner", "generic") == {
        "device": "cuda:1", "dtype": "float16", "batch_size": 3}
    assert parsed(resume)["batch_size"] == 3
    assert parsed(caption, "a.jpg", "--captioner", "generic", "--device", "cpu", "--batch-size", "16") == {
        "device": "cpu", "dtype": "float16", "batch_size": 16}


def test_model_folder_problems_name_a_missing_folder_or_one_without_a_config(tmp_path: Path) -> None:
    from desktop_app.settings import model_folder_problem

    assert model_folder_problem("Salesforce/blip-image-captioning-large") is None
    assert model_folder_problem("") is None
    assert model_folder_problem(str(tmp_path / "gone")) == f"no folder {tmp_path / 'gone'}"
    (tmp_path / "empty").mkdir()
    assert "has no config.json" in model_folder_problem(str(tmp_path / "empty"))
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    assert model_folder_problem(str(tmp_path / "model")) is None
