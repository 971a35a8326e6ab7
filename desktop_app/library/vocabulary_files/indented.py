"""Indented keyword lists: Lightroom's keyword export and plain indented text.

Lightroom (Library > Metadata > Export Keywords) writes one keyword a line, its depth in tabs;
``{word}`` one level below a keyword is a synonym of it; ``[word]`` is a keyword whose "Include on
Export" is off (a grouping keyword such as a category): it is kept as a term, since photos may carry
it and it shapes the hierarchy, and its notes say so. Plain text is the same tree without the
brackets' meaning, indented by tabs or by spaces of consistent widths.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.catalogue.models import label_key
from desktop_app.library.vocabulary_files.terms import (
    LIGHTROOM,
    TEXT,
    ParsedTerm,
    ParsedVocabulary,
    VocabularyFileError,
    clean_label,
)

NOT_EXPORTED_NOTE = "Lightroom: not included on export (a [bracketed] keyword)"


def read_lightroom(path: Path, text: str) -> ParsedVocabulary:
    return ParsedVocabulary(str(path), LIGHTROOM, _read_tree(path, text, lightroom=True))


def read_text(path: Path, text: str) -> ParsedVocabulary:
    return ParsedVocabulary(str(path), TEXT, _read_tree(path, text, lightroom=False))


def _read_tree(path: Path, text: str, *, lightroom: bool) -> list[ParsedTerm]:
    terms: list[ParsedTerm] = []
    by_ref: dict[str, ParsedTerm] = {}
    stack: list[tuple[int, ParsedTerm]] = []  # the open branch: (indentation width, term), top down
    indent_char: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or (not lightroom and line.lstrip().startswith("#")):
            continue
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        if indent:
            if len(set(indent)) > 1 or (indent_char is not None and indent[0] != indent_char):
                raise VocabularyFileError(path, "indentation mixes tabs and spaces", number)
            indent_char = indent[0]
        width = len(indent)
        if lightroom and body.startswith("{") and body.endswith("}"):
            _add_synonym(path, number, stack, width, clean_label(body[1:-1]))
            continue
        popped = False
        while stack and stack[-1][0] > width:
            stack.pop()
            popped = True
        if stack and stack[-1][0] == width:
            stack.pop()
        elif popped:  # back out to a width no line above had: the levels would be ambiguous
            raise VocabularyFileError(path, "indentation matches no line above", number)
        notes = None
        if lightroom and body.startswith("[") and body.endswith("]"):
            body, notes = body[1:-1], NOT_EXPORTED_NOTE
        label = clean_label(body)
        if not label:
            raise VocabularyFileError(path, "an empty keyword", number)
        parent = stack[-1][1] if stack else None
        ref = f"{parent.ref}|{label_key(label)}" if parent is not None else label_key(label)
        term = by_ref.get(ref)  # the same keyword twice under one parent is one term
        if term is None:
            term = ParsedTerm(ref, label, broader=[parent.ref] if parent is not None else [], notes=notes,
                              line=number)
            by_ref[ref] = term
            terms.append(term)
        stack.append((width, term))
    return terms


def _add_synonym(path: Path, number: int, stack: list[tuple[int, ParsedTerm]], width: int,
                 synonym: str) -> None:
    """A ``{synonym}`` line belongs to the nearest keyword above it that is less indented."""
    owner = next((term for level, term in reversed(stack) if level < width), None)
    if owner is None:
        raise VocabularyFileError(path, f'synonym "{{{synonym}}}" is not indented below a keyword', number)
    if synonym and label_key(synonym) not in {label_key(s) for s in [owner.label, *owner.synonyms]}:
        owner.synonyms.append(synonym)
