"""Vocabularies for keyword tests, made with the catalogue's own functions (no importer needed)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.models import Term, TermBroader, TermLabel, Vocabulary, VocabularyKind, label_key
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from tests import photo_files

# label: (broader label, synonyms); four levels: Animals > Mammals > Dogs > Puppies
ANIMALS: dict[str, tuple[str | None, list[str]]] = {
    "Animals": (None, []), "Mammals": ("Animals", []), "Dogs": ("Mammals", ["Doggies", "hounds"]),
    "Puppies": ("Dogs", []), "Golden retrievers": ("Dogs", []), "Cats": ("Mammals", ["kitties"]),
    "Boats": (None, ["vessels"]),
}


def vocabulary(session: Session, name: str, tree: dict[str, tuple[str | None, list[str]]],
               kind: VocabularyKind = VocabularyKind.IMPORTED) -> dict[str, int]:
    """A vocabulary from {label: (broader label, synonyms)}, in that order; returns label -> term id.
    The one builder of small test vocabularies (tests/tagging/vocabulary.py bulk-loads large ones)."""
    made = Vocabulary(name=name, kind=kind, format="csv")
    session.add(made)
    session.flush()
    ids: dict[str, int] = {}
    for position, (label, (_broader, synonyms)) in enumerate(tree.items()):
        term = keywords.new_term(session, made.id, label)
        term.position = position
        for synonym in synonyms:
            session.add(TermLabel(term_id=term.id, label=synonym, key=label_key(synonym), preferred=False))
        ids[label] = term.id
    for label, (broader, _synonyms) in tree.items():
        if broader is not None:
            session.add(TermBroader(term_id=ids[label], broader_id=ids[broader]))
    session.flush()
    return ids


# name: (caption or None, accepted keywords); more states are set by the tests that need them
ALBUM: dict[str, tuple[str | None, list[str]]] = {
    "puppy.jpg": ("a puppy running on grass", ["Puppies"]),
    "bare.jpg": (None, ["Dogs"]),  # no caption: found by its keyword alone
    "retriever.jpg": ("a golden animal asleep on a beach", ["Golden retrievers"]),
    "cat.jpg": ("a grey cat on a sofa", ["Cats"]),
    "grass.jpg": ("a dog on the grass", []),
    "boat.jpg": ("a red boat in the harbour", []),
}


def tagged_album(scanner: Scanner, catalogue: Catalogue, root: Path) -> dict[str, int]:
    """ALBUM's photos scanned from real files, captioned by a person and tagged from the "everyday"
    vocabulary (ANIMALS); a "museum" vocabulary also has a "Dogs". Returns file name -> photo id."""
    for number, name in enumerate(ALBUM):
        photo_files.jpeg(root / name, seed=number, size=(64, 48))
    scanner.scan(root)
    ids: dict[str, int] = {}
    with catalogue.write() as session:
        terms = vocabulary(session, "everyday", ANIMALS)
        vocabulary(session, "museum", {"Dogs": (None, [])})
        for name, (caption, labels) in ALBUM.items():
            photo = find_photo(session, str(root / name))
            ids[name] = photo.id
            if caption is not None:
                edit_caption(session, photo, caption, author="ann", approve=True)
            for label in labels:
                keywords.add_keyword(session, photo, session.get(Term, terms[label]), author="ann")
    return ids
