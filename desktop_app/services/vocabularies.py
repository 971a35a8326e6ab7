"""Vocabularies for every front end: import a file, list, show, remove, and complete a typed keyword.
Qt-free; the command line's `vocab` group and the app's keyword entry use it."""

from __future__ import annotations

import os
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue import vocabularies as store
from desktop_app.catalogue.vocabularies import (
    ImportReport,
    RemovedVocabulary,
    TermNode,
    VocabularySummary,
)
from desktop_app.library.vocabulary_files import ParsedVocabulary, read_vocabulary
from desktop_app.search.term_completion import Completion, TermCompleter

__all__ = ["Completion", "ImportReport", "RemovedVocabulary", "TermNode", "VocabularyShown",
           "VocabularySummary", "complete_terms", "import_vocabulary_file", "remove_vocabulary",
           "show_vocabulary", "vocabulary_summaries"]


def import_vocabulary_file(catalogue: Catalogue, path: str | os.PathLike[str], name: str, *,
                           format: str | None = None, language: str | None = None) -> ImportReport:
    """Read the vocabulary file ``path`` (its format guessed when None) and import it as ``name``, or
    update that vocabulary to it, in one transaction."""
    parsed: ParsedVocabulary = read_vocabulary(path, format, language)
    with catalogue.write() as session:
        return store.import_vocabulary(session, name, parsed.terms, format=parsed.format,
                                       source=str(Path(path).resolve()), language=parsed.language)


def vocabulary_summaries(catalogue: Catalogue) -> list[VocabularySummary]:
    with catalogue.read() as session:
        return store.list_vocabularies(session)


@dataclass(frozen=True)
class VocabularyShown:
    """A vocabulary's terms with what ``vocab show`` prints around them."""

    name: str
    kind: str
    format: str | None
    language: str | None
    terms: list[TermNode]

    def roots(self) -> list[TermNode]:
        """The terms no term of the vocabulary is broader than, in file order."""
        ids = {term.id for term in self.terms}
        return [term for term in self.terms if not any(b in ids for b in term.broader)]

    def children(self) -> dict[int, list[TermNode]]:
        below: dict[int, list[TermNode]] = {}
        for term in self.terms:
            for broader in term.broader:
                below.setdefault(broader, []).append(term)
        return below


def show_vocabulary(catalogue: Catalogue, name: str) -> VocabularyShown:
    with catalogue.read() as session:
        vocabulary, terms = store.vocabulary_terms(session, name)
        return VocabularyShown(vocabulary.name, vocabulary.kind.value, vocabulary.format, vocabulary.language,
                               terms)


def remove_vocabulary(catalogue: Catalogue, name: str) -> RemovedVocabulary:
    with catalogue.write() as session:
        return store.remove_vocabulary(session, name)


_completers: weakref.WeakKeyDictionary[Catalogue, TermCompleter] = weakref.WeakKeyDictionary()
_completers_lock = threading.Lock()


def complete_terms(catalogue: Catalogue, prefix: str, limit: int = 10,
                   vocabulary: str | None = None) -> list[Completion]:
    """Keyword completions of ``prefix``, best first; the index is kept per catalogue and rebuilt when
    its terms change (the first call on a large catalogue builds it: about a second at 50,000 terms)."""
    with _completers_lock:
        completer = _completers.get(catalogue)
        if completer is None:
            completer = _completers[catalogue] = TermCompleter()
    with catalogue.read() as session:
        return completer.complete(session, prefix, limit, vocabulary)
