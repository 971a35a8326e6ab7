"""A photo's keywords, each change recorded as a revision: the one way the scanner, the taggers, the CLI
and the app change them.

The rules users rely on:
- a photo has each term at most once (a PhotoKeyword), with its origin (imported, ai, human), state
  (suggested, accepted, rejected, removed-in-file, withdrawn), a tagger's confidence and evidence, and
  who made it what it is; rows are never deleted and every change appends a PhotoKeywordRevision;
- nothing a person decided is undone by a model: ``suggest_keyword`` leaves accepted, rejected and
  removed-in-file keywords alone, so a rejected keyword never comes back from a later run;
- the review contract of captions holds for keywords: a revision counter moved by compare-and-set, and
  an action based on a revision that is no longer the newest is refused with a KeywordConflict; every
  change first takes the photo's write lock (locking.lock_photo), so on a shared PostgreSQL catalogue
  two writers never both create a photo's keyword for one term;
- keywords read from files are imported and accepted (a person put them there); one that vanishes from
  a file another program changed becomes removed-in-file, never silently deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from desktop_app.catalogue.keyword_rules import (
    DECIDED,
    FILE_AUTHOR,
    FROM_FILES_VOCABULARY,
    MAX_LABEL_CHARS,
    AmbiguousTerm,
    KeywordBasedOn,
    KeywordConflict,
    KeywordError,
    KeywordSnapshot,
    UnknownTerm,
)
from desktop_app.catalogue.locking import lock_name, lock_photo
from desktop_app.catalogue.models import (
    CaptionOrigin,
    KeywordAction,
    KeywordState,
    Photo,
    PhotoKeyword,
    PhotoKeywordRevision,
    Term,
    TermBroader,
    TermLabel,
    Vocabulary,
    VocabularyKind,
    label_key,
    utcnow,
)

# -- terms: finding a label in the vocabularies ------------------------------------------------------------


def find_terms(session: Session, label: str, vocabulary: str | None = None) -> list[Term]:
    """The terms ``label`` names: those whose preferred label it is, else those with it as a synonym;
    in ``vocabulary`` only when one is named (free keywords have none). Retired terms only when no
    current term has the label."""
    key = label_key(label)
    if not key:
        raise KeywordError("a keyword cannot be empty")
    for preferred in (True, False):
        query = (select(Term).join(TermLabel, TermLabel.term_id == Term.id)
                 .where(TermLabel.key == key, TermLabel.preferred.is_(preferred))
                 .options(selectinload(Term.vocabulary)).order_by(Term.retired, Term.id))
        if vocabulary is not None:
            query = (query.join(Vocabulary, Vocabulary.id == Term.vocabulary_id)
                     .where(Vocabulary.name == vocabulary))
        terms = list(dict.fromkeys(session.scalars(query)))
        current = [term for term in terms if not term.retired]
        if current or terms:
            return current or terms
    return []


def resolve_term(session: Session, label: str, vocabulary: str | None = None, *,
                 create_free: bool = False) -> Term:
    """The one term ``label`` names (a preferred label or a synonym, which resolves to its term).
    AmbiguousTerm when several vocabularies have it and none is named; when none has it, a free
    keyword (made when ``create_free``; else UnknownTerm)."""
    named = select(Vocabulary.id).where(Vocabulary.name == vocabulary)
    if vocabulary is not None and session.scalar(named) is None:
        raise KeywordError(f'no vocabulary named "{vocabulary}"')
    terms = find_terms(session, label, vocabulary)
    if len(terms) > 1:
        names = sorted({_vocabulary_name(term) for term in terms})
        if len(names) > 1:
            raise AmbiguousTerm(label.strip(), names)
        raise KeywordError(f'"{label.strip()}" names {len(terms)} terms of {names[0]}; '
                           f"give the preferred label of one")
    if terms:
        return terms[0]
    if vocabulary is not None:
        raise UnknownTerm(f'vocabulary "{vocabulary}" has no term "{label.strip()}"')
    if not create_free:
        raise UnknownTerm(f'no vocabulary has the term "{label.strip()}"')
    lock_name(session, f"free keyword {label_key(label)}")  # two editors adding it at once make one term
    made = [term for term in find_terms(session, label) if term.vocabulary_id is None]
    return made[0] if made else new_term(session, None, label)


def new_term(session: Session, vocabulary_id: int | None, label: str) -> Term:
    """A term with only a preferred label (a free keyword when ``vocabulary_id`` is None)."""
    label = " ".join(label.split())
    if not label:
        raise KeywordError("a keyword cannot be empty")
    if len(label) > MAX_LABEL_CHARS:
        raise KeywordError(f"a keyword is at most {MAX_LABEL_CHARS} characters; this one has {len(label)}")
    term = Term(vocabulary_id=vocabulary_id, label=label, label_key=label_key(label))
    session.add(term)
    session.flush()
    session.add(TermLabel(term_id=term.id, label=label, key=term.label_key, preferred=True))
    session.flush()
    return term


def from_files_vocabulary(session: Session) -> Vocabulary:
    """The vocabulary keywords found in files join when no imported vocabulary has them."""
    vocabulary = session.scalar(select(Vocabulary).where(Vocabulary.name == FROM_FILES_VOCABULARY))
    if vocabulary is None:
        vocabulary = Vocabulary(name=FROM_FILES_VOCABULARY, kind=VocabularyKind.FROM_FILES)
        session.add(vocabulary)
        session.flush()
    return vocabulary


def narrower_term_ids(session: Session, term_ids: Iterable[int]) -> set[int]:
    """``term_ids`` and every term below them in their hierarchies (a recursive query: any depth)."""
    ids = list(term_ids)
    if not ids:
        return set()
    seed = select(Term.id.label("id")).where(Term.id.in_(ids))
    tree = seed.cte("narrower", recursive=True)
    tree = tree.union(select(TermBroader.term_id).join(tree, TermBroader.broader_id == tree.c.id))
    return set(session.scalars(select(tree.c.id)))


def keyword_photo_ids(term_id: int | Select[Any] | None = None,
                      states: Sequence[KeywordState] = (KeywordState.ACCEPTED,)) -> Select[Any]:
    """SELECT of the ids of the photos with the keyword ``term_id`` (or any term a SELECT of ids gives),
    or one below it in its hierarchy, in ``states``; with no term, of the photos with any keyword in
    ``states``. A subquery for filters (``Photo.id.in_(...)``): the hierarchy is walked inside SQLite (a
    nested recursive CTE), so a top term of a 50,000-term vocabulary costs no bound parameter per
    narrower term."""
    query = select(PhotoKeyword.photo_id).where(PhotoKeyword.state.in_(list(states)))
    if term_id is None:
        return query
    seed = Term.id.in_(term_id) if isinstance(term_id, Select) else Term.id == term_id
    tree = select(Term.id.label("id")).where(seed).cte("narrower", recursive=True, nesting=True)
    tree = tree.union(select(TermBroader.term_id).join(tree, TermBroader.broader_id == tree.c.id))
    return query.where(PhotoKeyword.term_id.in_(select(tree.c.id)))


def label_forms(key: str) -> list[str]:
    """A label key (label_key) with its last word in the singular and the plural, as English makes
    most of them ("dog", "dogs"; "puppy", "puppies"; "beach", "beaches"): how a searched word finds a
    keyword's label or synonym."""
    head, _, last = key.rpartition(" ")
    if not last:
        return []
    forms = {last, last + "s", last + "es"}
    if last.endswith("ies"):
        forms.add(last[:-3] + "y")
    elif last.endswith("y"):
        forms.add(last[:-1] + "ies")
    if last.endswith("es"):
        forms.add(last[:-2])
    if last.endswith("s"):
        forms.add(last[:-1])
    return sorted(f"{head} {form}" if head else form for form in forms if form)


def named_term_ids(text: str) -> Select[Any] | None:
    """SELECT of the ids of the terms whose label or synonym ``text`` is (label_forms), or None when it
    holds no word."""
    forms = label_forms(label_key(text))
    return select(TermLabel.term_id).where(TermLabel.key.in_(forms)) if forms else None


def term_path(session: Session, term: Term) -> list[str]:
    """The labels from the top of the term's hierarchy down to it (its first broader term at each step):
    ["Animals", "Mammals", "Dogs"], as Lightroom's hierarchicalSubject writes them."""
    path, seen, current = [term.label], {term.id}, term.id
    while True:
        broader = session.scalar(select(TermBroader.broader_id).where(TermBroader.term_id == current)
                                 .order_by(TermBroader.broader_id).limit(1))
        if broader is None or broader in seen:  # a cycle in a hand-made vocabulary ends the path
            return path
        seen.add(broader)
        label = session.scalar(select(Term.label).where(Term.id == broader))
        path.insert(0, label or "")
        current = broader


def _vocabulary_name(term: Term) -> str:
    return term.vocabulary.name if term.vocabulary is not None else "free keywords"


# -- reading a photo's keywords ------------------------------------------------------------------------------


def photo_keywords(session: Session, photo_id: int,
                   states: Sequence[KeywordState] | None = None) -> list[PhotoKeyword]:
    """The photo's keywords (in ``states`` when given) with their terms and vocabularies, by label."""
    query = (select(PhotoKeyword).join(Term, Term.id == PhotoKeyword.term_id)
             .where(PhotoKeyword.photo_id == photo_id)
             .options(selectinload(PhotoKeyword.term).selectinload(Term.vocabulary))
             .order_by(Term.label_key, PhotoKeyword.id))
    if states is not None:
        query = query.where(PhotoKeyword.state.in_(list(states)))
    return list(session.scalars(query))


def keyword_of(session: Session, photo_id: int, term_id: int) -> PhotoKeyword | None:
    return session.scalar(select(PhotoKeyword).where(PhotoKeyword.photo_id == photo_id,
                                                     PhotoKeyword.term_id == term_id))


def accepted_labels(session: Session, photo_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each photo's accepted keywords (preferred labels, in label order): what exports, ``--json`` and
    write-back carry. Photos without any are absent."""
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(photo_ids), 900):  # SQLite's bound-parameter limit
        rows = session.execute(
            select(PhotoKeyword.photo_id, Term.label).join(Term, Term.id == PhotoKeyword.term_id)
            .where(PhotoKeyword.photo_id.in_(photo_ids[start:start + 900]),
                   PhotoKeyword.state == KeywordState.ACCEPTED)
            .order_by(PhotoKeyword.photo_id, Term.label_key))
        for photo_id, label in rows:
            found[photo_id].append(label)
    return dict(found)


def keyword_json(session: Session, keyword: PhotoKeyword, *, history: bool = True) -> dict[str, object]:
    """A photo's keyword as ``tags show --json`` and ``show --json`` print it."""
    term = keyword.term
    record: dict[str, object] = {
        "id": keyword.id, "term_id": term.id, "label": term.label,
        "vocabulary": term.vocabulary.name if term.vocabulary is not None else None,
        "path": term_path(session, term), "uri": term.uri,
        "state": keyword.state.value, "origin": keyword.origin.value, "confidence": keyword.confidence,
        "tagger": keyword.tagger_id, "model": keyword.model_id, "evidence": keyword.evidence or [],
        "author": keyword.author, "in_file": keyword.in_file, "revision": keyword.revision,
        "updated_at": keyword.updated_at.isoformat(),
    }
    if history:
        revisions = session.scalars(select(PhotoKeywordRevision).where(PhotoKeywordRevision.keyword_id
                                                                       == keyword.id)
                                    .order_by(PhotoKeywordRevision.number))
        record["history"] = [
            {"revision": r.number, "action": r.action.value, "state": r.state.value, "origin": r.origin.value,
             "confidence": r.confidence, "author": r.author, "db_role": r.db_role, "note": r.note,
             "at": r.created_at.isoformat()}
            for r in revisions]
    return record


# -- a person's changes -------------------------------------------------------------------------------------


def add_keyword(session: Session, photo: Photo, term: Term, *, author: str,
                based_on: KeywordBasedOn | None = None, note: str | None = None) -> PhotoKeyword:
    """A person gives ``photo`` the keyword ``term``: accepted (a suggestion is accepted, a rejected or
    removed one comes back)."""
    lock_photo(session, photo.id)
    keyword = keyword_of(session, photo.id, term.id)
    _check(session, keyword, based_on)
    if keyword is None:
        return _create(session, photo.id, term.id, KeywordState.ACCEPTED, CaptionOrigin.HUMAN,
                       KeywordAction.ADDED, author=author, note=note)
    if keyword.state is KeywordState.ACCEPTED:
        return keyword
    action = KeywordAction.ACCEPTED if keyword.state is KeywordState.SUGGESTED else KeywordAction.ADDED
    if action is KeywordAction.ADDED:
        keyword.origin = CaptionOrigin.HUMAN
    return _change(session, keyword, KeywordState.ACCEPTED, action, author=author, note=note)


def accept_keyword(session: Session, photo: Photo, term: Term, *, author: str,
                   based_on: KeywordBasedOn | None = None) -> PhotoKeyword:
    """Accept the photo's keyword ``term`` (a suggestion, or one rejected before)."""
    keyword = _existing(session, photo, term, "accept")
    _check(session, keyword, based_on)
    if keyword.state is KeywordState.ACCEPTED:
        return keyword
    return _change(session, keyword, KeywordState.ACCEPTED, KeywordAction.ACCEPTED, author=author)


def reject_keyword(session: Session, photo: Photo, term: Term, *, author: str,
                   based_on: KeywordBasedOn | None = None) -> PhotoKeyword:
    """Reject the photo's keyword ``term``: a suggestion rejected, an accepted keyword removed. No tagger
    suggests it for this photo again."""
    keyword = _existing(session, photo, term, "reject")
    _check(session, keyword, based_on)
    if keyword.state is KeywordState.REJECTED:
        return keyword
    action = KeywordAction.REMOVED if keyword.state is KeywordState.ACCEPTED else KeywordAction.REJECTED
    return _change(session, keyword, KeywordState.REJECTED, action, author=author)


def restore_keyword(session: Session, keyword_id: int, snapshot: KeywordSnapshot, *, author: str,
                    based_on: KeywordBasedOn | None = None, note: str | None = None) -> PhotoKeyword:
    """Bring a photo's keyword back to ``snapshot`` (an undo or redo) as a new revision."""
    keyword = session.get(PhotoKeyword, keyword_id)
    if keyword is None:
        raise KeywordError(f"keyword {keyword_id} no longer exists")
    lock_photo(session, keyword.photo_id)
    _check(session, keyword, based_on)
    if KeywordSnapshot.of(keyword) == snapshot:
        return keyword
    keyword.origin, keyword.confidence = snapshot.origin, snapshot.confidence
    return _change(session, keyword, snapshot.state, KeywordAction.RESTORED, author=author, note=note,
                   who=snapshot.author)


# -- the taggers' suggestions -------------------------------------------------------------------------------


def suggest_keyword(session: Session, photo_id: int, term_id: int, *, confidence: float, tagger_id: str,
                    model_id: str | None, evidence: Sequence[str], author: str,
                    note: str | None = None) -> PhotoKeyword | None:
    """A tagger's suggestion. Never touches a keyword a person decided (accepted, rejected,
    removed-in-file): returns None for those. A suggestion made again is rescored when its score moved."""
    confidence = min(1.0, max(0.0, float(confidence)))
    lock_photo(session, photo_id)
    keyword = keyword_of(session, photo_id, term_id)
    if keyword is None:
        keyword = _create(session, photo_id, term_id, KeywordState.SUGGESTED, CaptionOrigin.AI,
                          KeywordAction.SUGGESTED, author=author, note=note, confidence=confidence,
                          tagger_id=tagger_id, model_id=model_id, evidence=list(evidence))
        return keyword
    if keyword.state in DECIDED:
        return None
    if keyword.state is KeywordState.SUGGESTED and keyword.tagger_id == tagger_id and (
            keyword.confidence is not None and abs(keyword.confidence - confidence) < 1e-4):
        return keyword
    action = KeywordAction.RESCORED if keyword.state is KeywordState.SUGGESTED else KeywordAction.SUGGESTED
    keyword.origin, keyword.confidence = CaptionOrigin.AI, confidence
    keyword.tagger_id, keyword.model_id, keyword.evidence = tagger_id, model_id, list(evidence)
    return _change(session, keyword, KeywordState.SUGGESTED, action, author=author, note=note)


def decided_term_ids(session: Session, photo_id: int) -> set[int]:
    """The terms a person decided for the photo: a tagger need not score them."""
    return set(session.scalars(select(PhotoKeyword.term_id).where(
        PhotoKeyword.photo_id == photo_id, PhotoKeyword.state.in_(list(DECIDED)))))


# -- files: what the scanner found and what write-back wrote ------------------------------------------------


def sync_file_keywords(session: Session, photo: Photo, labels: Sequence[str]) -> None:
    """Bring the photo's keywords in step with what its file now holds (``labels``, MWG Keywords).

    A label resolves to the photo's keyword of that label, else to the one imported vocabulary whose
    preferred label it is, else to a term of the "from files" vocabulary. New ones are imported and
    accepted; one back in the file is accepted again (unless a person rejected it); an accepted keyword
    the file held and no longer holds is removed-in-file."""
    lock_photo(session, photo.id)
    keywords = {keyword.term_id: keyword for keyword in photo_keywords(session, photo.id)}
    by_key = {keyword.term.label_key: keyword.term for keyword in keywords.values()}
    in_file: set[int] = set()
    for label in labels:
        key = label_key(label)
        if not key:
            continue
        term = by_key.get(key) or _vocabulary_term(session, key) or _from_files_term(session, label)
        if term.id in in_file:
            continue
        in_file.add(term.id)
        keyword = keywords.get(term.id)
        if keyword is None:
            keyword = _create(session, photo.id, term.id, KeywordState.ACCEPTED, CaptionOrigin.IMPORTED,
                              KeywordAction.IMPORTED, author=FILE_AUTHOR)
            keywords[term.id] = keyword
        elif keyword.state in (KeywordState.SUGGESTED, KeywordState.REMOVED_IN_FILE, KeywordState.WITHDRAWN):
            _change(session, keyword, KeywordState.ACCEPTED, KeywordAction.FOUND_IN_FILE, author=FILE_AUTHOR)
        keyword.in_file = True
    for term_id, keyword in keywords.items():
        if term_id in in_file or not keyword.in_file:
            continue
        keyword.in_file = False
        if keyword.state is KeywordState.ACCEPTED:
            _change(session, keyword, KeywordState.REMOVED_IN_FILE, KeywordAction.REMOVED_IN_FILE,
                    author=FILE_AUTHOR, note="no longer in the file, which another program changed")
    session.flush()


def mark_in_file(session: Session, photo_id: int, term_ids: Iterable[int]) -> None:
    """After a write-back: the photo's file holds exactly ``term_ids`` of its keywords."""
    held = set(term_ids)
    for keyword in photo_keywords(session, photo_id):
        keyword.in_file = keyword.term_id in held
    session.flush()


def _vocabulary_term(session: Session, key: str) -> Term | None:
    """The one current term of an imported vocabulary whose preferred label is ``key``; None when there
    is none or several (the label then joins "from files": the editor decides)."""
    terms = list(session.scalars(
        select(Term).join(Vocabulary, Vocabulary.id == Term.vocabulary_id)
        .where(Term.label_key == key, Term.retired.is_(False), Vocabulary.kind == VocabularyKind.IMPORTED)
        .limit(2)))
    return terms[0] if len(terms) == 1 else None


def _from_files_term(session: Session, label: str) -> Term:
    vocabulary = from_files_vocabulary(session)
    key = label_key(label)
    term = session.scalar(select(Term).where(Term.vocabulary_id == vocabulary.id, Term.label_key == key))
    return term if term is not None else new_term(session, vocabulary.id, label[:MAX_LABEL_CHARS])


# -- revisions --------------------------------------------------------------------------------------------


def _existing(session: Session, photo: Photo, term: Term, verb: str) -> PhotoKeyword:
    lock_photo(session, photo.id)
    keyword = keyword_of(session, photo.id, term.id)
    if keyword is None:
        raise KeywordError(f'photo {photo.id} has no keyword "{term.label}" to {verb}')
    return keyword


def _create(session: Session, photo_id: int, term_id: int, state: KeywordState, origin: CaptionOrigin,
            action: KeywordAction, *, author: str, note: str | None = None, confidence: float | None = None,
            tagger_id: str | None = None, model_id: str | None = None,
            evidence: list[str] | None = None) -> PhotoKeyword:
    keyword = PhotoKeyword(photo_id=photo_id, term_id=term_id, state=state, origin=origin,
                           confidence=confidence, tagger_id=tagger_id, model_id=model_id, evidence=evidence,
                           author=author, revision=0)
    session.add(keyword)
    session.flush()
    _append(session, keyword, action, author, note)
    return keyword


def _change(session: Session, keyword: PhotoKeyword, state: KeywordState, action: KeywordAction, *,
            author: str, note: str | None = None, who: str | None = None) -> PhotoKeyword:
    keyword.state = state
    keyword.author = who or author
    _append(session, keyword, action, author, note)
    return keyword


def _append(session: Session, keyword: PhotoKeyword, action: KeywordAction, author: str | None,
            note: str | None) -> None:
    keyword.updated_at = utcnow()
    expected = keyword.revision
    session.flush()
    moved = session.execute(
        update(PhotoKeyword).where(PhotoKeyword.id == keyword.id, PhotoKeyword.revision == expected)
        .values(revision=expected + 1).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise _conflict(session, keyword, KeywordBasedOn(keyword.id, expected),
                        "changed while this change was being written")
    set_committed_value(keyword, "revision", expected + 1)
    session.add(PhotoKeywordRevision(keyword_id=keyword.id, number=expected + 1, action=action,
                                     state=keyword.state, origin=keyword.origin,
                                     confidence=keyword.confidence, author=author, note=note))
    session.flush()


def _check(session: Session, keyword: PhotoKeyword | None, based_on: KeywordBasedOn | None) -> None:
    if based_on is None:
        return
    if keyword is None and based_on.keyword_id is None:
        return
    if keyword is not None and keyword.id == based_on.keyword_id and keyword.revision == based_on.revision:
        return
    if keyword is None:
        raise KeywordConflict(f"keyword {based_on.keyword_id} is gone", based_on=based_on, keyword_id=None,
                              revision=None)
    raise _conflict(session, keyword, based_on, f"changed since revision {based_on.revision}")


def _conflict(session: Session, keyword: PhotoKeyword, based_on: KeywordBasedOn,
              what: str) -> KeywordConflict:
    newest = session.scalar(select(PhotoKeywordRevision).where(PhotoKeywordRevision.keyword_id == keyword.id)
                            .order_by(PhotoKeywordRevision.number.desc()).limit(1))
    label = session.scalar(select(Term.label).where(Term.id == keyword.term_id))
    how = ""
    if newest is not None:
        when = newest.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        who = newest.author or "unknown"
        how = f": {newest.action.value} by {who} at {when}, now revision {newest.number}"
    return KeywordConflict(f'keyword "{label}" of photo {keyword.photo_id} {what}{how}', based_on=based_on,
                           keyword_id=keyword.id, revision=newest.number if newest else keyword.revision,
                           action=newest.action if newest else None,
                           changed_by=newest.author if newest else None,
                           changed_at=newest.created_at if newest else None)
