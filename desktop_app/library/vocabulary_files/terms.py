"""What every vocabulary reader returns: plain terms in file order, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.catalogue.keyword_rules import KeywordError

SKOS, CSV, LIGHTROOM, TEXT = "skos", "csv", "lightroom", "text"
FORMATS = (SKOS, CSV, LIGHTROOM, TEXT)


class VocabularyFileError(KeywordError):
    """A vocabulary file that cannot be read: one line naming the file and, where known, the line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.reason = str(path), line, message


@dataclass
class ParsedTerm:
    """One term of a vocabulary file. ``ref`` identifies it inside the file (its URI, or its label path
    where the file has no URIs); ``broader`` holds the refs of its broader terms."""

    ref: str
    label: str
    synonyms: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    uri: str | None = None
    notes: str | None = None
    line: int | None = None  # where the file defines it, for messages


@dataclass
class ParsedVocabulary:
    """A vocabulary file's terms in file order, with the format and label language it was read in."""

    path: str
    format: str
    terms: list[ParsedTerm]
    language: str | None = None

    @property
    def synonym_count(self) -> int:
        return sum(len(term.synonyms) for term in self.terms)

    @property
    def broader_count(self) -> int:
        return sum(len(term.broader) for term in self.terms)


def clean_label(text: str) -> str:
    """A label as stored: single-spaced, trimmed."""
    return " ".join(text.split())
