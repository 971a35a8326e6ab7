"""What a write-back puts into a file, and what it checks first.

- Only photos whose current caption is approved are written: their text and provenance (reviewer,
  approval time, model, captioner, origin, notice) make the plan, exiv2 key -> value.
- IPTC Caption-Abstract holds at most 2,000 bytes (IIM's limit; Writer-Editor 32): a longer value is
  cut there at a UTF-8 character boundary, and the report says so; XMP and EXIF keep the full text.
- The plan is compared with what the file holds: only a difference is written.
- A description in the file that no reviewed text of the photo ever had was written by another
  program (even if a rescan imported it since): the file is left alone unless forced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue.database import Catalogue
from desktop_app.catalogue.models import Caption, CaptionRevision, Photo, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, list_photos
from desktop_app.library.file_state import FileState
from desktop_app.library.metadata.fields import (
    EXIF_DESCRIPTION,
    FIELD_NAMES,
    IPTC_CAPTION,
    IPTC_MAX_BYTES,
    IPTC_WRITER,
    NAMESPACE_PREFIX,
    XMP_DESCRIPTION,
    field_name,
    iptc_value,
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
class Target:
    """One photo to write, as the catalogue knows it."""

    photo_id: int
    path: str
    format: str | None
    state: FileState  # the file as the catalogue last saw it
    content_hash: str | None
    pending_hash: str | None  # an earlier write-back's new file, if that run was killed before recording it
    caption: ApprovedCaption
    known: frozenset[str]  # texts a person reviewed or we wrote: finding one in the file is no news


def select_targets(
    catalogue: Catalogue, photos: Sequence[int] | PhotoQuery
) -> tuple[list[Target], list[FileOutcome]]:
    """The photos to write, and the outcomes of those refused (no approved caption, missing file...).
    A query selects its approved photos only; ids are each answered."""
    if isinstance(photos, PhotoQuery):
        query = replace(photos, state=ReviewState.APPROVED)
    else:
        query = PhotoQuery(photo_ids=tuple(photos))
    targets: list[Target] = []
    refused: list[FileOutcome] = []
    with catalogue.read() as session:
        listings = list(list_photos(session, query))
        found_ids = {listing.id for listing in listings}
        for photo_id in ([] if isinstance(photos, PhotoQuery) else photos):
            if photo_id not in found_ids:
                why = f"no photo with id {photo_id}"
                refused.append(FileOutcome(photo_id, "", "", WriteStatus.SKIPPED, why))
        for listing in listings:
            path = listing.path
            if listing.caption_state is not ReviewState.APPROVED:
                why = "it has no caption" if listing.caption_id is None else "its caption is not approved"
                refused.append(FileOutcome(listing.id, path, path, WriteStatus.SKIPPED, why))
                continue
            if listing.status is not PhotoStatus.OK:
                missing = listing.status is PhotoStatus.MISSING
                why = "the file is missing" if missing else "the file cannot be read"
                refused.append(FileOutcome(listing.id, path, path, WriteStatus.SKIPPED, why))
                continue
            photo = session.get(Photo, listing.id)
            caption = session.get(Caption, listing.caption_id)
            assert photo is not None and caption is not None
            state = FileState(photo.size, photo.mtime_ns, photo.ctime_ns, photo.inode)
            targets.append(Target(listing.id, path, photo.format, state, photo.content_hash,
                                  photo.pending_hash, _approved(session, caption),
                                  frozenset(_reviewed_texts(session, listing.id, caption.id))))
    return targets, refused


def _reviewed_texts(session: Session, photo_id: int, caption_id: int) -> set[str]:
    """Texts the file may hold without another program having written them: every text of the caption
    being written (an imported description a person then edited included), and every text of the
    photo a person approved (we write approved texts only). An imported description nobody reviewed
    is not among them: a rescan importing another program's words does not make them ours."""
    own = select(CaptionRevision.text).where(CaptionRevision.caption_id == caption_id)
    approved = (select(CaptionRevision.text).join(Caption, Caption.id == CaptionRevision.caption_id)
                .where(Caption.photo_id == photo_id, CaptionRevision.state == ReviewState.APPROVED))
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


def planned(caption: ApprovedCaption, with_iptc: bool, xmp_only: bool = False) -> dict[str, str]:
    """exiv2 key -> new value, for every field we write (IPTC values within the standard's lengths);
    ``xmp_only``: the XMP fields alone (a sidecar)."""
    plan = {XMP_DESCRIPTION: caption.text, EXIF_DESCRIPTION: caption.text}
    if with_iptc:
        plan[IPTC_CAPTION] = iptc_value(IPTC_CAPTION, caption.text)
        if caption.reviewer:
            plan[IPTC_WRITER] = iptc_value(IPTC_WRITER, caption.reviewer)
    plan.update(caption.provenance())
    if xmp_only:
        return {key: value for key, value in plan.items() if key.startswith("Xmp.")}
    return plan


def cut_notes(plan: dict[str, str], caption: ApprovedCaption) -> tuple[str, ...]:
    """What the report says about values cut to the IPTC lengths."""
    notes = []
    for key, full in ((IPTC_CAPTION, caption.text), (IPTC_WRITER, caption.reviewer or "")):
        if key in plan and plan[key] != full:
            kept, whole = len(plan[key].encode("utf-8")), len(full.encode("utf-8"))
            notes.append(f"{FIELD_NAMES[key]} cut to {kept:,} bytes (IPTC allows {IPTC_MAX_BYTES[key]:,}; "
                         f"the text is {whole:,})"
                         + ("; XMP and EXIF hold the full text" if key == IPTC_CAPTION else ""))
    return tuple(notes)


def changes(plan: dict[str, str], current: dict[str, Any]) -> tuple[FieldChange, ...]:
    """The planned values the file does not hold yet."""
    return tuple(FieldChange(field_name(key), current.get(key), value)
                 for key, value in plan.items() if current.get(key) != value)


def foreign(target: Target, current: dict[str, Any]) -> str | None:
    """Why the file is not ours to overwrite, if so: it holds a description that none of the photo's
    reviewed texts ever had (another program's)."""
    ours = {target.caption.text, *target.known}
    ours |= {iptc_value(IPTC_CAPTION, text) for text in ours}  # what we wrote to IPTC, cut to its limit
    for key in (XMP_DESCRIPTION, IPTC_CAPTION, EXIF_DESCRIPTION):
        text = current.get(key)
        if meaningful(text) and text not in ours:
            return f"{FIELD_NAMES[key]} holds a description Photo Annotator did not write " \
                   f"({_quote(text)}): use --force to overwrite it"
    return None


def _quote(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= width else text[: width - 1] + "…") + '"'
