"""The window in the editor's language: every user-visible text of desktop_app/ui goes through Qt's
translation system, the committed translations are current with the code and complete, and the window
speaks German, with German numbers and dates, when the language setting says so."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from tests.accessibility_checks import at_text_scale, clipping_problems

# The accessibility walk's windows and dialogs (the fixture opener for them is in conftest).
from tests.surfaces import SCREEN, SURFACES, Opener, elided_by_design

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "desktop_app" / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"

# Calls whose text arguments a person reads: methods (any receiver) and constructors.
TEXT_METHODS = frozenset({
    "setText", "setToolTip", "setPlaceholderText", "setWindowTitle", "setStatusTip", "setWhatsThis",
    "setAccessibleName", "setAccessibleDescription", "addItem", "addItems", "insertItem", "insertItems",
    "addTab", "insertTab", "setTabText", "setTabToolTip", "addMenu", "setHeaderLabels", "setHeaderLabel",
    "setHorizontalHeaderLabels", "setItemText", "setTitle", "setLabelText", "setInformativeText",
    "setDetailedText", "showMessage", "setSuffix", "setPrefix", "setSpecialValueText", "addButton",
    "setButtonText", "addRow", "setFormat", "setNameFilter", "setNameFilters", "addAction",
    "information", "warning", "critical", "question", "about", "getOpenFileName", "getSaveFileName",
    "getExistingDirectory", "getText", "getItem", "drawText",
    # The app's own helpers that put text on screen.
    "set_text", "show_error", "announce", "heading", "_hint", "_page", "_warning_label", "_show_alert",
    "_set_status", "path_row", "clear",
})
TEXT_CONSTRUCTORS = frozenset({
    "QLabel", "QPushButton", "QToolButton", "QAction", "QCheckBox", "QRadioButton", "QGroupBox",
    "QMenu", "QTreeWidgetItem", "QListWidgetItem", "QTableWidgetItem", "QMessageBox", "QCommandLinkButton",
    "QDockWidget", "QToolBar", "QDialog", "ReportDialog",
})
# Signals that carry a message for the status bar, the error bar or a dialog.
MESSAGE_SIGNALS = re.compile(r"status|error|message|failed|failure|notice|warning|problem|embedded|done")
TRANSLATING = frozenset({"tr", "translate", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"})
LOGGERS = frozenset({"log", "logger", "logging"})  # the log is for developers, in English
# Texts with letters that are not language: format strings of units and symbols, proper names.
ALLOWED = frozenset({"English", "Deutsch"})


def _letters(text: str) -> bool:
    """Whether ``text`` holds words: letters outside HTML tags, and not an allowed proper name."""
    words = re.sub(r"<[^<>]*>", "", text)
    return re.search(r"[^\W\d_]", words) is not None and text not in ALLOWED


def _untranslated(node: ast.expr) -> bool:
    """Whether ``node`` builds language text without tr/translate: a literal, an f-string, a
    concatenation or a ``"...".format()`` with words in it, or a list or tuple holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and _letters(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and _letters(str(part.value)) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _untranslated(node.left) or _untranslated(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_untranslated(element) for element in node.elts)
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body) or _untranslated(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr in {"format", "join"}:
        return _untranslated(node.func.value)
    return False


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def untranslated_texts(source: str) -> list[tuple[int, str]]:
    """Each (line, call) where a user-visible Qt call gets language text that bypasses translation."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if name in TRANSLATING or (isinstance(receiver, ast.Name) and receiver.id in LOGGERS):
            continue
        checked = name in TEXT_METHODS or name in TEXT_CONSTRUCTORS or (
            name == "emit" and isinstance(node.func, ast.Attribute)
            and MESSAGE_SIGNALS.search(ast.unparse(node.func.value).lower()) is not None)
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if checked and any(_untranslated(argument) for argument in arguments):
            found.append((node.lineno, ast.unparse(node)[:120]))
    return found


def test_every_user_visible_text_in_the_ui_is_translatable() -> None:
    found = [f"{path.relative_to(ROOT)}:{line}: {call}"
             for path in sorted(UI.rglob("*.py"))
             for line, call in untranslated_texts(path.read_text(encoding="utf-8"))]
    assert not found, "text shown without self.tr()/QCoreApplication.translate():\n" + "\n".join(found)


def _translatable_calls(source: str) -> set[tuple[str, str]]:
    """(context, text) of every tr()/translate()/QT_TRANSLATE_NOOP() call with literal text in ``source``:
    what lupdate should find (tr's context is the class it is written in)."""
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, context: str) -> None:
        if isinstance(node, ast.ClassDef):
            context = node.name
        if isinstance(node, ast.Call):
            name, args = _called_name(node), node.args
            texts = [arg.value for arg in args
                     if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            if name == "tr" and args and isinstance(args[0], ast.Constant) and texts:
                found.add((context, texts[0]))
            elif name in {"translate", "QT_TRANSLATE_NOOP"} and len(texts) >= 2 and \
                    isinstance(args[0], ast.Constant) and isinstance(args[1], ast.Constant):
                found.add((texts[0], texts[1]))
        for child in ast.iter_child_nodes(node):
            visit(child, context)

    visit(ast.parse(source), "")
    return found


def test_lupdate_finds_every_translatable_text() -> None:
    """A text lupdate cannot see (a tr() inside an f-string, say) would never be translated."""
    wanted = {call for path in sorted(UI.rglob("*.py"))
              for call in _translatable_calls(path.read_text(encoding="utf-8"))}
    extracted = set(_messages(TRANSLATIONS / "photo_annotator_de.ts"))
    assert sorted(wanted - extracted) == []


@pytest.mark.parametrize("code", [
    'label.setText("Saved")',
    'QPushButton("Approve", self)',
    'label.setToolTip(f"{count} photos")',
    'self.status.emit("Scan finished: " + name)',
    'box.addItems(["Name", "Date taken"])',
    'label.setText("Saved {name}".format(name=name))',
    'QMessageBox.warning(self, "Remove library", text)',
])
def test_the_check_finds_untranslated_text(code: str) -> None:
    assert untranslated_texts(code)


@pytest.mark.parametrize("code", [
    'label.setText(self.tr("Saved"))',
    'label.setText(self.tr("Saved {name}").format(name=name))',
    'label.setText(QCoreApplication.translate("Parts", "Saved"))',
    'label.setText(f"{first}\\n{second}")',
    'label.setText("…")',
    'label.setObjectName("statusMessage")',
    'label.setText(name)',
])
def test_the_check_lets_translated_and_non_language_text_through(code: str) -> None:
    assert not untranslated_texts(code)


def _update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_translations", TRANSLATIONS / "update.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _messages(ts: Path) -> dict[tuple[str, str], ElementTree.Element]:
    root = ElementTree.parse(ts).getroot()
    return {(context.findtext("name") or "", message.findtext("source") or ""): message
            for context in root.iter("context") for message in context.iter("message")}


def _ts_files() -> list[Path]:
    return sorted(TRANSLATIONS.glob("photo_annotator_*.ts"))


def test_every_language_offered_is_shipped() -> None:
    """Each language the settings offer has its translation, compiled; each translation is offered."""
    from desktop_app.ui.language import LANGUAGES

    shipped = {path.stem.removeprefix("photo_annotator_") for path in _ts_files()}
    assert shipped == set(LANGUAGES) and {"en", "de"} <= shipped
    assert all(path.with_suffix(".qm").is_file() for path in _ts_files())


@pytest.mark.parametrize("ts", _ts_files(), ids=lambda path: path.name)
def test_the_translation_sources_are_current_with_the_code(ts: Path, tmp_path: Path) -> None:
    update = _update_script()
    fresh = tmp_path / ts.name
    shutil.copy(ts, fresh)
    update.lupdate(fresh)
    committed, current = _messages(ts), _messages(fresh)
    assert sorted(current.keys() - committed.keys()) == [], \
        "messages not in the .ts yet: run python resources/translations/update.py"
    assert sorted(committed.keys() - current.keys()) == [], "messages gone from the code: run the script"
    assert fresh.read_text(encoding="utf-8") == ts.read_text(encoding="utf-8"), "run the script"


@pytest.mark.parametrize("ts", _ts_files(), ids=lambda path: path.name)
def test_the_compiled_translations_are_current(ts: Path, tmp_path: Path) -> None:
    compiled = tmp_path / ts.with_suffix(".qm").name
    _update_script().lrelease(ts, compiled)
    assert ts.with_suffix(".qm").read_bytes() == compiled.read_bytes(), \
        f"{ts.with_suffix('.qm').name} is behind {ts.name}: run python resources/translations/update.py"


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{\w*\}|%L?n|%\d", text))


@pytest.mark.parametrize("ts", _ts_files(), ids=lambda path: path.name)
def test_every_message_is_translated_with_its_placeholders(ts: Path) -> None:
    problems = []
    for (context, source), message in _messages(ts).items():
        translation = message.find("translation")
        assert translation is not None
        forms = [form.text or "" for form in translation.iter("numerusform")] \
            if message.get("numerus") == "yes" else [translation.text or ""]
        where = f"{context}: {source!r}"
        if translation.get("type") in {"unfinished", "vanished", "obsolete"}:
            problems.append(f"{where} is {translation.get('type')}")
        if not forms or not all(form.strip() for form in forms):
            problems.append(f"{where} has an empty translation")
        for form in forms:
            if _placeholders(form) != _placeholders(source) and not (
                    message.get("numerus") == "yes" and _placeholders(form.replace("%Ln", "").replace(
                        "%n", "")) == _placeholders(source.replace("%Ln", "").replace("%n", ""))):
                problems.append(f"{where}: {form!r} has other placeholders")
    assert not problems, "\n".join(problems)


@pytest.fixture
def german(qapp: object) -> Iterator[None]:
    """The app in German for one test (as run_app installs it from the setting), English after."""
    from desktop_app.ui.language import install_language

    install_language(qapp, "de")  # type: ignore[arg-type]
    yield
    install_language(qapp, "en")  # type: ignore[arg-type]


def test_the_language_follows_the_system_unless_set() -> None:
    from PySide6.QtCore import QLocale

    from desktop_app.ui.language import formatting_locale, resolve_language

    assert resolve_language("system", QLocale("de_AT")) == "de"
    assert resolve_language("system", QLocale("fr_FR")) == "en"
    assert resolve_language("system", QLocale.c()) == "en"
    assert resolve_language("en", QLocale("de_DE")) == "en"
    assert resolve_language("de", QLocale.c()) == "de"
    assert formatting_locale("de", QLocale("de_AT")).name() == "de_AT"
    assert formatting_locale("en", QLocale.c()).toString(2500) == "2,500"
    assert formatting_locale("en", QLocale("de_DE")).name() == "en_US"
    assert formatting_locale("en", QLocale("fr_FR")).name() == "en_US"  # no French: English, US formats
    assert formatting_locale("en", QLocale("en_GB")).name() == "en_GB"


def test_the_language_setting_is_saved_and_loaded_back(qtbot: QtBot) -> None:
    """The Settings dialog's Language page writes settings.json's "language"; a value that is no
    language code leaves the user's file ignored (the defaults apply, as for any broken setting)."""
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop_app.settings import load_settings, settings_json, user_settings_path
    from desktop_app.ui.dialogs.settings import SettingsDialog

    assert load_settings().language == "system"
    dialog = SettingsDialog(captioners=[])
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert load_settings().language == "de" and settings_json(load_settings())["language"] == "de"
    again = SettingsDialog(captioners=[])
    qtbot.addWidget(again)
    assert again.language.currentData() == "de"

    user_settings_path().write_text('{"language": "Deutsch!"}', encoding="utf-8")
    assert load_settings().language == "system"


def test_counts_and_numbers_in_english_and_german(german: None) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui import wording
    from desktop_app.ui.language import install_language

    assert wording.photos(2500) == "2.500 Fotos"
    assert wording.photos(1) == "1 Foto"
    assert wording.number(1234567) == "1.234.567"
    install_language(QApplication.instance(), "en")  # type: ignore[arg-type]
    assert wording.photos(2500) == "2,500 photos"
    assert wording.photos(1) == "1 photo"


def test_the_window_in_german(german: None, open_window: Callable[..., Any], library: Path, db_path: Path,
                              qtbot: QtBot) -> None:
    """With the language setting "de": German menus, counts, status line, dates, a dialog (its own
    texts and Qt's buttons), in German formats."""
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop_app.ui.dialogs.settings import SettingsDialog

    window = open_window(db=db_path, folder=library)
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus[:2] == ["&Datei", "&Bearbeiten"] and "Be&schriftung" in menus
    assert window.header.photo_count.text() == "9 Fotos"
    assert window.status_text.text().startswith("library eingelesen: 9 Dateien, 9 neu")
    assert window.header.sort_key.currentText() == "Name"
    assert window.header.review_filter.itemText(1) == "Zu prüfen"
    tooltip = window.libraries.topLevelItem(0).toolTip(0)
    assert "9 Fotos" in tooltip
    assert re.search(r"Zuletzt eingelesen \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", tooltip), tooltip  # dd.MM.yy

    dialog = SettingsDialog(captioners=[], parent=window)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Einstellungen"
    assert [dialog.tabs.tabText(number) for number in range(dialog.tabs.count())][:2] == [
        "Beschriftung", "Modelle"]
    assert dialog.language.itemText(0) == "Systemsprache"
    assert [dialog.language.itemText(number) for number in (1, 2)] == ["English", "Deutsch"]
    # Qt's own texts come from its German translation.
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Abbrechen"



@pytest.mark.usefixtures("app_look")
@pytest.mark.parametrize("scale", [1.0, 2.0])
@pytest.mark.parametrize("surface", list(SURFACES))
def test_no_german_text_is_cut(german: None, request: pytest.FixtureRequest, qapp: Any, surface: str,
                               scale: float) -> None:
    """Every window and dialog of the accessibility walk, in German: its longer words fit too."""
    walk: Opener = request.getfixturevalue("opener")
    with at_text_scale(qapp, scale):
        root = SURFACES[surface](walk)
        wanted = root.sizeHint().expandedTo(root.size())
        if root.heightForWidth(wanted.width()) > 0:
            wanted.setHeight(max(wanted.height(), root.heightForWidth(wanted.width())))
        assert wanted.width() <= SCREEN.width() and wanted.height() <= SCREEN.height(), \
            f"{surface} needs {wanted.width()}x{wanted.height()} px in German at {scale:.0%} text"
        root.resize(wanted)
        walk.qtbot.waitUntil(lambda: root.size() == wanted, timeout=30_000)
        found = clipping_problems(root, elided_by_design)
    assert not found, "\n".join(map(str, found))
