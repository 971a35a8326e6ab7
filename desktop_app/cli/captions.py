"""`photo-annotator edit / approve / reject / revert / choose`: a person's changes to captions, each
a revision. With ``--revision N`` the change is based on that revision (see `show`) and refused, exit 1,
when the caption has changed since: the review contract (services/review.py). ``--kind`` names which of
the photo's current captions (description, alt text, extended description) an action is about; each
kind has its own history and review. `approve` of a flagged caption (`flags PHOTO`) is refused, exit 1,
the flags listed one a line, unless ``--confirm-flags`` (``--reason`` goes into the approval's note)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from desktop_app.cli.common import author_option, db_option, echo, open_db

if TYPE_CHECKING:
    from desktop_app.services.review import Change

# catalogue.models.CaptionKind's values, spelled out so that --help imports no catalogue.
KINDS = ("description", "alt-text", "extended-description")
_NOUNS = {"description": "caption", "alt-text": "alt text", "extended-description": "extended description"}


def kind_option(function: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--kind", type=click.Choice(KINDS), default="description", show_default=True,
        help="Which of the photo's captions: its description, its alt text (IPTC Alt Text "
             "(Accessibility), for screen readers) or its extended description.")(function)


def revision_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--revision", type=click.IntRange(min=0), metavar="N",
        help=f"The revision of {what} this change is based on (`show PHOTO` prints it): refused, exit 1, "
             "if the caption has changed since. Without it the change applies to the caption as it is now.")


def caption_option(function: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--caption", "caption_id", type=int, metavar="ID",
        help="With --revision: the caption it is a revision of (its id in `show PHOTO`); refused, exit 1, if "
             "another caption has become the photo's current one (a new model caption, `choose`).")(function)


def _change(photo: str, db: str | None, author: str | None, revision: int | None, change: Change,
            based_on_caption: int | None = None) -> None:
    """Apply ``change`` to PHOTO through the review service: a stale ``revision`` (of
    ``based_on_caption`` when given, else of the caption the action is about) is refused and a refused
    edit's text kept beside (CaptionConflict, one line, exit 1)."""
    if based_on_caption is not None and revision is None:
        raise click.UsageError("--caption needs --revision: the revision of that caption the change is "
                               "based on")
    from dataclasses import replace

    from desktop_app.catalogue.caption_rules import BasedOn
    from desktop_app.catalogue.photos import display_path
    from desktop_app.services.flags import FlagsNotConfirmed
    from desktop_app.services.review import review

    if based_on_caption is not None and revision is not None:
        change = replace(change, based_on=BasedOn(based_on_caption, revision))
    try:
        done = review(open_db(db), photo, change, author=author, revision=revision)
    except FlagsNotConfirmed as refused:
        echo(f"photo-annotator: error: caption {refused.caption_id} has {len(refused.flags)} flag(s) to "
             "check before approving (approve again with --confirm-flags [--reason TEXT]):", err=True)
        for flag in refused.flags:
            echo(f"  {flag.start}-{flag.end} {flag.text!r} ({flag.category}, {flag.rule}): {flag.reason}",
                 err=True)
        raise click.exceptions.Exit(1) from None
    echo(f"{display_path(done.path)}: {_NOUNS[done.kind.value]} {done.caption_id} {done.state.value}: "
         f"{done.text}")


def _kind(kind: str) -> Any:
    from desktop_app.catalogue.models import CaptionKind

    return CaptionKind(kind)


@click.command()
@click.argument("photo")
@click.option("--text", required=True, help="The new caption text.")
@click.option("--approve", is_flag=True, help="Approve the new text in the same revision.")
@kind_option
@revision_option("the photo's current caption")
@caption_option
@author_option
@db_option
def edit(photo: str, text: str, approve: bool, kind: str, revision: int | None, caption_id: int | None,
         author: str | None, db: str | None) -> None:
    """Write a new text for PHOTO's current caption of --kind (a human revision; the old text stays in
    history). A text refused for a conflict is kept as another caption of the photo, for `choose`."""
    from desktop_app.services.review import APPROVE, EDIT, Change

    _change(photo, db, author, revision, Change(APPROVE if approve else EDIT, text=text, kind=_kind(kind)),
            caption_id)


def _review_state_command(action: str, help_text: str) -> click.Command:
    """`approve` or `reject` (``action``: services.review's APPROVE or REJECT, named here so that
    --help imports no catalogue)."""

    @click.command(action, help=help_text)
    @click.argument("photo")
    @kind_option
    @revision_option("the photo's current caption")
    @caption_option
    @author_option
    @db_option
    def command(photo: str, kind: str, revision: int | None, caption_id: int | None, author: str | None,
                db: str | None, confirm_flags: bool = False, reason: str | None = None) -> None:
        from desktop_app.services.review import Change

        if reason is not None and not confirm_flags:
            raise click.UsageError("--reason goes with --confirm-flags")
        _change(photo, db, author, revision, Change(action, kind=_kind(kind), confirm_flags=confirm_flags,
                                                    flags_reason=reason), caption_id)

    if action == "approve":  # options added to a made command go last, in this order
        command = click.option("--confirm-flags", is_flag=True,
                               help="Approve a flagged caption (see `flags PHOTO`): the editor checked "
                                    "its flags.")(command)
        command = click.option("--reason", metavar="TEXT",
                               help="With --confirm-flags: why the flags are fine, kept in the approval's "
                                    "note.")(command)
    return command


approve = _review_state_command("approve", "Approve PHOTO's current caption of --kind.")
reject = _review_state_command("reject", "Reject PHOTO's current caption of --kind.")


@click.command()
@click.argument("photo")
@click.option("--to", "number", type=click.IntRange(min=1), required=True, metavar="N",
              help="The revision whose text comes back (see `show PHOTO`).")
@kind_option
@revision_option("the photo's current caption")
@caption_option
@author_option
@db_option
def revert(photo: str, number: int, kind: str, revision: int | None, caption_id: int | None,
           author: str | None, db: str | None) -> None:
    """Bring back an earlier text of PHOTO's current caption of --kind, as a new draft revision."""
    from desktop_app.services.review import REVERT, Change

    _change(photo, db, author, revision, Change(REVERT, revision=number, kind=_kind(kind)), caption_id)


@click.command()
@click.argument("photo")
@click.argument("caption_id", metavar="CAPTION", type=int)
@revision_option("CAPTION")
@author_option
@db_option
def choose(photo: str, caption_id: int, revision: int | None, author: str | None, db: str | None) -> None:
    """Make CAPTION (an id from `show PHOTO`) PHOTO's current caption of its kind, e.g. a model's draft
    that was stored beside a person's caption."""
    from desktop_app.services.review import CHOOSE, Change

    _change(photo, db, author, revision, Change(CHOOSE, caption_id=caption_id))
