"""What a metadata write-back did, file by file, and its summary and stable JSON form."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


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
