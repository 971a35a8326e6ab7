"""Imported vocabularies in the catalogue: import and re-import, listing, the tree, removal.

The rules users rely on:
- re-importing updates a vocabulary without losing a photo's keyword: a term of the file is matched to
  the vocabulary's term by URI, else by preferred label; its labels, synonyms, broader terms, notes and
  order are updated in place (a label row that did not change keeps its cached vectors);
- a term gone from the file is retired (kept with its assignments, no longer suggested or completed);
  back in a later file, it is restored;
- the "from files" vocabulary is the scanner's: nothing is imported over it;
- removing a vocabulary keeps every keyword a photo has, as a free keyword (no vocabulary, no broader
  terms); only terms no photo has are deleted.

Bulk statements throughout (one query loads a vocabulary's terms; inserts and updates go in batches):
a 50,000-term vocabulary imports in seconds.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from desktop_app.catalogue.keyword_rules import FROM_FILES_VOCABULARY, MAX_LABEL_CHARS, KeywordError
from desktop_app.catalogue.models import (
    KeywordState,
    LabelVector,
    PhotoKeyword,
    Term,
    TermBroader,
    TermLabel,
    Vocabulary,
    VocabularyKind,
    label_key,
    utcnow,
)

_CHUNK = 900  # SQLite's bound-parameter limit, with room


class ImportTerm(Protocol):
    """A term as a vocabulary reader gives it (desktop_app.library.vocabulary_files.ParsedTerm)."""

    ref: str  # identifies the term inside the file; ``broader`` holds such refs
    label: str
    synonyms: list[str]
    broader: list[str]
    uri: str | None
    notes: str | None


@dataclass(frozen=True)
class ImportReport:
    """What an import did: terms added, updated, unchanged, retired and restored, and the file's synonyms
    and broader links."""

    vocabulary: str
    created: bool
    terms: int
    added: int
    updated: int
    unchanged: int
    retired: int
    restored: int
    synonyms: int
    broader_links: int

    def to_json(self) -> dict[str, object]:
        return {"vocabulary": self.vocabulary, "created": self.created, "terms": self.terms,
                "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "retired": self.retired, "restored": self.restored, "synonyms": self.synonyms,
                "broader_links": self.broader_links}


@dataclass
class _Existing:
    id: int
    label: str
    key: str
    uri: str | None
    notes: str | None
    retired: bool
    position: int
    labels: list[tuple[int, str, str, bool]] = field(default_factory=list)  # id, label, key, preferred
    broader: set[int] = field(default_factory=set)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a large vocabulary's rows are built: they make no
    cycles, and its passes over hundreds of thousands of new objects took a third of the time. The
    pause is process-wide and lasts seconds; reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_vocabulary(session: Session, name: str, terms: Sequence[ImportTerm], *, format: str,
                      source: str | None = None, language: str | None = None) -> ImportReport:
    """Import ``terms`` (in file order) as the vocabulary ``name``, or update it to them."""
    with paused_gc():
        return _import(session, name, terms, format=format, source=source, language=language)


def _import(session: Session, name: str, terms: Sequence[ImportTerm], *, format: str,
            source: str | None, language: str | None) -> ImportReport:
    name = " ".join(name.split())
    if not name:
        raise KeywordError("a vocabulary needs a name")
    if label_key(name) == label_key(FROM_FILES_VOCABULARY):
        raise KeywordError(f'"{FROM_FILES_VOCABULARY}" is the vocabulary of keywords read from files; '
                           "import under another name")
    _check_terms(terms)
    vocabulary = session.scalar(select(Vocabulary).where(Vocabulary.name == name))
    created = vocabulary is None
    if vocabulary is None:
        vocabulary = Vocabulary(name=name, kind=VocabularyKind.IMPORTED)
        session.add(vocabulary)
        session.flush()
    elif vocabulary.kind is not VocabularyKind.IMPORTED:
        raise KeywordError(f'"{name}" is not an imported vocabulary; import under another name')
    existing = _load(session, vocabulary.id)
    keys = [label_key(term.label) for term in terms]  # once: normalising is most of the Python time
    matched = _match(terms, keys, existing)
    now = utcnow()

    # Terms: new ones inserted in one statement, changed ones updated by primary key.
    new_rows = [{"vocabulary_id": vocabulary.id, "label": t.label, "label_key": keys[position],
                 "uri": t.uri, "notes": t.notes, "retired": False, "position": position,
                 "created_at": now, "updated_at": now}
                for position, t in enumerate(terms) if matched[position] is None]
    new_ids = iter(_insert_terms(session, new_rows))
    ids = [m.id if m is not None else next(new_ids) for m in matched]
    id_of = {t.ref: ids[position] for position, t in enumerate(terms)}

    changed_ids: set[int] = set()
    restored = 0
    term_updates = []
    for position, (term, old) in enumerate(zip(terms, matched, strict=True)):
        if old is None:
            continue
        values = {"label": term.label, "label_key": keys[position], "uri": term.uri,
                  "notes": term.notes, "retired": False, "position": position}
        current = {"label": old.label, "label_key": old.key, "uri": old.uri, "notes": old.notes,
                   "retired": old.retired, "position": old.position}
        if values != current:
            term_updates.append({"row_id": old.id, **values, "updated_at": now})
            if old.retired:
                restored += 1
            elif any(values[k] != current[k] for k in ("label", "uri", "notes")):
                changed_ids.add(old.id)
    if term_updates:
        _update_rows(session, Term, term_updates)

    changed_ids |= _write_labels(session, terms, keys, matched, ids)
    changed_ids |= _write_broader(session, terms, matched, ids, id_of)

    kept = set(ids)
    retire = [old.id for old in existing.values() if not old.retired and old.id not in kept]
    for start in range(0, len(retire), _CHUNK):
        session.execute(update(Term).where(Term.id.in_(retire[start:start + _CHUNK]))
                        .values(retired=True, updated_at=now))
    vocabulary.format, vocabulary.source, vocabulary.language = format, source, language
    vocabulary.updated_at = now  # completion indexes notice a change by it
    session.flush()

    updated = len(changed_ids - {m.id for m in matched if m is not None and m.retired})
    added = len(new_rows)
    return ImportReport(name, created, len(terms), added, updated,
                        len(terms) - added - updated - restored, len(retire), restored,
                        sum(len(t.synonyms) for t in terms), sum(len(t.broader) for t in terms))


def _insert_terms(session: Session, rows: list[dict[str, object]]) -> list[int]:
    """Insert the rows (Core: the ORM's bulk path costs several times more per row); their ids in order."""
    if not rows:
        return []
    table = Term.__table__
    if session.get_bind().dialect.name == "sqlite":
        # The write transaction holds SQLite's write lock (BEGIN IMMEDIATE), so ids after the largest
        # are free; one executemany, where RETURNING in parameter order would insert row by row.
        first = (session.scalar(select(func.max(Term.id))) or 0) + 1
        for offset, row in enumerate(rows):
            row["id"] = first + offset
        session.execute(insert(table), rows)
        return [first + offset for offset in range(len(rows))]
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def _update_rows(session: Session, model: type[Term] | type[TermLabel],
                 rows: list[dict[str, object]]) -> None:
    """One executemany UPDATE by id (``row_id`` in each row): a re-import that shifts the order of every
    term updates them all, and the ORM's bulk update costs several times more per row."""
    table = model.__table__
    columns = [name for name in rows[0] if name != "row_id"]
    # Parameters may not share the columns' names in an UPDATE's SET clause.
    params = [{f"new_{name}": value for name, value in row.items()} for row in rows]
    session.execute(update(table).where(table.c.id == bindparam("new_row_id"))
                    .values({name: bindparam(f"new_{name}") for name in columns}), params)


def _check_terms(terms: Sequence[ImportTerm]) -> None:
    refs: set[str] = set()
    for term in terms:
        for label in (term.label, *term.synonyms):
            if len(label) > MAX_LABEL_CHARS:
                raise KeywordError(f'the label "{label[:40]}..." is longer than {MAX_LABEL_CHARS} characters')
        if term.ref in refs:
            raise KeywordError(f'the term "{term.label}" is in the file twice')
        refs.add(term.ref)
    missing = {ref for term in terms for ref in term.broader} - refs
    if missing:
        raise KeywordError(f"a broader term is not in the file: {sorted(missing)[0]}")


def _load(session: Session, vocabulary_id: int) -> dict[int, _Existing]:
    """The vocabulary's terms with their labels and broader terms: three queries, whatever its size
    (Core statements on the tables: the ORM's row handling would cost more than the queries)."""
    terms, labels, links = Term.__table__.c, TermLabel.__table__.c, TermBroader.__table__.c
    connection = session.connection()
    existing = {row[0]: _Existing(*row) for row in connection.execute(
        select(terms.id, terms.label, terms.label_key, terms.uri, terms.notes, terms.retired, terms.position)
        .where(terms.vocabulary_id == vocabulary_id))}
    for label_id, term_id, label, key, preferred in connection.execute(
            select(labels.id, labels.term_id, labels.label, labels.key, labels.preferred)
            .join(Term.__table__, terms.id == labels.term_id)
            .where(terms.vocabulary_id == vocabulary_id).order_by(labels.id)):
        existing[term_id].labels.append((label_id, label, key, preferred))
    for term_id, broader_id in connection.execute(
            select(links.term_id, links.broader_id).join(Term.__table__, terms.id == links.term_id)
            .where(terms.vocabulary_id == vocabulary_id)):
        existing[term_id].broader.add(broader_id)
    return existing


def _match(terms: Sequence[ImportTerm], keys: Sequence[str],
           existing: dict[int, _Existing]) -> list[_Existing | None]:
    """Each file term's term in the catalogue: the one with its URI, else one with its preferred label
    (preferring one under the same broader label, for a label the hierarchy repeats), else None."""
    by_uri = {old.uri: old for old in existing.values() if old.uri}
    by_key: dict[str, list[_Existing]] = defaultdict(list)
    for old in sorted(existing.values(), key=lambda old: (old.retired, old.id)):
        by_key[old.key].append(old)
    label_by_ref = {t.ref: key for t, key in zip(terms, keys, strict=True)}
    claimed: set[int] = set()
    found: list[_Existing | None] = [None] * len(terms)
    for position, term in enumerate(terms):  # URIs first: a label match must not take a URI's term
        old = by_uri.get(term.uri) if term.uri else None
        if old is not None:
            found[position] = old
            claimed.add(old.id)
    for position, term in enumerate(terms):
        if found[position] is not None:
            continue
        candidates = [old for old in by_key.get(keys[position], [])
                      if old.id not in claimed and (old.uri is None or term.uri is None)]
        if not candidates:
            continue
        parents = {label_by_ref.get(ref) for ref in term.broader}
        same_place = [old for old in candidates
                      if {existing[b].key for b in old.broader if b in existing} == parents - {None}]
        old = (same_place or candidates)[0]
        found[position] = old
        claimed.add(old.id)
    return found


def _write_labels(session: Session, terms: Sequence[ImportTerm], keys: Sequence[str],
                  matched: Sequence[_Existing | None], ids: Sequence[int]) -> set[int]:
    """Each term's labels (the preferred one and its synonyms) as the file has them. A label row is
    kept when its text is unchanged, so its cached vectors stay; a changed text drops its vectors.
    Returns the ids of matched terms whose labels changed."""
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    stale: list[int] = []  # label rows whose text changed: their vectors no longer fit
    removed: list[int] = []
    changed: set[int] = set()
    for term, term_key, old, term_id in zip(terms, keys, matched, ids, strict=True):
        wanted = [(term.label, term_key, True), *((s, label_key(s), False) for s in term.synonyms)]
        if old is None:
            inserts.extend({"term_id": term_id, "label": label, "key": key, "preferred": p}
                           for label, key, p in wanted)
            continue
        rows = {key: (label_id, label, preferred) for label_id, label, key, preferred in old.labels}
        for label, key, preferred in wanted:
            row = rows.pop(key, None)
            if row is None:
                inserts.append({"term_id": term_id, "label": label, "key": key, "preferred": preferred})
                changed.add(term_id)
            elif (row[1], row[2]) != (label, preferred):
                updates.append({"row_id": row[0], "label": label, "preferred": preferred})
                changed.add(term_id)
                if row[1] != label:
                    stale.append(row[0])
        if rows:
            removed.extend(label_id for label_id, _, _ in rows.values())
            changed.add(term_id)
    for batch in (removed, stale):
        for start in range(0, len(batch), _CHUNK):
            session.execute(delete(LabelVector).where(LabelVector.label_id.in_(batch[start:start + _CHUNK])))
    for start in range(0, len(removed), _CHUNK):
        session.execute(delete(TermLabel).where(TermLabel.id.in_(removed[start:start + _CHUNK])))
    if updates:
        _update_rows(session, TermLabel, updates)
    if inserts:
        session.execute(insert(TermLabel.__table__), inserts)
    return changed & {old.id for old in matched if old is not None}


def _write_broader(session: Session, terms: Sequence[ImportTerm], matched: Sequence[_Existing | None],
                   ids: Sequence[int], id_of: dict[str, int]) -> set[int]:
    """Each term's broader terms as the file has them (a retired term keeps its own). Returns the ids
    of matched terms whose broader terms changed."""
    inserts: list[dict[str, int]] = []
    removed: list[tuple[int, int]] = []
    changed: set[int] = set()
    for term, old, term_id in zip(terms, matched, ids, strict=True):
        wanted = {id_of[ref] for ref in term.broader}
        have = old.broader if old is not None else set()
        inserts.extend({"term_id": term_id, "broader_id": b} for b in sorted(wanted - have))
        removed.extend((term_id, b) for b in have - wanted)
        if old is not None and wanted != have:
            changed.add(term_id)
    for term_id, broader_id in removed:
        session.execute(delete(TermBroader).where(TermBroader.term_id == term_id,
                                                  TermBroader.broader_id == broader_id))
    if inserts:
        session.execute(insert(TermBroader.__table__), inserts)
    return changed


# -- listing and showing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VocabularySummary:
    """A vocabulary as ``vocab list`` shows it."""

    id: int
    name: str
    kind: str
    format: str | None
    source: str | None
    language: str | None
    terms: int  # current terms
    retired: int
    synonyms: int
    photos: int  # photos with an accepted keyword from it
    updated_at: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "format": self.format, "source": self.source,
                "language": self.language, "terms": self.terms, "retired": self.retired,
                "synonyms": self.synonyms, "photos": self.photos, "updated_at": self.updated_at}


def list_vocabularies(session: Session) -> list[VocabularySummary]:
    """Every vocabulary by name, with its term counts and the photos that have its keywords."""
    counts: dict[tuple[int, bool], int] = {
        (v, r): n for v, r, n in session.execute(
            select(Term.vocabulary_id, Term.retired, func.count()).where(Term.vocabulary_id.is_not(None))
            .group_by(Term.vocabulary_id, Term.retired))}
    synonyms = dict(session.execute(
        select(Term.vocabulary_id, func.count()).join(TermLabel, TermLabel.term_id == Term.id)
        .where(TermLabel.preferred.is_(False), Term.retired.is_(False)).group_by(Term.vocabulary_id)).all())
    photos = dict(session.execute(
        select(Term.vocabulary_id, func.count(func.distinct(PhotoKeyword.photo_id)))
        .join(PhotoKeyword, PhotoKeyword.term_id == Term.id)
        .where(PhotoKeyword.state == KeywordState.ACCEPTED).group_by(Term.vocabulary_id)).all())
    return [VocabularySummary(v.id, v.name, v.kind.value, v.format, v.source, v.language,
                              counts.get((v.id, False), 0), counts.get((v.id, True), 0),
                              synonyms.get(v.id, 0), photos.get(v.id, 0), v.updated_at.isoformat())
            for v in sorted(session.scalars(select(Vocabulary)), key=lambda v: (label_key(v.name), v.name))]


@dataclass(frozen=True)
class TermNode:
    """A term of a vocabulary as ``vocab show`` prints it."""

    id: int
    label: str
    synonyms: tuple[str, ...]
    broader: tuple[int, ...]  # ids of its broader terms
    uri: str | None
    notes: str | None
    retired: bool
    photos: int  # photos with it accepted


def vocabulary_terms(session: Session, name: str) -> tuple[Vocabulary, list[TermNode]]:
    """The vocabulary ``name`` and its terms (retired ones too) in file order."""
    vocabulary = find_vocabulary(session, name)
    terms = session.execute(select(Term.id, Term.label, Term.uri, Term.notes, Term.retired)
                            .where(Term.vocabulary_id == vocabulary.id)
                            .order_by(Term.position, Term.id)).all()
    synonyms: dict[int, list[str]] = defaultdict(list)
    for term_id, label in session.execute(
            select(TermLabel.term_id, TermLabel.label).join(Term, Term.id == TermLabel.term_id)
            .where(Term.vocabulary_id == vocabulary.id, TermLabel.preferred.is_(False))
            .order_by(TermLabel.id)):
        synonyms[term_id].append(label)
    broader: dict[int, list[int]] = defaultdict(list)
    for term_id, broader_id in session.execute(
            select(TermBroader.term_id, TermBroader.broader_id).join(Term, Term.id == TermBroader.term_id)
            .where(Term.vocabulary_id == vocabulary.id).order_by(TermBroader.broader_id)):
        broader[term_id].append(broader_id)
    photos = dict(session.execute(
        select(PhotoKeyword.term_id, func.count()).join(Term, Term.id == PhotoKeyword.term_id)
        .where(Term.vocabulary_id == vocabulary.id, PhotoKeyword.state == KeywordState.ACCEPTED)
        .group_by(PhotoKeyword.term_id)).all())
    return vocabulary, [TermNode(t.id, t.label, tuple(synonyms[t.id]), tuple(broader[t.id]), t.uri, t.notes,
                                 t.retired, photos.get(t.id, 0)) for t in terms]


def find_vocabulary(session: Session, name: str) -> Vocabulary:
    vocabulary = session.scalar(select(Vocabulary).where(Vocabulary.name == " ".join(name.split())))
    if vocabulary is None:
        names = session.scalars(select(Vocabulary.name).order_by(Vocabulary.name)).all()
        known = f" (vocabularies: {', '.join(names)})" if names else " (none imported yet)"
        raise KeywordError(f'no vocabulary named "{name}"{known}')
    return vocabulary


# -- removing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovedVocabulary:
    """What removing a vocabulary did: terms deleted, and terms photos have, kept as free keywords."""

    name: str
    deleted: int
    freed: int
    freed_labels: tuple[str, ...]


def remove_vocabulary(session: Session, name: str) -> RemovedVocabulary:
    """Remove the vocabulary ``name``. Its terms that any photo has (in any state, so that no history is
    lost) become free keywords without broader terms; the others are deleted with their labels."""
    vocabulary = find_vocabulary(session, name)
    term_ids = session.scalars(select(Term.id).where(Term.vocabulary_id == vocabulary.id)).all()
    used = set(session.scalars(select(PhotoKeyword.term_id).distinct()
                               .join(Term, Term.id == PhotoKeyword.term_id)
                               .where(Term.vocabulary_id == vocabulary.id)))
    freed = sorted(used)
    gone = [term_id for term_id in term_ids if term_id not in used]
    for start in range(0, len(term_ids), _CHUNK):
        chunk = term_ids[start:start + _CHUNK]
        session.execute(delete(TermBroader).where(TermBroader.term_id.in_(chunk)))
        session.execute(delete(TermBroader).where(TermBroader.broader_id.in_(chunk)))
    for start in range(0, len(gone), _CHUNK):
        chunk = gone[start:start + _CHUNK]
        labels = select(TermLabel.id).where(TermLabel.term_id.in_(chunk))
        session.execute(delete(LabelVector).where(LabelVector.label_id.in_(labels)))
        session.execute(delete(TermLabel).where(TermLabel.term_id.in_(chunk)))
        session.execute(delete(Term).where(Term.id.in_(chunk)))
    labels: list[str] = []
    for start in range(0, len(freed), _CHUNK):
        chunk = freed[start:start + _CHUNK]
        session.execute(update(Term).where(Term.id.in_(chunk))
                        .values(vocabulary_id=None, updated_at=utcnow()))
        labels.extend(session.scalars(select(Term.label).where(Term.id.in_(chunk))))
    session.delete(vocabulary)
    session.flush()
    return RemovedVocabulary(vocabulary.name, len(gone), len(freed), tuple(sorted(labels, key=label_key)))
