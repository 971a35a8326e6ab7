"""What a write-back puts into a file, and what it checks first.

- Photos whose current description, alt text or extended description is approved are written; only
  the approved ones go in. The description and its provenance (reviewer, approval time, model,
  captioner, origin, notice) go to XMP dc:description, IPTC Caption-Abstract and EXIF
  ImageDescription; the alt text and extended description to the IPTC 2021 accessibility properties
  (XMP only: IIM and EXIF have no such fields).
- Keywords: the photo's accepted ones (preferred labels) go to XMP dc:subject and IPTC Keywords, and
  their paths in the vocabulary ("Animals|Mammals|Dogs") to XMP lr:hierarchicalSubject, so that a file
  whose IPTC and XMP disagreed reads back the same in every MWG reader (write.py also brings the IPTC
  digest up to date). dc:subject holds the terms themselves, not their broader terms (a later scan
  would import those as keywords of their own). A keyword the file holds that an editor rejected is
  kept there unless ``remove_rejected``; removed-in-file ones are never written back. A keyword with
  no broader term keeps the deeper path the file already gives it (another program's hierarchy).
  A photo is written when its caption is approved, or when its keywords differ from what its file
  held at the last scan or write (no approved caption needed).
- IPTC Caption-Abstract holds at most 2,000 bytes (IIM's limit; Writer-Editor 32, each keyword 64): a
  longer value is cut there at a UTF-8 character boundary, and the report says so; XMP and EXIF keep
  the full text.
- The plan is compared with what the file holds: only a difference is written.
- A text in a field we would write (description, alt text, extended description) that no reviewed
  text of the photo of that kind ever had was written by another program (even if a rescan imported
  it since): the file is left alone unless forced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue.captions import current_caption
from desktop_app.catalogue.database import Catalogue
from desktop_app.catalogue.keywords import photo_keywords, term_path
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    CaptionRevision,
    KeywordState,
    Photo,
    PhotoKeyword,
    PhotoStatus,
    ReviewState,
    label_key,
)
from desktop_app.catalogue.photos import PhotoQuery, list_photos
from desktop_app.library.file_state import FileState
from desktop_app.library.metadata.fields import (
    EXIF_DESCRIPTION,
    FIELD_NAMES,
    IPTC_CAPTION,
    IPTC_KEYWORDS,
    IPTC_MAX_BYTES,
    IPTC_WRITER,
    NAMESPACE_PREFIX,
    XMP_ALT_TEXT,
    XMP_DESCRIPTION,
    XMP_EXTENDED_DESCRIPTION,
    XMP_HIERARCHICAL,
    XMP_SUBJECT,
    field_name,
    iptc_value,
    iptc_values,
)
from desktop_app.library.metadata.read import meaningful
from desktop_app.library.metadata.report import FieldChange, FileOutcome, WriteStatus


@dataclass(frozen=True)
class ApprovedCaption:
    """An approved caption and its provenance, as plain values: what goes into the file."""

    text: str
    reviewer: str | None
    approved_at: datetime | None
    model_id: str | None
    captioner_id: str | None
    origin: str
    notice: str | None

    def provenance(self) -> dict[str, str]:
        values = {
            "modelId": self.model_id, "captioner": self.captioner_id, "origin": self.origin,
            "reviewer": self.reviewer, "notice": self.notice,
            "approvedAt": self.approved_at.isoformat(timespec="seconds") if self.approved_at else None,
        }
        return {f"Xmp.{NAMESPACE_PREFIX}.{key}": value for key, value in values.items() if value}


@dataclass(frozen=True)
class ApprovedText:
    """An approved alt text or extended description, for its XMP property."""

    key: str  # XMP_ALT_TEXT or XMP_EXTENDED_DESCRIPTION
    text: str
    known: frozenset[str]  # the texts of that kind a person reviewed or we wrote


@dataclass(frozen=True)
class Target:
    """One photo to write, as the catalogue knows it."""

    photo_id: int
    path: str
    format: str | None
    state: FileState  # the file as the catalogue last saw it
    content_hash: str | None
    pending_hash: str | None  # an earlier write-back's new file, if that run was killed before recording it
    caption: ApprovedCaption | None  # the approved description, if it is
    known: frozenset[str]  # descriptions a person reviewed or we wrote: finding one in the file is no news
    keywords: tuple[str, ...] = ()  # the labels the file is to hold (dc:subject, IPTC Keywords)
    accessibility: tuple[ApprovedText, ...] = ()
    keyword_paths: tuple[str, ...] = ()  # lr:hierarchicalSubject, "Animals|Mammals|Dogs"
    keyword_terms: tuple[int, ...] = ()  # the terms of ``keywords``: what the file holds once written
    writes_keywords: bool = False  # the keyword fields are planned (the photo has keywords, or had)


@dataclass(frozen=True)
class FileKeywords:
    """What a photo's file is to hold of its keywords, and whether that differs from what it held."""

    labels: tuple[str, ...]
    paths: tuple[str, ...]
    term_ids: tuple[int, ...]
    pending: bool  # differs from the file as the last scan or write left it


_ACCESSIBILITY = {CaptionKind.ALT_TEXT: XMP_ALT_TEXT,
                  CaptionKind.EXTENDED_DESCRIPTION: XMP_EXTENDED_DESCRIPTION}


def select_targets(
    catalogue: Catalogue, photos: Sequence[int] | PhotoQuery, remove_rejected: bool = False
) -> tuple[list[Target], list[FileOutcome]]:
    """The photos to write, and the outcomes of those refused (nothing approved, missing file...).
    A query selects its photos with an approved description, alt text or extended description, or
    with keywords the file does not hold as they are (``remove_rejected``: rejected ones it holds
    count too); ids are each answered."""
    targets: list[Target] = []
    refused: list[FileOutcome] = []
    paths: dict[int, str] = {}  # term id -> its path, worked out once per run
    with catalogue.read() as session:
        if isinstance(photos, PhotoQuery):
            listings = list(list_photos(session, replace(photos, state=ReviewState.APPROVED)))
            others = _approved_accessibility(session, photos.photo_ids) | _keywords_pending(
                session, photos.photo_ids, remove_rejected)
            others -= {listing.id for listing in listings}
            if others:
                listings += list_photos(session, replace(photos, state=None, photo_ids=tuple(sorted(others))))
        else:
            listings = list(list_photos(session, PhotoQuery(photo_ids=tuple(photos))))
        found_ids = {listing.id for listing in listings}
        for photo_id in ([] if isinstance(photos, PhotoQuery) else photos):
            if photo_id not in found_ids:
                why = f"no photo with id {photo_id}"
                refused.append(FileOutcome(photo_id, "", "", WriteStatus.SKIPPED, why))
        for listing in listings:
            path = listing.path
            accessibility = _accessibility(session, listing.id)
            keywords = file_keywords(session, listing.id, remove_rejected, paths)
            pending = keywords is not None and keywords.pending
            if listing.caption_state is not ReviewState.APPROVED and not accessibility and not pending:
                why = "it has no caption" if listing.caption_id is None else "its caption is not approved"
                refused.append(FileOutcome(listing.id, path, path, WriteStatus.SKIPPED, why))
                continue
            if listing.status is not PhotoStatus.OK:
                missing = listing.status is PhotoStatus.MISSING
                why = "the file is missing" if missing else "the file cannot be read"
                refused.append(FileOutcome(listing.id, path, path, WriteStatus.SKIPPED, why))
                continue
            photo = session.get(Photo, listing.id)
            assert photo is not None
            caption = None
            if listing.caption_state is ReviewState.APPROVED:
                caption = session.get(Caption, listing.caption_id)
            state = FileState(photo.size, photo.mtime_ns, photo.ctime_ns, photo.inode)
            known = _reviewed_texts(session, listing.id, caption.id) if caption is not None else set()
            words = keywords or FileKeywords((), (), (), False)
            targets.append(Target(listing.id, path, photo.format, state, photo.content_hash,
                                  photo.pending_hash, _approved(session, caption) if caption else None,
                                  frozenset(known), words.labels, accessibility, words.paths, words.term_ids,
                                  writes_keywords=keywords is not None))
    return targets, refused


def file_keywords(session: Session, photo_id: int, remove_rejected: bool = False,
                  paths: dict[int, str] | None = None) -> FileKeywords | None:
    """The keywords the photo's file is to hold: its accepted ones, and the rejected ones the file holds
    (unless ``remove_rejected``); None when the photo has no keywords at all (its keyword fields are
    left as they are). ``paths`` caches the terms' paths across photos."""
    paths = {} if paths is None else paths
    keywords = photo_keywords(session, photo_id)
    if not keywords:
        return None
    kept = [keyword for keyword in keywords if keyword.state is KeywordState.ACCEPTED or (
        keyword.state is KeywordState.REJECTED and keyword.in_file and not remove_rejected)]
    kept.sort(key=lambda keyword: (keyword.term.label_key, keyword.term.label))
    held = {keyword.term_id for keyword in keywords if keyword.in_file}
    for keyword in kept:
        if keyword.term_id not in paths:
            paths[keyword.term_id] = "|".join(term_path(session, keyword.term))
    return FileKeywords(labels=tuple(keyword.term.label for keyword in kept),
                        paths=tuple(paths[keyword.term_id] for keyword in kept),
                        term_ids=tuple(keyword.term_id for keyword in kept),
                        pending={keyword.term_id for keyword in kept} != held)


def _keywords_pending(session: Session, among: tuple[int, ...] | None, remove_rejected: bool) -> set[int]:
    """The photos (``among`` them, if given) whose keywords differ from what their files hold: an
    accepted keyword not in the file, or (``remove_rejected``) a rejected one in it."""
    differs = (PhotoKeyword.state == KeywordState.ACCEPTED) & PhotoKeyword.in_file.is_(False)
    if remove_rejected:
        differs |= (PhotoKeyword.state == KeywordState.REJECTED) & PhotoKeyword.in_file.is_(True)
    ids = set(session.scalars(select(PhotoKeyword.photo_id).where(differs).distinct()))
    return ids if among is None else ids & set(among)


def _approved_accessibility(session: Session, among: tuple[int, ...] | None) -> set[int]:
    """The photos (``among`` them, if given) whose current alt text or extended description is approved."""
    query = select(Caption.photo_id).where(
        Caption.kind.in_(tuple(_ACCESSIBILITY)), Caption.is_current.is_(True),
        Caption.state == ReviewState.APPROVED)
    ids = set(session.scalars(query))
    return ids if among is None else ids & set(among)


def _accessibility(session: Session, photo_id: int) -> tuple[ApprovedText, ...]:
    """The photo's approved current alt text and extended description, each with its reviewed texts."""
    found = []
    for kind, key in _ACCESSIBILITY.items():
        caption = current_caption(session, photo_id, kind)
        if caption is not None and caption.state is ReviewState.APPROVED:
            found.append(ApprovedText(key, caption.text,
                                      frozenset(_reviewed_texts(session, photo_id, caption.id, kind))))
    return tuple(found)


def _reviewed_texts(session: Session, photo_id: int, caption_id: int,
                    kind: CaptionKind = CaptionKind.DESCRIPTION) -> set[str]:
    """Texts the file may hold without another program having written them: every text of the caption
    being written (an imported description a person then edited included), and every text of the
    photo's captions of that kind a person approved (we write approved texts only). An imported text
    nobody reviewed is not among them: a rescan importing another program's words does not make them
    ours."""
    own = select(CaptionRevision.text).where(CaptionRevision.caption_id == caption_id)
    approved = (select(CaptionRevision.text).join(Caption, Caption.id == CaptionRevision.caption_id)
                .where(Caption.photo_id == photo_id, Caption.kind == kind,
                       CaptionRevision.state == ReviewState.APPROVED))
    return set(session.scalars(own)) | set(session.scalars(approved))


def _approved(session: Session, caption: Caption) -> ApprovedCaption:
    """The caption with its reviewer: the author of the latest revision (it holds the approved state)."""
    revision = session.scalar(
        select(CaptionRevision)
        .where(CaptionRevision.caption_id == caption.id, CaptionRevision.state == ReviewState.APPROVED)
        .order_by(CaptionRevision.number.desc())
    )
    return ApprovedCaption(
        text=caption.text,
        reviewer=revision.author if revision else caption.author,
        approved_at=revision.created_at if revision else caption.updated_at,
        model_id=caption.model_id,
        captioner_id=caption.captioner_id,
        origin=caption.origin.value,
        notice=caption.notice,
    )


def planned(target: Target, with_iptc: bool, xmp_only: bool = False) -> dict[str, Any]:
    """exiv2 key -> new value (a list for the keyword fields), for every field we write (IPTC values
    within the standard's lengths); ``xmp_only``: the XMP fields alone (a sidecar)."""
    plan: dict[str, Any] = {}
    caption = target.caption
    if caption is not None:
        plan = {XMP_DESCRIPTION: caption.text, EXIF_DESCRIPTION: caption.text}
        if with_iptc:
            plan[IPTC_CAPTION] = iptc_value(IPTC_CAPTION, caption.text)
            if caption.reviewer:
                plan[IPTC_WRITER] = iptc_value(IPTC_WRITER, caption.reviewer)
        plan.update(caption.provenance())
    if target.writes_keywords:  # None: the field removed (the file's last keyword was rejected)
        plan[XMP_SUBJECT] = list(target.keywords) or None
        plan[XMP_HIERARCHICAL] = list(target.keyword_paths) or None
        if with_iptc:
            plan[IPTC_KEYWORDS] = iptc_values(IPTC_KEYWORDS, list(target.keywords)) or None
    plan.update({text.key: text.text for text in target.accessibility})
    if xmp_only:
        return {key: value for key, value in plan.items() if key.startswith("Xmp.")}
    return plan


def cut_notes(plan: dict[str, Any], target: Target) -> tuple[str, ...]:
    """What the report says about values cut to the IPTC lengths."""
    notes = []
    caption = target.caption
    texts = (caption.text, caption.reviewer or "") if caption else ("", "")
    for key, full in zip((IPTC_CAPTION, IPTC_WRITER), texts, strict=True):
        if key in plan and plan[key] != full:
            kept, whole = len(plan[key].encode("utf-8")), len(full.encode("utf-8"))
            notes.append(f"{FIELD_NAMES[key]} cut to {kept:,} bytes (IPTC allows {IPTC_MAX_BYTES[key]:,}; "
                         f"the text is {whole:,})"
                         + ("; XMP and EXIF hold the full text" if key == IPTC_CAPTION else ""))
    kept_words = plan.get(IPTC_KEYWORDS) or ()
    cut = [word for word, kept in zip(target.keywords, kept_words, strict=False) if word != kept]
    if cut:
        notes.append(f"{len(cut)} IPTC Keywords cut to {IPTC_MAX_BYTES[IPTC_KEYWORDS]} bytes (IPTC's limit; "
                     f"XMP dc:subject holds them whole): {', '.join(_quote(word, 30) for word in cut)}")
    return tuple(notes)


def with_file_hierarchy(plan: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """``plan`` with each keyword path of one level ("Zürich", a term with no broader term in the
    catalogue) replaced by the deeper paths to it the file holds ("Places|Europe|Zürich"): another
    program's hierarchy is kept, not flattened."""
    paths, held = plan.get(XMP_HIERARCHICAL), current.get(XMP_HIERARCHICAL)
    if not paths or not held:
        return plan
    deeper: dict[str, list[str]] = {}
    for path in held:
        if "|" in path:
            deeper.setdefault(label_key(path.rsplit("|", 1)[1]), []).append(path)
    kept = [found for path in paths
            for found in (deeper.get(label_key(path), [path]) if "|" not in path else [path])]
    return {**plan, XMP_HIERARCHICAL: list(dict.fromkeys(kept))}


def changes(plan: dict[str, Any], current: dict[str, Any]) -> tuple[FieldChange, ...]:
    """The planned values the file does not hold yet (lists shown "a; b")."""
    return tuple(FieldChange(field_name(key), _shown(current.get(key)), _shown(value) or "")
                 for key, value in plan.items() if current.get(key) != value)


def _shown(value: Any) -> str | None:
    return "; ".join(value) if isinstance(value, list) else value


def foreign(target: Target, current: dict[str, Any], plan: dict[str, Any]) -> str | None:
    """Why the file is not ours to overwrite, if so: a field we would write holds a text that none of
    the photo's reviewed texts of its kind ever had (another program's)."""
    if target.caption is not None:
        ours = {target.caption.text, *target.known}
        ours |= {iptc_value(IPTC_CAPTION, text) for text in ours}  # what we wrote to IPTC, cut to its limit
        for key in (XMP_DESCRIPTION, IPTC_CAPTION, EXIF_DESCRIPTION):
            text = current.get(key)
            if key in plan and meaningful(text) and text not in ours:
                return f"{FIELD_NAMES[key]} holds a description Photo Annotator did not write " \
                       f"({_quote(text)}): use --force to overwrite it"
    for approved in target.accessibility:
        text = current.get(approved.key)
        if approved.key in plan and meaningful(text) and text not in {approved.text, *approved.known}:
            return f"{FIELD_NAMES[approved.key]} holds a text Photo Annotator did not write " \
                   f"({_quote(text)}): use --force to overwrite it"
    return None


def _quote(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= width else text[: width - 1] + "…") + '"'
