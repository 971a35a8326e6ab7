"""The rules every keyword change obeys, without touching the database: the review contract's
``KeywordBasedOn`` and ``KeywordConflict``, snapshots for undo, and the errors a front end shows.

Importable by every front end; the writes live in keywords.py, reached through desktop_app.services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop_app.catalogue.models import CaptionOrigin, KeywordAction, KeywordState, PhotoKeyword

FROM_FILES_VOCABULARY = "from files"  # where keywords found in files join when no vocabulary has them
FILE_AUTHOR = "imported from the file"  # the author of a keyword the scanner read or saw vanish
MAX_LABEL_CHARS = 255

# What a person's decision is: no tagger changes a keyword in one of these states.
DECIDED = frozenset({KeywordState.ACCEPTED, KeywordState.REJECTED, KeywordState.REMOVED_IN_FILE})


class KeywordError(Exception):
    """A keyword change that cannot be made, or a term that cannot be found; one line says why."""


class UnknownTerm(KeywordError):
    """No vocabulary has the label (nor a synonym of it)."""


class AmbiguousTerm(KeywordError):
    """The label is in several vocabularies: ``vocabularies`` lists them; name one (``--vocab``)."""

    def __init__(self, label: str, vocabularies: list[str]) -> None:
        names = ", ".join(vocabularies)
        super().__init__(f'"{label}" is in several vocabularies ({names}); name one with --vocab')
        self.label, self.vocabularies = label, vocabularies


@dataclass(frozen=True)
class KeywordBasedOn:
    """The photo's keyword an action is based on and its revision, as the person saw it
    (``keyword_id`` None: the photo did not have the term at all)."""

    keyword_id: int | None
    revision: int

    @classmethod
    def of(cls, keyword: PhotoKeyword | None) -> KeywordBasedOn:
        return cls(keyword.id, keyword.revision) if keyword is not None else cls(None, 0)


class KeywordConflict(KeywordError):
    """A keyword action refused because the photo's keyword changed since the revision it was based on;
    ``action``, ``changed_by`` and ``changed_at`` say what came in between."""

    def __init__(self, reason: str, *, based_on: KeywordBasedOn, keyword_id: int | None,
                 revision: int | None, action: KeywordAction | None = None, changed_by: str | None = None,
                 changed_at: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason, self.based_on = reason, based_on
        self.keyword_id, self.revision = keyword_id, revision
        self.action, self.changed_by, self.changed_at = action, changed_by, changed_at


@dataclass(frozen=True)
class KeywordSnapshot:
    """How a photo's keyword stood: what an undo brings back."""

    state: KeywordState
    origin: CaptionOrigin
    confidence: float | None
    author: str | None

    @classmethod
    def of(cls, keyword: PhotoKeyword) -> KeywordSnapshot:
        return cls(keyword.state, keyword.origin, keyword.confidence, keyword.author)
