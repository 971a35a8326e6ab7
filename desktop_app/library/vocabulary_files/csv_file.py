"""CSV vocabularies: a header row naming the columns label, synonyms, broader, uri and notes (only
label is required; a few common spellings are accepted). Synonyms are separated by ``|`` or ``;``;
broader names a term of the file by its label or its URI (several with ``|``). Comma, semicolon (the
dialect Excel writes where the comma is the decimal sign) and tab delimiters are recognised, and a
byte-order mark is ignored."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from desktop_app.catalogue.models import label_key
from desktop_app.library.vocabulary_files.terms import (
    CSV,
    ParsedTerm,
    ParsedVocabulary,
    VocabularyFileError,
    clean_label,
)

COLUMNS = {
    "label": ("label", "preflabel", "preferred label", "preferred", "term", "keyword", "name"),
    "synonyms": ("synonyms", "synonym", "altlabel", "altlabels", "alternative labels", "alt labels"),
    "broader": ("broader", "parent", "broader term"),
    "uri": ("uri", "url", "id", "concept"),
    "notes": ("notes", "note", "scopenote", "scope note", "definition", "description"),
}
_SPLIT_SYNONYMS = re.compile(r"[|;]")
_Reader = Any  # csv.reader's type (_csv.Reader) is not importable on every Python


def read_csv(path: Path, text: str) -> ParsedVocabulary:
    lines = text.splitlines()
    if not lines:
        raise VocabularyFileError(path, "the file is empty")
    dialect = _dialect(path, lines[0])
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [label_key(cell) for cell in next(rows)]
        where = _columns(path, header)
        return _read_rows(path, rows, where)
    except csv.Error as exc:
        raise VocabularyFileError(path, f"not valid CSV: {exc}", rows.line_num) from None


def _read_rows(path: Path, rows: _Reader, where: dict[str, int]) -> ParsedVocabulary:
    found: list[tuple[ParsedTerm, list[str]]] = []
    for row in rows:
        number = rows.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = where.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        label = clean_label(cell("label"))
        if not label:
            raise VocabularyFileError(path, "a row without a label", number)
        synonyms = _unique([clean_label(s) for s in _SPLIT_SYNONYMS.split(cell("synonyms"))], label)
        broader = [clean_label(b) for b in cell("broader").split("|") if b.strip()]
        uri = cell("uri") or None
        term = ParsedTerm(uri or label_key(label), label, synonyms, uri=uri, notes=cell("notes") or None,
                          line=number)
        found.append((term, broader))
    _check_unique(path, [term for term, _ in found])
    _link_broader(path, found)
    return ParsedVocabulary(str(path), CSV, [term for term, _ in found])


def _dialect(path: Path, header: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t")
    except csv.Error:
        if "," in header or ";" in header or "\t" in header:
            raise VocabularyFileError(path, "cannot tell the CSV delimiter from the header row", 1) from None
        return csv.excel  # a single column: nothing to tell apart


def _columns(path: Path, header: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, spellings in COLUMNS.items():
            if name in spellings and column not in where:
                where[column] = index
    if "label" not in where:
        raise VocabularyFileError(path, "the header row has no label column (columns: label, synonyms, "
                                        "broader, uri, notes)", 1)
    return where


def _unique(labels: list[str], preferred: str) -> list[str]:
    seen = {label_key(preferred)}
    kept = []
    for label in labels:
        if label and label_key(label) not in seen:
            seen.add(label_key(label))
            kept.append(label)
    return kept


def _check_unique(path: Path, terms: list[ParsedTerm]) -> None:
    seen: dict[str, int | None] = {}
    for term in terms:
        if term.ref in seen:
            what = f'URI "{term.uri}"' if term.uri else f'label "{term.label}"'
            raise VocabularyFileError(path, f"{what} is on line {seen[term.ref]} already", term.line)
        seen[term.ref] = term.line


def _link_broader(path: Path, found: list[tuple[ParsedTerm, list[str]]]) -> None:
    """Broader names a term of the file by URI, else by label (a label two rows share is ambiguous)."""
    by_uri = {term.uri: term.ref for term, _ in found if term.uri}
    by_label: dict[str, list[str]] = {}
    for term, _ in found:
        by_label.setdefault(label_key(term.label), []).append(term.ref)
    for term, broader in found:
        for name in broader:
            ref = by_uri.get(name)
            if ref is None:
                refs = by_label.get(label_key(name), [])
                if len(refs) > 1:
                    raise VocabularyFileError(path, f'broader "{name}" names {len(refs)} terms; give its URI',
                                              term.line)
                if not refs:
                    raise VocabularyFileError(path, f'broader "{name}" is not a term of the file', term.line)
                ref = refs[0]
            if ref == term.ref:
                raise VocabularyFileError(path, f'"{term.label}" is its own broader term', term.line)
            if ref not in term.broader:
                term.broader.append(ref)
