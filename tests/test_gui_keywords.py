"""Keyword review in the whole window: the detail pane's chips by state, type-ahead completion (a synonym
adds its preferred label; a label two vocabularies share asks which), K / Shift+K / Ctrl+Shift+K, tagging
a selection as one undo step, the Keywords panel filtering the grid (narrower terms included), and a
conflict with another writer shown without losing anything. Read back through the catalogue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.models import KeywordState, Photo, Term
from desktop_app.services.keyword_browse import PAGE
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.detail.keyword_box import KeywordBox
from tests.gui_helpers import WAIT_MS
from tests.keyword_samples import add_keywords, states, vocabulary

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

SUGGESTED, ACCEPTED, REJECTED = KeywordState.SUGGESTED, KeywordState.ACCEPTED, KeywordState.REJECTED
WITHDRAWN = KeywordState.WITHDRAWN


@pytest.fixture
def photos(catalogue: Catalogue, drafts: Path) -> dict[str, int]:
    return add_keywords(catalogue, drafts)


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, photos: dict[str, int],
           qtbot: QtBot) -> MainWindow:
    opened = open_window(db=db_path)
    opened.activateWindow()
    qtbot.waitActive(opened)  # the keys are window shortcuts
    return opened


def box(window: MainWindow) -> KeywordBox:
    return window.detail.keyword_box


def chip_names(window: MainWindow) -> list[str]:
    return [chip.accessibleName() for chip in box(window).shown_chips()]


def wait_chips(qtbot: QtBot, window: MainWindow, wanted: Callable[[list[str]], bool]) -> list[str]:
    qtbot.waitUntil(lambda: wanted(chip_names(window)), timeout=WAIT_MS)
    return chip_names(window)


def show(qtbot: QtBot, window: MainWindow, name: str) -> None:
    row = next(n for n, photo in enumerate(window.model.rows()) if Path(photo.path).name == name)
    window.grid.make_current(window.model.index(row))
    qtbot.waitUntil(lambda: box(window).photo_id == window.model.rows()[row].id, timeout=WAIT_MS)


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Every keyword call made has been answered, and the pane shows what it answered."""
    qtbot.waitUntil(lambda: window.keyword_service.pending == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.keyword_service.pending == 0, timeout=WAIT_MS)  # the reload it asked


NO_MODIFIER = Qt.KeyboardModifier.NoModifier


def key(qtbot: QtBot, window: MainWindow, keys: Qt.Key, modifiers: Qt.KeyboardModifier = NO_MODIFIER) -> None:
    focused = QApplication.focusWidget() or window.grid
    qtbot.keyClick(focused, keys, modifiers)


def test_the_chips_show_the_photo_s_keywords_by_state_with_rejected_ones_behind_a_toggle(
        qtbot: QtBot, window: MainWindow) -> None:
    names = wait_chips(qtbot, window, lambda names: len(names) == 4)
    # Suggestions first, most confident first; the state in words, never by colour alone.
    assert names == ["Dogs, suggested, 82%", "Beaches, suggested, 64%", "Cats, accepted",
                     "harbour at dawn, accepted, from the file"]
    chips = {chip.view.label: chip for chip in box(window).shown_chips()}
    assert chips["Dogs"].text() == "? Dogs · 82%" and chips["Cats"].text() == "✓ Cats"
    assert "Animals › Mammals › Dogs" in chips["Dogs"].toolTip()
    assert "caption-text" in chips["Dogs"].accessibleDescription()
    assert "dog, running" in chips["Dogs"].accessibleDescription()
    assert all(chip.focusPolicy() & Qt.FocusPolicy.TabFocus for chip in chips.values())
    toggle = box(window).show_rejected
    assert toggle.isVisible() and toggle.text() == "Show rejected (1)"
    toggle.click()
    names = wait_chips(qtbot, window, lambda names: len(names) == 5)
    assert "Wolves, rejected" in names
    assert next(chip for chip in box(window).shown_chips() if chip.view.label == "Wolves").font().strikeOut()


def test_a_synonym_typed_and_entered_adds_its_preferred_label(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    show(qtbot, window, "01.jpg")
    wait_chips(qtbot, window, lambda names: names == ["Puppies, accepted"])
    entry = box(window).entry
    entry.setFocus()
    qtbot.keyClicks(entry, "hound")
    # The offers come from the worker: the synonym completes to its preferred label, with its path.
    qtbot.waitUntil(lambda: entry.offer_labels() == ["hounds → Dogs · Animals › Mammals › Dogs"],
                    timeout=WAIT_MS)
    qtbot.keyClicks(entry, "s")
    qtbot.keyClick(entry, Qt.Key.Key_Return)  # no offer picked: the text typed resolves
    wait_chips(qtbot, window, lambda names: "Dogs, accepted" in names)
    assert states(catalogue, photos["01.jpg"]) == {"Dogs": ACCEPTED, "Puppies": ACCEPTED}
    assert entry.text() == ""


def test_an_offer_picked_adds_its_term_and_a_label_no_vocabulary_has_is_a_free_keyword(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    show(qtbot, window, "02.jpg")
    entry = box(window).entry
    entry.setFocus()
    qtbot.keyClicks(entry, "sea")
    qtbot.waitUntil(lambda: entry.offer_labels() == ["seaside → Beaches · Places › Beaches"], timeout=WAIT_MS)
    entry.choose_offer(0)
    wait_chips(qtbot, window, lambda names: names == ["Beaches, accepted"])
    qtbot.keyClicks(entry, "Lighthouse keeper")
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    wait_chips(qtbot, window, lambda names: "Lighthouse keeper, accepted" in names)
    with catalogue.read() as session:
        term = session.scalar(select(Term).where(Term.label == "Lighthouse keeper"))
        assert term is not None and term.vocabulary_id is None
    assert "Free keyword" in next(chip for chip in box(window).shown_chips()
                                  if chip.view.label == "Lighthouse keeper").toolTip()


def test_a_label_in_two_vocabularies_asks_which_one(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    show(qtbot, window, "03.jpg")
    entry = box(window).entry
    entry.setFocus()
    qtbot.keyClicks(entry, "Dogs")
    qtbot.waitUntil(lambda: len(entry.offer_labels()) == 2, timeout=WAIT_MS)
    # The same label in two vocabularies: each offer names its own.
    assert sorted(entry.offer_labels()) == ["Dogs · Animals › Mammals › Dogs · Everyday", "Dogs · Zoo"]
    entry.completer_.popup().hide()
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(box(window), "ambiguity", None) is not None
                    and box(window).ambiguity.isVisible(), timeout=WAIT_MS)
    menu = box(window).ambiguity
    assert "several vocabularies" in menu.title()
    zoo = next(action for action in menu.actions() if action.text() == "Zoo")
    menu.hide()
    zoo.trigger()
    wait_chips(qtbot, window, lambda names: names == ["Dogs, accepted"])
    assert box(window).shown_chips()[0].view.vocabulary == "Zoo"
    assert states(catalogue, photos["03.jpg"]) == {"Dogs": ACCEPTED}


def test_k_accepts_shift_k_rejects_and_the_keyboard_goes_on_to_the_next_suggestion(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    wait_chips(qtbot, window, lambda names: len(names) == 4)
    window.grid.setFocus()
    key(qtbot, window, Qt.Key.Key_K)  # the first suggestion: Dogs
    wait_chips(qtbot, window, lambda names: "Dogs, accepted" in names)
    assert window.grid.hasFocus()  # the keys work from the grid; the focus stays there
    key(qtbot, window, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)  # the next: Beaches
    wait_chips(qtbot, window, lambda names: "Beaches, suggested, 64%" not in names)
    first = states(catalogue, photos["00.jpg"])
    assert first["Dogs"] is ACCEPTED and first["Beaches"] is REJECTED
    assert box(window).show_rejected.text() == "Show rejected (2)"
    # Undo (Ctrl+Z, the caption review's) takes back the last keyword change.
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_chips(qtbot, window, lambda names: "Beaches, suggested, 64%" in names)
    assert states(catalogue, photos["00.jpg"])["Beaches"] is SUGGESTED


def test_a_focused_chip_is_the_one_the_keys_act_on_and_delete_removes_an_accepted_one(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    wait_chips(qtbot, window, lambda names: len(names) == 4)
    beaches = next(chip for chip in box(window).shown_chips() if chip.view.label == "Beaches")
    beaches.setFocus()
    qtbot.waitUntil(beaches.hasFocus, timeout=WAIT_MS)
    key(qtbot, window, Qt.Key.Key_K)
    wait_chips(qtbot, window, lambda names: "Beaches, accepted" in names)
    assert states(catalogue, photos["00.jpg"])["Dogs"] is SUGGESTED  # not the first: the focused one
    cats = next(chip for chip in box(window).shown_chips() if chip.view.label == "Cats")
    cats.setFocus()
    qtbot.keyClick(cats, Qt.Key.Key_Delete)
    wait_chips(qtbot, window, lambda names: "Cats, accepted" not in names)
    assert states(catalogue, photos["00.jpg"])["Cats"] is REJECTED


def test_accept_all_accepts_every_suggestion_shown_as_one_undo_step(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    wait_chips(qtbot, window, lambda names: len(names) == 4)
    key(qtbot, window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_chips(qtbot, window, lambda names: not any("suggested" in name for name in names))
    first = states(catalogue, photos["00.jpg"])
    assert first["Dogs"] is ACCEPTED and first["Beaches"] is ACCEPTED
    stack = window.review.undo_stack
    assert stack.undoText() == "Accept 2 keywords"
    window.detail.review_box.undo()
    wait_chips(qtbot, window, lambda names: names[:2] == ["Dogs, suggested, 82%", "Beaches, suggested, 64%"])
    first = states(catalogue, photos["00.jpg"])
    assert first["Dogs"] is SUGGESTED and first["Beaches"] is SUGGESTED


def test_a_keyword_added_to_a_selection_goes_to_every_photo_and_one_undo_takes_it_back(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    wait_chips(qtbot, window, lambda names: len(names) == 4)
    window.grid.selectAll()
    assert len(window.browse.selected_photo_ids()) == 5
    entry = box(window).entry
    assert entry.placeholderText() == "Add a keyword to 5 photos…"
    entry.setFocus()
    qtbot.keyClicks(entry, "kitties")  # a synonym of Cats, which 00.jpg has already
    qtbot.keyClick(entry, Qt.Key.Key_Escape)
    qtbot.keyClick(entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: all(states(catalogue, photo_id).get("Cats") is ACCEPTED
                                for photo_id in photos.values()), timeout=WAIT_MS)
    assert window.review.undo_stack.undoText() == "Add keyword “Cats” on 5 photos"
    window.detail.review_box.undo()
    qtbot.waitUntil(lambda: states(catalogue, photos["01.jpg"]).get("Cats") is WITHDRAWN, timeout=WAIT_MS)
    assert states(catalogue, photos["00.jpg"])["Cats"] is ACCEPTED  # it had it before: still has
    assert all(states(catalogue, photos[name])["Cats"] is WITHDRAWN for name in ("01.jpg", "02.jpg"))
    window.detail.review_box.redo()
    qtbot.waitUntil(lambda: states(catalogue, photos["04.jpg"]).get("Cats") is ACCEPTED, timeout=WAIT_MS)
    # Removing from the selection: from the photos that have it.
    cats = next(chip for chip in box(window).shown_chips() if chip.view.label == "Cats")
    cats.setFocus()
    qtbot.keyClick(cats, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: all(states(catalogue, photo_id)["Cats"] is REJECTED
                                for photo_id in photos.values()), timeout=WAIT_MS)


def test_the_keywords_panel_filters_the_grid_to_a_term_and_its_narrower_terms(
        qtbot: QtBot, window: MainWindow, photos: dict[str, int]) -> None:
    panel = window.keyword_panel
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=WAIT_MS)  # Everyday, Zoo, From files
    tops = [model.index(row, 0).data() for row in range(3)]
    assert tops == ["Everyday", "Zoo", "From files"]
    counts = [model.index(row, 1).data() for row in range(3)]
    assert counts == ["2", "", "1"]  # photos with an accepted keyword of each
    everyday = model.index(0, 0)
    panel.tree.expand(everyday)  # loaded as it is opened
    qtbot.waitUntil(lambda: model.rowCount(everyday) == 2, timeout=WAIT_MS)
    animals = model.index(0, 0, everyday)
    assert animals.data() == "Animals" and model.hasChildren(animals)
    panel.tree.expand(animals)
    qtbot.waitUntil(lambda: model.rowCount(animals) == 1, timeout=WAIT_MS)
    mammals = model.index(0, 0, animals)
    assert mammals.data() == "Mammals" and model.index(0, 1, animals).data() == ""
    panel.choose(mammals)  # Cats on 00.jpg, Puppies (below Dogs) on 01.jpg
    qtbot.waitUntil(lambda: sorted(row.id for row in window.model.rows())
                    == sorted([photos["00.jpg"], photos["01.jpg"]]) and window.is_settled(), timeout=WAIT_MS)
    assert "keyword “Mammals”" in window.header.photo_count.text()
    assert panel.show_all.isVisible()
    panel.show_all.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=WAIT_MS)
    # The filter box finds a term by a synonym, shown with its place in the hierarchy.
    panel.filter.setText("hound")
    qtbot.waitUntil(lambda: model.filtering() and model.rowCount() == 1, timeout=WAIT_MS)
    assert model.index(0, 0).data() == "Dogs (Animals › Mammals)"
    panel.choose(model.index(0, 0))
    qtbot.waitUntil(lambda: [row.id for row in window.model.rows()] == [photos["01.jpg"]], timeout=WAIT_MS)
    panel.filter.clear()
    qtbot.waitUntil(lambda: not model.filtering(), timeout=WAIT_MS)
    assert model.rowCount() == 3


def test_counts_follow_keyword_changes(qtbot: QtBot, window: MainWindow) -> None:
    model = window.keyword_panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 3 and model.index(1, 1).data() == "", timeout=WAIT_MS)
    entry = box(window).entry
    entry.setFocus()
    qtbot.keyClicks(entry, "Wolves")
    qtbot.keyClick(entry, Qt.Key.Key_Escape)
    qtbot.keyClick(entry, Qt.Key.Key_Return)  # a rejected keyword added again
    qtbot.waitUntil(lambda: model.index(1, 1).data() == "1", timeout=WAIT_MS)


def test_a_change_another_writer_made_first_is_refused_visibly_and_nothing_is_lost(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    wait_chips(qtbot, window, lambda names: len(names) == 4)
    with catalogue.write() as session:  # another editor (or the command line) rejects Dogs meanwhile
        photo = session.get(Photo, photos["00.jpg"])
        dogs = session.scalar(select(Term).where(Term.label == "Dogs").order_by(Term.id).limit(1))
        assert photo is not None and dogs is not None
        keywords.reject_keyword(session, photo, dogs, author="bob")
    window.grid.setFocus()
    key(qtbot, window, Qt.Key.Key_K)  # based on the suggestion the pane showed
    alert = box(window).alert
    qtbot.waitUntil(alert.isVisible, timeout=WAIT_MS)
    assert "Not applied" in alert.text() and "bob" in alert.text()
    assert states(catalogue, photos["00.jpg"])["Dogs"] is REJECTED  # bob's decision stands
    wait_chips(qtbot, window, lambda names: "Dogs, suggested, 82%" not in names)  # shown as it now is


def test_a_photo_selected_with_others_keeps_its_own_suggestions(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, photos: dict[str, int]) -> None:
    """Accepting a suggestion acts on the shown photo only, even with others selected."""
    wait_chips(qtbot, window, lambda names: len(names) == 4)
    selection = window.grid.selectionModel()
    selection.select(window.model.index(1), QItemSelectionModel.SelectionFlag.Select)
    window.grid.setFocus()
    key(qtbot, window, Qt.Key.Key_K)
    wait_chips(qtbot, window, lambda names: "Dogs, accepted" in names)
    assert "Dogs" not in states(catalogue, photos["01.jpg"])


def test_a_large_vocabulary_is_read_a_page_at_a_time(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, catalogue: Catalogue,
        drafts: Path) -> None:
    with catalogue.write() as session:
        vocabulary(session, "Big", {f"Term {number:04}": (None, []) for number in range(1_200)})
    window = open_window(db=db_path)
    model = window.keyword_panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=WAIT_MS)
    big = model.index(0, 0)
    window.keyword_panel.tree.expand(big)
    qtbot.waitUntil(lambda: model.rowCount(big) >= PAGE, timeout=WAIT_MS)
    assert model.rowCount(big) in (PAGE, 2 * PAGE)  # a page at a time (the view may ask for the next)

    def scrolled_to_the_end() -> bool:
        model.fetchMore(big)  # as scrolling to the end does: the next page, once the last has arrived
        return model.rowCount(big) == 1_200

    qtbot.waitUntil(scrolled_to_the_end, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.keyword_service.pending == 0, timeout=WAIT_MS)
    assert model.rowCount(big) == 1_200
    assert not model.canFetchMore(big)
    assert model.index(1_199, 0, big).data() == "Term 1199"


def test_the_panel_lists_the_photos_with_suggestions_to_review(
        qtbot: QtBot, window: MainWindow, photos: dict[str, int]) -> None:
    panel = window.keyword_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3 and window.model.rowCount() == 5, timeout=WAIT_MS)
    panel.state.setCurrentIndex(panel.state.findData(SUGGESTED))  # no term chosen: any keyword suggested
    qtbot.waitUntil(lambda: [row.id for row in window.model.rows()] == [photos["00.jpg"]], timeout=WAIT_MS)
    assert "keywords suggested" in window.header.photo_count.text()
    everyday = panel.model.index(0, 0)
    panel.tree.expand(everyday)
    qtbot.waitUntil(lambda: panel.model.rowCount(everyday) == 2, timeout=WAIT_MS)
    panel.choose(panel.model.index(0, 0, everyday))  # Animals: 00.jpg has Dogs suggested, 01.jpg none
    qtbot.waitUntil(lambda: "keyword “Animals”, suggested" in window.header.photo_count.text()
                    and window.is_settled(), timeout=WAIT_MS)
    assert [row.id for row in window.model.rows()] == [photos["00.jpg"]]
    panel.show_all.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=WAIT_MS)
    assert panel.state.currentData() is None
