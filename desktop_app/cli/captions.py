"""`photo-annotator edit / approve / reject / revert / choose`: a person's changes to captions, each
a revision. With ``--revision N`` the change is based on that revision (see `show`) and refused, exit 1,
when the caption has changed since: the review contract of catalogue/captions.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from desktop_app.cli.common import author_option, db_option, echo, open_db

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.catalogue.caption_rules import BasedOn
    from desktop_app.catalogue.models import Caption, Photo

Apply = Callable[["Session", "Photo", str, "BasedOn | None"], "Caption"]


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


def _change(photo: str, db: str | None, author: str | None, revision: int | None, apply: Apply,
            caption_of: Callable[[Session, Photo], Caption | None] | None = None,
            caption_id: int | None = None) -> None:
    """Run ``apply`` in a review session: a stale ``revision`` (of ``caption_id`` when given, else of
    the current caption) is refused and a refused edit's text kept beside (CaptionConflict, one line,
    exit 1)."""
    if caption_id is not None and revision is None:
        raise click.UsageError("--caption needs --revision: the revision of that caption the change is "
                               "based on")
    from desktop_app.catalogue.caption_rules import BasedOn, default_author
    from desktop_app.catalogue.captions import current_caption, review_session
    from desktop_app.catalogue.photos import absolute_path, display_path, find_photo

    catalogue = open_db(db)
    with review_session(catalogue) as session:
        found = find_photo(session, photo)
        based_on = None
        if revision is not None and caption_id is not None:
            based_on = BasedOn(caption_id, revision)
        elif revision is not None:
            caption = caption_of(session, found) if caption_of else current_caption(session, found.id)
            based_on = BasedOn(caption.id if caption is not None else None, revision)
        caption = apply(session, found, author or default_author(), based_on)
        echo(f"{display_path(absolute_path(found.library.root, found.rel_path))}: caption {caption.id} "
             f"{caption.state.value}: {caption.text}")


@click.command()
@click.argument("photo")
@click.option("--text", required=True, help="The new caption text.")
@click.option("--approve", is_flag=True, help="Approve the new text in the same revision.")
@revision_option("the photo's current caption")
@caption_option
@author_option
@db_option
def edit(photo: str, text: str, approve: bool, revision: int | None, caption_id: int | None,
         author: str | None, db: str | None) -> None:
    """Write a new text for PHOTO's current caption (a human revision; the old text stays in history).
    A text refused for a conflict is kept as another caption of the photo, for `choose`."""
    from desktop_app.catalogue.captions import edit_caption

    _change(photo, db, author, revision, lambda session, found, who, based_on: edit_caption(
        session, found, text, author=who, approve=approve, based_on=based_on), caption_id=caption_id)


@click.command()
@click.argument("photo")
@revision_option("the photo's current caption")
@caption_option
@author_option
@db_option
def approve(photo: str, revision: int | None, caption_id: int | None, author: str | None,
            db: str | None) -> None:
    """Approve PHOTO's current caption."""
    from desktop_app.catalogue.captions import set_review_state
    from desktop_app.catalogue.models import ReviewState

    _change(photo, db, author, revision, lambda session, found, who, based_on: set_review_state(
        session, found, ReviewState.APPROVED, author=who, based_on=based_on), caption_id=caption_id)


@click.command()
@click.argument("photo")
@revision_option("the photo's current caption")
@caption_option
@author_option
@db_option
def reject(photo: str, revision: int | None, caption_id: int | None, author: str | None,
           db: str | None) -> None:
    """Reject PHOTO's current caption."""
    from desktop_app.catalogue.captions import set_review_state
    from desktop_app.catalogue.models import ReviewState

    _change(photo, db, author, revision, lambda session, found, who, based_on: set_review_state(
        session, found, ReviewState.REJECTED, author=who, based_on=based_on), caption_id=caption_id)


@click.command()
@click.argument("photo")
@click.option("--to", "number", type=click.IntRange(min=1), required=True, metavar="N",
              help="The revision whose text comes back (see `show PHOTO`).")
@revision_option("the photo's current caption")
@caption_option
@author_option
@db_option
def revert(photo: str, number: int, revision: int | None, caption_id: int | None, author: str | None,
           db: str | None) -> None:
    """Bring back an earlier text of PHOTO's current caption, as a new draft revision."""
    from desktop_app.catalogue.caption_rules import CaptionError
    from desktop_app.catalogue.captions import check_current, current_caption, revert_caption

    def apply(session: Session, found: Photo, who: str, based_on: BasedOn | None) -> Caption:
        caption = current_caption(session, found.id)
        if caption is None:
            raise CaptionError(f"photo {found.id} has no caption to revert")
        if based_on is not None and based_on.caption_id != caption.id:
            check_current(session, found, caption, based_on)  # refused: another caption is current
        return revert_caption(session, caption, number, author=who, based_on=based_on)

    _change(photo, db, author, revision, apply, caption_id=caption_id)


@click.command()
@click.argument("photo")
@click.argument("caption_id", metavar="CAPTION", type=int)
@revision_option("CAPTION")
@author_option
@db_option
def choose(photo: str, caption_id: int, revision: int | None, author: str | None, db: str | None) -> None:
    """Make CAPTION (an id from `show PHOTO`) PHOTO's current caption, e.g. a model's draft that was
    stored beside a person's caption."""
    from desktop_app.catalogue.captions import choose_caption
    from desktop_app.catalogue.models import Caption

    _change(photo, db, author, revision, lambda session, found, who, based_on: choose_caption(
        session, found, caption_id, author=who, based_on=based_on),
        caption_of=lambda session, _found: session.get(Caption, caption_id))
