"""Bring the translations up to date with the code: ``python resources/translations/update.py``.

1. lupdate reads every tr()/translate()/QT_TRANSLATE_NOOP() call in desktop_app/ui and updates each
   photo_annotator_LANG.ts here: new messages are added unfinished, changed and removed ones dropped.
   The English file holds only the counted messages (%n), whose singular and plural English forms the
   source text cannot give.
2. Translate what is unfinished in Qt Linguist
   (``pyside6-linguist resources/translations/photo_annotator_de.ts``).
3. Run this again: lrelease compiles each .ts into the .qm the app loads. Commit both.

tests/test_translations.py fails when a .ts is behind the code, a .qm behind its .ts, or a translation
is unfinished.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCES = ROOT / "desktop_app" / "ui"


def tool(name: str) -> str:
    """pyside6-NAME beside this Python (a venv's bin/Scripts), else on PATH, else PySide6's own copy."""
    found = shutil.which(f"pyside6-{name}", path=str(Path(sys.executable).parent)) \
        or shutil.which(f"pyside6-{name}")
    if found:
        return found
    import PySide6

    return str(Path(PySide6.__file__).parent / name)


def ts_files(folder: Path = HERE) -> list[Path]:
    return sorted(folder.glob("photo_annotator_*.ts"))


def lupdate(ts: Path) -> None:
    """Update ``ts`` from the code (created when missing; its language is in its name)."""
    options = ["-pluralonly"] if ts.stem.endswith("_en") else []
    sources = sorted(str(path) for path in SOURCES.rglob("*.py"))
    subprocess.run([tool("lupdate"), *options, "-no-obsolete", "-locations", "none", "-silent",
                    "-source-language", "en_US", *sources, "-ts", str(ts)], check=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def main(argv: list[str]) -> int:
    """Update and compile every .ts here, or those named (a new language: photo_annotator_fr.ts)."""
    targets = [Path(arg).resolve() for arg in argv] or ts_files()
    for ts in targets:
        lupdate(ts)
        lrelease(ts, ts.with_suffix(".qm"))
        print(f"updated {ts.relative_to(ROOT)} and its .qm")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
