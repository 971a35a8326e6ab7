"""Approved captions written back into photo files: one pipeline for embedded files and XMP sidecars.

Every file goes through the same steps: plan (plan.py: the fields and values) -> diff against what
the file holds (only a difference is written) -> foreign check (another program's description is
kept unless ``force``) -> write, in memory -> verify (the fields re-read; for a photo, its decoded
pixels identical) -> replace (atomic_files: a hidden temporary file in the same folder, fsync,
``os.replace``; any failure leaves the original untouched). The two destinations differ only in
how their present bytes are had, what is verified and what the catalogue records around the replace.

- embedded (JPEG, TIFF, PNG, WebP): XMP ``dc:description`` (x-default; other languages kept), IPTC
  Caption-Abstract with the UTF-8 character set declared (ESC % G), EXIF ImageDescription, and
  provenance: IPTC Writer-Editor (the reviewer) and our XMP namespace ``photoannotator`` (model,
  captioner, origin, reviewer, approved-at, notice); the keywords to XMP dc:subject, IPTC Keywords and
  XMP lr:hierarchicalSubject (plan.py says which); an approved alt text / extended description to
  Iptc4xmpCore:AltTextAccessibility / ExtDescrAccessibility (x-default; other languages kept). exiv2
  rewrites the IPTC but not the Photoshop IPTCDigest beside it: a stale digest would make every MWG
  reader trust the old IPTC over our XMP, so the digest a file carries is set to the new IPTC's MD5
  (digest.py), as ExifTool does. EXIF ImageDescription is an ASCII field in EXIF 2.3; like exiftool
  (whose EXIF charset defaults to UTF-8) we store non-ASCII text there as UTF-8, which EXIF 3.0 permits.
  WebP files have no IPTC block: that field is skipped there and the report says so. The new file's hash
  is recorded as pending before the replace, and the catalogue then records the new size, times and
  hash, so a rescan sees an unchanged file and a run killed in between recognises the file as its own
  write.
- sidecar: ``photo.jpg.xmp`` (the digiKam convention; ``sidecar_name="photo.xmp"`` writes the
  Lightroom one instead), XMP only, merged into an existing sidecar: other fields are kept.

A photo whose file changed since the last scan (file_state's rule: only a different hash is a
change) is skipped unless ``force``; so is a file or folder marked read-only.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import stat
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyexiv2
from PIL import Image
from sqlalchemy import update
from sqlalchemy.orm import Session

from desktop_app import atomic_files
from desktop_app.catalogue.database import Catalogue
from desktop_app.catalogue.keywords import mark_in_file, photo_keywords
from desktop_app.catalogue.models import Embedding, Photo, label_key
from desktop_app.catalogue.photos import PhotoQuery, display_path
from desktop_app.errors import one_line, os_error_reason, write_error_reason
from desktop_app.library.file_state import FileState, content_hash_of, hash_file, needs_rehash, stat_outdated
from desktop_app.library.images import is_raw
from desktop_app.library.metadata.digest import iptc_digests, with_current_digest
from desktop_app.library.metadata.fields import (
    EMBED_FORMATS,
    EXTENSION_FORMATS,
    IPTC_CHARSET,
    IPTC_WRITER,
    LANG_ALT_KEYS,
    NO_IPTC_FORMATS,
    UTF8_CHARSET,
    field_name,
)
from desktop_app.library.metadata.plan import (
    Target,
    changes,
    cut_notes,
    foreign,
    planned,
    select_targets,
    with_file_hierarchy,
)
from desktop_app.library.metadata.read import current_values, read_file_metadata, sidecar_path
from desktop_app.library.metadata.report import FileOutcome, WriteReport, WriteStatus
from desktop_app.library.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

EMPTY_XMP_PACKET = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
    "</x:xmpmeta>\n"
    '<?xpacket end="w"?>\n'
)


class MetadataWriteError(Exception):
    """Writing one file failed; the message is one line and the file is untouched."""


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
    remove_rejected_keywords: bool = False,
) -> WriteReport:
    """Write the approved current captions of ``photos`` (ids, or a query as the photo list uses)
    into their files: an XMP sidecar (``mode="sidecar"``) or embedded (``mode="embed"``).

    ``dry_run`` writes nothing and reports what would change; ``force`` overwrites files changed
    since the last scan and descriptions another program wrote. A query selects its approved photos
    only; ids whose current caption is not approved are reported as skipped. Runs on the calling
    thread (the GUI calls it from a worker); ``progress(done, total)`` and ``stop`` as the scanner's.
    ``thumbnails``: the cache whose thumbnails follow a rewritten file's new hash (default: the app's).
    Keywords an editor rejected stay in a file that holds them unless ``remove_rejected_keywords``.
    """
    if mode not in ("sidecar", "embed"):
        raise ValueError(f"unknown mode {mode!r}: sidecar or embed")
    sidecar_path("x.jpg", sidecar_name)  # an unknown naming fails before anything is written
    report = WriteReport(mode=mode, dry_run=dry_run)
    targets, refused = select_targets(catalogue, photos, remove_rejected_keywords)
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
        if target.writes_keywords and outcome.status in (WriteStatus.WRITTEN, WriteStatus.UNCHANGED):
            outcome = _record_file_keywords(catalogue, target, outcome)
        report.outcomes.append(outcome)
        if progress:
            progress(done, len(targets))
    return report


def _record_file_keywords(catalogue: Catalogue, target: Target, outcome: FileOutcome) -> FileOutcome:
    """The catalogue learns which of the photo's keywords its file now holds, as a scan reads them
    (MWG), so that a later scan of a file another program changed tells a keyword it dropped
    (removed-in-file) from one we never got into the file. A sidecar's keywords are not read when the
    photo holds keywords of its own (MWG): those are left out, and the report says so."""
    read = {label_key(label) for label in read_file_metadata(target.path).keywords}
    with catalogue.write() as session:
        keywords = photo_keywords(session, target.photo_id)
        held = [keyword.term_id for keyword in keywords if keyword.term.label_key in read]
        mark_in_file(session, target.photo_id, held)
    unread = len(set(target.keyword_terms) - set(held))
    if not unread:
        return outcome
    note = (f"{unread} keyword{'s' if unread > 1 else ''} in the sidecar will not be read: readers take "
            "the keywords inside the photo over its sidecar's (use --embed)")
    return replace(outcome, notes=(*outcome.notes, note))


# -- the two destinations ---------------------------------------------------------------------------------


class _Destination:
    """The file one photo's caption goes into: what the pipeline asks of it, and what the two kinds
    (an XMP sidecar, the photo itself) share."""

    failure = "cannot write metadata"  # how an exiv2 refusal is reported
    with_iptc_exif = True  # the file has IPTC and EXIF blocks to read and write

    def __init__(self, path: str, plan: dict[str, Any], notes: tuple[str, ...] = ()) -> None:
        self.path = path
        self.plan = plan
        self.notes = notes
        self.exists = os.path.exists(path)

    def load(self) -> bytes:
        """The bytes the file holds now."""
        with open(self.path, "rb") as fp:
            return fp.read()

    def foreign_reason(self, reason: str) -> str:
        return reason

    def verify(self, original: bytes, updated: bytes) -> None:
        """``updated`` holds the planned values, read back as a scan reads them."""
        with pyexiv2.ImageData(updated) as image:
            again = current_values(image, self.plan, self.with_iptc_exif)
        wrong = [field_name(key) for key, value in self.plan.items() if again.get(key) != value]
        if wrong:
            raise MetadataWriteError(f"read back different values in {', '.join(wrong)}: file left untouched")

    def finish(self, updated: bytes) -> bytes:
        """``updated`` as exiv2 wrote it, completed before it is verified."""
        return updated

    def before_replace(self, catalogue: Catalogue, target: Target, updated: bytes) -> None:
        """Called just before ``updated`` replaces the file."""

    def after_replace(self, catalogue: Catalogue, target: Target, thumbnails: ThumbnailCache | None) -> None:
        """Called once the file is replaced."""


class _Sidecar(_Destination):
    """An XMP sidecar: XMP only, created when missing, merged into when present."""

    failure = "cannot write the sidecar"
    with_iptc_exif = False

    def load(self) -> bytes:
        return super().load() if self.exists else EMPTY_XMP_PACKET.encode("utf-8")

    def foreign_reason(self, reason: str) -> str:
        return reason.replace("XMP", "the sidecar's XMP", 1)


class _EmbeddedPhoto(_Destination):
    """The photo file itself: its pixels must not change, and the catalogue follows its new hash."""

    def finish(self, updated: bytes) -> bytes:
        updated = with_current_digest(updated)
        if iptc_digests(updated).iptc_trusted_over_xmp:  # a digest resource laid out unlike Photoshop's
            self.notes += ("the file's IPTC digest could not be brought up to date: MWG readers take its "
                           "IPTC fields over its XMP ones (both hold our description and keywords)",)
        return updated

    def verify(self, original: bytes, updated: bytes) -> None:
        super().verify(original, updated)
        _check_pixels(original, updated)

    def before_replace(self, catalogue: Catalogue, target: Target, updated: bytes) -> None:
        # Recorded before the replace: a run killed after it knows the new file as its own write.
        with catalogue.write() as session:
            session.execute(update(Photo).where(Photo.id == target.photo_id)
                            .values(pending_hash=content_hash_of(io.BytesIO(updated))))

    def after_replace(self, catalogue: Catalogue, target: Target, thumbnails: ThumbnailCache | None) -> None:
        _record_new_file(catalogue, target, thumbnails or ThumbnailCache())


def _destination(target: Target, mode: str, sidecar_name: str) -> _Destination | str:
    """Where ``target``'s caption goes, or why it cannot be written there."""
    # A RAW file is never rewritten (its maker's format, and the archive's original): like Lightroom
    # and darktable, its metadata goes to the sidecar, which readers of RAW files take as its XMP.
    if mode == "sidecar" or is_raw(target.path):
        plan = planned(target, with_iptc=False, xmp_only=True)
        notes = ("RAW files are written to XMP sidecars only",) if mode == "embed" else ()
        return _Sidecar(sidecar_path(target.path, sidecar_name), plan, notes)
    fmt = (target.format or EXTENSION_FORMATS.get(os.path.splitext(target.path)[1].lower(), "")).upper()
    if fmt not in EMBED_FORMATS:
        return f"cannot embed metadata in {fmt or 'this'} files: use --sidecar"
    if fmt in NO_IPTC_FORMATS:
        notes: tuple[str, ...] = ("IPTC Caption-Abstract, Writer-Editor and Keywords not written: WebP files "
                                  "have no IPTC block",)
        return _EmbeddedPhoto(target.path, planned(target, with_iptc=False), notes)
    plan = planned(target, with_iptc=True)
    return _EmbeddedPhoto(target.path, plan, cut_notes(plan, target))


# -- the pipeline -----------------------------------------------------------------------------------------


def _write_one(catalogue: Catalogue, target: Target, mode: str, dry_run: bool, force: bool,
               sidecar_name: str, thumbnails: ThumbnailCache | None) -> FileOutcome:
    path = target.path
    outcome = FileOutcome(target.photo_id, path, path, WriteStatus.SKIPPED)
    try:
        current_target = _unchanged_target(catalogue, target, thumbnails, force)
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_os_reason(exc, path))
    if current_target is None:
        return replace(outcome, reason="the file changed on disk since the last scan: rescan it, or use "
                                       "--force to overwrite")
    destination = _destination(current_target, mode, sidecar_name)
    if isinstance(destination, str):
        return replace(outcome, reason=destination)
    return _write_through(catalogue, current_target, destination, dry_run, force, thumbnails)


def _write_through(catalogue: Catalogue, target: Target, destination: _Destination, dry_run: bool,
                   force: bool, thumbnails: ThumbnailCache | None) -> FileOutcome:
    """plan -> diff -> foreign check -> write in memory -> verify -> replace, for one destination."""
    path = destination.path
    outcome = FileOutcome(target.photo_id, target.path, path, WriteStatus.SKIPPED)
    try:
        original = destination.load()
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_os_reason(exc, path))
    try:
        with pyexiv2.ImageData(original) as image:
            current = current_values(image, destination.plan, destination.with_iptc_exif)
            destination.plan = with_file_hierarchy(destination.plan, current)
            outcome = replace(outcome, changes=changes(destination.plan, current), notes=destination.notes)
            if not outcome.changes:
                return replace(outcome, status=WriteStatus.UNCHANGED)
            not_ours = None if force else foreign(target, current, destination.plan)
            if not_ours:
                return replace(outcome, reason=destination.foreign_reason(not_ours))
            problem = _not_writable(path if destination.exists else None, os.path.dirname(path))
            if problem:
                return replace(outcome, status=WriteStatus.FAILED, reason=problem)
            if dry_run:
                return replace(outcome, status=WriteStatus.WOULD_WRITE)
            _apply(image, destination.plan, current)
            updated = destination.finish(image.get_bytes())
        destination.verify(original, updated)
        destination.before_replace(catalogue, target, updated)
        atomic_files.replace_file(Path(path), updated)
    except MetadataWriteError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=str(exc))
    except OSError as exc:
        return replace(outcome, status=WriteStatus.FAILED, reason=_write_reason(exc, path))
    except Exception as exc:  # exiv2 refusing a file (corrupt segments...) is that file's problem
        log.debug("exiv2 failed on %s", path, exc_info=True)
        return replace(outcome, status=WriteStatus.FAILED, reason=f"{destination.failure}: {one_line(exc)}")
    destination.after_replace(catalogue, target, thumbnails)
    return replace(outcome, status=WriteStatus.WRITTEN, notes=destination.notes)


def _unchanged_target(catalogue: Catalogue, target: Target, thumbnails: ThumbnailCache | None,
                      force: bool) -> Target | None:
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


def _apply(image: Any, plan: dict[str, Any], current: dict[str, Any]) -> None:
    xmp = {key: value for key, value in plan.items() if key.startswith("Xmp.")}
    for key in LANG_ALT_KEYS:
        if key in xmp:
            languages = current["_lang_alt"].get(key)
            other_languages = languages if isinstance(languages, dict) else {}
            xmp[key] = {**other_languages, 'lang="x-default"': plan[key]}
    image.modify_xmp(xmp)
    iptc: dict[str, Any] = {key: value for key, value in plan.items() if key.startswith("Iptc.")}
    if iptc:
        iptc[IPTC_CHARSET] = UTF8_CHARSET
        if IPTC_WRITER in iptc:
            iptc[IPTC_WRITER] = [iptc[IPTC_WRITER]]  # a repeatable dataset
        image.modify_iptc(iptc)
    exif = {key: value for key, value in plan.items() if key.startswith("Exif.")}
    if exif:
        image.modify_exif(exif)


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


def _not_writable(path: str | None, folder: str) -> str | None:
    """Why ``path`` (None: a new file in ``folder``) must not be rewritten, if so. A file replaced by
    rename needs only its folder to be writable, so a file marked read-only (no write permission bits)
    is refused here on purpose: its owner protected it. The same holds for a folder, even for a user
    (root) whom the OS lets write."""
    if path is not None and _read_only(path):
        return f"{display_path(path)} is read-only: nothing written"
    if _read_only(folder):
        return f"the folder {display_path(folder)} is read-only: nothing written"
    return None


def _read_only(path: str) -> bool:
    write_bits = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    return not os.access(path, os.W_OK) or not os.stat(path).st_mode & write_bits


def _record_new_file(catalogue: Catalogue, target: Target, thumbnails: ThumbnailCache) -> None:
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
    return f"{display_path(path)}: {os_error_reason(exc)}"


def _write_reason(exc: OSError, path: str) -> str:
    """A failed write, in one line; whatever failed (the temporary file, the replace), the file named
    is the one the user knows, and it is untouched."""
    return f"{display_path(path)}: {write_error_reason(exc)}: nothing written"
