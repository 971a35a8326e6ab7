"""`photo-annotator tags`: a photo's keywords, and a person's keyword actions (add, remove, accept,
reject) through the keyword service (services/keywords.py), under the review contract: with
``--revision N`` an action is refused, exit 1, when the photo's keyword changed since that revision.

A TERM is a preferred label or one of its synonyms ("Doggies" is the term Dogs: the output says
"Doggies -> Dogs"); a label in several vocabularies needs --vocab (without it: an error listing them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from desktop_app.cli.common import author_option, db_option, echo, emit_json, json_option, open_db

# catalogue.models.KeywordState's values, in the order `tags show` lists them, with their headings.
STATE_HEADINGS = {"accepted": "Accepted", "suggested": "Suggested", "removed-in-file": "Removed in the file",
                  "rejected": "Rejected", "withdrawn": "Withdrawn"}


@click.group()
def tags() -> None:
    """A photo's keywords: show them, add or remove one, accept or reject a suggestion."""


def term_options(function: Callable[..., None]) -> Callable[..., None]:
    function = click.option(
        "--vocab", metavar="NAME",
        help="The vocabulary the term is in, where a label is in several (`vocab list` names them).",
    )(function)
    return click.option("--term", required=True, metavar="TERM",
                        help="The keyword: a preferred label or a synonym of one.")(function)


def revision_option(function: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--revision", type=click.IntRange(min=0), metavar="N",
        help="The revision of the photo's keyword this change is based on (`tags show PHOTO` prints it; 0: "
             "the photo did not have it): refused, exit 1, if it has changed since.")(function)


@tags.command("show")
@click.argument("photo", metavar="PHOTO")
@json_option
@db_option
def show(photo: str, as_json: bool, db: str | None) -> None:
    """PHOTO's keywords (its path or its id) in every state: accepted, suggested (with the tagger's
    confidence and the words that triggered it), removed in the file, rejected; each with its
    vocabulary, its place in the hierarchy, who made it what it is and its revision.

    --json: one object with the photo's id and path and its keywords, each with its full history."""
    from desktop_app.catalogue import keywords
    from desktop_app.catalogue.photos import absolute_path, display_path, find_photo

    with open_db(db).read() as session:
        found = find_photo(session, photo)
        path = absolute_path(found.library.root, found.rel_path)
        records = [keywords.keyword_json(session, keyword)
                   for keyword in keywords.photo_keywords(session, found.id)]
        photo_id = found.id
    if as_json:
        emit_json({"id": photo_id, "path": path, "keywords": records})
        return
    echo(display_path(path))
    shown = [record for record in records if record["state"] != "withdrawn"]
    if not shown:
        echo("  no keywords")
    for state, heading in STATE_HEADINGS.items():
        group = [record for record in shown if record["state"] == state]
        if group:
            echo(f"\n  {heading} ({len(group)}):")
            for record in group:
                echo(_keyword_line(record))


def _keyword_line(record: dict[str, Any]) -> str:
    where = record["vocabulary"] or "free keyword"
    line = f"    {' > '.join(record['path'])}  ({where}; {record['origin']}"
    if record["confidence"] is not None:
        line += f", {record['confidence']:.0%}"
    if record["tagger"]:
        line += f", {record['tagger']}"
    if record["author"]:
        line += f", by {record['author']}"
    line += f", revision {record['revision']})"
    if record["evidence"]:
        line += "  from: " + ", ".join(f'"{word}"' for word in record["evidence"])
    return line


def _act(photos: Sequence[str], term: str, action: str, vocab: str | None, author: str | None,
         revision: int | None, db: str | None) -> None:
    """One keyword action on each photo; a photo that cannot be found or changed is reported on stderr
    and the others go on (exit 1 at the end)."""
    from desktop_app.catalogue import keywords
    from desktop_app.catalogue.models import label_key
    from desktop_app.catalogue.photos import display_path
    from desktop_app.services.keywords import ADD, tag_photos

    catalogue = open_db(db)
    with catalogue.read() as session:  # AmbiguousTerm, UnknownTerm: one line, exit 1 (cli/main.py)
        known = keywords.find_terms(session, term, vocab) if action == ADD else None
        if action != ADD or known:
            keywords.resolve_term(session, term, vocab)
    done = tag_photos(catalogue, photos, term, action, vocabulary=vocab, author=author, revision=revision)
    labels = {tagged.label for tagged in done if tagged.label is not None}
    for label in labels:
        if label_key(label) != label_key(term):
            echo(f"{term.strip()} -> {label}")
    if known == [] and labels:
        echo(f'"{term.strip()}" is in no vocabulary: added as a free keyword')
    failed = False
    for tagged in done:
        if tagged.error is not None:
            failed = True
            echo(f"photo-annotator: error: {tagged.photo_ref}: {tagged.error}", err=True)
        elif tagged.path is not None and tagged.state is not None:
            echo(f"{display_path(tagged.path)}: {tagged.label}: {tagged.state.value}")
    if failed:
        raise SystemExit(1)


def _action_command(name: str, action: str, help_text: str, *, many: bool) -> click.Command:
    @tags.command(name, help=help_text)
    @click.argument("photos", metavar="PHOTO..." if many else "PHOTO", nargs=-1 if many else 1,
                    required=True)
    @term_options
    @author_option
    @db_option
    def command(photos: tuple[str, ...] | str, term: str, vocab: str | None, author: str | None,
                db: str | None, revision: int | None = None) -> None:
        refs = [photos] if isinstance(photos, str) else list(photos)
        _act(refs, term, action, vocab, author, revision, db)

    if not many:
        revision_option(command)
    return command


# services.keywords' ADD, REMOVE, ACCEPT, REJECT, spelled out so that --help imports no catalogue.
add = _action_command(
    "add", "add", "Give each PHOTO (paths or ids) the keyword --term, accepted. A label no vocabulary has "
    "becomes a free keyword.", many=True)
remove = _action_command(
    "remove", "remove", "Take the keyword --term off each PHOTO (it is kept as rejected, in the history; "
    "no tagger suggests it again).", many=True)
accept = _action_command("accept", "accept", "Accept PHOTO's keyword --term (a suggestion, or one rejected "
                         "before).", many=False)
reject = _action_command("reject", "reject", "Reject PHOTO's keyword --term: no tagger suggests it again.",
                         many=False)


def _add_suggest() -> None:
    # `tags suggest` lives in its own module (a tag job, with its progress and report).
    from desktop_app.cli.tag_suggest import suggest

    tags.add_command(suggest)


_add_suggest()
