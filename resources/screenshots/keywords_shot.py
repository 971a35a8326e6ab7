"""Saves main-window-keywords.png: the main window on the sample library with the first photo's keyword
chips and the Keywords panel opened down to that photo's terms. make-screenshots.sh prepares the library
(a vocabulary imported, keywords in a file, suggestions by the caption tagger) and runs this under Xvfb:

    python resources/screenshots/keywords_shot.py LIBRARY OUT.png VOCABULARY TERM...

opens VOCABULARY's row and each TERM's below it in turn (e.g. Everyday Animals Mammals)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractItemModel, QModelIndex
from waiting import wait  # beside this script

from desktop_app.ui.app import _application
from desktop_app.ui.main_window.window import DEFAULT_SIZE, MainWindow


def opened_row(model: QAbstractItemModel, parent: QModelIndex, label: str) -> QModelIndex:
    """The row ``label`` below ``parent``, once the worker has listed it."""
    def row() -> int | None:
        return next((number for number in range(model.rowCount(parent))
                     if model.index(number, 0, parent).data() == label), None)

    wait(lambda: row() is not None, f"listing {label}")
    found = row()
    assert found is not None
    return model.index(found, 0, parent)


def main(library: str, out: str, opened: list[str]) -> int:
    _application()
    window = MainWindow()
    window.resize(DEFAULT_SIZE)
    window.show()
    window.start(folder=library)
    wait(lambda: window.is_settled() and bool(window.detail.keyword_box.shown_chips()), "loading")
    model, tree = window.keyword_panel.model, window.keyword_panel.tree
    parent = QModelIndex()
    for label in opened:
        parent = opened_row(model, parent, label)
        tree.expand(parent)
    wait(lambda: model.rowCount(parent) > 0, "opening the keyword tree")
    tree.scrollTo(parent)
    window.grid.setFocus()
    if not window.grab().save(out, "PNG"):
        raise SystemExit(f"keywords_shot.py: error: cannot write {out}")
    errors = window.errors()
    window.close()
    if errors:
        raise SystemExit(f"keywords_shot.py: error: {errors[-1]}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
