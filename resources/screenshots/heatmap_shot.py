"""Saves heatmap.png: the main window on the sample library's dahlia with "Where the model looked" on and
the word "dahlia" of its AI draft chosen. No captioner can be downloaded where the screenshots are made, so
the draft is explained by the tests' bright-patch model (tests/tiny_models/bright_patch.py: a ViT + GPT-2
whose cross-attention follows the bright parts of a photo), on a 14 x 14 patch grid; the draft is written
here, as a model's, and an editor's `choose` makes it the photo's description. make-screenshots.sh runs
it under Xvfb:

    python resources/screenshots/heatmap_shot.py LIBRARY OUT.png

LIBRARY: a scanned copy of the sample library (its catalogue the default one)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # the tests' tiny models

from PySide6.QtGui import QTextCursor  # noqa: E402
from waiting import wait  # noqa: E402  (beside this script)

from desktop_app.catalogue import open_catalogue  # noqa: E402
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption  # noqa: E402
from desktop_app.catalogue.captions import choose_caption  # noqa: E402
from desktop_app.catalogue.photos import find_photo  # noqa: E402
from desktop_app.ui.app import _application  # noqa: E402
from desktop_app.ui.main_window.window import DEFAULT_SIZE, MainWindow  # noqa: E402
from tests.tiny_models.bright_patch import bright_patch_vit_gpt2  # noqa: E402

TIMEOUT_S = 300
PHOTO = "nature/flower.jpg"
DRAFT = "an orange dahlia in full bloom against dark green leaves"
WORD = "dahlia"



def main(library: str, out: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        model = bright_patch_vit_gpt2(Path(folder) / "bright-patch", image_size=224, patch_size=16,
                                     query_strength=1.0)
        with open_catalogue() as catalogue, catalogue.write() as session:
            photo = find_photo(session, str(Path(library) / PHOTO))
            photo_id = photo.id
            draft = store_ai_caption(session, AICaption(photo, DRAFT, model_id=str(model), confidence=0.62),
                                     captioner_id="encoder-decoder")
            # Kept beside the caption imported from the photo's sidecar; an editor chose it (`choose`).
            choose_caption(session, photo, draft.id, author="user")
        _application()
        window = MainWindow()
        window.resize(DEFAULT_SIZE)
        window.show()
        window.start(folder=library)
        wait(window.is_settled, "loading", TIMEOUT_S)
        window.browse.select_photo(photo_id)
        detail = window.detail
        editor_text = detail.review_box.editor.toPlainText

        def status() -> str:  # what the window says, for a timeout's message
            return f"{detail.heatmap.status_text()!r} on {editor_text()!r}"

        wait(lambda: detail.photo_id == photo_id and detail.preview.image() is not None, "showing the photo",
             TIMEOUT_S, status)
        detail.heatmap.button.click()
        editor = detail.review_box.editor
        cursor = QTextCursor(editor.document())
        cursor.setPosition(DRAFT.index(WORD) + 2)
        editor.setTextCursor(cursor)
        wait(lambda: detail.preview.overlay() is not None and f"“{WORD}”" in detail.heatmap.status_text()
             and "Finding" not in detail.heatmap.status_text(), "the heatmap", TIMEOUT_S, status)
        if not window.grab().save(out, "PNG"):
            raise SystemExit(f"heatmap_shot.py: error: cannot write {out}")
        errors = window.errors()
        window.close()
        if errors:
            raise SystemExit(f"heatmap_shot.py: error: {errors[-1]}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
