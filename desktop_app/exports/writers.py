"""Writing the current captions of a selection of photos in the formats other tools read.

- CSV: ``utf-8-sig`` (UTF-8 with a byte-order mark, so Excel opens non-ASCII text correctly; Python's
  csv module, pandas and LibreOffice read it too), RFC 4180 quoting of commas, quotes and newlines.
- JSON Lines: one object per photo, the CSV's fields plus the photo and caption ids.
- COCO captions: {"info", "licenses", "images", "annotations"} as pycocotools and pycocoevalcap read it;
  image ids are photo ids, annotation ids caption ids.
- Hugging Face imagefolder: a folder whose ``train/`` holds copies of the photos (hard links only when
  asked) under their library-relative paths and a ``metadata.jsonl`` of {"file_name", "text", "notice"},
  for ``datasets.load_dataset("imagefolder", data_dir=...)``.

Every format carries, beside each photo's description, its approved alt text and extended description
(IPTC Accessibility; "alt_text", "extended_description", null or empty when the photo has none approved)
and its accepted keywords: "keywords" (preferred labels) and "keyword_paths" (each one's place in its
vocabulary, "Animals|Mammals|Dogs", as lr:hierarchicalSubject writes it), lists in JSON Lines, COCO's
images and imagefolder's metadata.jsonl, "; "-joined in the CSV. The description's flags for a second
look (catalogue/flags.py) go with it: "flags", a list of {rule, category, start, end, text, reason} in
JSON Lines and COCO's annotations, "text (category)" "; "-joined in the CSV; empty when none (not in
imagefolder's metadata: a training set, whose column types `datasets` infers from the values).
Captions with a notice (the medical drafts' disclaimer) carry it in every format. Paths whose bytes are not
valid UTF-8 are written with U+FFFD in their place (every format here is UTF-8 text). Every output is
written beside its destination and moved into place at the end, so a failed export leaves nothing half
written; the catalogue, library files and the thumbnail cache are never outputs (exports.guard).
"""

from __future__ import annotations

import csv
import enum
import errno
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app import __version__, atomic_files
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.keywords import term_path
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    CaptionRevision,
    KeywordState,
    PhotoKeyword,
    PhotoStatus,
    ReviewState,
    Term,
)
from desktop_app.catalogue.photos import PhotoListing, PhotoQuery, display_path, list_photos
from desktop_app.exports import files, guard

CSV_COLUMNS = ("path", "relative_path", "library", "caption", "state", "origin", "captioner", "model",
               "confidence", "author", "approved_by", "approved_at", "notice", "alt_text",
               "extended_description", "keywords", "keyword_paths", "flags")
KEYWORD_SEPARATOR = "; "  # between the keywords of a CSV cell
# The accessibility captions every format carries beside the description, when approved.
_ACCESSIBILITY = {CaptionKind.ALT_TEXT: "alt_text", CaptionKind.EXTENDED_DESCRIPTION: "extended_description"}
# Formats `datasets`' imagefolder decodes (its list is Pillow's; HEIC, AVIF and DICOM are not in it).
HF_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif", ".tiff", ".webp", ".bmp",
                           ".dib", ".gif"})
HF_SPLIT = "train"
HF_METADATA = "metadata.jsonl"
# `datasets` infers splits from folder names: a folder such as "test", "val-2020" or "2019 eval" anywhere
# in the data folder would become (or join) another split. Its rule: the keyword after the path's start
# or a separator, then a separator or the name's end.
_SPLIT_WORDS = "validation|valid|val|dev|testing|test|evaluation|eval|training|train"
_SPLIT_FOLDER = re.compile(rf"(?:^|[-._ 0-9])(?:{_SPLIT_WORDS})(?:$|[-._ 0-9])", re.IGNORECASE)
_SPLIT_WORD = re.compile(rf"(?:{_SPLIT_WORDS})", re.IGNORECASE)
_BATCH = 500
# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...): OWASP's
# advice is a leading quote, which makes it text. Caption text may come from untrusted metadata.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The export cannot be written; ``str()`` is the one-line message."""


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    COCO = "coco"
    HF_IMAGEFOLDER = "hf-imagefolder"


@dataclass(frozen=True)
class ExportRecord:
    """One exported photo with its current caption, as plain values."""

    photo_id: int
    caption_id: int
    library_id: int
    library: str
    path: str  # absolute, as stored (may hold surrogate escapes)
    rel_path: str  # "/"-separated, inside the library
    status: PhotoStatus
    width: int | None
    height: int | None
    date_taken: datetime | None
    caption: str
    state: str
    origin: str
    captioner: str | None
    model: str | None
    confidence: float | None
    author: str | None
    approved_by: str | None  # who last approved it, while it is approved
    approved_at: datetime | None
    notice: str | None
    alt_text: str | None = None  # the photo's current alt text, when approved
    extended_description: str | None = None  # its current extended description, when approved
    keywords: tuple[str, ...] = ()  # its accepted keywords, preferred labels in label order
    keyword_paths: tuple[str, ...] = ()  # the same keywords' paths: "Animals|Mammals|Dogs"
    flags: tuple[dict[str, Any], ...] = ()  # the caption's flags for a second look (catalogue/flags.py)

    def fields(self) -> dict[str, Any]:
        """The CSV columns (and the JSON Lines keys besides the ids)."""
        return {
            "path": display_path(self.path),
            "relative_path": display_path(self.rel_path),
            "library": display_path(self.library),
            "caption": self.caption,
            "state": self.state,
            "origin": self.origin,
            "captioner": self.captioner,
            "model": self.model,
            "confidence": self.confidence,
            "author": self.author,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at.isoformat() if self.approved_at else None,
            "notice": self.notice,
            "alt_text": self.alt_text,
            "extended_description": self.extended_description,
            "keywords": list(self.keywords),
            "keyword_paths": list(self.keyword_paths),
            "flags": [dict(flag) for flag in self.flags],
        }


@dataclass
class ExportReport:
    format: ExportFormat
    output: Path
    exported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> photos
    skipped_files: list[tuple[str, str]] = field(default_factory=list)  # (path, reason), hf-imagefolder
    linked: int = 0  # hf-imagefolder: photos hard-linked (asked for with link=True) rather than copied

    def skip(self, reason: str, path: str | None = None, detail: str | None = None) -> None:
        self.skipped[reason] += 1
        if path is not None:
            self.skipped_files.append((display_path(path), f"{reason}: {detail}" if detail else reason))

    def summary(self) -> str:
        """One line: how many photos went where, how many did not and why."""
        noun = "photo" if self.exported == 1 else "photos"
        line = f"Exported {self.exported} {noun} to {display_path(str(self.output))} ({self.format.value})"
        if self.linked:  # the risk the user accepted, restated: these files are the library's own
            line += f"; {self.linked} hard-linked to the library's files"
        if self.skipped:
            line += f"; skipped {sum(self.skipped.values())}: {self.reasons()}"
        return line

    def reasons(self) -> str:
        """Why photos were skipped: "1 file missing, 2 without a caption"."""
        return ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format.value,
            "output": display_path(str(self.output)),
            "exported": self.exported,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_files": [{"path": path, "reason": reason} for path, reason in self.skipped_files],
            "linked": self.linked,
        }


def export(catalogue: Catalogue, fmt: ExportFormat | str, output: Path, query: PhotoQuery | None = None,
           *, approved_only: bool = False, force: bool = False, link: bool = False) -> ExportReport:
    """Write the current caption of each photo ``query`` selects to ``output`` in ``fmt``.

    Photos without a caption are skipped, and with ``approved_only`` those whose current caption is not
    approved; the report counts them. An existing ``output`` is replaced only with ``force``, and never
    when it is the catalogue, a library's file or the thumbnail cache. An imagefolder holds copies of the
    photos; with ``link`` hard links where the file system allows (editing such a file in place edits the
    library's photo). Raises ExportError (nothing written) when the output cannot be written or no photo
    is left to export.
    """
    fmt = ExportFormat(fmt)
    output = Path(output).expanduser().absolute()
    report = ExportReport(fmt, output)
    folder = fmt is ExportFormat.HF_IMAGEFOLDER
    with catalogue.read() as session:
        refusal = guard.refusal(output, folder=folder, catalogue=catalogue, session=session)
        if refusal is not None:
            raise ExportError(refusal)
        _check_output(output, fmt, force)
        records = list(_records(session, query or PhotoQuery(), approved_only, report))
    if not records:
        raise ExportError(_nothing_to_export(report))
    writer = {ExportFormat.CSV: _write_csv, ExportFormat.JSONL: _write_jsonl,
              ExportFormat.COCO: _write_coco}.get(fmt)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if writer is not None:
            with atomic_files.atomic_write(output, "w") as stream:
                writer(records, stream)
            report.exported = len(records)
        else:
            libraries = {record.library_id for record in records}
            _write_imagefolder(records, output, report, multiple_libraries=len(libraries) > 1, link=link)
    except OSError as exc:  # a full disk, a read-only folder: nothing was left behind
        raise _cannot_write(output, exc) from exc
    return report


def _cannot_write(where: Path, exc: OSError) -> ExportError:
    """The one line for a failure to write ``where``, an output (never the photo being copied, which
    shutil names in the error it raises)."""
    reasons = {errno.ENOSPC: "the disk is full", getattr(errno, "EDQUOT", -1): "the disk quota is used up",
               errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.ENAMETOOLONG: "the name is too long"}
    return ExportError(f"cannot write {display_path(str(where))}: "
                       f"{reasons.get(exc.errno or 0) or exc.strerror or exc}")


def _nothing_to_export(report: ExportReport) -> str:
    if not report.skipped:
        return "nothing to export: no photo matches the selection"
    return f"nothing to export: every selected photo was skipped ({report.reasons()})"


def _check_output(output: Path, fmt: ExportFormat, force: bool) -> None:
    shown = display_path(str(output))
    if not output.exists() and not output.is_symlink():
        return
    if not force:
        raise ExportError(f"{shown} already exists; use --force to replace it")
    if fmt is ExportFormat.HF_IMAGEFOLDER:
        if not output.is_dir():
            raise ExportError(f"{shown} is a file, not an imagefolder export; remove it or choose another")
        # Never delete a folder of the user's: only an earlier export of ours, or an empty folder.
        if any(output.iterdir()) and not (output / HF_SPLIT / HF_METADATA).is_file():
            raise ExportError(f"{shown} is a folder that is not an imagefolder export; choose another")
    elif output.is_dir():
        raise ExportError(f"{shown} is a folder; give a file name")


def _records(session: Session, query: PhotoQuery, approved_only: bool,
             report: ExportReport) -> Iterator[ExportRecord]:
    # The listing first, then the caption details a few hundred at a time: no second query runs while
    # the listing's cursor is open.
    listings = list(list_photos(session, query))
    paths: dict[int, str] = {}  # term id -> its path, each worked out once
    for start in range(0, len(listings), _BATCH):
        chunk = listings[start:start + _BATCH]
        chosen: list[PhotoListing] = []
        for photo in chunk:
            if photo.caption_id is None:
                report.skip("without a caption")
            elif approved_only and photo.caption_state is not ReviewState.APPROVED:
                report.skip("not approved")
            else:
                chosen.append(photo)
        details = _caption_details(session, [photo.caption_id for photo in chosen if photo.caption_id])
        approvals = _approvals(session, [p.caption_id for p in chosen
                                         if p.caption_id and p.caption_state is ReviewState.APPROVED])
        accessible = _approved_accessibility(session, [photo.id for photo in chosen])
        keywords = _accepted_keywords(session, [photo.id for photo in chosen], paths)
        for photo in chosen:
            assert photo.caption_id is not None and photo.caption is not None
            model, author, flags = details.get(photo.caption_id, (None, None, None))
            approved_by, approved_at = approvals.get(photo.caption_id, (None, None))
            yield ExportRecord(
                photo_id=photo.id, caption_id=photo.caption_id, library_id=photo.library_id,
                library=photo.root, path=photo.path, rel_path=photo.rel_path, status=photo.status,
                width=photo.width, height=photo.height, date_taken=photo.date_taken, caption=photo.caption,
                state=photo.caption_state.value if photo.caption_state else "",
                origin=photo.caption_origin.value if photo.caption_origin else "",
                captioner=photo.captioner_id, model=model, confidence=photo.confidence, author=author,
                approved_by=approved_by, approved_at=approved_at, notice=photo.notice or None,
                flags=tuple(flags or ()),
                **accessible.get(photo.id, {}), **keywords.get(photo.id, {}),
            )


def _caption_details(session: Session,
                     caption_ids: Sequence[int]) -> dict[int, tuple[str | None, str | None, Any]]:
    if not caption_ids:
        return {}
    rows = session.execute(
        select(Caption.id, Caption.model_id, Caption.author, Caption.flags).where(Caption.id.in_(caption_ids))
    )
    return {caption_id: (model, author, flags) for caption_id, model, author, flags in rows}


def _approved_accessibility(session: Session, photo_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """photo id -> {"alt_text": ..., "extended_description": ...}: its current captions of those kinds
    that are approved (a draft's words are not published)."""
    found: dict[int, dict[str, str]] = {}
    if not photo_ids:
        return found
    rows = session.execute(
        select(Caption.photo_id, Caption.kind, Caption.text).where(
            Caption.photo_id.in_(photo_ids), Caption.kind.in_(_ACCESSIBILITY), Caption.is_current.is_(True),
            Caption.state == ReviewState.APPROVED)
    )
    for photo_id, kind, text in rows:
        found.setdefault(photo_id, {})[_ACCESSIBILITY[kind]] = text
    return found


def _accepted_keywords(session: Session, photo_ids: Sequence[int],
                       paths: dict[int, str]) -> dict[int, dict[str, tuple[str, ...]]]:
    """photo id -> {"keywords": labels, "keyword_paths": paths} of its accepted keywords (a suggestion or
    a rejected keyword is not published). ``paths`` caches each term's path across chunks."""
    found: dict[int, tuple[list[str], list[str]]] = {}
    if not photo_ids:
        return {}
    rows = session.execute(
        select(PhotoKeyword.photo_id, Term).join(Term, Term.id == PhotoKeyword.term_id)
        .where(PhotoKeyword.photo_id.in_(photo_ids), PhotoKeyword.state == KeywordState.ACCEPTED)
        .order_by(PhotoKeyword.photo_id, Term.label_key, Term.label)
    ).all()
    for photo_id, term in rows:
        if term.id not in paths:
            paths[term.id] = "|".join(term_path(session, term))
        labels, term_paths = found.setdefault(photo_id, ([], []))
        labels.append(term.label)
        term_paths.append(paths[term.id])
    return {photo_id: {"keywords": tuple(labels), "keyword_paths": tuple(term_paths)}
            for photo_id, (labels, term_paths) in found.items()}


def _approvals(session: Session, caption_ids: Sequence[int]) -> dict[int, tuple[str | None, datetime]]:
    """Who approved each caption's current text, and when: the last revision that brought the caption
    into the approved state or changed its text while approving it (an edit approved in one step, whatever
    its action). A later change out of the approved state clears it; a caption not approved now has none."""
    if not caption_ids:
        return {}
    rows = session.execute(
        select(CaptionRevision.caption_id, CaptionRevision.text, CaptionRevision.state,
               CaptionRevision.author, CaptionRevision.created_at)
        .where(CaptionRevision.caption_id.in_(caption_ids))
        .order_by(CaptionRevision.caption_id, CaptionRevision.number)
    )
    approvals: dict[int, tuple[str | None, datetime]] = {}
    previous: dict[int, tuple[str, ReviewState]] = {}
    for caption_id, text, state, author, at in rows:
        if state is not ReviewState.APPROVED:
            approvals.pop(caption_id, None)
        elif previous.get(caption_id) != (text, ReviewState.APPROVED):
            approvals[caption_id] = (author, at)
        previous[caption_id] = (text, state)
    return approvals


def _write_csv(records: Sequence[ExportRecord], stream: IO[str]) -> None:
    stream.write("\ufeff")  # utf-8-sig: Excel reads the file as UTF-8 only with this mark
    writer = csv.DictWriter(stream, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _csv_cell(value) for key, value in record.fields().items()})


def _csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made text (JSON Lines and COCO keep it exact); a list
    (keywords) joined in one cell."""
    if isinstance(value, list):  # keywords, or flags as "text (category)"
        value = KEYWORD_SEPARATOR.join(f"{item['text']} ({item['category']})" if isinstance(item, dict)
                                       else item for item in value)
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value


def _write_jsonl(records: Sequence[ExportRecord], stream: IO[str]) -> None:
    for record in records:
        row = {"photo_id": record.photo_id, "caption_id": record.caption_id, "library_id": record.library_id,
               **record.fields()}
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_coco(records: Sequence[ExportRecord], stream: IO[str]) -> None:
    info: dict[str, Any] = {
        "description": "Photo captions exported by Photo Annotator",
        "version": __version__,
        "year": datetime.now(UTC).year,
        "contributor": "Photo Annotator",
        "date_created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    notices = sorted({record.notice for record in records if record.notice})
    if notices:
        info["notice"] = ("Some captions carry a notice (the annotation's \"notice\" key) that must travel "
                          "with them: " + " | ".join(notices))
    images = [
        {
            "id": record.photo_id,
            "file_name": display_path(record.rel_path),
            "width": record.width,
            "height": record.height,
            "date_captured": record.date_taken.strftime("%Y-%m-%d %H:%M:%S") if record.date_taken else "",
            "license": 0,
            "path": display_path(record.path),  # extra key: where the file is
            "keywords": list(record.keywords),  # extra keys: the photo's accepted keywords
            "keyword_paths": list(record.keyword_paths),
        }
        for record in records
    ]
    annotations = []
    for record in records:
        annotation: dict[str, Any] = {"id": record.caption_id, "image_id": record.photo_id,
                                      "caption": record.caption, "alt_text": record.alt_text,
                                      "extended_description": record.extended_description,
                                      "flags": [dict(flag) for flag in record.flags]}
        if record.notice:
            annotation["notice"] = record.notice
        annotations.append(annotation)
    document = {"info": info, "licenses": [{"id": 0, "name": "unknown", "url": ""}], "images": images,
                "annotations": annotations}
    json.dump(document, stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def hf_file_name(record: ExportRecord, multiple_libraries: bool) -> str:
    """Where a photo goes inside the imagefolder's split folder: its library-relative path (under a
    folder per library when the export spans several), valid UTF-8, with folder names that `datasets`
    would read as a split name bracketed ("test" -> "(test)"), and "__" folders, which it skips, renamed."""
    parts = display_path(record.rel_path).split("/")
    if multiple_libraries:
        parts.insert(0, f"{record.library_id}-{Path(display_path(record.library)).name}")
    return "/".join([*map(_hf_folder_name, parts[:-1]), parts[-1]])


def _hf_folder_name(name: str) -> str:
    if _SPLIT_FOLDER.search(name):
        name = _SPLIT_WORD.sub(r"(\g<0>)", name)
    return "x" + name if name.startswith("__") else name  # `datasets` skips "__" folders (__pycache__)


def _write_imagefolder(records: Sequence[ExportRecord], output: Path, report: ExportReport, *,
                       multiple_libraries: bool, link: bool) -> None:
    atomic_files.clear_leftovers(output)  # a killed export's temporaries
    temp = atomic_files.create_temp_folder(output)
    try:
        split = temp / HF_SPLIT
        split.mkdir()
        rows = []
        for record in records:
            file_name = _place_photo(record, split, output / HF_SPLIT, report, multiple_libraries, link)
            if file_name is not None:
                rows.append({"file_name": file_name, "text": record.caption, "notice": record.notice,
                             "alt_text": record.alt_text,
                             "extended_description": record.extended_description,
                             "keywords": list(record.keywords), "keyword_paths": list(record.keyword_paths)})
        if not rows:
            raise ExportError(_nothing_to_export(report))
        try:
            with open(split / HF_METADATA, "w", encoding="utf-8", newline="") as stream:
                for row in rows:
                    stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise _cannot_write(output / HF_SPLIT / HF_METADATA, exc) from exc
        _swap_folder(temp, output)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    report.exported = len(rows)


def _place_photo(record: ExportRecord, split: Path, final_split: Path, report: ExportReport,
                 multiple_libraries: bool, link: bool) -> str | None:
    """Copy (or link) one photo into the split folder, ``final_split`` once the export is moved into
    place; its file_name, or None when it was skipped."""
    if record.status is PhotoStatus.MISSING:
        report.skip("file missing", record.path)
        return None
    if record.status is PhotoStatus.ERROR:
        report.skip("file unreadable", record.path)
        return None
    if Path(record.rel_path).suffix.lower() not in HF_EXTENSIONS:
        report.skip("format imagefolder cannot load", record.path)
        return None
    file_name = hf_file_name(record, multiple_libraries)
    target = split.joinpath(*file_name.split("/"))
    if target.exists():  # two names that differ only in undecodable bytes
        report.skip("duplicate file name", record.path)
        return None
    try:
        with open(record.path, "rb"):
            pass  # readable: a hard link alone would not tell
    except FileNotFoundError:
        report.skip("file missing", record.path)
        return None
    except OSError as exc:
        report.skip("file unreadable", record.path, exc.strerror or str(exc))
        return None
    # Failures from here on are the output's (a full disk): they end the export, naming the output.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if link and _link(record.path, target):
            report.linked += 1
        else:
            files.copy_photo(record.path, target)
    except OSError as exc:
        raise _cannot_write(final_split.joinpath(*file_name.split("/")), exc) from exc
    return file_name


def _link(source: str, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EROFS):
            raise
        return False  # another file system, or links not allowed there: a copy instead
    return True


def _swap_folder(temp: Path, output: Path) -> None:
    """Move the finished export onto ``output``, replacing an earlier export (checked before) there."""
    if not output.exists():
        os.replace(temp, output)
        return
    old = atomic_files.temp_path(output)  # a leftover of ours if killed here, cleared by a later export
    os.replace(output, old)
    try:
        os.replace(temp, output)
    except OSError:
        os.replace(old, output)
        raise
    shutil.rmtree(old, ignore_errors=True)
