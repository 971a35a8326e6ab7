"""SKOS vocabularies in Turtle or RDF/XML, read with rdflib.

A term for each skos:Concept (and each subject with a skos:prefLabel): its preferred label in the
language asked for (``--lang``), else an untagged label, else one in English, else the first by
language tag (the notes say which was used); synonyms from skos:altLabel in that language or
untagged; broader terms from skos:broader and, inverted, skos:narrower (concepts outside the file
are left out); notes from skos:scopeNote and skos:definition. SKOS has no order: terms are ordered
by their preferred labels.
"""

from __future__ import annotations

from pathlib import Path

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
    import rdflib  # a few hundred milliseconds to import: only when a SKOS file is read
    from rdflib.namespace import RDF
    from rdflib.namespace import SKOS as S

    syntax = rdf_syntax(path, data[:200].decode("utf-8", "replace"))
    graph = rdflib.Graph()
    try:
        graph.parse(data=data, format=syntax, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises its parsers' own types (BadSyntax, SAXParseException...)
        raise _syntax_error(path, syntax, exc) from None
    # Untyped subjects with a prefLabel count too (many hand-made files omit the type); a scheme or a
    # collection is not a term.
    others = set(graph.subjects(RDF.type, S.ConceptScheme)) | set(graph.subjects(RDF.type, S.Collection)) \
        | set(graph.subjects(RDF.type, S.OrderedCollection))
    concepts = (set(graph.subjects(RDF.type, S.Concept)) | set(graph.subjects(S.prefLabel, None))) - others
    if not concepts:
        raise VocabularyFileError(path, "no skos:Concept with a skos:prefLabel in the file")
    broader: dict[object, list[object]] = {concept: [] for concept in concepts}
    for narrow, wide in [*graph.subject_objects(S.broader),
                         *((n, w) for w, n in graph.subject_objects(S.narrower))]:
        if narrow in broader and wide in concepts and wide != narrow and wide not in broader[narrow]:
            broader[narrow].append(wide)
    terms = []
    for concept in concepts:
        labels = list(graph.objects(concept, S.prefLabel))
        if not labels:
            raise VocabularyFileError(path, f"concept {concept} has no skos:prefLabel")
        label, used = _pick(labels, language)
        notes = []
        if language is not None and used != language:
            notes.append(f"no {language} label; the {used or 'untagged'} one is used")
        alt = [clean_label(str(a)) for a in graph.objects(concept, S.altLabel)
               if _language(a) in (used, None)]
        for predicate in (S.scopeNote, S.definition):
            texts = list(graph.objects(concept, predicate))
            if texts:
                notes.append(str(_pick(texts, used or language)[0]))
        preferred = clean_label(str(label))
        if not preferred:
            raise VocabularyFileError(path, f"concept {concept} has an empty skos:prefLabel")
        synonyms = list(dict.fromkeys(a for a in alt if a and label_key(a) != label_key(preferred)))
        uri = str(concept) if isinstance(concept, rdflib.URIRef) else None
        terms.append(ParsedTerm(str(concept), preferred, sorted(synonyms, key=label_key),
                                [str(b) for b in sorted(broader[concept], key=str)], uri=uri,
                                notes="\n".join(notes) or None))
    terms.sort(key=lambda term: (label_key(term.label), term.ref))
    return ParsedVocabulary(str(path), SKOS, terms, language)


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
