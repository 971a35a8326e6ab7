"""Flags on captions (desktop_app/flagging): what an editor should check before approving a text.

The rules users rely on:
- flags are computed and stored (Caption.flags, copied onto the revision) whenever a model's draft or
  an imported text is written: a new AI or imported caption, a regenerated draft, a revert or undo to
  such a text (its revision's flags come back with it);
- a person's edit clears them: the editor wrote the text, or read it while changing it; their approval
  of their own words needs no second look. A person's own new caption is never flagged;
- approving keeps them (the record of what was confirmed); a caption "needs a second look" (the
  Flagged filter, the grid's badge) while it has flags and is still a draft;
- the rule set is the languages of Settings.review.flag_languages, loaded when first needed (the
  catalogue reads no other setting for it); a caller may pass its own (tests, `flags --recheck`);
- the meaning-based match (Settings.review.flag_meanings) needs an embedder: a caller that has one
  (a job runner, `flags --recheck`: services/flags.py) passes a MeaningMatcher; a meaning flag that
  overlaps a word flag of the same rule is left out (the words already say it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import String, and_, cast, select
from sqlalchemy.orm import Session

from desktop_app.catalogue.models import Caption, CaptionOrigin, ReviewState, RevisionAction
from desktop_app.flagging import Flag, MeaningMatcher, RuleSet, find_flags, load_rules, stored_flags
from desktop_app.settings import load_settings, user_settings_path

FLAGGED_ORIGINS = (CaptionOrigin.AI, CaptionOrigin.IMPORTED)
CONFIRMED_NOTE = "approved with flags confirmed"  # how an approval of flagged text is noted (services)


_languages: dict[str, Any] = {}  # the settings file's stamp -> its flag languages


def default_rules() -> RuleSet:
    """The rules of the languages the settings name (files read again only when they change: a scan
    importing captions from 100,000 files asks for every one)."""
    path = user_settings_path()
    try:
        info = path.stat()
        stamp: Any = (str(path), info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = (str(path), None)
    if _languages.get("stamp", ()) != stamp:
        _languages.update(stamp=stamp, languages=load_settings().review.flag_languages)
    return load_rules(_languages["languages"])


def flags_of(text: str, *, origin: CaptionOrigin, captioner_id: str | None, kind: str,
             rules: RuleSet | None = None,
             meanings: MeaningMatcher | None = None) -> list[dict[str, Any]] | None:
    """What Caption.flags holds for ``text`` written with ``origin``: None for a person's text or
    when nothing is flagged."""
    if origin not in FLAGGED_ORIGINS:
        return None
    rules = rules or default_rules()
    found = find_flags(rules, text, captioner=captioner_id, caption_kind=kind)
    if meanings is not None:
        found += [flag for flag in meanings.flags(rules, text, captioner=captioner_id, caption_kind=kind)
                  if not any(other.rule == flag.rule and other.start < flag.end and flag.start < other.end
                             for other in found)]
    return stored_flags(sorted(found))


def flag_caption(caption: Caption, rules: RuleSet | None = None,
                 meanings: MeaningMatcher | None = None) -> list[dict[str, Any]] | None:
    """Set ``caption.flags`` from its current text and origin (before its revision is appended)."""
    caption.flags = flags_of(caption.text, origin=caption.origin, captioner_id=caption.captioner_id,
                             kind=caption.kind.value, rules=rules, meanings=meanings)
    return caption.flags


def caption_flags(caption: Caption) -> list[Flag]:
    return [Flag.of(stored) for stored in caption.flags or ()]


def flags_confirmed(caption: Caption) -> bool:
    """Whether an editor already confirmed the flags of the caption's text: an approval noted so since
    the revision that wrote this text. Asked once per flagged text, not again after an undo or a
    re-approval; a model's new text (or another text brought back) is asked about again."""
    for revision in reversed(caption.revisions):
        if (revision.note or "").startswith(CONFIRMED_NOTE):
            return True
        if revision.text != caption.text or revision.action in (RevisionAction.CREATED,
                                                                RevisionAction.REGENERATED):
            return False  # back at the revision that wrote this text
    return False


def has_flags(column: Any) -> Any:
    """SQL: the JSON column holds a non-empty list (None is stored as SQL NULL or as JSON null)."""
    return and_(column.isnot(None), cast(column, String) != "null", cast(column, String) != "[]")


def needs_second_look(current: Any) -> Any:
    """SQL for the Flagged filter and the grid's badge: the (current) caption has flags and is a draft."""
    return and_(has_flags(current.flags), current.state == ReviewState.DRAFT)


def captions_to_recheck(session: Session) -> Iterator[Caption]:
    """Every caption whose text a model wrote or was imported (what ``flags --recheck`` goes through)."""
    yield from session.scalars(select(Caption).where(Caption.origin.in_(FLAGGED_ORIGINS))
                               .order_by(Caption.id).execution_options(yield_per=500))
