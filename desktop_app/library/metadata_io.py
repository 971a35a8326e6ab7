"""Descriptions and keywords in photo files: read on scan (imported captions), approved captions written back.

Reading (``read_file_metadata``), in this order of preference, each distinct text once:
- embedded XMP ``dc:description`` (x-default, else the first language), IPTC Caption-Abstract (the
  IPTC 1:90 character set honoured: UTF-8 when declared, else UTF-8 when the bytes are, else
  Latin-1), EXIF ImageDescription, XPComment and UserComment;
- XMP sidecars: ``photo.jpg.xmp`` (digiKam, darktable) and ``photo.xmp`` (Lightroom, Bridge);
- ``photo.txt`` / ``photo.caption`` beside the photo (the dataset-captioning convention).
Keywords come from XMP ``dc:subject``, IPTC Keywords and EXIF XPKeywords, embedded and in sidecars.
Camera placeholders ("OLYMPUS DIGITAL CAMERA", "SONY DSC"...) are not descriptions. Reading goes
through exiv2 (pyexiv2, C++), which reads the metadata segments only, never the pixels.

Writing (``write_metadata``) touches only photos whose current caption is approved:
- fields: XMP ``dc:description`` (x-default; other languages kept), IPTC Caption-Abstract with the
  UTF-8 character set declared (ESC % G), EXIF ImageDescription, and provenance: IPTC Writer-Editor
  (the reviewer) and our XMP namespace ``photoannotator`` (model, captioner, origin, reviewer,
  approved-at, notice). EXIF ImageDescription is an ASCII field in EXIF 2.3; like exiftool (whose
  EXIF charset defaults to UTF-8) we store non-ASCII text there as UTF-8, which EXIF 3.0 permits.
  WebP files have no IPTC block: that field is skipped there and the report says so.
- sidecar mode writes ``photo.jpg.xmp`` (the digiKam convention; ``sidecar_name="photo.xmp"`` writes
  the Lightroom one instead), merging into an existing sidecar: other fields are kept.
- IPTC Caption-Abstract holds at most 2,000 bytes (IIM's limit; Writer-Editor 32): a longer caption
  is cut there at a UTF-8 character boundary, the report says so, and XMP and EXIF keep the full text.
- embed mode (JPEG, TIFF, PNG, WebP): the new file is made in memory, checked (fields re-read, decoded
  pixels identical), written to a hidden temporary file in the photo's folder (the exports' naming:
  within the 255-byte name limit, a killed run's leftovers cleared) and moved over the original with
  ``os.replace``: any failure leaves the original untouched. The new file's hash is recorded as
  pending before the replace, and the catalogue then records the new size, times and hash, so a
  rescan sees an unchanged file and a run killed in between recognises the file as its own write.
- a photo whose file changed since the last scan (file_state's rule: only a different hash is a
  change), or whose file holds a description that no reviewed text of the photo ever had (another
  program wrote it, even if a rescan imported it since), is skipped unless ``force``.
"""

from __future__ import annotations

import enum
import io
import logging
import os
import re
import shutil
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pyexiv2
from PIL import Image
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from desktop_app import atomic_files
from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS, cut_to_limit
from desktop_app.catalogue.captions import add_caption, current_caption
from desktop_app.catalogue.database import Catalogue
from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Embedding,
    Photo,
    PhotoKeyword,
    PhotoStatus,
    ReviewState,
)
from desktop_app.catalogue.photos import PhotoQuery, display_path, list_photos
from desktop_app.errors import one_line, write_error_reason
from desktop_app.library.file_state import FileState, content_hash_of, hash_file, needs_rehash, stat_outdated
from desktop_app.library.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

NAMESPACE_URI = "http://photo-annotator.org/ns/1.0/"
NAMESPACE_PREFIX = "photoannotator"
pyexiv2.set_log_level(4)  # exiv2 warns on stderr about every odd vendor tag; we report what matters
pyexiv2.registerNs(NAMESPACE_URI, NAMESPACE_PREFIX)

XMP_DESCRIPTION = "Xmp.dc.description"
XMP_SUBJECT = "Xmp.dc.subject"
IPTC_CHARSET = "Iptc.Envelope.CharacterSet"
IPTC_CAPTION = "Iptc.Application2.Caption"
IPTC_KEYWORDS = "Iptc.Application2.Keywords"
IPTC_WRITER = "Iptc.Application2.Writer"
EXIF_DESCRIPTION = "Exif.Image.ImageDescription"
UTF8_CHARSET = "\x1b%G"  # ISO 2022 escape for UTF-8, the value of IPTC 1:90
# IPTC IIM 4.2 maximum lengths in bytes: longer values break readers that trust the standard.
IPTC_MAX_BYTES = {IPTC_CAPTION: 2000, IPTC_WRITER: 32, IPTC_KEYWORDS: 64}

# Field names as the user reads them (report lines, authors of imported captions).
FIELD_NAMES = {
    XMP_DESCRIPTION: "XMP dc:description",
    IPTC_CAPTION: "IPTC Caption-Abstract",
    EXIF_DESCRIPTION: "EXIF ImageDescription",
    "Exif.Image.XPComment": "EXIF XPComment",
    "Exif.Photo.UserComment": "EXIF UserComment",
    IPTC_WRITER: "IPTC Writer-Editor",
}
PROVENANCE_FIELDS = ("modelId", "captioner", "origin", "reviewer", "approvedAt", "notice")

EMBED_FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "TIFF": ".tif", "PNG": ".png", "WEBP": ".webp"}
_EXTENSION_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".tif": "TIFF", ".tiff": "TIFF",
                      ".png": "PNG", ".webp": "WEBP"}
NO_IPTC_FORMATS = {"WEBP"}  # exiv2 (and the format) keep no IPTC block in WebP

TEXT_SIDECARS = (".txt", ".caption")
MAX_TEXT_SIDECAR = 64 * 1024  # a caption, not a book: bigger files are someone else's

# What cameras and phones put in ImageDescription when nobody wrote anything.
_PLACEHOLDERS = {
    "olympus digital camera", "sony dsc", "digital camera", "default", "image", "untitled",
    "exif_jpeg_picture", "exif jpeg picture", "minolta digital camera", "kodak digital still camera",
    "samsung", "dcim", "picasa", "camera", "photo", "no description",
}
_USER_COMMENT_CHARSET = re.compile(r'^charset="?(Ascii|Unicode|Jis|Undefined)"?\s*', re.IGNORECASE)

_EMPTY_XMP_PACKET = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    "</x:xmpmeta>\n"
    '<?xpacket end="w"?>\n'
)


class MetadataWriteError(Exception):
    """Writing one file failed; the message is one line and the file is untouched."""


# -- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundDescription:
    """A description found in a file, and where: "XMP dc:description", "photo.jpg.xmp", "photo.txt"."""

    text: str
    source: str

    @property
    def author(self) -> str:
        """The author of the caption imported from it."""
        return f"imported from {self.source}"


@dataclass(frozen=True)
class FileMetadata:
    """What a photo's metadata and sidecars say about it, as plain values."""

    descriptions: tuple[FoundDescription, ...] = ()  # distinct texts, most trusted source first
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.descriptions or self.keywords)


def read_file_metadata(path: str, embedded: bool = True) -> FileMetadata:
    """Descriptions and keywords of the photo at ``path``, embedded and in its sidecars.

    Never raises for a file or sidecar it cannot read: what can be read is returned (a scan must
    not fail a photo over a broken metadata block)."""
    descriptions: list[FoundDescription] = []
    keywords: list[str] = []
    if embedded:
        try:
            with _open_image(path) as image:
                found, words = _descriptions_and_keywords(image, with_iptc_exif=True)
        except Exception as exc:  # an unsupported or broken container: no metadata, still a photo
            log.debug("no metadata read from %s: %s", path, one_line(exc))
        else:
            descriptions += found
            keywords += words
    for sidecar in xmp_sidecars(path):
        name = os.path.basename(sidecar)
        try:
            with _open_image(sidecar) as image:
                found, words = _descriptions_and_keywords(image, with_iptc_exif=False)
        except Exception as exc:
            log.info("cannot read XMP sidecar %s: %s", display_path(sidecar), one_line(exc))
            continue
        descriptions += [FoundDescription(d.text, name) for d in found]
        keywords += words
    for sidecar in text_sidecars(path):
        text = _read_text_sidecar(sidecar)
        if text:
            descriptions.append(FoundDescription(text, os.path.basename(sidecar)))
    return FileMetadata(_distinct_descriptions(descriptions), _distinct(keywords))


def xmp_sidecars(path: str) -> list[str]:
    """The XMP sidecars of ``path`` that exist: ``photo.jpg.xmp`` (digiKam), ``photo.xmp`` (Lightroom)."""
    stem = os.path.splitext(path)[0]
    return [candidate for candidate in (path + ".xmp", stem + ".xmp") if os.path.isfile(candidate)]


def text_sidecars(path: str) -> list[str]:
    stem = os.path.splitext(path)[0]
    return [stem + ext for ext in TEXT_SIDECARS if os.path.isfile(stem + ext)]


def sidecar_path(path: str, sidecar_name: str = "photo.jpg.xmp") -> str:
    """Where the XMP sidecar of ``path`` goes: "photo.jpg.xmp" (digiKam) or "photo.xmp" (Lightroom)."""
    if sidecar_name == "photo.xmp":
        return os.path.splitext(path)[0] + ".xmp"
    if sidecar_name == "photo.jpg.xmp":
        return path + ".xmp"
    raise ValueError(f"unknown sidecar naming {sidecar_name!r}: photo.jpg.xmp or photo.xmp")


def _open_image(path: str) -> Any:
    """A pyexiv2 handle on ``path``. exiv2 takes UTF-8 file names: a name that is not valid UTF-8
    (old archives) is read into memory instead."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        with open(path, "rb") as fp:
            return pyexiv2.ImageData(fp.read())
    return pyexiv2.Image(path)


def _descriptions_and_keywords(image: Any, with_iptc_exif: bool) -> tuple[list[FoundDescription], list[str]]:
    fields = _description_fields(image, with_iptc_exif)
    found = [FoundDescription(text, FIELD_NAMES[key]) for key, text in fields.items()
             if key != "keywords" and _meaningful(text)]
    return found, list(fields.get("keywords") or [])


def _description_fields(image: Any, with_iptc_exif: bool = True) -> dict[str, Any]:
    """The description-bearing fields of an open image, by exiv2 key, plus "keywords"."""
    fields: dict[str, Any] = {}
    keywords: list[str] = []
    xmp = _read(image.read_xmp)
    fields[XMP_DESCRIPTION] = lang_alt_text(xmp.get(XMP_DESCRIPTION))
    keywords += _as_list(xmp.get(XMP_SUBJECT))
    if with_iptc_exif:
        iptc = read_iptc(image)
        fields[IPTC_CAPTION] = _first(iptc.get(IPTC_CAPTION))
        keywords += _as_list(iptc.get(IPTC_KEYWORDS))
        exif = _read(image.read_exif)
        fields[EXIF_DESCRIPTION] = _first(exif.get(EXIF_DESCRIPTION))
        fields["Exif.Image.XPComment"] = _first(exif.get("Exif.Image.XPComment"))
        comment = _first(exif.get("Exif.Photo.UserComment"))
        fields["Exif.Photo.UserComment"] = _USER_COMMENT_CHARSET.sub("", comment) if comment else None
        keywords += [word for word in (_first(exif.get("Exif.Image.XPKeywords")) or "").split(";")]
    fields = {key: _clean_text(value) for key, value in fields.items()}
    fields["keywords"] = [word for word in (_clean_text(k) for k in keywords) if word]
    return fields


def read_iptc(image: Any) -> dict[str, Any]:
    """IPTC values decoded as IPTC 1:90 says: UTF-8 when declared; otherwise UTF-8 when the bytes are
    valid UTF-8, else Latin-1 (what most old software wrote)."""
    raw = image.read_iptc(encoding="latin-1")  # every byte sequence decodes: nothing is lost
    charset = _first(raw.get(IPTC_CHARSET))
    if charset not in (None, "", UTF8_CHARSET):
        return raw  # a declared non-UTF-8 set (ISO 8859-1 and kin): Latin-1 is the best reading
    return {key: _utf8_or_latin1(value) for key, value in raw.items()}


def _read(reader: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A pyexiv2 read: UTF-8 as it should be, or per-value UTF-8/Latin-1 when a vendor wrote bytes."""
    try:
        return reader()
    except UnicodeDecodeError:
        return {key: _utf8_or_latin1(value) for key, value in reader(encoding="latin-1").items()}


def _utf8_or_latin1(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return value
    if isinstance(value, list):
        return [_utf8_or_latin1(item) for item in value]
    if isinstance(value, dict):
        return {key: _utf8_or_latin1(item) for key, item in value.items()}
    return value


def lang_alt_text(value: Any) -> str | None:
    """The x-default text of an XMP lang-alt value (pyexiv2 gives {'lang="x-default"': text}), else the
    first language's."""
    if isinstance(value, dict):
        return value.get('lang="x-default"') or next(iter(value.values()), None)
    return _first(value)


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value if isinstance(value, str) else None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    return value.replace("\x00", "").strip() or None


def _meaningful(text: str | None) -> bool:
    """A description a person wrote: not empty, not a camera's placeholder, not just punctuation."""
    if not text:
        return False
    return text.casefold() not in _PLACEHOLDERS and any(char.isalnum() for char in text)


def _read_text_sidecar(path: str) -> str | None:
    try:
        with open(path, "rb") as fp:
            data = fp.read(MAX_TEXT_SIDECAR + 1)
    except OSError as exc:
        log.info("cannot read %s: %s", display_path(path), one_line(exc))
        return None
    if len(data) > MAX_TEXT_SIDECAR or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.strip() or None


def _distinct_descriptions(found: Iterable[FoundDescription]) -> tuple[FoundDescription, ...]:
    seen: set[str] = set()
    result = []
    for description in found:
        if description.text not in seen:
            seen.add(description.text)
            result.append(description)
    return tuple(result)


def _distinct(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word[:255] for word in words if word))


# -- import on scan --------------------------------------------------------------------------------------


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


# -- writing ---------------------------------------------------------------------------------------------


class WriteStatus(enum.StrEnum):
    WRITTEN = "written"
    WOULD_WRITE = "would-write"  # a dry run's answer
    UNCHANGED = "unchanged"  # the file already says all of it
    SKIPPED = "skipped"  # not written on purpose (changed on disk, another program's text...)
    FAILED = "failed"  # tried and could not; the file is untouched


@dataclass(frozen=True)
class FieldChange:
    field: str  # as the user reads it: "XMP dc:description", "XMP photoannotator:reviewer"
    old: str | None
    new: str


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one photo: the file written (the photo, or its sidecar), the changes, why not."""

    photo_id: int
    path: str  # the photo
    target: str  # the file written or that would be: the photo itself, or its XMP sidecar
    status: WriteStatus
    reason: str | None = None  # why skipped or failed, one line
    changes: tuple[FieldChange, ...] = ()
    notes: tuple[str, ...] = ()  # fields left out and why ("IPTC: WebP files have no IPTC block")

    def to_json(self) -> dict[str, Any]:
        return {
            "photo_id": self.photo_id, "path": self.path, "target": self.target, "status": self.status.value,
            "reason": self.reason, "notes": list(self.notes),
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes],
        }


@dataclass
class WriteReport:
    mode: str  # "sidecar" or "embed"
    dry_run: bool
    outcomes: list[FileOutcome] = field(default_factory=list)
    cancelled: bool = False

    def with_status(self, status: WriteStatus) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status is status]

    @property
    def written(self) -> list[FileOutcome]:
        return self.with_status(WriteStatus.WOULD_WRITE if self.dry_run else WriteStatus.WRITTEN)

    @property
    def skipped(self) -> list[FileOutcome]:
        return self.with_status(WriteStatus.SKIPPED)

    @property
    def failed(self) -> list[FileOutcome]:
        return self.with_status(WriteStatus.FAILED)

    @property
    def unchanged(self) -> list[FileOutcome]:
        return self.with_status(WriteStatus.UNCHANGED)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (``write-metadata --json``): add keys, never rename or remove them."""
        return {"mode": self.mode, "dry_run": self.dry_run, "written": len(self.written),
                "unchanged": len(self.unchanged), "skipped": len(self.skipped), "failed": len(self.failed),
                "cancelled": self.cancelled, "files": [outcome.to_json() for outcome in self.outcomes]}

    def summary(self) -> str:
        verb = "would write" if self.dry_run else "wrote"
        parts = [f"{verb} {len(self.written)}", f"{len(self.unchanged)} already up to date",
                 f"{len(self.skipped)} skipped", f"{len(self.failed)} failed"]
        return ", ".join(parts) + (" (cancelled)" if self.cancelled else "")


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
class _Target:
    photo_id: int
    path: str
    format: str | None
    state: FileState  # the file as the catalogue last saw it
    content_hash: str | None
    pending_hash: str | None  # an earlier write-back's new file, if that run was killed before recording it
    caption: ApprovedCaption
    known: frozenset[str]  # texts a person reviewed or we wrote: finding one in the file is no news


def write_metadata(
    catalogue: Catalogue,
    photos: Sequence[int] | PhotoQuery,
    mode: str = "sidecar",
    dry_run: bool = False,
    force: bool = False,
    sidecar_name: str = "photo.jpg.xmp",
    progress: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
    thumbnails: ThumbnailCache | None = None,
) -> WriteReport:
    """Write the approved current captions of ``photos`` (ids, or a query as the photo list uses)
    into their files: an XMP sidecar (``mode="sidecar"``) or embedded (``mode="embed"``).

    ``dry_run`` writes nothing and reports what would change; ``force`` overwrites files changed
    since the last scan and descriptions another program wrote. A query selects its approved photos
    only; ids whose current caption is not approved are reported as skipped. Runs on the calling
    thread (the GUI calls it from a worker); ``progress(done, total)`` and ``stop`` as the scanner's.
    ``thumbnails``: the cache whose thumbnails follow a rewritten file's new hash (default: the app's).
    """
    if mode not in ("sidecar", "embed"):
        raise ValueError(f"unknown mode {mode!r}: sidecar or embed")
    sidecar_path("x.jpg", sidecar_name)  # an unknown naming fails before anything is written
    report = WriteReport(mode=mode, dry_run=dry_run)
    targets, refused = _targets(catalogue, photos)
    report.outcomes += refused
    for done, target in enumerate(targets, 1):
        if stop is not None and stop.is_set():
            report.cancelled = True
            break
        try:
            outcome = _write_one(catalogue, target, mode, dry_run, force, sidecar_name, thumbnails)
        except Exception as exc:  # one file's failure is reported, the rest go on
            log.debug("writing metadata of %s failed", target.path, exc_info=True)
            outcome = FileOutcome(target.photo_id, target.path, target.path, WriteStatus.FAILED,
                                  f"unexpected failure: {one_line(exc)}")
        report.outcomes.append(outcome)
        if progress:
            progress(done, len(targets))
    return report


def _targets(
    catalogue: Catalogue, photos: Sequence[int] | PhotoQuery
) -> tuple[list[_Target], list[FileOutcome]]:
    if isinstance(photos, PhotoQuery):
        query = replace(photos, state=ReviewState.APPROVED)
    else:
        query = PhotoQuery(photo_ids=tuple(photos))
    targets: list[_Target] = []
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
            targets.append(_Target(listing.id, path, photo.format, state, photo.content_hash,
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


def _write_one(catalogue: Catalogue, target: _Target, mode: str, dry_run: bool, force: bool,
               sidecar_name: str, thumbnails: ThumbnailCache | None) -> FileOutcome:
    path = target.path
    outcome = FileOutcome(target.photo_id, path, path, WriteStatus.SKIPPED)
    try:
        target = _unchanged_target(catalogue, target, thumbnails, force)
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_os_reason(exc, path))
    if target is None:
        return replace(outcome, reason="the file changed on disk since the last scan: rescan it, or use "
                                       "--force to overwrite")
    if mode == "sidecar":
        return _write_sidecar(target, sidecar_path(path, sidecar_name), dry_run, force)
    fmt = (target.format or _EXTENSION_FORMATS.get(os.path.splitext(path)[1].lower(), "")).upper()
    if fmt not in EMBED_FORMATS:
        return replace(outcome, reason=f"cannot embed metadata in {fmt or 'this'} files: use --sidecar")
    return _write_embedded(catalogue, target, fmt, dry_run, force, thumbnails)


def _unchanged_target(catalogue: Catalogue, target: _Target, thumbnails: ThumbnailCache | None,
                      force: bool) -> _Target | None:
    """``target`` as the file now is, or None when the file changed since the last scan.

    The scanner's rule (file_state): a stat difference means hashing again, and only another hash is
    a change. The same bytes just refresh the stored stat values; the hash of our own interrupted
    write (recorded as pending before its replace) completes that write's record."""
    current = FileState.of(os.stat(target.path))
    if force or not needs_rehash(target.state, current):
        return target
    digest = hash_file(target.path)
    if digest == target.content_hash:
        if stat_outdated(target.state, current):
            with catalogue.write() as session:
                session.execute(update(Photo).where(Photo.id == target.photo_id).values(**current.values()))
        return replace(target, state=current)
    if digest == target.pending_hash:
        log.info("%s holds the write-back an earlier run did not record: recording it", target.path)
        _record_new_file(catalogue, target, thumbnails or ThumbnailCache())
        return replace(target, state=current, content_hash=digest, pending_hash=None)
    return None


def _planned(caption: ApprovedCaption, with_iptc: bool) -> dict[str, str]:
    """exiv2 key -> new value, for every field we write (IPTC values within the standard's lengths)."""
    planned = {XMP_DESCRIPTION: caption.text, EXIF_DESCRIPTION: caption.text}
    if with_iptc:
        planned[IPTC_CAPTION] = iptc_value(IPTC_CAPTION, caption.text)
        if caption.reviewer:
            planned[IPTC_WRITER] = iptc_value(IPTC_WRITER, caption.reviewer)
    planned.update(caption.provenance())
    return planned


def iptc_value(key: str, text: str) -> str:
    """``text`` within the IPTC length of ``key``, in UTF-8 bytes, cut at a character boundary (never
    inside a multi-byte character) and without trailing spaces (readers strip them)."""
    limit = IPTC_MAX_BYTES.get(key)
    data = text.encode("utf-8")
    if limit is None or len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore").rstrip()


def _cut_notes(planned: dict[str, str], caption: ApprovedCaption) -> tuple[str, ...]:
    """What the report says about values cut to the IPTC lengths."""
    notes = []
    for key, full in ((IPTC_CAPTION, caption.text), (IPTC_WRITER, caption.reviewer or "")):
        if key in planned and planned[key] != full:
            kept, whole = len(planned[key].encode("utf-8")), len(full.encode("utf-8"))
            notes.append(f"{FIELD_NAMES[key]} cut to {kept:,} bytes (IPTC allows {IPTC_MAX_BYTES[key]:,}; "
                         f"the text is {whole:,})"
                         + ("; XMP and EXIF hold the full text" if key == IPTC_CAPTION else ""))
    return tuple(notes)


def _current_values(image: Any, keys: Iterable[str], with_iptc_exif: bool) -> dict[str, Any]:
    """The present values of ``keys`` (descriptions as text), and the raw XMP / IPTC dictionaries."""
    xmp = _read(image.read_xmp)
    iptc = read_iptc(image) if with_iptc_exif else {}
    exif = _read(image.read_exif) if with_iptc_exif else {}
    values: dict[str, Any] = {}
    for key in keys:
        if key == XMP_DESCRIPTION:
            values[key] = _clean_text(lang_alt_text(xmp.get(key)))
        elif key.startswith("Xmp."):
            values[key] = _clean_text(_first(xmp.get(key)))
        elif key.startswith("Iptc."):
            values[key] = _clean_text(_first(iptc.get(key)))
        else:
            values[key] = _clean_text(_first(exif.get(key)))
    values["_xmp_description"] = xmp.get(XMP_DESCRIPTION)
    return values


def _changes(planned: dict[str, str], current: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(_field_name(key), current.get(key), value)
                 for key, value in planned.items() if current.get(key) != value)


def _field_name(key: str) -> str:
    if key in FIELD_NAMES:
        return FIELD_NAMES[key]
    return f"XMP {NAMESPACE_PREFIX}:{key.rsplit('.', 1)[1]}"


def _foreign(target: _Target, current: dict[str, Any]) -> str | None:
    """A description in the file that none of the photo's captions ever held: another program's."""
    ours = {target.caption.text, *target.known}
    ours |= {iptc_value(IPTC_CAPTION, text) for text in ours}  # what we wrote to IPTC, cut to its limit
    for key in (XMP_DESCRIPTION, IPTC_CAPTION, EXIF_DESCRIPTION):
        text = current.get(key)
        if _meaningful(text) and text not in ours:
            return f"{FIELD_NAMES[key]} holds a description Photo Annotator did not write " \
                   f"({_quote(text)}): use --force to overwrite it"
    return None


def _apply(image: Any, planned: dict[str, str], current: dict[str, Any]) -> None:
    xmp = {key: value for key, value in planned.items() if key.startswith("Xmp.")}
    languages = current.get("_xmp_description")
    other_languages = languages if isinstance(languages, dict) else {}
    xmp[XMP_DESCRIPTION] = {**other_languages, 'lang="x-default"': planned[XMP_DESCRIPTION]}  # type: ignore[assignment]
    image.modify_xmp(xmp)
    iptc: dict[str, Any] = {key: value for key, value in planned.items() if key.startswith("Iptc.")}
    if iptc:
        iptc[IPTC_CHARSET] = UTF8_CHARSET
        if IPTC_WRITER in iptc:
            iptc[IPTC_WRITER] = [iptc[IPTC_WRITER]]  # a repeatable dataset
        image.modify_iptc(iptc)
    exif = {key: value for key, value in planned.items() if key.startswith("Exif.")}
    if exif:
        image.modify_exif(exif)


def _verify(image: Any, planned: dict[str, str], with_iptc_exif: bool) -> None:
    again = _current_values(image, planned, with_iptc_exif)
    wrong = [_field_name(key) for key, value in planned.items() if again.get(key) != value]
    if wrong:
        raise MetadataWriteError(f"read back different values in {', '.join(wrong)}: file left untouched")


def _write_embedded(catalogue: Catalogue, target: _Target, fmt: str, dry_run: bool, force: bool,
                    thumbnails: ThumbnailCache | None) -> FileOutcome:
    path = target.path
    outcome = FileOutcome(target.photo_id, path, path, WriteStatus.SKIPPED)
    with_iptc = fmt not in NO_IPTC_FORMATS
    planned = _planned(target.caption, with_iptc)
    notes = _cut_notes(planned, target.caption) if with_iptc else (
        "IPTC Caption-Abstract and Writer-Editor not written: WebP files have no IPTC block",)
    try:
        with open(path, "rb") as fp:
            original = fp.read()
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_os_reason(exc, path))
    try:
        with pyexiv2.ImageData(original) as image:
            current = _current_values(image, planned, with_iptc_exif=True)
            changes = _changes(planned, current)
            outcome = replace(outcome, changes=changes, notes=notes)
            if not changes:
                return replace(outcome, status=WriteStatus.UNCHANGED)
            foreign = None if force else _foreign(target, current)
            if foreign:
                return replace(outcome, reason=foreign)
            problem = _not_writable(path)
            if problem:
                return replace(outcome, status=WriteStatus.FAILED, reason=problem)
            if dry_run:
                return replace(outcome, status=WriteStatus.WOULD_WRITE)
            _apply(image, planned, current)
            updated = image.get_bytes()
        with pyexiv2.ImageData(updated) as image:
            _verify(image, planned, with_iptc_exif=True)
        _check_pixels(original, updated)
        # Recorded before the replace: a run killed after it knows the new file as its own write.
        with catalogue.write() as session:
            session.execute(update(Photo).where(Photo.id == target.photo_id)
                            .values(pending_hash=content_hash_of(io.BytesIO(updated))))
        atomic_files.replace_file(Path(path), updated)
    except MetadataWriteError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=str(exc))
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_write_reason(exc, path))
    except Exception as exc:  # exiv2 refusing a file (corrupt segments...) is that file's problem
        log.debug("exiv2 failed on %s", path, exc_info=True)
        return replace(outcome, status=WriteStatus.FAILED, reason=f"cannot write metadata: {one_line(exc)}")
    _record_new_file(catalogue, target, thumbnails or ThumbnailCache())
    return replace(outcome, status=WriteStatus.WRITTEN)


def _write_sidecar(target: _Target, sidecar: str, dry_run: bool, force: bool) -> FileOutcome:
    outcome = FileOutcome(target.photo_id, target.path, sidecar, WriteStatus.SKIPPED)
    planned = {key: value for key, value in _planned(target.caption, with_iptc=False).items()
               if key.startswith("Xmp.")}  # a sidecar is XMP only
    try:
        exists = os.path.exists(sidecar)
        if exists:
            with open(sidecar, "rb") as fp:
                packet = fp.read()
        else:
            packet = _EMPTY_XMP_PACKET.encode("utf-8")
        with pyexiv2.ImageData(packet) as image:
            current = _current_values(image, planned, with_iptc_exif=False)
            changes = _changes(planned, current)
            outcome = replace(outcome, changes=changes)
            if not changes:
                return replace(outcome, status=WriteStatus.UNCHANGED)
            foreign = None if force else _foreign(target, current)
            if foreign:
                return replace(outcome, reason=foreign.replace("XMP", "the sidecar's XMP", 1))
            problem = _not_writable(sidecar if exists else None, os.path.dirname(sidecar))
            if problem:
                return replace(outcome, status=WriteStatus.FAILED, reason=problem)
            if dry_run:
                return replace(outcome, status=WriteStatus.WOULD_WRITE)
            _apply(image, planned, current)
            updated = image.get_bytes()
        with pyexiv2.ImageData(updated) as image:
            _verify(image, planned, with_iptc_exif=False)
        atomic_files.replace_file(Path(sidecar), updated)
    except MetadataWriteError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=str(exc))
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_write_reason(exc, sidecar))
    except Exception as exc:
        log.debug("exiv2 failed on %s", sidecar, exc_info=True)
        reason = f"cannot write the sidecar: {one_line(exc)}"
        return replace(outcome, status=WriteStatus.FAILED, reason=reason)
    return replace(outcome, status=WriteStatus.WRITTEN)


def _check_pixels(original: bytes, updated: bytes) -> None:
    """The decoded pixels (every frame) are the same before and after: metadata only changed."""
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(updated)) as after:
        frames = getattr(before, "n_frames", 1)
        if (before.size, before.mode, frames) != (after.size, after.mode, getattr(after, "n_frames", 1)):
            raise MetadataWriteError("the image changed shape or mode while writing: file left untouched")
        for frame in range(frames):
            before.seek(frame)
            after.seek(frame)
            if before.tobytes() != after.tobytes():
                raise MetadataWriteError("the pixels would change while writing: file left untouched")


def _not_writable(path: str | None, folder: str | None = None) -> str | None:
    """Why ``path`` must not be rewritten, if so. A file replaced by rename needs only its folder to be
    writable, so a file marked read-only (no write permission bits) is refused here on purpose: its
    owner protected it. The same holds for a folder, even for a user (root) whom the OS lets write."""
    folder = folder or os.path.dirname(path or "")
    if path is not None and _read_only(path):
        return f"{display_path(path)} is read-only: nothing written"
    if _read_only(folder):
        return f"the folder {display_path(folder)} is read-only: nothing written"
    return None


def _read_only(path: str) -> bool:
    write_bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    return not os.access(path, os.W_OK) or not os.stat(path).st_mode & write_bits


def _record_new_file(catalogue: Catalogue, target: _Target, thumbnails: ThumbnailCache) -> None:
    """The catalogue learns the rewritten file's size, times and hash, so the next scan sees it
    unchanged. Its pixels are the same, so its thumbnail and photo vectors stay valid: they follow
    the new hash."""
    state = FileState.of(os.stat(target.path))
    digest = hash_file(target.path)
    with catalogue.write() as session:
        session.execute(update(Photo).where(Photo.id == target.photo_id).values(
            **state.values(), content_hash=digest, pending_hash=None))
        if target.content_hash:
            follow_new_hash(session, target.photo_id, target.content_hash, digest)
    if target.content_hash:
        try:
            old, new = thumbnails.path_for(target.content_hash), thumbnails.path_for(digest)
            if old.exists() and not new.exists():
                new.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(old, new)
        except OSError:  # a thumbnail is remade when missing; never a reason to fail a write
            log.debug("thumbnail not carried over for %s", target.path, exc_info=True)


def follow_new_hash(session: Session, photo_id: int, old_hash: str, new_hash: str) -> None:
    """Our write-back changed the file's metadata only: the photo's vectors follow its new hash."""
    session.execute(update(Embedding).where(
        Embedding.photo_id == photo_id, Embedding.content_hash == old_hash).values(content_hash=new_hash))


def _os_reason(exc: OSError, path: str) -> str:
    from desktop_app.errors import os_error_reason

    return f"{display_path(path)}: {os_error_reason(exc)}"


def _write_reason(exc: OSError, path: str) -> str:
    """A failed write, in one line; whatever failed (the temporary file, the replace), the file named
    is the one the user knows, and it is untouched."""
    return f"{display_path(path)}: {write_error_reason(exc)}: nothing written"


def _quote(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= width else text[: width - 1] + "…") + '"'

