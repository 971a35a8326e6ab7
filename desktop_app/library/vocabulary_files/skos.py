"""SKOS vocabularies in Turtle or RDF/XML, read with rdflib.

A term for each skos:Concept (and each subject with a skos:prefLabel): its preferred label in the
language asked for (``--lang``), else an untagged label, else one in English, else the first by
language tag (the notes say which was used); synonyms from skos:altLabel in that language or
untagged; broader terms from skos:broader and, inverted, skos:narrower (concepts outside the file
are left out); notes from skos:scopeNote and skos:definition. SKOS has no order: terms are ordered
by their preferred labels.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from desktop_app.catalogue.models import label_key
from desktop_app.library.vocabulary_files.terms import (
    SKOS,
    ParsedTerm,
    ParsedVocabulary,
    VocabularyFileError,
    clean_label,
)

TURTLE, RDF_XML = "turtle", "xml"


def rdf_syntax(path: Path, head: str) -> str:
    """Turtle or RDF/XML, by the file's extension, else its first characters."""
    suffix = path.suffix.lower()
    if suffix in (".ttl", ".n3", ".nt"):
        return TURTLE
    if suffix in (".rdf", ".owl", ".xml"):
        return RDF_XML
    return RDF_XML if head.lstrip("\ufeff \t\r\n").startswith("<") else TURTLE


def read_skos(path: Path, data: bytes, language: str | None) -> ParsedVocabulary:
    from rdflib.namespace import RDF
    from rdflib.namespace import SKOS as S

    syntax = rdf_syntax(path, data[:200].decode("utf-8", "replace"))
    triples = _parse(path, data, syntax)
    # One pass over the triples into plain indexes: a quarter of the time rdflib's store and its
    # lookups take at 50,000 concepts.
    wanted = {S.prefLabel, S.altLabel, S.scopeNote, S.definition}
    values: dict[object, dict[object, list[Any]]] = {p: defaultdict(list) for p in wanted}
    links: list[tuple[object, object]] = []  # (narrower, broader)
    typed: set[object] = set()
    others: set[object] = set()  # schemes and collections: not terms
    not_terms = {S.ConceptScheme, S.Collection, S.OrderedCollection}
    kinds = {**{p: p for p in wanted}, S.broader: "broader", S.narrower: "narrower", RDF.type: "type"}
    for subject, predicate, obj in triples:
        kind = kinds.get(predicate)  # one lookup a triple: rdflib's term comparisons are slow
        if kind is None:
            continue
        if kind == "broader":
            links.append((subject, obj))
        elif kind == "narrower":
            links.append((obj, subject))
        elif kind == "type":
            if obj == S.Concept:
                typed.add(subject)
            elif obj in not_terms:
                others.add(subject)
        else:
            values[kind][subject].append(obj)
    # Untyped subjects with a prefLabel count too: many hand-made files omit the type.
    concepts = (typed | set(values[S.prefLabel])) - others
    if not concepts:
        raise VocabularyFileError(path, "no skos:Concept with a skos:prefLabel in the file")
    broader: dict[object, list[object]] = {concept: [] for concept in concepts}
    for narrow, wide in links:
        if narrow in broader and wide in broader and wide != narrow and wide not in broader[narrow]:
            broader[narrow].append(wide)
    terms = [_term(path, concept, values, broader[concept], language) for concept in concepts]
    terms.sort(key=lambda term: (label_key(term.label), term.ref))
    return ParsedVocabulary(str(path), SKOS, terms, language)


def _term(path: Path, concept: object, values: dict[object, dict[object, list[Any]]],
          broader: list[object], language: str | None) -> ParsedTerm:
    from rdflib import URIRef
    from rdflib.namespace import SKOS as S

    labels = values[S.prefLabel].get(concept)
    if not labels:
        raise VocabularyFileError(path, f"concept {concept} has no skos:prefLabel")
    label, used = _pick(labels, language)
    notes = []
    if language is not None and used != language.lower():
        notes.append(f"no {language} label; the {used or 'untagged'} one is used")
    alt = [clean_label(str(a)) for a in values[S.altLabel].get(concept, ()) if _language(a) in (used, None)]
    for predicate in (S.scopeNote, S.definition):
        texts = values[predicate].get(concept)
        if texts:
            notes.append(str(_pick(texts, used or language)[0]))
    preferred = clean_label(str(label))
    if not preferred:
        raise VocabularyFileError(path, f"concept {concept} has an empty skos:prefLabel")
    synonyms = list(dict.fromkeys(a for a in alt if a and label_key(a) != label_key(preferred)))
    return ParsedTerm(str(concept), preferred, sorted(synonyms, key=label_key),
                      [str(b) for b in sorted(broader, key=str)],
                      uri=str(concept) if isinstance(concept, URIRef) else None,
                      notes="\n".join(notes) or None)


def _parse(path: Path, data: bytes, syntax: str) -> list[tuple[Any, Any, Any]]:
    """The file's triples, read by rdflib's parser into a plain list (its in-memory store, which
    indexes every triple three ways, would double the time of a large vocabulary)."""
    import rdflib  # a few hundred milliseconds to import: only when a SKOS file is read

    class TripleList(rdflib.Graph):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[Any, Any, Any]] = []

        def add(self, triple: tuple[Any, Any, Any]) -> TripleList:  # type: ignore[override]
            self.found.append(triple)
            return self

    graph = TripleList()
    try:
        graph.parse(data=data, format=syntax, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises its parsers' own types (BadSyntax, SAXParseException...)
        raise _syntax_error(path, syntax, exc) from None
    return graph.found


def _language(literal: object) -> str | None:
    lang = getattr(literal, "language", None)
    return lang.lower() if lang else None


def _pick(literals: list[object], language: str | None) -> tuple[object, str | None]:
    """The literal in ``language``, else an untagged one, else English, else the first by tag."""
    by_language: dict[str | None, list[object]] = {}
    for literal in literals:
        by_language.setdefault(_language(literal), []).append(literal)
    wanted = language.lower() if language else None
    for choice in (wanted, None, "en"):
        if choice in by_language:
            return sorted(by_language[choice], key=str)[0], choice
    # A language's regional variant (en-GB for en) before any other language.
    if wanted is not None:
        regional = sorted(tag for tag in by_language if tag and tag.split("-")[0] == wanted.split("-")[0])
        if regional:
            return sorted(by_language[regional[0]], key=str)[0], regional[0]
    first = sorted(tag for tag in by_language if tag)[0]
    return sorted(by_language[first], key=str)[0], first


def _syntax_error(path: Path, syntax: str, exc: Exception) -> VocabularyFileError:
    what = "Turtle" if syntax == TURTLE else "RDF/XML"
    line = getattr(exc, "lines", None)  # rdflib's Turtle BadSyntax
    if line is None and hasattr(exc, "getLineNumber"):  # the XML parser's SAXParseException
        line = exc.getLineNumber()
    reason = getattr(exc, "_why", None) or getattr(exc, "getMessage", lambda: str(exc))()
    reason = " ".join(str(reason).split())[:160] or type(exc).__name__
    return VocabularyFileError(path, f"not valid {what}: {reason}", int(line) + 1 if isinstance(line, int)
                               and syntax == TURTLE else line)
