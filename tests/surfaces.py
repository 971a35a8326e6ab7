"""The windows and dialogs of the app as a user meets them (SURFACES), each opened by a function of an
Opener (the test's fixtures; the ``opener`` fixture is in tests/conftest.py). The accessibility walk
(tests/test_accessibility.py) and the German walk (tests/test_translations.py) open every one of them;
a window or dialog added to desktop_app.ui must be added to SURFACES."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop_app.catalogue.models import CaptionKind, JobState
from desktop_app.jobs.store import CAPTION_JOB, JobSummary
from desktop_app.plugin_registry import load_plugins
from desktop_app.settings import load_settings
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.grid_header import GridHeader
from tests.gui_helpers import WAIT_MS

SCREEN = QSize(1920, 1080)  # the screen the 200% text size is checked on
LONG_MESSAGE = ("Search by meaning is ready: 12,480 captions embedded with the minilm text embedder in 41 s; "
                "3 captions were skipped because their photos cannot be read")


@dataclass
class Opener:
    """What the surfaces are opened with: the test's fixtures."""

    qtbot: QtBot
    open_window: Callable[..., MainWindow]
    db_path: Path
    drafts: Path

    def shown(self, widget: QWidget) -> QWidget:
        self.qtbot.addWidget(widget)
        widget.show()
        self.qtbot.waitExposed(widget)
        return widget


def _empty_window(opener: Opener) -> QWidget:
    return opener.open_window()


def window_with_photos(opener: Opener) -> QWidget:
    window = opener.open_window(db=opener.db_path)
    window.jobs_dock.show()  # the captioning jobs panel, docked
    opener.qtbot.waitUntil(lambda: window.detail.photo_id is not None, timeout=WAIT_MS)
    return window


def _window_reviewing_alt_text(opener: Opener) -> QWidget:
    """The pane on alt text over the 250-character guideline, under the title and headline its file gives,
    with the file's creator, rights, persons and place among the details."""
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.photos import find_photo

    with open_catalogue(opener.db_path) as catalogue, catalogue.write() as session:
        find_photo(session, str(opener.drafts / "00.jpg")).file_fields = {
            "title": "The harbour at dawn, seen from the old lighthouse", "headline": "Fishing fleet returns",
            "creator": ["Ann Example"], "rights": "© 1998 Ann Example", "persons": ["Carl Fisher"],
            "location": {"city": "Kiel", "country": "Germany"}}
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    box = window.detail.review_box
    box.choose_kind(CaptionKind.ALT_TEXT)
    box.editor.setPlainText("Fishing boats moored in the harbour at dawn " * 6)  # over 250 characters
    # Laid out again for the new texts (posted layout requests) before the walk measures them.
    opener.qtbot.waitUntil(lambda: all(label.height() >= label.heightForWidth(label.width())
                                       for label in (box.header, box.count)), timeout=WAIT_MS)
    return window


def _window_reviewing_keywords(opener: Opener) -> QWidget:
    """The pane's keyword chips in every state (rejected ones shown too) and the Keywords panel with a
    vocabulary opened, on the drafts' first photo."""
    from desktop_app.catalogue import open_catalogue
    from tests.keyword_samples import add_keywords

    with open_catalogue(opener.db_path) as catalogue:
        add_keywords(catalogue, opener.drafts)
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    box, model = window.detail.keyword_box, window.keyword_panel.model
    opener.qtbot.waitUntil(lambda: len(box.shown_chips()) == 4 and model.rowCount() == 3, timeout=WAIT_MS)
    box.show_rejected.setChecked(True)
    window.keyword_panel.tree.expand(model.index(0, 0))
    opener.qtbot.waitUntil(lambda: len(box.shown_chips()) == 5 and model.rowCount(model.index(0, 0)) == 2,
                           timeout=WAIT_MS)
    opener.qtbot.waitUntil(lambda: all(chip.isVisible() for chip in box.shown_chips()), timeout=WAIT_MS)
    return window


def _window_showing_where_the_model_looked(opener: Opener) -> QWidget:
    """The pane with "Show where the model looked" on: the heatmap for the word at the editor's cursor over
    the preview, and the line saying what it shows (issue 20)."""
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.photos import find_photo
    from tests.gui_helpers import MODEL_WAIT_MS
    from tests.tiny_models.vision_encoder_decoder import vit_gpt2

    model = opener.db_path.parent / "heatmap-model"
    if not model.exists():
        vit_gpt2(model)
    with open_catalogue(opener.db_path) as catalogue, catalogue.write() as session:
        for number in range(5):
            store_ai_caption(session, AICaption(find_photo(session, str(opener.drafts / f"{number:02}.jpg")),
                                                "a dog near a red car", model_id=str(model)),
                             captioner_id="encoder-decoder")
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    detail = window.detail
    opener.qtbot.waitUntil(lambda: detail.preview.image() is not None, timeout=WAIT_MS)
    detail.heatmap.action.setChecked(True)
    cursor = detail.review_box.editor.textCursor()
    cursor.setPosition(3)  # in "dog"
    detail.review_box.editor.setTextCursor(cursor)
    opener.qtbot.waitUntil(lambda: detail.preview.overlay() is not None, timeout=MODEL_WAIT_MS)
    return window


def _full_preview(opener: Opener) -> QWidget:
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    window.view.open_full_preview()  # as its key or a double-click on a photo does
    opener.qtbot.waitUntil(window.full_preview.isVisible, timeout=WAIT_MS)
    return window


def _status_details(opener: Opener) -> QWidget:
    window = opener.open_window()
    window.status_text.setText(LONG_MESSAGE)
    window.status_text.show_details()
    assert window.status_text.details is not None
    opener.qtbot.waitExposed(window.status_text.details)
    return window.status_text.details


def captioners() -> list:  # type: ignore[type-arg]
    return list(load_plugins(entry_points=False).captioners.values())


def _caption_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.caption import CaptionDialog

    return opener.shown(CaptionDialog(captioners(), load_settings(), [1, 2], folder="/photos",
                                      folder_label="Holidays"))


def _caption_dialog_with_prompt(opener: Opener) -> QWidget:
    dialog = _caption_dialog(opener)
    dialog.set_captioner("product-description")  # its prompt field: saved prompts and the text
    field = dialog.option_fields["prompt"]
    opener.qtbot.waitUntil(field.isVisible, timeout=WAIT_MS)  # a layout shows new fields after an event
    return dialog


def _window_with_a_job_and_an_error(opener: Opener) -> QWidget:
    window = opener.open_window()
    now = datetime.now(UTC)
    window.inference.job_started.emit(JobSummary(  # as the captioning service reports a job it starts
        id=1, kind=CAPTION_JOB, state=JobState.RUNNING, captioner_id="encoder-decoder", model_id="m",
        options={}, created_at=now, started_at=now, finished_at=None, error=None, notice=None, total=10,
        done=4, failed=1, pending=5, skipped=0))
    window.jobs_dock.show()
    window.messages.show_error("Cannot write the catalogue: the disk is full")  # the error bar
    opener.qtbot.waitUntil(lambda: window.job_status.isVisible() and window.messages.isVisible(),
                           timeout=WAIT_MS)
    return window


def _suggest_keywords_dialog(opener: Opener) -> QWidget:
    from desktop_app.catalogue.vocabularies import VocabularySummary
    from desktop_app.ui.dialogs.suggest_keywords import SuggestKeywordsDialog

    taggers = list(load_plugins(entry_points=False).taggers.values())
    vocabularies = [VocabularySummary(1, "Getty AAT (excerpt)", "imported", "skos", None, "en", 1250, 3, 410,
                                      12, "2026-12-01"),
                    VocabularySummary(2, "from files", "from-files", None, None, None, 37, 0, 0, 20,
                                      "2026-12-02")]
    return opener.shown(SuggestKeywordsDialog(taggers, vocabularies, [1, 2], folder="/photos",
                                              folder_label="Holidays"))


def _settings_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.settings import SettingsDialog

    return opener.shown(SettingsDialog(captioners(), current_catalogue="/open/catalogue.db"))


def _settings_dialog_on_the_cluster_page(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(captioners(), current_catalogue="/open/catalogue.db")
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.cluster.parentWidget()))
    dialog.cluster.head.setChecked(True)  # the address field and the actors in use
    dialog.cluster.address.setText("head:10001")  # and the warning a wrong address gets
    return opener.shown(dialog)


def _write_metadata_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.files import WriteMetadataDialog

    return opener.shown(WriteMetadataDialog([1, 2], None, "Holidays"))


def _export_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.files import ExportDialog

    return opener.shown(ExportDialog([1, 2], None, "Holidays"))


def _report_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.files import ReportDialog

    return opener.shown(ReportDialog("Captions written", "2 photos written, 1 failed",
                                     ["a.jpg: written", "b.jpg: cannot write: read-only"]))


def _disclaimer_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.disclaimer import DisclaimerDialog

    medical = next(captioner for captioner in captioners() if captioner.id == "medical-report")
    return opener.shown(DisclaimerDialog(medical))


def _train_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.train import TrainDialog

    return opener.shown(TrainDialog(captioners(), load_settings(), 1, "Holidays"))


def quality_view(opener: Opener) -> QWidget:
    """The Quality view on the sample decisions (tests/quality_samples.py), its tables filled."""
    from datetime import date

    from desktop_app.catalogue import open_catalogue
    from desktop_app.ui.dialogs.quality import QualityDialog
    from tests.quality_samples import decide_samples

    catalogue = open_catalogue(opener.db_path)
    decide_samples(catalogue)
    dialog = QualityDialog(catalogue, today=lambda: date(2026, 3, 20))  # the last 26 weeks hold them
    opener.shown(dialog)
    opener.qtbot.waitUntil(lambda: dialog.outcome_table.rowCount() > 0, timeout=WAIT_MS)
    # Read: the view asks for nothing more unless its period changes. Its thread ends now, as at its close:
    # the walk drops the dialog without closing it.
    dialog.service.shutdown()
    catalogue.close()
    return dialog
def _flagged_text() -> list[dict]:  # type: ignore[type-arg]
    from desktop_app.flagging import find_flags, load_rules, stored_flags

    text = "An elderly woman by a sign: call 555-123-4567"
    return stored_flags(find_flags(load_rules(("en",)), text)) or []


def _flag_confirm_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.widgets.detail.flag_confirm import FlagConfirmDialog

    return opener.shown(FlagConfirmDialog(_flagged_text()))


def _window_reviewing_a_flagged_caption(opener: Opener) -> QWidget:
    """The pane on a draft with flagged words: marked in the editor, listed under it."""
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.photos import find_photo

    with open_catalogue(opener.db_path) as catalogue, catalogue.write() as session:
        photo = find_photo(session, str(opener.drafts / "00.jpg"))
        store_ai_caption(session, AICaption(photo, "An elderly woman by a sign: call 555-123-4567",
                                            model_id="m"), captioner_id="encoder-decoder")
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    opener.qtbot.waitUntil(lambda: window.detail.review_box.flags_note.isVisible(), timeout=WAIT_MS)
    return window


def _settings_dialog_on_the_review_page(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(captioners(), current_catalogue="/open/catalogue.db")
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.review_page.parentWidget()))
    return opener.shown(dialog)


def _settings_dialog_on_the_import_page(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(captioners(), current_catalogue="/open/catalogue.db")
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.import_page.parentWidget()))
    return opener.shown(dialog)


def _window_suggesting_fine_tuning(opener: Opener) -> QWidget:
    window = opener.open_window()
    window.suggestions.suggest("Editors approved 200 captions of Encoder-decoder captions: fine-tuning it on "
                               "them teaches it your collection's words.", "Fine-tune…")
    opener.qtbot.waitUntil(window.suggestions.isVisible, timeout=WAIT_MS)
    return window


def _new_model_dialog(opener: Opener) -> QWidget:
    from desktop_app.ui.dialogs.new_model import NewModelDialog

    metrics = ("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr")
    models = [{"label": label, "pairs": 120, "validation_loss": loss,
               "metrics": {name: round(base + 0.01 * number, 4) for number, name in enumerate(metrics)}}
              for label, loss, base in (("vit-gpt2-image-captioning", 2.91, 0.21), ("v3", 1.73, 0.38))]
    evaluation = {"split": "validation", "pairs": 120, "models": models,
                  "notes": ["SPICE is not computed: it needs Stanford CoreNLP models"]}
    return opener.shown(NewModelDialog("Encoder-decoder captions", "/models/fine-tuned/v3", evaluation))


def _watch_dialog(opener: Opener) -> QWidget:
    from desktop_app.services.libraries import WatchSettings
    from desktop_app.ui.dialogs.watch import WatchDialog

    taggers = list(load_plugins(entry_points=False).taggers.values())
    return opener.shown(WatchDialog(captioners(), taggers, "Scanning station",
                                    WatchSettings("encoder-decoder", None, "caption-text", 30.0)))


# Every window and dialog of the app, as a user meets it. Add yours here.
SURFACES: dict[str, Callable[[Opener], QWidget]] = {
    "main window, no catalogue": _empty_window,
    "main window with photos and the jobs panel": window_with_photos,
    "main window reviewing alt text": _window_reviewing_alt_text,
    "main window reviewing keywords": _window_reviewing_keywords,
    "main window showing where the model looked": _window_showing_where_the_model_looked,
    "main window, full-window preview": _full_preview,
    "status message details": _status_details,
    "caption dialog": _caption_dialog,
    "caption dialog with a prompt": _caption_dialog_with_prompt,
    "main window with a captioning job and an error": _window_with_a_job_and_an_error,
    "suggest keywords dialog": _suggest_keywords_dialog,
    "settings dialog": _settings_dialog,
    "settings dialog, cluster page": _settings_dialog_on_the_cluster_page,
    "write metadata dialog": _write_metadata_dialog,
    "export dialog": _export_dialog,
    "report dialog": _report_dialog,
    "disclaimer dialog": _disclaimer_dialog,
    "train dialog": _train_dialog,
    "quality view": quality_view,
    "flag confirmation dialog": _flag_confirm_dialog,
    "main window reviewing a flagged caption": _window_reviewing_a_flagged_caption,
    "settings dialog, review page": _settings_dialog_on_the_review_page,
    "settings dialog, import page": _settings_dialog_on_the_import_page,
    "main window suggesting fine-tuning": _window_suggesting_fine_tuning,
    "new model dialog": _new_model_dialog,
    "watch folder dialog": _watch_dialog,
}

# Widget classes of desktop_app.ui no walk shows, each with why.
NOT_WALKED: dict[str, str] = {}

# Labels cut short by design, each with where its whole text is.
ELIDED_BY_DESIGN: dict[str, str] = {
    "StatusMessage.label": "the status line: elided to the window's width, whole in its accessible name, "
                           "its tooltip and behind Details…",
}


def elided_by_design(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    if parent is not None and f"{type(parent).__name__}.label" in ELIDED_BY_DESIGN \
            and getattr(parent, "label", None) is widget:
        return True
    return _title_without_room(widget)


def _title_without_room(widget: QWidget) -> bool:
    """The grid header's library title may end in "…" only when even a row of its own (the filters and
    sort on the row below) has not its width beside the photo count, which is never elided."""
    row = widget.parentWidget()
    header = row.parentWidget() if row is not None else None
    if not isinstance(header, GridHeader) or widget is not header.library_title:
        return False
    return header.two_rows() and row.sizeHint().width() > row.width()
