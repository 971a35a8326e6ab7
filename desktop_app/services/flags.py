"""Flags for a second look, for every front end: a photo's flags (`flags PHOTO`), the check an approval
of a flagged caption passes (asked once per flagged text; the reason kept in the approval's note), and
flagging existing captions again after the rules changed (`flags --recheck`), with the meaning-based
match through the default text embedder where Settings.review.flag_meanings is on. The word and pattern
rules are the catalogue's (catalogue/flags.py); only the meaning match needs an embedder, so it lives
here and in no lower layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.caption_rules import CaptionError
from desktop_app.catalogue.flags import (
    CONFIRMED_NOTE,
    caption_flags,
    captions_to_recheck,
    flags_confirmed,
    flags_of,
)
from desktop_app.catalogue.models import Caption
from desktop_app.catalogue.photos import absolute_path, find_photo
from desktop_app.flagging import Flag, MeaningMatcher, RuleSet, load_rules
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.settings import Settings, load_settings

Progress = Callable[[int, int], None]


class FlagsNotConfirmed(CaptionError):
    """An approval of a flagged caption without the editor's confirmation; ``flags`` are what to check."""

    def __init__(self, caption: Caption, flags: list[Flag]) -> None:
        listed = "; ".join(f"{flag.text!r} ({flag.category}: {flag.rule})" for flag in flags)
        super().__init__(f"caption {caption.id} has {len(flags)} flag(s) to check before approving: {listed}")
        self.caption_id, self.revision, self.flags = caption.id, caption.revision, flags


def confirmed_note(reason: str | None) -> str:
    reason = (reason or "").strip()
    return f"{CONFIRMED_NOTE}: {reason}" if reason else CONFIRMED_NOTE


def approval_note(session: Session, caption: Caption | None, text: str | None, *, confirm: bool,
                  reason: str | None) -> str | None:
    """The note an approval of ``caption`` (with ``text``, when the editor sent one) carries, after the
    flag check: FlagsNotConfirmed for flags not confirmed yet; None when there is nothing to confirm."""
    if caption is None or not caption.flags:
        return None
    if text is not None and text.strip() and text.strip() != caption.text:
        return None  # an edit: the editor's own words clear the flags
    session.refresh(caption, ["revisions"])  # this transaction's revisions, the newest included
    if flags_confirmed(caption):
        return None
    if not confirm:
        raise FlagsNotConfirmed(caption, caption_flags(caption))
    return confirmed_note(reason)


@dataclass(frozen=True)
class CaptionFlags:
    caption_id: int
    kind: str
    current: bool
    state: str
    revision: int
    text: str
    flags: list[Flag]
    confirmed: bool

    def to_json(self) -> dict[str, Any]:
        return {"caption_id": self.caption_id, "kind": self.kind, "current": self.current,
                "state": self.state, "revision": self.revision, "text": self.text,
                "flags": [flag.to_json() for flag in self.flags], "confirmed": self.confirmed}


def photo_flags(catalogue: Catalogue, photo_ref: str) -> tuple[str, list[CaptionFlags]]:
    """The photo's path and the flags of each of its captions (current ones first)."""
    with catalogue.read() as session:
        photo = find_photo(session, photo_ref)
        found = [CaptionFlags(caption.id, caption.kind.value, caption.is_current, caption.state.value,
                              caption.revision, caption.text, caption_flags(caption),
                              flags_confirmed(caption) if caption.flags else False)
                 for caption in sorted(photo.captions, key=lambda c: (not c.is_current, c.id))]
        return absolute_path(photo.library.root, photo.rel_path), found


@dataclass
class RecheckReport:
    checked: int = 0
    changed: int = 0  # captions whose flags differ from before
    flagged: int = 0  # captions with flags now
    languages: tuple[str, ...] = ()
    meanings: bool = False
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "changed": self.changed, "flagged": self.flagged,
                "languages": list(self.languages), "meanings": self.meanings, "rule_files": self.sources}


def flags_with_meanings(rules: RuleSet, matcher: MeaningMatcher | None,
                        caption: Caption) -> list[dict[str, Any]] | None:
    """The word and pattern flags of the caption's text, and the meaning-based ones where ``matcher``."""
    stored = flags_of(caption.text, origin=caption.origin, captioner_id=caption.captioner_id,
                      kind=caption.kind.value, rules=rules) or []
    if matcher is not None:
        found = [Flag.of(flag) for flag in stored]
        for flag in matcher.flags(rules, caption.text, captioner=caption.captioner_id,
                                  caption_kind=caption.kind.value):
            if not any(other.rule == flag.rule and other.start < flag.end and flag.start < other.end
                       for other in found):  # the words already say it
                found.append(flag)
        stored = [flag.to_json() for flag in sorted(found)]
    return stored or None


def lazy_meaning_matcher(settings: Settings, registry: PluginRegistry | None = None) -> MeaningMatcher:
    """A matcher on the default text embedder, loaded at its first text (a job runner's: the embedder
    stays loaded while the runner lives, beside the captioner)."""
    loaded: list[Any] = []

    def embed(texts: list[str]) -> Any:
        if not loaded:
            loaded.append(meaning_matcher(settings, registry)[1])
        from desktop_app.search.embedding import vectors_of

        return vectors_of(loaded[0], texts).tolist()

    return MeaningMatcher(embed)


def meaning_matcher(settings: Settings, registry: PluginRegistry | None = None) -> tuple[MeaningMatcher, Any]:
    """A matcher on the default text embedder (search's), loaded here; unload the second value after."""
    from desktop_app.plugin_api.embedder import load_embedder
    from desktop_app.search.embedding import vectors_of
    from desktop_app.search.service import DEFAULT_EMBEDDER

    embedder = load_embedder((registry or load_plugins()).get_embedder(DEFAULT_EMBEDDER), None,
                             settings.engine.device)
    return MeaningMatcher(lambda texts: vectors_of(embedder, texts).tolist()), embedder


def recheck(catalogue: Catalogue, *, rules: RuleSet | None = None, matcher: MeaningMatcher | None = None,
            settings: Settings | None = None, progress: Progress | None = None) -> RecheckReport:
    """Flag every model-written or imported caption again with the current rules (the settings' languages
    unless ``rules``). Captions a person edited stay unflagged; revisions keep the flags their text had
    when written (history is never rewritten).
    ``matcher``: the meaning match (else loaded when the settings turn it on)."""
    settings = settings or load_settings()
    rules = rules or load_rules(settings.review.flag_languages, strict=True)
    loaded = None
    if matcher is None and settings.review.flag_meanings:
        matcher, loaded = meaning_matcher(settings)
    report = RecheckReport(languages=rules.languages, meanings=matcher is not None,
                           sources=list(rules.sources))
    try:
        with catalogue.write() as session:
            chosen = list(captions_to_recheck(session))
            for caption in chosen:
                flags = flags_with_meanings(rules, matcher, caption)
                report.checked += 1
                report.flagged += flags is not None
                if flags != (caption.flags or None):
                    report.changed += 1
                    caption.flags = flags
                if progress is not None:
                    progress(report.checked, len(chosen))
    finally:
        if loaded is not None:
            loaded.unload()
    return report
