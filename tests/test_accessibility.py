"""Accessible to everyone: every window and dialog of the app is walked, and fails on a control without an
accessible name, one a keyboard cannot reach, or a label or button whose text does not fit at twice the
text size (tests/accessibility_checks.py). A window or dialog added to desktop_app.ui later fails
``test_every_window_and_widget_class_is_walked`` until it is added to SURFACES in tests/surfaces.py.
Also: the tab order of the main window, the grid's cells read by a screen reader (caption and review
state), spoken announcements of the review flow, and the themes (dark, high contrast) with their
contrast ratios."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QColor, QFont, QFontInfo, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

import desktop_app.ui
from desktop_app.catalogue.models import JobState, PhotoStatus
from desktop_app.jobs.store import CAPTION_JOB, JobSummary
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.settings import load_settings
from desktop_app.ui import themes, wording
from desktop_app.ui.accessibility import add_listener
from desktop_app.ui.app import apply_look
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.detail.style import NOTICE_STYLE, STATE_STYLES
from desktop_app.ui.widgets.grid_header import GridHeader
from desktop_app.ui.widgets.photo_grid import CELL_MARGINS, NAME_CHARACTERS, TEXT_PADDING, problem_text_colour
from desktop_app.ui.widgets.photo_rows import EDITED_COLOUR, STATE_COLOURS, badge_font, status_badge_side
from tests.accessibility_checks import (
    WCAG_HIGH_CONTRAST,
    WCAG_TEXT,
    accessible_name,
    at_text_scale,
    clipping_problems,
    contrast_ratio,
    palette_contrast,
    problems,
    text_contrast,
)
from tests.gui_helpers import WAIT_MS
from tests.surfaces import (
    NOT_WALKED,
    SCREEN,
    SURFACES,
    Opener,
    captioners,
    elided_by_design,
    window_with_photos,
)

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_control_is_named_and_reachable_by_keyboard(opener: Opener, surface: str) -> None:
    root = SURFACES[surface](opener)
    found = problems(root)
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("surface", list(SURFACES))
def test_no_text_is_cut_at_twice_the_text_size(opener: Opener, qapp: QApplication, surface: str) -> None:
    with at_text_scale(qapp, 2.0):  # as a user whose desktop makes text twice as large opens it
        root = SURFACES[surface](opener)
        # On a full-HD screen (the offscreen one is 800 px square, and keeps windows within it).
        wanted = root.sizeHint().expandedTo(root.size())
        if root.heightForWidth(wanted.width()) > 0:
            wanted.setHeight(max(wanted.height(), root.heightForWidth(wanted.width())))
        assert wanted.width() <= SCREEN.width() and wanted.height() <= SCREEN.height(), \
            f"{surface} needs {wanted.width()}x{wanted.height()} px at 200% text"
        root.resize(wanted)
        opener.qtbot.waitUntil(lambda: root.size() == wanted, timeout=WAIT_MS)
        found = clipping_problems(root, elided_by_design)
    assert not found, "\n".join(map(str, found))


def _ui_widget_classes() -> Iterator[type[QWidget]]:
    for module_info in pkgutil.walk_packages(desktop_app.ui.__path__, "desktop_app.ui."):
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, QWidget) and value.__module__ == module.__name__:
                yield value


def test_every_window_and_widget_class_is_walked(opener: Opener) -> None:
    """Every QWidget subclass of desktop_app.ui is shown in a walked surface, and every window class
    (QDialog, QMainWindow) is itself the root of one: a new dialog or widget fails here until SURFACES
    walks it."""
    seen: set[type] = set()
    roots: set[type] = set()
    for open_surface in SURFACES.values():
        root = open_surface(opener)
        roots.add(type(root))
        seen.update(type(widget) for widget in [root, *root.findChildren(QWidget)] if widget.isVisible())
    missing = []
    for cls in _ui_widget_classes():
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in NOT_WALKED:
            continue
        if issubclass(cls, (QDialog, QMainWindow)) and cls not in roots:
            missing.append(f"{name}: a window no surface opens")
        elif cls not in seen:
            missing.append(f"{name}: a widget no surface shows")
    assert not missing, "add to SURFACES in tests/surfaces.py:\n" + "\n".join(missing)


def test_tab_reaches_the_search_the_sidebar_the_grid_and_the_review(opener: Opener, qtbot: QtBot) -> None:
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    window.activateWindow()
    qtbot.waitActive(window)
    window.grid.setFocus()
    qtbot.waitUntil(window.grid.hasFocus, timeout=WAIT_MS)
    visited: list[QWidget] = []
    for _press in range(60):
        focused = QApplication.focusWidget()
        assert focused is not None
        if focused in visited:
            break
        visited.append(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    wanted = {
        "search box": window.search.box,
        "search mode": window.search.mode,
        "libraries": window.libraries,
        "grid": window.grid,
        "caption editor": window.detail.review_box.editor,
        "approve": window.detail.review_box.approve_button,
        "reject": window.detail.review_box.reject_button,
    }
    unreached = [name for name, widget in wanted.items() if widget not in visited]
    assert not unreached, f"Tab never reaches {unreached}; it goes {[accessible_name(w) for w in visited]}"


@pytest.fixture
def announcements() -> Iterator[list[tuple[str, bool]]]:
    """What the app announces to screen readers (text, assertive), through ui/accessibility.announce,
    which also sends each to Qt's accessibility bridge."""
    heard: list[tuple[str, bool]] = []
    remove = add_listener(lambda _widget, text, assertive: heard.append((text, assertive)))
    yield heard
    remove()


def test_the_review_flow_is_announced(opener: Opener, qtbot: QtBot,
                                      announcements: list[tuple[str, bool]]) -> None:
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    first = window.detail.photo_id
    qtbot.keyClick(window.grid, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # approve and next
    qtbot.waitUntil(lambda: ("01.jpg, photo 2 of 5", False) in announcements, timeout=WAIT_MS)
    assert ("Approved", False) in announcements
    assert announcements.index(("Approved", False)) < announcements.index(("01.jpg, photo 2 of 5", False))
    qtbot.waitUntil(lambda: window.detail.photo_id not in (None, first), timeout=WAIT_MS)

    window.detail.review_box.undo()
    qtbot.waitUntil(lambda: any(text.startswith("Undone: ") for text, _ in announcements), timeout=WAIT_MS)

    qtbot.keyClick(window.grid, Qt.Key.Key_Backspace,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # reject and next
    qtbot.waitUntil(lambda: ("Rejected", False) in announcements, timeout=WAIT_MS)

    window.search.mode.setCurrentIndex(1)  # exact words: no text model to load
    window.search.box.setText("number")
    found = f"{wording.photos(5)} found"  # "5 photos found" in English
    qtbot.waitUntil(lambda: (found, False) in announcements, timeout=WAIT_MS)


def test_a_job_s_end_is_announced_and_a_failure_at_once(opener: Opener,
                                                        announcements: list[tuple[str, bool]]) -> None:
    window = opener.open_window()
    now = datetime.now(UTC)
    job = JobSummary(id=7, kind=CAPTION_JOB, state=JobState.FAILED, captioner_id="encoder-decoder",
                     model_id="m", options={}, created_at=now, started_at=now, finished_at=now,
                     error="the model folder is gone", notice=None, total=2, done=0, failed=0, pending=2,
                     skipped=0)
    window.inference.job_finished.emit(job)  # as the captioning service reports it
    assert ("Job 7 failed: the model folder is gone", True) in announcements


@pytest.fixture
def look(qapp: QApplication) -> Iterator[themes.Look]:
    """The app's look; the light one again after the test, for the tests that follow."""
    kept = themes.look(qapp)
    yield kept
    hints = QGuiApplication.styleHints()
    hints.unsetColorScheme()
    kept.on_scheme_changed(hints.colorScheme())
    apply_look(qapp, themes.SYSTEM)


def _switch_system_scheme(scheme: Qt.ColorScheme) -> None:
    """As the system switches between light and dark mode: the offscreen platform has no colour scheme
    of its own to switch, so its change is signalled as a desktop's would be."""
    hints = QGuiApplication.styleHints()
    hints.setColorScheme(scheme)
    if hints.colorScheme() is not scheme:
        hints.colorSchemeChanged.emit(scheme)


def _main_texts(window: MainWindow) -> dict[str, QWidget]:
    """The texts an editor reads all day: the library's title and count, the grid, the photo's name and
    folder, the caption editor, the review buttons, the search box."""
    return {
        "library title": window.header.library_title, "photo count": window.header.photo_count,
        "grid": window.grid, "libraries": window.libraries, "photo name": window.detail.title,
        "photo folder": window.detail.folder, "caption editor": window.detail.review_box.editor,
        "approve": window.detail.review_box.approve_button, "reject": window.detail.review_box.reject_button,
        "search box": window.search.box, "status": window.status_text.label,
    }


def _low_contrast(window: MainWindow, minimum: float) -> list[str]:
    return [f"{name}: {text_contrast(widget):.2f}" for name, widget in _main_texts(window).items()
            if text_contrast(widget) < minimum]


def test_the_window_follows_the_system_s_dark_mode(opener: Opener, qapp: QApplication,
                                                   look: themes.Look) -> None:
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    apply_look(qapp, themes.SYSTEM)
    assert look.theme == themes.LIGHT
    assert not _low_contrast(window, WCAG_TEXT)
    light_window = window.palette().color(QPalette.ColorRole.Window)

    _switch_system_scheme(Qt.ColorScheme.Dark)
    assert look.theme == themes.DARK
    dark_window = window.palette().color(QPalette.ColorRole.Window)
    assert dark_window.lightnessF() < 0.25 < light_window.lightnessF()
    assert window.grid.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.25
    assert not _low_contrast(window, WCAG_TEXT)

    _switch_system_scheme(Qt.ColorScheme.Light)  # and back, as the system goes
    assert look.theme == themes.LIGHT
    assert window.palette().color(QPalette.ColorRole.Window) == light_window


@pytest.mark.parametrize(("appearance", "minimum"), [(themes.DARK, WCAG_TEXT),
                                                     (themes.HIGH_CONTRAST, WCAG_HIGH_CONTRAST)])
def test_the_dark_and_high_contrast_themes_keep_text_readable(
        opener: Opener, qapp: QApplication, look: themes.Look, appearance: str, minimum: float) -> None:
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    apply_look(qapp, appearance)
    assert look.theme == appearance
    assert look.style_name == "fusion"  # the style that draws with the palette everywhere
    assert not _low_contrast(window, minimum)
    palette = qapp.palette()
    for text, background in ((QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
                             (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
                             (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Window)):
        assert palette_contrast(palette, text, background) >= minimum, (text, background)


def test_the_appearance_is_a_setting(opener: Opener, qapp: QApplication, look: themes.Look) -> None:
    from desktop_app.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(captioners())
    opener.shown(dialog)
    dialog.appearance.setCurrentIndex(dialog.appearance.findData(themes.HIGH_CONTRAST))
    dialog.accept()
    assert load_settings().appearance == themes.HIGH_CONTRAST
    apply_look(qapp)  # as the next start does
    assert look.theme == themes.HIGH_CONTRAST


def test_a_grid_cell_reads_its_name_review_state_and_caption(opener: Opener) -> None:
    """What the grid's tooltips show on hover, a screen reader (and the keyboard, through the cell's
    accessible description) gets too; the review badge's colour is never the only sign of its state."""
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    grid = QAccessible.queryAccessibleInterface(window.grid)
    cells = [grid.child(number) for number in range(grid.childCount())]
    names = [cell.text(QAccessible.Text.Name) for cell in cells if cell is not None]
    assert "00.jpg, AI draft, a photo number 0" in names
    descriptions = [cell.text(QAccessible.Text.Description) for cell in cells if cell is not None]
    assert any("a photo number 0" in text and "encoder-decoder" in text for text in descriptions)


def test_the_review_badges_words_stand_out_from_their_colour() -> None:
    """The grid's badges (AI draft, Edited, Imported, Approved, Rejected) are white words on a colour:
    readable at high contrast's 7:1, in every theme."""
    for colour in [*STATE_COLOURS.values(), EDITED_COLOUR]:
        assert contrast_ratio(QColor("white"), colour) >= WCAG_HIGH_CONTRAST, colour.name()


def test_the_detail_pane_s_state_chips_and_notices_are_readable_in_every_theme() -> None:
    for _label, foreground, background in STATE_STYLES.values():
        assert contrast_ratio(QColor(foreground), QColor(background)) >= WCAG_HIGH_CONTRAST, foreground
    colours = dict(part.strip().split(": ") for part in NOTICE_STYLE.split(";") if part.strip())
    assert contrast_ratio(QColor(colours["color"]), QColor(colours["background"])) >= WCAG_HIGH_CONTRAST


@pytest.mark.parametrize(("appearance", "minimum"), [(themes.LIGHT, WCAG_TEXT), (themes.DARK, WCAG_TEXT),
                                                     (themes.HIGH_CONTRAST, WCAG_HIGH_CONTRAST)])
def test_problem_words_are_readable(qapp: QApplication, look: themes.Look, appearance: str,
                                    minimum: float) -> None:
    """A grid cell's "cannot read this file" and "file missing", the detail pane's Status and Reason of
    such a photo, the settings' warnings: red and amber words readable on each theme's backgrounds."""
    apply_look(qapp, appearance)
    palette = qapp.palette()
    for status in (PhotoStatus.ERROR, PhotoStatus.MISSING):
        assert contrast_ratio(problem_text_colour(status, palette),
                              palette.color(QPalette.ColorRole.Base)) >= minimum, status
    for warning in (False, True):
        background = palette.color(QPalette.ColorRole.Window)
        assert contrast_ratio(themes.problem_text(background, warning), background) >= minimum, warning


def test_a_text_size_changed_while_the_app_runs_reaches_every_widget(opener: Opener, qapp: QApplication,
                                                                      look: themes.Look) -> None:
    """Under an application style sheet Qt leaves shown widgets with their old font; the app applies
    its sheet again when the application font changes (as a desktop's text size setting changes it)."""
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    label = window.header.photo_count
    before = label.font().pointSizeF()
    original = QFont(qapp.font())
    larger = QFont(original)
    larger.setPointSizeF(original.pointSizeF() * 2)
    try:
        qapp.setFont(larger)  # not the checks' own set_font, which applies the sheet again itself
        assert label.font().pointSizeF() == pytest.approx(before * 2)
    finally:
        qapp.setFont(original)
    assert label.font().pointSizeF() == pytest.approx(before)


def test_the_keyboard_s_place_in_the_grid_shows_off_the_selection(opener: Opener, qtbot: QtBot) -> None:
    """Ctrl+arrow moves the grid's current cell without selecting it: a frame still shows where it is."""
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    grid = window.grid
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    current = grid.currentIndex()
    assert current.row() == 1 and not grid.selectionModel().isSelected(current)
    image = grid.viewport().grab().toImage()
    rect = grid.visualRect(current).adjusted(4, 4, -4, -4)
    highlight = grid.palette().color(QPalette.ColorRole.Highlight)
    edge = [image.pixelColor(rect.center().x(), rect.top() + offset) for offset in range(-1, 3)]  # top side
    assert any(abs(colour.red() - highlight.red()) + abs(colour.green() - highlight.green())
               + abs(colour.blue() - highlight.blue()) < 60 for colour in edge), [c.name() for c in edge]


def test_the_grid_header_shows_its_title_and_count_whole_at_twice_the_text_size(
        opener: Opener, qapp: QApplication) -> None:
    """At 200% text in a full-HD window nothing in the grid header is elided."""
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    header = window.header
    with at_text_scale(qapp, 2.0):
        window.resize(SCREEN)
        opener.qtbot.waitUntil(lambda: window.size() == SCREEN, timeout=WAIT_MS)
        assert header.library_title.text() == "drafts" and header.photo_count.text() == "5 photos"
        assert not clipping_problems(header, lambda _widget: False)


@pytest.mark.parametrize("title", ["Sample Library", "Archives of the Municipal Photographic Service / 1998"])
def test_the_grid_header_moves_its_controls_to_a_second_row_when_short_of_width(
        qtbot: QtBot, qapp: QApplication, title: str) -> None:
    """The grid's pane of a full-HD window at 200% text (about 900 px, as in main-window-200.png): the
    filters and sort move to a row of their own, and the title and count show whole (they were "Sam…" and
    "9 ph…"); a title too long for even its own row elides, the count never. At the usual size one row,
    or two for a title that needs them to show whole."""
    header = GridHeader()
    qtbot.addWidget(header)
    header.set_captioners([])  # no captioner wrote a caption yet: as in the screenshot
    header.library_title.setText(title)
    header.photo_count.setText("9 photos · searching by meaning…")
    header.resize(900, header.sizeHint().height())
    header.show()
    qtbot.waitExposed(header)
    short = len(title) <= 20  # a long one takes a row of its own even at the usual text size
    qtbot.waitUntil(lambda: header.two_rows() != short, timeout=WAIT_MS)
    with at_text_scale(qapp, 2.0):
        qtbot.waitUntil(header.two_rows, timeout=WAIT_MS)
        header.resize(900, header.sizeHint().height())
        qtbot.waitUntil(lambda: header.height() >= header.sizeHint().height(), timeout=WAIT_MS)
        count = header.photo_count
        assert count.isVisible() and count.width() >= count.sizeHint().width()  # the count: never cut
        assert header.library_title.is_elided() != short
        assert not clipping_problems(header, elided_by_design)
        # The controls' row below the title's.
        assert header.controls.geometry().top() >= header.library_title.parentWidget().geometry().bottom()
    qtbot.waitUntil(lambda: header.two_rows() != short, timeout=WAIT_MS)
    assert not header.library_title.is_elided()


def test_an_elided_label_fails_the_clipping_check(qtbot: QtBot) -> None:
    from desktop_app.ui.widgets.elided_label import ElidedLabel

    label = ElidedLabel("A library with a name far longer than its room")
    qtbot.addWidget(label)
    label.resize(label.minimumSizeHint().width(), label.sizeHint().height())
    label.show()
    qtbot.waitExposed(label)
    assert label.is_elided()
    assert [problem.what.split(":")[0] for problem in clipping_problems(label)] == ["elided"]


def test_the_review_badges_grow_with_the_text_size(opener: Opener, qapp: QApplication) -> None:
    """The badges' words (Approved, Edited...) and the "!" badge follow the text size: twice the usual
    text, twice their size (a fixed 10 px left them tiny beside 200% text)."""
    usual = QFontInfo(badge_font(qapp.font())).pixelSize()
    usual_side = status_badge_side(qapp.font())
    with at_text_scale(qapp, 2.0):
        assert QFontInfo(badge_font(qapp.font())).pixelSize() == pytest.approx(usual * 2, abs=1)
        assert status_badge_side(qapp.font()) == pytest.approx(usual_side * 2, abs=2)
        # And the grid paints them in its own font, which is the application's.
        window = window_with_photos(opener)
        assert isinstance(window, MainWindow)
        assert QFontInfo(badge_font(window.grid.font())).pixelSize() == pytest.approx(usual * 2, abs=1)


def test_grid_cells_widen_with_the_text_size(opener: Opener, qapp: QApplication) -> None:
    """At 200% text a cell keeps the thumbnail size chosen but its name's room grows: NAME_CHARACTERS
    average characters of the larger font (at the usual size the default cell has that room already)."""
    window = window_with_photos(opener)
    assert isinstance(window, MainWindow)
    grid = window.grid
    side = grid.thumbnail_side()
    usual = grid.cell_size()
    assert usual.width() == side + CELL_MARGINS.width()  # unchanged at the usual text size
    with at_text_scale(qapp, 2.0):
        opener.qtbot.waitUntil(lambda: grid.cell_size().width() > usual.width(), timeout=WAIT_MS)
        room = grid.fontMetrics().averageCharWidth() * NAME_CHARACTERS
        assert grid.thumbnail_side() == side
        assert grid.cell_size().width() - TEXT_PADDING >= room
        assert grid.visualRect(window.model.index(0)).width() - TEXT_PADDING >= room


def test_the_grid_keeps_its_share_of_a_full_hd_window_at_twice_the_text_size(
        qtbot: QtBot, qapp: QApplication, thumbnails: ThumbnailCache) -> None:
    """The panes are shared out at the window's width when it is shown: at 200% text the grid's pane keeps
    about half of a full-HD window, as at the usual size (Qt took the panes' missing width from the
    widest first: the grid's pane was squeezed to its minimum beside a detail pane of 900 px)."""
    with at_text_scale(qapp, 2.0):
        window = MainWindow(thumbnails)
        qtbot.addWidget(window)
        try:
            window.resize(SCREEN)
            window.show()
            qtbot.waitExposed(window)
            sizes = window.splitter.sizes()
            assert sizes[1] >= 0.45 * sum(sizes), sizes
        finally:
            window.shutdown()


def test_the_grid_header_does_not_go_back_and_forth_while_only_its_count_changes(qtbot: QtBot) -> None:
    """A search by meaning adds "searching by meaning…" to the count while the busy mark shows, and takes
    it away after: the header keeps its one row (the title gives the count room for the while) so the
    grid below does not jump down and up at every search; the count stays whole."""
    header = GridHeader()
    qtbot.addWidget(header)
    header.set_captioners([])
    header.library_title.setText("Photographs of the Town Archive")  # room to give the count
    header.photo_count.setText("9 photos")
    header.show()
    qtbot.waitExposed(header)
    header.resize(header.one_row_width() + 10, header.sizeHint().height())
    qtbot.waitUntil(lambda: not header.two_rows(), timeout=WAIT_MS)

    def settled() -> None:
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # what a changed text asks
        QApplication.processEvents()

    header.show_busy(True)  # as the window does before it says what runs
    header.photo_count.setText("9 photos · searching by meaning…")
    settled()
    count = header.photo_count
    assert not header.two_rows() and count.width() >= count.sizeHint().width()
    assert header.library_title.is_elided()  # for the while
    header.show_busy(False)
    header.photo_count.setText("9 photos")
    qtbot.waitUntil(lambda: not header.library_title.is_elided(), timeout=WAIT_MS)
    assert not header.two_rows()
    # Not busy, a count that needs more room than one row has: two rows, everything whole.
    header.photo_count.setText("9 photos · 1 cannot be read · 2 missing")
    qtbot.waitUntil(header.two_rows, timeout=WAIT_MS)
    assert not header.library_title.is_elided()
