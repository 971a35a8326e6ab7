"""Photos and their ids for the cluster tests (tests/test_cluster*.py): real JPEGs of different sizes,
scanned into the test's catalogue."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Photo
from desktop_app.library.scanner import Scanner
from tests import photo_files


def scanned_archive(root: Path, scanner: Scanner, count: int) -> Path:
    """``count`` photos in ``root`` (each a little wider than the one before), scanned."""
    for number in range(count):
        photo_files.jpeg(root / f"scan{number:02}.jpg", seed=number, size=(96 + 8 * number, 72))
    scanner.scan(root)
    return root


def photo_ids(catalogue: Catalogue) -> list[int]:
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).order_by(Photo.id)))
