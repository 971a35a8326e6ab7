"""Vocabulary files read into plain terms (no database): SKOS (Turtle, RDF/XML), CSV, Lightroom's
keyword export and indented text. ``read_vocabulary`` picks the reader by ``--format`` or guesses it
from the file's extension and content; a file that cannot be read raises VocabularyFileError, one
line naming the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

from desktop_app.catalogue.vocabularies import paused_gc
from desktop_app.library.vocabulary_files.csv_file import read_csv
from desktop_app.library.vocabulary_files.indented import read_lightroom, read_text
from desktop_app.library.vocabulary_files.skos import read_skos
from desktop_app.library.vocabulary_files.terms import (
    CSV,
    FORMATS,
    LIGHTROOM,
    SKOS,
    TEXT,
    ParsedTerm,
    ParsedVocabulary,
    VocabularyFileError,
)

__all__ = ["CSV", "FORMATS", "LIGHTROOM", "SKOS", "TEXT", "ParsedTerm", "ParsedVocabulary",
           "VocabularyFileError", "guess_format", "read_vocabulary"]

_SKOS_SUFFIXES = (".ttl", ".n3", ".nt", ".rdf", ".owl", ".xml", ".skos")
_LIGHTROOM_MARK = re.compile(r"^\t*(\{[^{}]*\}|\[[^\[\]]*\])$", re.MULTILINE)


def guess_format(path: Path, head: str) -> str:
    """The format a file is in, from its extension, else its first few kilobytes."""
    suffix = path.suffix.lower()
    if suffix in _SKOS_SUFFIXES:
        return SKOS
    if suffix in (".csv", ".tsv"):
        return CSV
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("<?xml", "<rdf:RDF", "@prefix", "@base", "PREFIX")):
        return SKOS
    if _LIGHTROOM_MARK.search(head):
        return LIGHTROOM
    indents = {line[0] for line in head.splitlines() if line[:1] in (" ", "\t")}
    return LIGHTROOM if indents == {"\t"} else TEXT


def read_vocabulary(path: str | Path, format: str | None = None, language: str | None = None,
                    ) -> ParsedVocabulary:
    """The terms of the vocabulary file ``path`` in ``format`` (guessed when None); ``language`` picks
    the SKOS labels (other formats have one language: it is recorded as given)."""
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise VocabularyFileError(path, f"unknown format {format!r} (one of {', '.join(FORMATS)})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VocabularyFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if format is None:
        format = guess_format(path, data[:8192].decode("utf-8", "replace"))
    with paused_gc():
        parsed = _read(path, data, format, language)
    if not parsed.terms:
        raise VocabularyFileError(path, f"no terms found (read as {format})")
    _check_cycles(path, parsed.terms)
    return parsed


def _read(path: Path, data: bytes, format: str, language: str | None) -> ParsedVocabulary:
    if format == SKOS:
        parsed = read_skos(path, data, language)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise VocabularyFileError(path, "not UTF-8 text (save it as UTF-8)", line) from None
        reader = {CSV: read_csv, LIGHTROOM: read_lightroom, TEXT: read_text}[format]
        parsed = reader(path, text)
        parsed.language = language
    return parsed


def _check_cycles(path: Path, terms: list[ParsedTerm]) -> None:
    """A term may not be its own broader term through others: the hierarchy would have no top."""
    broader = {term.ref: term.broader for term in terms}
    by_ref = {term.ref: term for term in terms}
    done: set[str] = set()
    for start in broader:
        if start in done:
            continue
        trail: list[str] = []
        on_trail: set[str] = set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            ref, index = stack.pop()
            if index == 0:
                if ref in on_trail:
                    term = by_ref[ref]
                    where = f" (line {term.line})" if term.line else ""
                    raise VocabularyFileError(path, f'"{term.label}"{where} is broader than itself')
                if ref in done:
                    continue
                trail.append(ref)
                on_trail.add(ref)
            parents = broader.get(ref, [])
            if index < len(parents):
                stack.append((ref, index + 1))
                stack.append((parents[index], 0))
            else:
                trail.pop()
                on_trail.discard(ref)
                done.add(ref)
