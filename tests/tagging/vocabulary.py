"""Test vocabularies for the taggers, written straight into a catalogue (Core bulk inserts: a 50,000-term
vocabulary in about a second) and handed back as the ``VocabularyTerm`` list a tagging run builds.
Independent of the vocabulary importer and of the tagging run on purpose: the tagger tests and the
benchmark exercise the tagger alone."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Term, TermBroader, TermLabel, Vocabulary, VocabularyKind, label_key
from desktop_app.plugin_api import TagItem, VocabularyTerm

HERE = Path(__file__).resolve().parent
EVERYDAY_TERMS = HERE / "everyday_terms.csv"
LABELLED_CAPTIONS = HERE / "labelled_captions.jsonl"


@dataclass(frozen=True)
class Row:
    label: str
    synonyms: tuple[str, ...] = ()
    broader: str | None = None  # the broader term's preferred label, in the same vocabulary
    uri: str | None = None


def csv_rows(path: Path = EVERYDAY_TERMS) -> list[Row]:
    """A vocabulary CSV (label, synonyms separated by |, broader, uri)."""
    with path.open(newline="", encoding="utf-8") as file:
        return [Row(row["label"], tuple(s for s in row["synonyms"].split("|") if s),
                    row["broader"] or None, row["uri"] or None) for row in csv.DictReader(file)]


def labelled_captions(path: Path = LABELLED_CAPTIONS) -> list[tuple[str, list[str]]]:
    """(caption, the preferred labels a librarian picked) for each line of the labelled set."""
    with path.open(encoding="utf-8") as file:
        return [(entry["caption"], entry["terms"]) for entry in map(json.loads, file) if entry]


def store_vocabulary(catalogue: Catalogue, name: str, rows: Sequence[Row]) -> list[VocabularyTerm]:
    """Write ``rows`` as the vocabulary ``name``; its terms, in row order, with their paths."""
    with catalogue.write() as session:
        vocabulary = Vocabulary(name=name, kind=VocabularyKind.IMPORTED, format="csv")
        session.add(vocabulary)
        session.flush()
        first = (session.scalar(select(func.max(Term.id))) or 0) + 1
        ids = {row.label: first + position for position, row in enumerate(rows)}
        session.execute(insert(Term), [
            {"id": ids[row.label], "vocabulary_id": vocabulary.id, "label": row.label,
             "label_key": label_key(row.label), "uri": row.uri, "position": position}
            for position, row in enumerate(rows)])
        session.execute(insert(TermLabel), [
            {"term_id": ids[row.label], "label": label, "key": label_key(label),
             "preferred": label == row.label}
            for row in rows for label in dict.fromkeys((row.label, *row.synonyms))])
        links = [{"term_id": ids[row.label], "broader_id": ids[row.broader]} for row in rows if row.broader]
        if links:
            session.execute(insert(TermBroader), links)
    broader = {row.label: row.broader for row in rows}

    def path(label: str) -> tuple[str, ...]:
        above: list[str] = []
        while (label := broader.get(label)) is not None:  # type: ignore[assignment]
            above.insert(0, label)
        return tuple(above)

    return [VocabularyTerm(ids[row.label], tuple(dict.fromkeys((row.label, *row.synonyms))), path(row.label))
            for row in rows]


def caption_items(captions: Sequence[str], vectors: Any = None) -> list[TagItem]:
    """Photos with these captions (and these stored caption vectors, one row each, when given)."""
    return [TagItem(photo_id=number, caption=text,
                    caption_vector=None if vectors is None else vectors[number - 1])
            for number, text in enumerate(captions, start=1)]
