"""Flags in the app: the grid's Flagged badge and filter, the flagged words marked in the caption editor
with the rule's reason, and approving a flagged caption asking once, the reason kept in the history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.models import Caption, CaptionRevision, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.photo_grid import ROW_ROLE
from desktop_app.ui.widgets.photo_rows import FLAG_COLOUR, accessible_text, flag_badge, tooltip_for
from tests import photo_files
from tests.accessibility_checks import WCAG_HIGH_CONTRAST, contrast_ratio
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")


@pytest.fixture
def flagged(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    """00.jpg with a flagged draft ("A woman..."), 01.jpg with a draft nothing flags."""
    root = tmp_path / "flagged"
    for number in range(2):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(96, 72))
    scanner.scan(root)
    with catalogue.write() as session:
        for number, text in enumerate(("A woman holding an umbrella", "A red umbrella on a bench")):
            photo = find_photo(session, str(root / f"{number:02}.jpg"))
            store_ai_caption(session, AICaption(photo, text, model_id="m", confidence=0.9),
                             captioner_id="encoder-decoder")
    return root


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, flagged: Path) -> MainWindow:
    return open_window(db=db_path)


def _rows(window: MainWindow) -> dict[str, object]:
    model = window.grid.model()
    return {Path(row.path).name: row for row in (model.index(n, 0).data(ROW_ROLE)
                                                  for n in range(model.rowCount()))}


def test_the_grid_badges_flagged_drafts_and_the_filter_shows_only_them(qtbot: QtBot,
                                                                       window: MainWindow) -> None:
    qtbot.waitUntil(lambda: len(_rows(window)) == 2, timeout=WAIT_MS)
    rows = _rows(window)
    assert rows["00.jpg"].flagged and not rows["01.jpg"].flagged
    assert flag_badge(rows["00.jpg"]) == "⚑ Flagged" and flag_badge(rows["01.jpg"]) is None
    assert "flagged for a second look" in accessible_text(rows["00.jpg"])
    assert "Flagged: words to check" in tooltip_for(rows["00.jpg"])
    window.grid.viewport().grab()  # the badge paints (no error at paint time)
    assert contrast_ratio(QColor("white"), FLAG_COLOUR) >= WCAG_HIGH_CONTRAST  # its white words
    header = window.header.review_filter
    header.setCurrentIndex(header.findText("Flagged"))
    qtbot.waitUntil(lambda: list(_rows(window)) == ["00.jpg"], timeout=WAIT_MS)


def test_flagged_words_are_marked_with_their_reason(qtbot: QtBot, window: MainWindow) -> None:
    box = window.detail.review_box
    qtbot.waitUntil(lambda: box.editor_text() == "A woman holding an umbrella", timeout=WAIT_MS)
    flagged_words = box.editor.flagged()
    assert [word for word, _reason in flagged_words] == ["woman"]
    assert "gender" in flagged_words[0][1]
    assert box.editor.flag_reasons_at(4) == [flagged_words[0][1]]  # inside "woman"
    assert box.editor.flag_reasons_at(20) == []
    selections = box.editor.extraSelections()
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in selections] == [(2, 7)]
    assert box.flags_note.isVisible() and "“woman”" in box.flags_note.text()
    assert flagged_words[0][1] in box.flags_note.accessibleDescription()  # the reasons, for the keyboard too
    box.editor.selectAll()
    qtbot.keyClicks(box.editor, "A person holding an umbrella")  # the editor's words: no marks left
    assert box.editor.flagged() == [] and box.editor.extraSelections() == []


def _revisions(catalogue: Catalogue, name: str, root: Path) -> list[CaptionRevision]:
    with catalogue.read() as session:
        photo = find_photo(session, str(root / name))
        caption = session.scalar(select(Caption).where(Caption.photo_id == photo.id, Caption.is_current))
        return list(session.scalars(select(CaptionRevision).where(CaptionRevision.caption_id == caption.id)
                                    .order_by(CaptionRevision.number)))


def test_approving_a_flagged_caption_asks_once_and_keeps_the_reason(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, flagged: Path) -> None:
    box = window.detail.review_box
    qtbot.waitUntil(lambda: box.editor_text() == "A woman holding an umbrella", timeout=WAIT_MS)
    box.approve()
    dialog = box.flag_dialog
    assert dialog is not None and dialog.isVisible()
    assert [dialog.flag_list.item(n).text() for n in range(dialog.flag_list.count())] == [
        f"“woman”: {box.editor.flagged()[0][1]}"]
    dialog.reject()  # Cancel: nothing written
    assert _revisions(catalogue, "00.jpg", flagged)[-1].state is ReviewState.DRAFT
    box.approve()
    dialog = box.flag_dialog
    qtbot.keyClicks(dialog.reason, "a portrait session, the sitter said so")
    dialog.approve_button.click()
    qtbot.waitUntil(lambda: _revisions(catalogue, "00.jpg", flagged)[-1].state is ReviewState.APPROVED,
                    timeout=WAIT_MS)
    assert _revisions(catalogue, "00.jpg", flagged)[-1].note == (
        "approved with flags confirmed: a portrait session, the sitter said so")
    qtbot.waitUntil(lambda: "confirmed" in box.flags_note.text(), timeout=WAIT_MS)
    # Undo (a draft again, the same text), then approve: not asked again
    box.undo()
    qtbot.waitUntil(lambda: _revisions(catalogue, "00.jpg", flagged)[-1].state is ReviewState.DRAFT,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: (box._current or {}).get("state") == "draft", timeout=WAIT_MS)
    asked = box.flag_dialog
    box.approve(advance=True)  # what Ctrl+Enter does
    qtbot.waitUntil(lambda: _revisions(catalogue, "00.jpg", flagged)[-1].state is ReviewState.APPROVED,
                    timeout=WAIT_MS)
    assert box.flag_dialog is asked  # no new dialog
    assert len([r for r in _revisions(catalogue, "00.jpg", flagged) if (r.note or "").startswith(
        "approved with flags confirmed")]) == 1
