"""`photo-annotator edit / approve / reject / revert / choose`: a person's changes to captions, each
a revision."""

from __future__ import annotations

import click

from desktop_app.cli.common import author_option, db_option, echo, open_db


def _change(photo: str, db: str | None, author: str | None, apply: object) -> None:
    from desktop_app.catalogue.captions import default_author
    from desktop_app.catalogue.photos import absolute_path, display_path, find_photo

    catalogue = open_db(db)
    with catalogue.write() as session:
        found = find_photo(session, photo)
        caption = apply(session, found, author or default_author())  # type: ignore[operator]
        echo(f"{display_path(absolute_path(found.library.root, found.rel_path))}: caption {caption.id} "
             f"{caption.state.value}: {caption.text}")


@click.command()
@click.argument("photo")
@click.option("--text", required=True, help="The new caption text.")
@click.option("--approve", is_flag=True, help="Approve the new text in the same revision.")
@author_option
@db_option
def edit(photo: str, text: str, approve: bool, author: str | None, db: str | None) -> None:
    """Write a new text for PHOTO's current caption (a human revision; the old text stays in history)."""
    from desktop_app.catalogue.captions import edit_caption

    _change(photo, db, author,
            lambda session, found, who: edit_caption(session, found, text, author=who, approve=approve))


@click.command()
@click.argument("photo")
@author_option
@db_option
def approve(photo: str, author: str | None, db: str | None) -> None:
    """Approve PHOTO's current caption."""
    from desktop_app.catalogue.captions import set_review_state
    from desktop_app.catalogue.models import ReviewState

    _change(photo, db, author,
            lambda session, found, who: set_review_state(session, found, ReviewState.APPROVED, author=who))


@click.command()
@click.argument("photo")
@author_option
@db_option
def reject(photo: str, author: str | None, db: str | None) -> None:
    """Reject PHOTO's current caption."""
    from desktop_app.catalogue.captions import set_review_state
    from desktop_app.catalogue.models import ReviewState

    _change(photo, db, author,
            lambda session, found, who: set_review_state(session, found, ReviewState.REJECTED, author=who))


@click.command()
@click.argument("photo")
@click.option("--to", "number", type=click.IntRange(min=1), required=True, metavar="N",
              help="The revision whose text comes back (see `show PHOTO`).")
@author_option
@db_option
def revert(photo: str, number: int, author: str | None, db: str | None) -> None:
    """Bring back an earlier text of PHOTO's current caption, as a new draft revision."""
    from desktop_app.catalogue.captions import CaptionError, current_caption, revert_caption

    def apply(session, found, who):  # type: ignore[no-untyped-def]
        caption = current_caption(session, found.id)
        if caption is None:
            raise CaptionError(f"photo {found.id} has no caption to revert")
        return revert_caption(session, caption, number, author=who)

    _change(photo, db, author, apply)


@click.command()
@click.argument("photo")
@click.argument("caption_id", metavar="CAPTION", type=int)
@author_option
@db_option
def choose(photo: str, caption_id: int, author: str | None, db: str | None) -> None:
    """Make CAPTION (an id from `show PHOTO`) PHOTO's current caption, e.g. a model's draft that was
    stored beside a person's caption."""
    from desktop_app.catalogue.captions import choose_caption

    _change(photo, db, author,
            lambda session, found, who: choose_caption(session, found, caption_id, author=who))
