"""What a scan stores of a file's metadata: each description no caption of the photo ever held becomes
an imported caption, and the file's keywords become the photo's. Nothing is imported twice: a rescan,
a moved file or our own write-back finds only texts the photo already had."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS, cut_to_limit
from desktop_app.catalogue.captions import add_caption, current_caption
from desktop_app.catalogue.models import Caption, CaptionOrigin, CaptionRevision, Photo, PhotoKeyword
from desktop_app.library.metadata.fields import IPTC_CAPTION, iptc_value
from desktop_app.library.metadata.read import FileMetadata


def known_texts(session: Session, photo_id: int) -> set[str]:
    """Every text any caption of the photo has had: what we may find in its file without it being news
    (our own write-back, an earlier import, an edited text)."""
    revisions = select(CaptionRevision.text).join(Caption, Caption.id == CaptionRevision.caption_id)
    return set(session.scalars(revisions.where(Caption.photo_id == photo_id))) | set(
        session.scalars(select(Caption.text).where(Caption.photo_id == photo_id))
    )


def import_file_metadata(session: Session, photo: Photo, found: FileMetadata) -> int:
    """Store what a new or changed file says: each description no caption of the photo has ever held
    becomes an imported draft caption (current only if the photo has none), and the photo's keywords
    become the file's. Returns the number of captions added.

    A description changed in the file is a new imported caption beside the old one (whose text stays
    as it was, with its history): the catalogue never rewrites a caption behind the user's back, and
    the same text found again (a rescan, a moved file, our own write-back) adds nothing.
    """
    added = 0
    if found.descriptions:
        known = known_texts(session, photo.id)
        known |= {iptc_value(IPTC_CAPTION, text) for text in known}  # our write-back, cut to IPTC's limit
        for description in found.descriptions:
            text, note = imported_text(description.text)
            if text in known:
                continue
            has_current = current_caption(session, photo.id) is not None
            add_caption(session, photo, text, origin=CaptionOrigin.IMPORTED, author=description.author,
                        make_current=not has_current, note=note)
            known.add(text)
            added += 1
    _replace_keywords(session, photo.id, found.keywords)
    return added


def imported_text(text: str) -> tuple[str, str | None]:
    """An imported description within the catalogue's caption limit (cut_to_limit), and the note for
    its revision when it was cut. The cut moves back to the last space in the final 200 characters
    when there is one, so no word is left half."""
    head, note = cut_to_limit(text)
    if note is None:
        return text, None
    space = head.rfind(" ", len(head) - 200)
    cut = (head[:space] if space > 0 else head).rstrip()
    return cut, f"cut to {MAX_CAPTION_CHARS:,} characters on import; the file holds {len(text):,}"


def _replace_keywords(session: Session, photo_id: int, keywords: Sequence[str]) -> None:
    stored = list(session.scalars(
        select(PhotoKeyword.keyword).where(PhotoKeyword.photo_id == photo_id).order_by(PhotoKeyword.id)
    ))
    if stored == list(keywords):
        return
    session.execute(delete(PhotoKeyword).where(PhotoKeyword.photo_id == photo_id))
    if keywords:
        session.execute(insert(PhotoKeyword), [{"photo_id": photo_id, "keyword": k} for k in keywords])
