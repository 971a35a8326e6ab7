"""Vocabularies and captioned photos for the tagging tests (tests/test_tagging_jobs.py, test_tagging_gui.py,
test_plugins.py): real catalogue rows, real scanned JPEG files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.models import (
    KeywordState,
    Photo,
    PhotoKeyword,
    Term,
    VocabularyKind,
)
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.keyword_vocab import vocabulary

ANIMALS = [("Animals", [], None), ("Mammals", [], "Animals"), ("Dogs", ["dog", "puppy"], "Mammals"),
           ("Cats", ["cat", "kitten"], "Mammals"), ("Cars", ["car"], None), ("Beaches", ["beach"], None),
           ("Trees", ["tree"], None)]
# Words the tiny CLIP's tokenizer knows (tests/tiny_models/clip.py).
CLIP_WORDS = [("dog", ["puppy"], None), ("cat", ["kitten"], None), ("car", [], None), ("beach", [], None),
              ("tree", [], None), ("water", [], None), ("sky", [], None), ("building", [], None)]
CAPTIONS = ["a dog running on grass", "a cat near a tree", "a red car on the street",
            "a dog and a cat on the beach"]


def make_vocabulary(catalogue: Catalogue, name: str, terms: Sequence[tuple[str, Sequence[str], str | None]],
                    kind: VocabularyKind = VocabularyKind.IMPORTED) -> dict[str, int]:
    """A vocabulary of (preferred label, synonyms, broader preferred label) terms; term ids by label."""
    tree = {label: (broader, list(synonyms)) for label, synonyms, broader in terms}
    with catalogue.write() as session:
        return vocabulary(session, name, tree, kind)


def scan_photos(scanner: Scanner, catalogue: Catalogue, folder: Path) -> list[int]:
    """Six photos scanned from ``folder`` (made there), the first four captioned (CAPTIONS)."""
    for number in range(6):
        photo_files.jpeg(folder / f"{number:02}.jpg", seed=number, size=(160, 120))
    scanner.scan(folder)
    with catalogue.write() as session:
        found = list(session.scalars(select(Photo).order_by(Photo.rel_path)))
        for photo, text in zip(found, CAPTIONS, strict=False):
            store_ai_caption(session, AICaption(photo, text, model_id="m"), captioner_id="encoder-decoder")
        return [photo.id for photo in found]


def keywords(catalogue: Catalogue) -> list[tuple[int, str, KeywordState, float | None, str | None,
                                                  tuple[str, ...]]]:
    """Every photo's keywords: (photo id, term label, state, score, tagger, evidence), by photo and label."""
    with catalogue.read() as session:
        rows = session.execute(select(PhotoKeyword, Term.label).join(Term, Term.id == PhotoKeyword.term_id)
                               .order_by(PhotoKeyword.photo_id, Term.label))
        return [(k.photo_id, label, k.state, k.confidence, k.tagger_id, tuple(k.evidence or ()))
                for k, label in rows]
