"""A person's keyword actions (add, remove, accept, reject), on one photo or a selection, with their undo
and redo: written once for the command line, the app's review worker and later an HTTP API. Qt-free.

Every action follows the review contract of catalogue/keywords.py: it may carry the photo's keyword and
revision it was based on (``KeywordBasedOn``); one changed since is refused with a KeywordConflict
naming who changed it, when and how. A TERM is a preferred label or a synonym (it resolves to its
term); a label in several vocabularies needs the vocabulary named (AmbiguousTerm lists them).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.caption_rules import default_author
from desktop_app.catalogue.keyword_rules import (
    KeywordBasedOn,
    KeywordError,
    KeywordSnapshot,
)
from desktop_app.catalogue.locking import lock_photos
from desktop_app.catalogue.models import CaptionOrigin, KeywordState, Photo, PhotoKeyword, Term
from desktop_app.catalogue.photos import PhotoNotFoundError, absolute_path, find_photo

ADD, REMOVE, ACCEPT, REJECT = "add", "remove", "accept", "reject"
KEYWORD_ACTIONS = (ADD, REMOVE, ACCEPT, REJECT)
UNDO_LIMIT = 500


@dataclass(frozen=True)
class KeywordView:
    """A photo's keyword as plain values, for front ends (the app's chips, ``tags show``)."""

    keyword_id: int
    photo_id: int
    term_id: int
    label: str
    vocabulary: str | None  # None: a free keyword
    path: tuple[str, ...]  # the labels from the top of its hierarchy down to it
    state: KeywordState
    origin: CaptionOrigin
    confidence: float | None
    tagger: str | None
    evidence: tuple[str, ...]
    author: str | None
    revision: int
    in_file: bool

    @classmethod
    def of(cls, session: Session, keyword: PhotoKeyword) -> KeywordView:
        term = keyword.term
        return cls(keyword.id, keyword.photo_id, term.id, term.label,
                   term.vocabulary.name if term.vocabulary is not None else None,
                   tuple(keywords.term_path(session, term)), keyword.state, keyword.origin,
                   keyword.confidence, keyword.tagger_id, tuple(keyword.evidence or ()), keyword.author,
                   keyword.revision, keyword.in_file)

    @property
    def based_on(self) -> KeywordBasedOn:
        return KeywordBasedOn(self.keyword_id, self.revision)


def photo_keyword_views(catalogue: Catalogue, photo_id: int) -> list[KeywordView]:
    """Every keyword of the photo, in every state, by label."""
    with catalogue.read() as session:
        return [KeywordView.of(session, keyword) for keyword in keywords.photo_keywords(session, photo_id)]


def photo_keyword_records(catalogue: Catalogue, photo_id: int) -> list[dict[str, object]]:
    """Every keyword of the photo with its history, as `tags show --json` prints them."""
    with catalogue.read() as session:
        return [keywords.keyword_json(session, keyword)
                for keyword in keywords.photo_keywords(session, photo_id)]


def apply_keyword_action(session: Session, photo: Photo, term: Term, action: str, *, author: str,
                         based_on: KeywordBasedOn | None = None) -> PhotoKeyword:
    """Write one action on the photo's keyword ``term``; KeywordConflict when ``based_on`` is stale."""
    if action == ADD:
        return keywords.add_keyword(session, photo, term, author=author, based_on=based_on)
    if action == ACCEPT:
        return keywords.accept_keyword(session, photo, term, author=author, based_on=based_on)
    if action in (REJECT, REMOVE):
        return keywords.reject_keyword(session, photo, term, author=author, based_on=based_on)
    raise KeywordError(f"no keyword action {action!r}")


@dataclass(frozen=True)
class Tagged:
    """What a command-line keyword action left on one photo (``error`` set when it was refused)."""

    photo_ref: str
    path: str | None
    label: str | None
    state: KeywordState | None
    error: str | None = None


def tag_photos(catalogue: Catalogue, photo_refs: Sequence[str], term_label: str, action: str, *,
               vocabulary: str | None = None, author: str | None = None,
               revision: int | None = None) -> list[Tagged]:
    """One keyword action on each photo ``photo_refs`` names (paths or ids), each in its own transaction:
    a photo that cannot be found or changed is reported and the others go on. A term no vocabulary has
    is added as a free keyword (``add`` only). ``revision``: the revision of the photo's keyword the
    person saw (one photo only), under the review contract."""
    who = author or default_author()
    with catalogue.write() as session:  # resolved (a free keyword made) once, not per photo
        term_id = keywords.resolve_term(session, term_label, vocabulary, create_free=action == ADD).id
    done: list[Tagged] = []
    for ref in photo_refs:
        try:
            with catalogue.write() as session:
                photo = find_photo(session, ref)
                term = session.get(Term, term_id)
                assert term is not None
                keyword = _act_at(session, photo, term, action, who, revision)
                done.append(Tagged(ref, absolute_path(photo.library.root, photo.rel_path), term.label,
                                   keyword.state))
        except (KeywordError, PhotoNotFoundError) as refused:
            done.append(Tagged(ref, None, None, None, str(refused)))
    return done


def keyword_action(catalogue: Catalogue, photo_ref: str, term_label: str, action: str, *,
                   vocabulary: str | None = None, author: str | None = None,
                   revision: int | None = None) -> KeywordView:
    """One keyword action on one photo (the HTTP API's), raising what refuses it: KeywordConflict when
    ``revision`` (of the photo's keyword, 0: it had none) is stale, UnknownTerm, AmbiguousTerm,
    PhotoNotFoundError. A term no vocabulary has is added as a free keyword (``add`` only)."""
    with catalogue.write() as session:
        photo = find_photo(session, photo_ref)
        term = keywords.resolve_term(session, term_label, vocabulary, create_free=action == ADD)
        keyword = _act_at(session, photo, term, action, author or default_author(), revision)
        session.flush()
        return KeywordView.of(session, keyword)


def _act_at(session: Session, photo: Photo, term: Term, action: str, author: str,
            revision: int | None) -> PhotoKeyword:
    """``action`` based on ``revision`` of the photo's keyword ``term`` when given."""
    based_on = None
    if revision is not None:
        existing = keywords.keyword_of(session, photo.id, term.id)
        based_on = KeywordBasedOn(existing.id if existing is not None else None, revision)
    return apply_keyword_action(session, photo, term, action, author=author, based_on=based_on)


@dataclass(frozen=True)
class _Done:
    """One photo's part of a change: its keyword before (None: the change created it) and after."""

    keyword_id: int
    before: KeywordSnapshot | None
    after: KeywordSnapshot
    revision: int  # the revision the change left: what its undo is based on


class KeywordReviewer:
    """One editor's keyword actions, each on one photo or a selection, with undo and redo. Not
    thread-safe: one thread (the app's review worker) calls it. The editor's own later writes never
    make their undo conflict; anyone else's do."""

    def __init__(self, catalogue: Catalogue, author: str | None = None) -> None:
        self.catalogue = catalogue
        self.author = author
        self._done: dict[Hashable, list[_Done]] = {}
        self._moved: dict[tuple[int, int], int] = {}  # (keyword id, revision before) -> revision after

    def resolve(self, label: str, vocabulary: str | None = None, *, create_free: bool = False) -> int:
        """The term id ``label`` names (AmbiguousTerm, UnknownTerm as keywords.resolve_term)."""
        with self.catalogue.write() if create_free else self.catalogue.read() as session:
            return keywords.resolve_term(session, label, vocabulary, create_free=create_free).id

    def apply(self, key: Hashable, photo_ids: Sequence[int], term_id: int, action: str,
              based_on: dict[int, KeywordBasedOn] | None = None) -> list[KeywordView]:
        """``action`` on the keyword ``term_id`` of every photo in ``photo_ids`` (one transaction: all or
        none), remembered under ``key`` for undo and redo. ``based_on``: per photo, what the editor saw."""
        done: list[_Done] = []
        views: list[KeywordView] = []
        with self.catalogue.write() as session:
            term = session.get(Term, term_id)
            if term is None:
                raise KeywordError(f"term {term_id} no longer exists")
            lock_photos(session, photo_ids)  # all at once, in id order: overlapping selections never deadlock
            for photo_id in photo_ids:
                photo = session.get(Photo, photo_id)
                if photo is None:
                    raise PhotoNotFoundError(f"no photo with id {photo_id}")
                existing = keywords.keyword_of(session, photo_id, term_id)
                before = KeywordSnapshot.of(existing) if existing is not None else None
                old_revision = existing.revision if existing is not None else 0
                seen = (based_on or {}).get(photo_id)
                keyword = apply_keyword_action(session, photo, term, action, author=self._author(),
                                               based_on=self._rebase(seen))
                if existing is not None and keyword.revision != old_revision:
                    self._moved[(keyword.id, old_revision)] = keyword.revision
                done.append(_Done(keyword.id, before, KeywordSnapshot.of(keyword), keyword.revision))
                views.append(KeywordView.of(session, keyword))
        self._done[key] = done
        while len(self._done) > UNDO_LIMIT:
            del self._done[next(iter(self._done))]
        return views

    def undo(self, key: Hashable, label: str) -> list[int]:
        """Bring the keywords the change ``key`` touched back to how they were; their photo ids
        (empty when that change was never written). A keyword the change created is withdrawn."""
        return self._restore(key, undo=True, label=label)

    def redo(self, key: Hashable, label: str) -> list[int]:
        return self._restore(key, undo=False, label=label)

    def _restore(self, key: Hashable, *, undo: bool, label: str) -> list[int]:
        parts = self._done.get(key)
        if not parts:
            return []
        note = f"{'undo' if undo else 'redo'}: {label.lower()}"
        photos: list[int] = []
        with self.catalogue.write() as session:
            lock_photos(session, session.scalars(select(PhotoKeyword.photo_id).where(
                PhotoKeyword.id.in_([part.keyword_id for part in parts]))).all())
            for part in parts:
                if undo:
                    snapshot = part.before or KeywordSnapshot(KeywordState.WITHDRAWN, part.after.origin,
                                                              part.after.confidence, part.after.author)
                else:
                    snapshot = part.after
                keyword = session.get(PhotoKeyword, part.keyword_id)
                if keyword is None:
                    continue
                old_revision = keyword.revision
                based_on = self._rebase(KeywordBasedOn(part.keyword_id, part.revision))
                keywords.restore_keyword(session, part.keyword_id, snapshot, author=self._author(),
                                         based_on=based_on, note=note)
                if keyword.revision != old_revision:
                    self._moved[(keyword.id, old_revision)] = keyword.revision
                photos.append(keyword.photo_id)
        return photos

    def _rebase(self, based_on: KeywordBasedOn | None) -> KeywordBasedOn | None:
        if based_on is None or based_on.keyword_id is None:
            return based_on
        revision = based_on.revision
        for _step in range(UNDO_LIMIT):
            moved = self._moved.get((based_on.keyword_id, revision))
            if moved is None:
                break
            revision = moved
        return KeywordBasedOn(based_on.keyword_id, revision)

    def _author(self) -> str:
        return self.author or default_author()


def photo_of(catalogue: Catalogue, ref: str) -> tuple[int, str]:
    """The id and path of the photo ``ref`` names (a path or an id)."""
    with catalogue.read() as session:
        photo = find_photo(session, ref)
        return photo.id, absolute_path(photo.library.root, photo.rel_path)
