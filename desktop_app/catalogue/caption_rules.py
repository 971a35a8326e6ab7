"""The rules every caption change obeys, without touching the database: the longest caption, the
review contract's ``BasedOn`` and ``CaptionConflict``, and who a human edit is attributed to.

Importable by every front end (the UI and the CLI show conflicts and limits); the writes that apply
these rules live in captions.py and ai_captions.py, reached through desktop_app.services.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import datetime

from desktop_app.catalogue.models import (
    Caption,
    RevisionAction,
)

USER_ENV = "PHOTO_ANNOTATOR_USER"
KEPT_NOTE = "kept after a conflict"

# The longest caption the catalogue keeps, in characters. A caption describes a photo; a longer text
# (an 8 MB "description" pasted from elsewhere) made keyword search crawl. A longer edit is refused;
# a longer imported description is cut here with a note (see cut_to_limit).
MAX_CAPTION_CHARS = 20_000


class CaptionError(Exception):
    """A caption change that cannot be made; the message says why in one line."""


class CaptionTooLong(CaptionError):
    """A text longer than MAX_CAPTION_CHARS: a person's is refused, never cut (the editor keeps it)."""


def cut_to_limit(text: str) -> tuple[str, str | None]:
    """``text`` cut to MAX_CAPTION_CHARS characters, with a note saying so (None when it fit). For text
    no person is typing here: a model's output, an imported description."""
    if len(text) <= MAX_CAPTION_CHARS:
        return text, None
    return text[:MAX_CAPTION_CHARS], f"cut to {MAX_CAPTION_CHARS:,} characters from {len(text):,}"


def check_length(text: str) -> None:
    """Refuse a text longer than MAX_CAPTION_CHARS (CaptionTooLong); cut_to_limit is for text from
    elsewhere."""
    if len(text) > MAX_CAPTION_CHARS:
        raise CaptionTooLong(
            f"caption is {len(text):,} characters; the most a caption can hold is {MAX_CAPTION_CHARS:,}"
        )


@dataclass(frozen=True)
class BasedOn:
    """The caption a review action is based on and the revision of it the person saw. For edit,
    approve and reject, the photo's current caption (``caption_id`` None: the photo had none); for
    revert, the caption reverted; for choose, the caption chosen."""

    caption_id: int | None
    revision: int

    @classmethod
    def of(cls, caption: Caption | None) -> BasedOn:
        return cls(caption.id, caption.revision) if caption is not None else cls(None, 0)


class CaptionConflict(CaptionError):
    """A review action refused because the caption changed since the revision it was based on.

    ``based_on`` is what the action was based on; ``caption_id`` and ``revision`` the caption that is
    there now (``caption_id`` None: the photo has no current caption); ``action``, ``changed_by`` and
    ``changed_at`` the change that came in between (the newest one). A refused edit's ``text`` is kept
    by ``review_session``, which sets ``kept_caption_id``.
    """

    def __init__(self, reason: str, *, based_on: BasedOn, caption_id: int | None, revision: int | None,
                 action: RevisionAction | None = None, changed_by: str | None = None,
                 changed_at: datetime | None = None, photo_id: int | None = None,
                 text: str | None = None, author: str | None = None, kind: str = "description") -> None:
        super().__init__(reason)
        self.reason, self.based_on = reason, based_on
        self.caption_id, self.revision = caption_id, revision
        self.action, self.changed_by, self.changed_at = action, changed_by, changed_at
        self.photo_id, self.text, self.author = photo_id, text, author
        self.kind = kind  # the caption kind a kept text belongs to
        self.kept_caption_id: int | None = None

    def __str__(self) -> str:
        if self.kept_caption_id is None:
            return self.reason
        return f"{self.reason}; your text is kept as caption {self.kept_caption_id}"


def default_author() -> str:
    """Who a human edit is attributed to: $PHOTO_ANNOTATOR_USER, else the login name."""
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "unknown"


