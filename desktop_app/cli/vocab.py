"""`photo-annotator vocab`: import, list, show and remove the controlled vocabularies keywords come from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, emit_json, json_option, open_db

if TYPE_CHECKING:
    from desktop_app.services.vocabularies import TermNode

FORMAT_CHOICES = ("skos", "csv", "lightroom", "text")


@click.group()
def vocab() -> None:
    """Controlled vocabularies (SKOS, CSV, Lightroom keyword lists, indented text) that keywords are
    chosen, completed and suggested from."""


@adds_to_catalogue
@vocab.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--name", required=True, help="The vocabulary's name; importing under a name it already "
                                             "has updates that vocabulary.")
@click.option("--format", "format_", type=click.Choice(FORMAT_CHOICES),
              help="The file's format (default: guessed from its extension and content).")
@click.option("--lang", "language", metavar="LANG",
              help="SKOS: the language of the labels to use, e.g. en or de (default: untagged labels, "
                   "else English, else the first language).")
@json_option
@db_option
def import_(file: str, name: str, format_: str | None, language: str | None, as_json: bool,
            db: str | None) -> None:
    """Import the vocabulary FILE as --name, or update the vocabulary of that name.

    Re-importing keeps every keyword photos have: terms are matched by URI, else by preferred label,
    and updated; a term gone from the file is retired (photos keep it; it is no longer suggested or
    completed) and restored if it comes back.
    """
    from desktop_app.services.vocabularies import import_vocabulary_file

    report = import_vocabulary_file(open_db(db), file, name, format=format_, language=language)
    if as_json:
        emit_json(report.to_json())
        return
    verb = "imported" if report.created else "updated"
    echo(f'{verb} "{report.vocabulary}": {report.terms} terms ({report.added} added, {report.updated} '
         f"updated, {report.unchanged} unchanged, {report.retired} retired, {report.restored} restored), "
         f"{report.synonyms} synonyms, {report.broader_links} broader links")


@vocab.command("list")
@json_option
@db_option
def list_(as_json: bool, db: str | None) -> None:
    """List the vocabularies with their term counts and the photos that have their keywords.

    JSON lines carry: name, kind, format, source, language, terms, retired, synonyms, photos,
    updated_at.
    """
    from desktop_app.services.vocabularies import vocabulary_summaries

    found = vocabulary_summaries(open_db(db))
    for each in found:
        if as_json:
            emit_json(each.to_json())
            continue
        retired = f", {each.retired} retired" if each.retired else ""
        how = ", ".join(x for x in (each.format, each.language) if x) or each.kind
        echo(f"{each.name}  ({how}): {each.terms} terms{retired}, {each.synonyms} synonyms, "
             f"{each.photos} photos")
    if not found and not as_json:
        echo("no vocabularies; import one with `photo-annotator vocab import FILE --name NAME`")


@vocab.command()
@click.argument("name")
@json_option
@db_option
def show(name: str, as_json: bool, db: str | None) -> None:
    """Show the vocabulary NAME as a tree: each term with its synonyms, URI, photo count, and
    "(retired)" for terms gone from the file.

    --json prints one object: name, kind, format, language and terms, each with id, label, synonyms,
    broader (ids), uri, notes, retired and photos.
    """
    from desktop_app.services.vocabularies import show_vocabulary

    shown = show_vocabulary(open_db(db), name)
    if as_json:
        emit_json({"name": shown.name, "kind": shown.kind, "format": shown.format,
                   "language": shown.language,
                   "terms": [{"id": t.id, "label": t.label, "synonyms": list(t.synonyms),
                              "broader": list(t.broader), "uri": t.uri, "notes": t.notes,
                              "retired": t.retired, "photos": t.photos} for t in shown.terms]})
        return
    children = shown.children()
    stack = [(term, 0, frozenset[int]()) for term in reversed(shown.roots())]
    while stack:  # depth first, iteratively: a deep vocabulary cannot overflow the recursion limit
        term, depth, above = stack.pop()
        echo("  " * depth + _line(term))
        if term.id in above:
            continue  # a cycle a hand-edited catalogue may hold
        stack.extend((child, depth + 1, above | {term.id}) for child in reversed(children.get(term.id, [])))
    if not shown.terms:
        echo(f'"{shown.name}" has no terms')


def _line(term: TermNode) -> str:
    parts = [term.label]
    if term.synonyms:
        parts.append("{" + ", ".join(term.synonyms) + "}")
    if term.uri:
        parts.append(f"<{term.uri}>")
    if term.photos:
        parts.append(f"[{term.photos} photo{'s' if term.photos != 1 else ''}]")
    if term.retired:
        parts.append("(retired)")
    return " ".join(parts)


@vocab.command()
@click.argument("name")
@json_option
@db_option
def remove(name: str, as_json: bool, db: str | None) -> None:
    """Remove the vocabulary NAME. Keywords photos have from it stay on the photos as free keywords
    (no vocabulary, no hierarchy); its other terms are deleted.
    """
    from desktop_app.services.vocabularies import remove_vocabulary

    removed = remove_vocabulary(open_db(db), name)
    if as_json:
        emit_json({"name": removed.name, "deleted": removed.deleted, "freed": removed.freed,
                   "free_keywords": list(removed.freed_labels)})
        return
    echo(f'removed "{removed.name}": {removed.deleted} terms deleted, {removed.freed} kept as free '
         "keywords (photos have them)")
    if removed.freed_labels:
        shown = ", ".join(removed.freed_labels[:20])
        more = f" and {removed.freed - 20} more" if removed.freed > 20 else ""
        echo(f"free keywords now: {shown}{more}")
