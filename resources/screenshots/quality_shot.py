"""Saves quality-view.png: the Quality view (View > Quality over Time…) on 26 weeks of realistic review
outcomes (tests/benchmarks/bench_quality.py's generator: three captioners, encoder-decoder's base model
replaced by a fine-tuned one half-way), showing encoder-decoder's model versions. make-screenshots.sh runs
it under Xvfb:

    python resources/screenshots/quality_shot.py OUT.png"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # the benchmark's generator (tests/benchmarks)

from waiting import wait  # noqa: E402  (beside this script)

from desktop_app.catalogue import open_catalogue  # noqa: E402
from desktop_app.ui.app import _application  # noqa: E402
from desktop_app.ui.dialogs.quality import QualityDialog  # noqa: E402
from tests.benchmarks.bench_quality import fill_catalogue  # noqa: E402

TODAY = date(2026, 12, 4)



def main(out: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.db"
        fill_catalogue(path, 24_000, weeks=26, last_monday=date(2026, 11, 30), seed=7)
        _application()
        catalogue = open_catalogue(path)
        dialog = QualityDialog(catalogue, today=lambda: TODAY)
        dialog.resize(1500, 900)
        dialog.show()
        wait(lambda: dialog.selector.count() > 0, "loading the report")
        dialog.selector.setCurrentIndex(dialog.selector.findText("encoder-decoder: every model version"))
        wait(lambda: dialog.outcome_table.rowCount() > 0, "showing encoder-decoder's weeks")
        if not dialog.grab().save(out, "PNG"):
            raise SystemExit(f"quality_shot.py: error: cannot write {out}")
        dialog.close()
        catalogue.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1]))
