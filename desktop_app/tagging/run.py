"""A tagging run's parts, without the job queue: the vocabulary a tagger suggests from, the photos as
``TagItem``s (current description, its stored vector, the decoded photo) and the suggestions stored as
suggested keywords. The job runner (jobs/tag_job.py) strings them together batch by batch.

Which vocabularies: those named, else every imported one. The "from files" vocabulary (keywords found
in files that no imported vocabulary has) is suggested from only when named: its terms are what other
programs wrote, not a vocabulary a librarian chose. Retired terms are never suggested.

A suggestion never touches a keyword a person decided (``suggest_keyword``); the tagger is asked for
``top_n`` plus the photo's decided terms, so decided terms do not crowd out new ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue.keyword_rules import DECIDED, FROM_FILES_VOCABULARY
from desktop_app.catalogue.keywords import suggest_keyword
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    Embedding,
    PhotoKeyword,
    Term,
    TermBroader,
    TermLabel,
    Vocabulary,
    VocabularyKind,
)
from desktop_app.plugin_api.tagger import Suggestion, Tagger, TaggerInput, TagItem, VocabularyTerm
from desktop_app.search.vector_store import chunks, from_blob, text_hash

if TYPE_CHECKING:
    from PIL import Image

# Photos decoded for a pixel tagger at most this large: CLIP-like models resize to 224-384 px.
MAX_IMAGE_SIDE = 768
TAG_BATCH = 32  # photos per batch: one transaction each, and the step between pause checks


class TaggingError(ValueError):
    """A tagging run that cannot start (an unknown vocabulary, none to suggest from), in one line."""


@dataclass(frozen=True)
class StoredSuggestion:
    """A suggestion as stored for a photo (decided terms are never among them)."""

    term_id: int
    label: str
    vocabulary: str | None
    score: float
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"term": self.label, "term_id": self.term_id, "vocabulary": self.vocabulary,
                "score": round(self.score, 4), "evidence": list(self.evidence)}


@dataclass
class Vocabularies:
    """The terms of a run, and what is needed to name a suggestion (label, vocabulary) when storing it."""

    names: list[str]
    terms: list[VocabularyTerm]
    vocabulary_of: dict[int, str] = field(default_factory=dict)

    def label_of(self, term_id: int) -> str:
        return self._labels[term_id]

    def __post_init__(self) -> None:
        self._labels = {term.term_id: term.labels[0] for term in self.terms}


def vocabulary_names(session: Session, names: Sequence[str] | None) -> list[str]:
    """The vocabularies a run suggests from (see the module's doc); TaggingError names an unknown one."""
    known = {vocabulary.name: vocabulary for vocabulary in session.scalars(select(Vocabulary))}
    if names:
        unknown = [name for name in names if name not in known]
        if unknown:
            listed = ", ".join(sorted(known)) or "none; import one with `photo-annotator vocab import`"
            raise TaggingError(f"no vocabulary named {unknown[0]!r} (vocabularies: {listed})")
        return list(dict.fromkeys(names))
    imported = [name for name, vocabulary in sorted(known.items())
                if vocabulary.kind is VocabularyKind.IMPORTED]
    if not imported:
        hint = f' (or name "{FROM_FILES_VOCABULARY}" with --vocab)' if FROM_FILES_VOCABULARY in known else ""
        raise TaggingError("no vocabulary to suggest keywords from: import one with "
                           f"`photo-annotator vocab import FILE --name NAME`{hint}")
    return imported


def load_vocabularies(session: Session, names: Sequence[str] | None) -> Vocabularies:
    """The non-retired terms of the named vocabularies (else every imported one) as VocabularyTerms:
    preferred label first, then synonyms; the path of broader terms above, top first."""
    chosen = vocabulary_names(session, names)
    rows = session.execute(
        select(Term.id, Term.label, Vocabulary.name).join(Vocabulary, Vocabulary.id == Term.vocabulary_id)
        .where(Vocabulary.name.in_(chosen), Term.retired.is_(False)).order_by(Vocabulary.name, Term.position,
                                                                              Term.id)).all()
    labels: dict[int, list[str]] = {term_id: [label] for term_id, label, _name in rows}
    for term_id, label in session.execute(select(TermLabel.term_id, TermLabel.label)
                                          .join(Term, Term.id == TermLabel.term_id)
                                          .join(Vocabulary, Vocabulary.id == Term.vocabulary_id)
                                          .where(Vocabulary.name.in_(chosen), Term.retired.is_(False),
                                                 TermLabel.preferred.is_(False)).order_by(TermLabel.id)):
        if label not in labels[term_id]:
            labels[term_id].append(label)
    paths = _paths(session, chosen)
    terms = [VocabularyTerm(term_id, tuple(labels[term_id]), paths.get(term_id, ()))
             for term_id, _label, _name in rows]
    return Vocabularies(chosen, terms, {term_id: name for term_id, _label, name in rows})


def _paths(session: Session, names: Sequence[str]) -> dict[int, tuple[str, ...]]:
    """Each term's broader labels, top first, along its first broader term (a polyhierarchy has
    several paths; one is context enough for a tagger)."""
    broader: dict[int, int] = {}
    for term_id, broader_id in session.execute(
            select(TermBroader.term_id, TermBroader.broader_id).join(Term, Term.id == TermBroader.term_id)
            .join(Vocabulary, Vocabulary.id == Term.vocabulary_id).where(Vocabulary.name.in_(names))
            .order_by(TermBroader.term_id, TermBroader.broader_id)):
        broader.setdefault(term_id, broader_id)
    if not broader:
        return {}
    label: dict[int, str] = {term_id: text for term_id, text in session.execute(
        select(Term.id, Term.label).join(Vocabulary, Vocabulary.id == Term.vocabulary_id)
        .where(Vocabulary.name.in_(names)))}
    paths: dict[int, tuple[str, ...]] = {}
    for term_id in broader:
        path: list[str] = []
        seen = {term_id}
        current = broader.get(term_id)
        while current is not None and current not in seen and current in label:
            seen.add(current)
            path.append(label[current])
            current = broader.get(current)
        paths[term_id] = tuple(reversed(path))
    return paths


def captions_of(session: Session, photo_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """photo id -> (caption id, text) of its current description."""
    found: dict[int, tuple[int, str]] = {}
    for chunk in chunks(photo_ids):
        for caption_id, photo_id, text in session.execute(
                select(Caption.id, Caption.photo_id, Caption.text).where(
                    Caption.photo_id.in_(chunk), Caption.kind == CaptionKind.DESCRIPTION,
                    Caption.is_current.is_(True))):
            found[photo_id] = (caption_id, text)
    return found


def caption_vectors(session: Session, model_id: str, captions: Iterable[tuple[int, str]]) -> dict[int, Any]:
    """caption id -> its vector of ``model_id`` stored by `embed`, for those whose vector is current
    (embedded from the caption's text as it is now)."""
    wanted = {caption_id: text_hash(text) for caption_id, text in captions}
    found: dict[int, Any] = {}
    for chunk in chunks(list(wanted)):
        for caption_id, blob, dimension, digest in session.execute(
                select(Embedding.caption_id, Embedding.vector, Embedding.dimension, Embedding.content_hash)
                .where(Embedding.caption_id.in_(chunk), Embedding.model_id == model_id)):
            if wanted.get(caption_id) == digest:
                found[caption_id] = from_blob(blob, dimension)
    return found


def tag_items(session: Session, tagger: Tagger, photo_ids: Sequence[int],
              images: dict[int, Image.Image] | None = None) -> list[TagItem]:
    """The photos as the tagger takes them: the current description (and, when the tagger uses them,
    its stored vector) and the decoded photo (``images``, for pixel taggers)."""
    captions = captions_of(session, photo_ids) if TaggerInput.CAPTION in tagger.inputs else {}
    vectors: dict[int, Any] = {}
    if captions and tagger.caption_vector_model:
        vectors = caption_vectors(session, tagger.caption_vector_model, captions.values())
    items = []
    for photo_id in photo_ids:
        caption_id, text = captions.get(photo_id, (None, None))
        items.append(TagItem(photo_id, caption=text, caption_vector=vectors.get(caption_id or -1),
                             image=(images or {}).get(photo_id)))
    return items


def decided_terms(session: Session, photo_ids: Sequence[int]) -> dict[int, set[int]]:
    """photo id -> the terms a person decided for it (never suggested again)."""
    found: dict[int, set[int]] = {photo_id: set() for photo_id in photo_ids}
    for chunk in chunks(photo_ids):
        for photo_id, term_id in session.execute(select(PhotoKeyword.photo_id, PhotoKeyword.term_id).where(
                PhotoKeyword.photo_id.in_(chunk), PhotoKeyword.state.in_(list(DECIDED)))):
            found[photo_id].add(term_id)
    return found


def suggest(tagger: Tagger, items: Sequence[TagItem], decided: dict[int, set[int]], *, top_n: int,
            threshold: float) -> list[list[Suggestion]]:
    """The tagger's suggestions for ``items``, decided terms left out, at most ``top_n`` each. The
    tagger is asked for enough more that decided terms do not take the places of new ones."""
    extra = max((len(decided.get(item.photo_id, ())) for item in items), default=0)
    found = tagger.suggest(items, top_n=top_n + extra, threshold=threshold)
    if len(found) != len(items):
        raise RuntimeError(f"tagger {tagger.id} returned {len(found)} results for {len(items)} photos")
    kept = []
    for item, suggestions in zip(items, found, strict=True):
        skip = decided.get(item.photo_id, set())
        fresh = [s for s in suggestions if s.term_id not in skip and s.score >= threshold]
        kept.append(sorted(fresh, key=lambda s: -s.score)[:top_n])
    return kept


def store_suggestions(session: Session, photo_id: int, suggestions: Sequence[Suggestion],
                      vocabularies: Vocabularies, *, tagger_id: str, model_id: str | None,
                      author: str) -> list[StoredSuggestion]:
    """Store a photo's suggestions as suggested keywords (a keyword a person decided in the meantime
    is left alone and not reported); what was stored."""
    stored = []
    for suggestion in suggestions:
        if suggestion.term_id not in vocabularies.vocabulary_of:
            continue  # a tagger suggesting a term it was not given: ignored
        score = min(1.0, max(0.0, float(suggestion.score)))
        keyword = suggest_keyword(session, photo_id, suggestion.term_id, confidence=score,
                                  tagger_id=tagger_id, model_id=model_id, evidence=list(suggestion.evidence),
                                  author=author)
        if keyword is not None:
            stored.append(StoredSuggestion(suggestion.term_id, vocabularies.label_of(suggestion.term_id),
                                           vocabularies.vocabulary_of.get(suggestion.term_id), score,
                                           tuple(suggestion.evidence)))
    return stored
