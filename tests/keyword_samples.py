"""Keywords for the app's tests and its accessibility walk: two vocabularies (a 4-level hierarchy with
synonyms, and a second one sharing the label "Dogs"), and the five drafts' photos (tests/conftest.py)
with keywords in every state."""

from __future__ import annotations

from pathlib import Path

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.models import (
    KeywordState,
    Term,
)
from desktop_app.catalogue.photos import find_photo
from tests.keyword_vocab import vocabulary

EVERYDAY = {"Animals": (None, []), "Mammals": ("Animals", []), "Dogs": ("Mammals", ["doggies", "hounds"]),
            "Puppies": ("Dogs", []), "Cats": ("Mammals", ["kitties"]), "Places": (None, []),
            "Beaches": ("Places", ["seaside"]), "Harbours": ("Places", ["ports"])}
ZOO = {"Dogs": (None, []), "Wolves": (None, [])}


def add_keywords(catalogue: Catalogue, drafts: Path) -> dict[str, int]:
    """The vocabularies, and on 00.jpg: Dogs suggested (82%), Beaches suggested (64%), Cats accepted,
    "harbour at dawn" imported from its file, Wolves (zoo) rejected; on 01.jpg: Puppies accepted.
    Returns the photo ids by file name."""
    with catalogue.write() as session:
        ids = vocabulary(session, "Everyday", EVERYDAY)
        zoo = vocabulary(session, "Zoo", ZOO)
        photos = {f"{n:02}.jpg": find_photo(session, str(drafts / f"{n:02}.jpg")) for n in range(5)}
        first = photos["00.jpg"]
        keywords.sync_file_keywords(session, first, ["harbour at dawn"])
        keywords.suggest_keyword(session, first.id, ids["Dogs"], confidence=0.82, tagger_id="caption-text",
                                 model_id="minilm", evidence=["dog", "running"], author="caption-text")
        keywords.suggest_keyword(session, first.id, ids["Beaches"], confidence=0.64,
                                 tagger_id="caption-text", model_id="minilm", evidence=["beach"],
                                 author="caption-text")
        terms = {label: session.get(Term, term_id) for label, term_id in ids.items()}
        keywords.add_keyword(session, first, terms["Cats"], author="ann")
        keywords.suggest_keyword(session, first.id, zoo["Wolves"], confidence=0.3, tagger_id="clip",
                                 model_id="clip", evidence=[], author="clip")
        wolves = session.get(Term, zoo["Wolves"])
        keywords.reject_keyword(session, first, wolves, author="ann")
        keywords.add_keyword(session, photos["01.jpg"], terms["Puppies"], author="ann")
        return {name: photo.id for name, photo in photos.items()}


def states(catalogue: Catalogue, photo_id: int) -> dict[str, KeywordState]:
    """The photo's keywords: label -> state."""
    with catalogue.read() as session:
        return {keyword.term.label: keyword.state for keyword in keywords.photo_keywords(session, photo_id)}
