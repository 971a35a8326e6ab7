"""The Settings dialog and the one-time disclaimer, as a user drives them: edits saved on OK and loaded
back, Cancel and failed saves losing nothing, warnings for model folders that cannot work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import resolve_url
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.settings import (
    EngineSettings,
    PromptPreset,
    load_settings,
    save_settings,
    user_settings_path,
)
from desktop_app.ui.dialogs.disclaimer import DisclaimerDialog, confirm_disclaimer
from desktop_app.ui.dialogs.settings import SettingsDialog
from plugins.medical_report import NOTICE


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return load_plugins(entry_points=False)


@pytest.fixture
def open_dialog(qtbot: QtBot, registry: PluginRegistry) -> Callable[[], SettingsDialog]:
    def opened() -> SettingsDialog:
        dialog = SettingsDialog(list(registry.captioners.values()), current_catalogue="/open/catalogue.db")
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return opened


def model_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text("{}")
    return path


def click(qtbot: QtBot, dialog: SettingsDialog, button: QDialogButtonBox.StandardButton) -> None:
    qtbot.mouseClick(dialog.buttons.button(button), Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Replace the widget's text as a user does: select all, then type."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def choose_prompt_captioner(dialog: SettingsDialog, captioner_id: str) -> None:
    dialog.prompt_captioner.setCurrentIndex(dialog.prompt_captioner.findData(captioner_id))


OK = QDialogButtonBox.StandardButton.Ok
CANCEL = QDialogButtonBox.StandardButton.Cancel


def test_ok_saves_every_page_and_the_settings_load_back(
    qtbot: QtBot, open_dialog: Callable[[], SettingsDialog], tmp_path: Path
) -> None:
    folder = model_folder(tmp_path / "models" / "florence")
    dialog = open_dialog()
    dialog.device.setCurrentText("cuda:1")
    dialog.dtype.setCurrentIndex(dialog.dtype.findData("float16"))
    dialog.batch_size.setValue(32)
    dialog.model_edits["generic"].setText(str(folder))
    dialog.model_edits["product-description"].setText("HuggingFaceTB/SmolVLM-256M-Instruct")
    dialog.catalogue.setText(str(tmp_path / "archive" / "catalogue.db"))
    dialog.thumbnail_size.setValue(256)

    with qtbot.waitSignal(dialog.settings_changed) as changed:
        click(qtbot, dialog, OK)
    saved = load_settings()
    assert changed.args == [saved] and not dialog.isVisible()
    assert saved.engine == EngineSettings(device="cuda:1", dtype="float16", batch_size=32)
    assert saved.captioner_models == {"generic": str(folder),
                                      "product-description": "HuggingFaceTB/SmolVLM-256M-Instruct"}
    assert saved.library.thumbnail_size == 256
    # The catalogue location is where the next start opens its catalogue.
    assert resolve_url(None).database == str(tmp_path / "archive" / "catalogue.db")

    reopened = open_dialog()
    assert reopened.device.currentText() == "cuda:1" and reopened.batch_size.value() == 32
    assert reopened.model_edits["generic"].text() == str(folder)
    assert reopened.catalogue_in_use.text() == "/open/catalogue.db"


def test_cancel_discards_every_change(qtbot: QtBot, open_dialog: Callable[[], SettingsDialog]) -> None:
    before = load_settings()
    dialog = open_dialog()
    dialog.batch_size.setValue(64)
    dialog.model_edits["generic"].setText("someone/else")
    dialog.catalogue.setText("/elsewhere/catalogue.db")
    with qtbot.assertNotEmitted(dialog.settings_changed):
        click(qtbot, dialog, CANCEL)
    assert not dialog.isVisible()
    assert not user_settings_path().exists() and load_settings() == before


def test_a_model_folder_that_is_missing_or_holds_no_model_is_warned_about(
    open_dialog: Callable[[], SettingsDialog], tmp_path: Path
) -> None:
    dialog = open_dialog()
    dialog.tabs.setCurrentIndex(1)
    edit, warning = dialog.model_edits["encoder-decoder"], dialog.model_warnings["encoder-decoder"]
    assert edit.placeholderText() == "Default: nlpconnect/vit-gpt2-image-captioning"
    assert not warning.isVisible()

    edit.setText(str(tmp_path / "not-there"))
    assert warning.isVisible() and f"No folder {tmp_path / 'not-there'}" in warning.text()
    (tmp_path / "photos").mkdir()
    edit.setText(str(tmp_path / "photos"))
    assert warning.isVisible() and "has no config.json" in warning.text()
    edit.setText(str(model_folder(tmp_path / "vit-gpt2")))
    assert not warning.isVisible()
    edit.setText("nlpconnect/vit-gpt2-image-captioning")
    assert not warning.isVisible()


def test_prompt_presets_are_added_renamed_edited_and_deleted(
    qtbot: QtBot, open_dialog: Callable[[], SettingsDialog], registry: PluginRegistry
) -> None:
    dialog = open_dialog()
    dialog.tabs.setCurrentIndex(2)
    # Only captioners with a free-text prompt: the generic one's prompt is a choice of tasks.
    offered = [dialog.prompt_captioner.itemData(row) for row in range(dialog.prompt_captioner.count())]
    assert offered == ["product-description"]
    choose_prompt_captioner(dialog, "product-description")
    qtbot.mouseClick(dialog.add_prompt_button, Qt.MouseButton.LeftButton)
    default_prompt = registry.get_captioner("product-description").option_defaults()["prompt"]
    assert dialog.prompt_name.text() == "New prompt" and dialog.prompt_text.toPlainText() == default_prompt
    type_into(qtbot, dialog.prompt_name, "Shoes")
    dialog.prompt_text.setPlainText("Describe the shoe's colour and material.")
    qtbot.mouseClick(dialog.add_prompt_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, dialog.prompt_name, "Books")
    dialog.prompt_text.setPlainText("Give the book's title and author as printed on the cover.")
    assert [dialog.prompt_list.item(row).text() for row in range(dialog.prompt_list.count())] == [
        "Shoes", "Books"]
    click(qtbot, dialog, OK)
    assert load_settings().prompt_presets == {"product-description": (
        PromptPreset("Shoes", "Describe the shoe's colour and material."),
        PromptPreset("Books", "Give the book's title and author as printed on the cover."),
    )}

    dialog = open_dialog()
    choose_prompt_captioner(dialog, "product-description")
    dialog.prompt_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.delete_prompt_button, Qt.MouseButton.LeftButton)
    assert dialog.prompt_name.text() == "Books"
    type_into(qtbot, dialog.prompt_name, "Book covers")
    dialog.prompt_text.setPlainText("Transcribe the cover.")
    click(qtbot, dialog, OK)
    assert load_settings().prompt_presets == {
        "product-description": (PromptPreset("Book covers", "Transcribe the cover."),)}

    dialog = open_dialog()
    choose_prompt_captioner(dialog, "product-description")
    qtbot.mouseClick(dialog.delete_prompt_button, Qt.MouseButton.LeftButton)
    assert not dialog.delete_prompt_button.isEnabled() and not dialog.prompt_name.isEnabled()
    click(qtbot, dialog, OK)
    assert load_settings().prompt_presets == {}


@pytest.mark.parametrize("problem", ["duplicate preset", "unnamed preset", "unknown device", "folder"])
def test_settings_that_cannot_be_saved_keep_the_dialog_open_with_one_line(
    qtbot: QtBot, open_dialog: Callable[[], SettingsDialog], tmp_path: Path, problem: str
) -> None:
    dialog = open_dialog()
    dialog.batch_size.setValue(2)
    choose_prompt_captioner(dialog, "product-description")
    if problem == "duplicate preset":
        dialog.add_prompt()
        dialog.add_prompt()
        type_into(qtbot, dialog.prompt_name, "New prompt")
        expected = "two prompt presets of product-description are named 'New prompt'"
    elif problem == "unnamed preset":
        dialog.add_prompt()
        type_into(qtbot, dialog.prompt_name, " ")
        expected = "a prompt preset of product-description has no name"
    elif problem == "unknown device":
        dialog.device.setCurrentText("gpu")
        assert dialog.device_warning.isVisible()
        expected = "'gpu' is not a device"
    else:
        dialog.tabs.setCurrentIndex(4)
        dialog.catalogue.setText(str(tmp_path))
        assert dialog.catalogue_warning.isVisible()
        expected = f"{tmp_path} is a folder"
    with qtbot.assertNotEmitted(dialog.settings_changed):
        click(qtbot, dialog, OK)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text().startswith("Settings not saved: ") and expected in dialog.error.text()
    assert "\n" not in dialog.error.text()
    assert not user_settings_path().exists()
    assert dialog.batch_size.value() == 2  # nothing typed is lost


def test_a_failed_save_says_so_in_the_dialog_and_loses_nothing(
    qtbot: QtBot, open_dialog: Callable[[], SettingsDialog], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("PHOTO_ANNOTATOR_CONFIG", str(blocker / "config"))
    dialog = open_dialog()
    dialog.batch_size.setValue(16)
    click(qtbot, dialog, OK)
    assert dialog.isVisible() and dialog.error.text().startswith("Settings not saved: ")
    assert dialog.batch_size.value() == 16

    monkeypatch.setenv("PHOTO_ANNOTATOR_CONFIG", str(tmp_path / "config"))
    click(qtbot, dialog, OK)
    assert not dialog.isVisible() and load_settings().engine.batch_size == 16


# -- the disclaimer -------------------------------------------------------------------------------------

def answer_disclaimer(qtbot: QtBot, answer: str) -> list[DisclaimerDialog]:
    """Click ``answer`` ("understand" or "cancel") in the disclaimer once it shows; the list returned
    fills with each disclaimer dialog that showed."""
    shown: list[DisclaimerDialog] = []

    def respond() -> None:
        dialogs = [widget for widget in QApplication.topLevelWidgets()
                   if isinstance(widget, DisclaimerDialog) and widget.isVisible()]
        shown.extend(dialogs)
        for dialog in dialogs:
            qtbot.mouseClick(getattr(dialog, f"{answer}_button"), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, respond)
    return shown


def test_the_medical_disclaimer_is_asked_once_and_remembered(qtbot: QtBot, registry: PluginRegistry) -> None:
    medical = registry.get_captioner("medical-report")
    save_settings(replace(load_settings(), engine=EngineSettings(device="cpu", dtype="auto", batch_size=4)))

    shown = answer_disclaimer(qtbot, "understand")
    assert confirm_disclaimer(None, medical) is True
    assert len(shown) == 1 and NOTICE in shown[0].notice.text()
    assert shown[0].cancel_button.isDefault()  # Enter alone does not acknowledge it
    saved = load_settings()
    assert saved.acknowledged_disclaimers == {"medical-report"}
    assert saved.engine.batch_size == 4  # the other settings are kept

    shown = answer_disclaimer(qtbot, "cancel")
    assert confirm_disclaimer(None, medical) is True
    qtbot.wait(10)  # let the answering timer run: it finds no dialog to answer
    assert shown == []


def test_refusing_the_disclaimer_stops_the_job_and_remembers_nothing(
    qtbot: QtBot, registry: PluginRegistry
) -> None:
    shown = answer_disclaimer(qtbot, "cancel")
    assert confirm_disclaimer(None, registry.get_captioner("medical-report")) is False
    assert len(shown) == 1
    assert not user_settings_path().exists() and load_settings().acknowledged_disclaimers == frozenset()


def test_captioners_without_a_disclaimer_never_ask(qtbot: QtBot, registry: PluginRegistry) -> None:
    shown = answer_disclaimer(qtbot, "cancel")
    assert all(confirm_disclaimer(None, captioner) for captioner in registry.captioners.values()
               if captioner.id != "medical-report")
    qtbot.wait(10)
    assert shown == [] and not user_settings_path().exists()
