"""What a scan stores of a file's metadata: its descriptions, alt texts and extended descriptions as
imported captions of their kind, its keywords and descriptive fields as the photo's.

The text the MWG rules pick (read.py) is the current imported caption of a new photo, and replaces
the current caption on a rescan only when that is itself an imported draft no person touched (never
an AI draft, a person's text, or anything approved or rejected). Every other distinct text is an
imported alternative beside it. Nothing is imported twice and nothing is deleted: a rescan, a moved
file or our own write-back finds only texts the photo already had.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS, cut_to_limit
from desktop_app.catalogue.captions import add_caption, choose_caption, current_caption
from desktop_app.catalogue.keywords import sync_file_keywords
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    CaptionOrigin,
    CaptionRevision,
    Photo,
    ReviewState,
)
from desktop_app.library.metadata.fields import IPTC_CAPTION, iptc_value
from desktop_app.library.metadata.read import IMPORTED_AUTHOR, FileMetadata, FoundTexts


def known_texts(session: Session, photo_id: int, kind: CaptionKind = CaptionKind.DESCRIPTION) -> set[str]:
    """Every text any caption of the photo of ``kind`` has had: what we may find in its file without it
    being news (our own write-back, an earlier import, an edited text)."""
    revisions = (select(CaptionRevision.text).join(Caption, Caption.id == CaptionRevision.caption_id)
                 .where(Caption.photo_id == photo_id, Caption.kind == kind))
    return set(session.scalars(revisions)) | set(
        session.scalars(select(Caption.text).where(Caption.photo_id == photo_id, Caption.kind == kind))
    )


def import_file_metadata(session: Session, photo: Photo, found: FileMetadata) -> int:
    """Store what a new or changed file says: its texts as imported captions of their kinds (the MWG
    pick current where the rule allows), its keywords (MWG Keywords) and its descriptive fields.
    Returns the number of captions added.

    A description changed in the file is a new imported caption beside the old one (whose text stays
    as it was, with its history): the catalogue never rewrites a caption's text behind the user's
    back, and the same text found again adds nothing.
    """
    added = 0
    for kind, texts in ((CaptionKind.DESCRIPTION, found.description), (CaptionKind.ALT_TEXT, found.alt_text),
                        (CaptionKind.EXTENDED_DESCRIPTION, found.extended_description)):
        if texts.texts:
            added += _import_kind(session, photo, kind, texts)
    sync_file_keywords(session, photo, found.keywords)
    if photo.file_fields != found.fields:
        photo.file_fields = found.fields
    if photo.date_taken is None and found.date_taken is not None:  # EXIF had none: MWG's IPTC/XMP date
        photo.date_taken = found.date_taken
    # A photo imported from the web elsewhere (its XMP dc:source) keeps its address here too; an address
    # the catalogue already holds (an import's) is never replaced by what a file says.
    if photo.source_url is None and found.source and found.source.lower().startswith(("http://", "https://")):
        photo.source_url = found.source
    return added


def _import_kind(session: Session, photo: Photo, kind: CaptionKind, found: FoundTexts) -> int:
    known = known_texts(session, photo.id, kind)
    if kind is CaptionKind.DESCRIPTION:
        known |= {iptc_value(IPTC_CAPTION, text) for text in known}  # our write-back, cut to IPTC's limit
    added = 0
    current = current_caption(session, photo.id, kind)
    picked = next((d for d in found.texts if d.text == found.picked), None)
    if picked is not None:
        text, note = imported_text(picked.text)
        if current is None or (current.text != text and _untouched_import(session, current)):
            if text not in known:
                current = add_caption(session, photo, text, origin=CaptionOrigin.IMPORTED,
                                      author=picked.author, make_current=True, note=note, kind=kind)
                known.add(text)
                added += 1
            else:  # an earlier import of the same text, not current: it is again
                earlier = session.scalar(select(Caption).where(
                    Caption.photo_id == photo.id, Caption.kind == kind, Caption.text == text
                ).order_by(Caption.id.desc()))
                if earlier is not None:
                    current = choose_caption(session, photo, earlier.id, author=picked.author)
    for description in found.texts:
        text, note = imported_text(description.text)
        if text in known:
            continue
        caption = add_caption(session, photo, text, origin=CaptionOrigin.IMPORTED, author=description.author,
                              make_current=current is None, note=note, kind=kind)
        current = current or caption
        known.add(text)
        added += 1
    return added


def _untouched_import(session: Session, caption: Caption) -> bool:
    """An imported draft no person reviewed, edited or chose: the scan may make another import current."""
    if caption.origin is not CaptionOrigin.IMPORTED or caption.state is not ReviewState.DRAFT:
        return False
    authors = session.scalars(select(CaptionRevision.author).where(CaptionRevision.caption_id == caption.id))
    return all((author or "").startswith(IMPORTED_AUTHOR) for author in authors)


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
