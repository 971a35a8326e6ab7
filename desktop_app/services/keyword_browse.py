"""Reading the vocabularies for a front end: the tree of vocabularies and terms with their photo counts, a
page of a term's narrower terms at a time (a 50,000-term vocabulary is never read whole), terms found by a
filter text, and type-ahead completion of a label or synonym. Qt-free; the app's keyword worker calls it
off the GUI thread.

Counts are of photos with the keyword accepted, the term itself only (its narrower terms not added in):
choosing a term in the app lists those photos and the narrower terms' ones too, and the grid says how many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.keyword_rules import FROM_FILES_VOCABULARY
from desktop_app.catalogue.models import (
    KeywordState,
    PhotoKeyword,
    Term,
    TermBroader,
    TermLabel,
    Vocabulary,
    label_key,
)
from desktop_app.search.term_completion import TermCompleter

VOCABULARY, TERM, FREE = "vocabulary", "term", "free"  # the kinds of node
PAGE = 500  # narrower terms read at a time
CHUNK = 900  # SQLite's bound-parameter limit, with room


@dataclass(frozen=True)
class TreeNode:
    """A row of the keyword tree: a vocabulary, the free keywords (``kind`` FREE, ``id`` None) or a term."""

    kind: str
    id: int | None
    label: str
    photos: int  # photos with an accepted keyword of it (a vocabulary: of any of its terms)
    has_children: bool
    path: tuple[str, ...] = ()  # a term's labels from the top of its hierarchy (filter results only)
    vocabulary: str | None = None  # a term's vocabulary (None: a free keyword)


@dataclass(frozen=True)
class Completion:
    """A term offered while a label is typed: the label typed matched ``matched`` (its preferred label or a
    synonym), and completes to the preferred ``label``."""

    term_id: int
    label: str
    matched: str
    synonym: bool
    vocabulary: str | None
    path: tuple[str, ...]
    ambiguous: bool = False  # another vocabulary has a term of this preferred label: name the vocabulary


def vocabulary_nodes(catalogue: Catalogue) -> list[TreeNode]:
    """The tree's top level: the imported vocabularies by name, then "from files", then free keywords."""
    with catalogue.read() as session:
        photos = dict(session.execute(
            select(Term.vocabulary_id, func.count(func.distinct(PhotoKeyword.photo_id)))
            .join(PhotoKeyword, PhotoKeyword.term_id == Term.id)
            .where(PhotoKeyword.state == KeywordState.ACCEPTED).group_by(Term.vocabulary_id)).all())
        vocabularies = sorted(session.scalars(select(Vocabulary)),
                              key=lambda found: (found.name == FROM_FILES_VOCABULARY, found.name.casefold()))
        nodes = [TreeNode(VOCABULARY, vocabulary.id, vocabulary.name, photos.get(vocabulary.id, 0),
                          _has_terms(session, vocabulary.id)) for vocabulary in vocabularies]
        if _has_terms(session, None):
            nodes.append(TreeNode(FREE, None, "", photos.get(None, 0), True))
        return nodes


def child_nodes(catalogue: Catalogue, kind: str, node_id: int | None, offset: int = 0,
                limit: int = PAGE) -> tuple[list[TreeNode], bool]:
    """A page of the node's children (a vocabulary's top terms, a term's narrower ones, the free
    keywords), in their file's order; and whether more follow."""
    with catalogue.read() as session:
        query = select(Term).where(Term.retired.is_(False))
        if kind == TERM:
            query = (query.join(TermBroader, TermBroader.term_id == Term.id)
                     .where(TermBroader.broader_id == node_id))
        else:
            owner = Term.vocabulary_id.is_(None) if kind == FREE else Term.vocabulary_id == node_id
            query = query.where(owner, Term.id.not_in(select(TermBroader.term_id)))  # the top terms
        terms = list(session.scalars(query.order_by(Term.position, Term.label_key, Term.id)
                                     .offset(offset).limit(limit + 1)))
        more = len(terms) > limit
        terms = terms[:limit]
        return _term_nodes(session, terms, with_path=False), more


def find_nodes(catalogue: Catalogue, text: str, limit: int = 200) -> list[TreeNode]:
    """Terms with a label or synonym containing ``text``, preferred labels starting with it first."""
    key = label_key(text)
    if not key:
        return []
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with catalogue.read() as session:
        # 1 or 0, not a boolean: PostgreSQL has no max() of booleans.
        starts = case((func.substr(TermLabel.key, 1, len(key)) == key, 1), else_=0)
        rows = session.execute(
            select(TermLabel.term_id).join(Term, Term.id == TermLabel.term_id)
            .where(TermLabel.key.like(pattern, escape="\\"), Term.retired.is_(False))
            .group_by(TermLabel.term_id)
            .order_by(func.max(starts).desc(), func.min(func.length(TermLabel.key)), TermLabel.term_id)
            .limit(limit)).scalars().all()
        terms = {term.id: term for term in session.scalars(select(Term).where(Term.id.in_(rows)))}
        return _term_nodes(session, [terms[term_id] for term_id in rows if term_id in terms], with_path=True)


def term_counts(catalogue: Catalogue, term_ids: Sequence[int]) -> dict[int, int]:
    """Photos with each term accepted (terms without any are absent)."""
    with catalogue.read() as session:
        return _counts(session, list(term_ids))


def complete(catalogue: Catalogue, text: str, completer: TermCompleter, limit: int = 12) -> list[Completion]:
    """The terms whose preferred label or a synonym matches ``text`` as typed (search/term_completion.py:
    the label itself, then labels starting with it, then labels with a word starting with it); a synonym
    completes to its preferred label; ``ambiguous`` marks a preferred label two offers share."""
    with catalogue.read() as session:
        found = completer.complete(session, text, limit)
    labels = [completion.label.casefold() for completion in found]
    return [Completion(c.term_id, c.label, c.matched, c.synonym, c.vocabulary, c.path,
                       labels.count(c.label.casefold()) > 1) for c in found]


def term_label(catalogue: Catalogue, term_id: int) -> str | None:
    with catalogue.read() as session:
        return session.scalar(select(Term.label).where(Term.id == term_id))


def photos_having(catalogue: Catalogue, photo_ids: Sequence[int], term_id: int) -> list[int]:
    """Those of ``photo_ids`` that have the keyword ``term_id`` in any state (what a removal can touch)."""
    having: set[int] = set()
    ids = list(photo_ids)
    with catalogue.read() as session:
        for start in range(0, len(ids), CHUNK):
            having.update(session.scalars(select(PhotoKeyword.photo_id).where(
                PhotoKeyword.term_id == term_id, PhotoKeyword.photo_id.in_(ids[start:start + CHUNK]))))
    return [photo_id for photo_id in ids if photo_id in having]


# -- helpers ------------------------------------------------------------------------------------------------


def _has_terms(session: Session, vocabulary_id: int | None) -> bool:
    where = Term.vocabulary_id.is_(None) if vocabulary_id is None else Term.vocabulary_id == vocabulary_id
    return session.scalar(select(Term.id).where(where, Term.retired.is_(False)).limit(1)) is not None


def _counts(session: Session, term_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(term_ids), CHUNK):
        found.update(session.execute(
            select(PhotoKeyword.term_id, func.count())
            .where(PhotoKeyword.term_id.in_(term_ids[start:start + CHUNK]),
                   PhotoKeyword.state == KeywordState.ACCEPTED)
            .group_by(PhotoKeyword.term_id)).all())
    return found


def _term_nodes(session: Session, terms: list[Term], *, with_path: bool) -> list[TreeNode]:
    ids = [term.id for term in terms]
    counts = _counts(session, ids)
    parents: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        parents.update(session.scalars(
            select(TermBroader.broader_id).join(Term, Term.id == TermBroader.term_id)
            .where(TermBroader.broader_id.in_(ids[start:start + CHUNK]), Term.retired.is_(False))))
    return [TreeNode(TERM, term.id, term.label, counts.get(term.id, 0), term.id in parents,
                     tuple(keywords.term_path(session, term)) if with_path else (),
                     _vocabulary_name(session, term)) for term in terms]


def _vocabulary_name(session: Session, term: Term) -> str | None:
    if term.vocabulary_id is None:
        return None
    return session.scalar(select(Vocabulary.name).where(Vocabulary.id == term.vocabulary_id))
