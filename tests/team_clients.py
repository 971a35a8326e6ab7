"""Editor clients for tests and benchmarks of a team's catalogue: processes that edit, approve and tag
the same photos at once through the services the command line uses, each action based on the
revision the editor saw (the review contract), and the checks that nothing was lost.

Reusable: ``run_editor`` is a top-level function (multiprocessing "spawn" can start it), gives one
plain ``Outcome`` per action, and ``check_outcomes`` checks a whole run against the catalogue (every
action landed as the revision after the one it was based on, or was refused with the conflict message
and its text kept as a draft; revision numbers 1..n per caption and keyword; one keyword per photo and
term). tests/test_team_editing.py runs it; the combined "editors and workers" test and
tests/benchmarks/bench_team.py use it too.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.caption_rules import KEPT_NOTE, BasedOn, CaptionConflict
from desktop_app.catalogue.captions import current_caption
from desktop_app.catalogue.keywords import keyword_of, resolve_term
from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Library,
    Photo,
    PhotoKeyword,
    PhotoKeywordRevision,
    PhotoStatus,
)
from desktop_app.services.keywords import ADD, REJECT, tag_photos
from desktop_app.services.review import APPROVE, EDIT, Change, Reviewer, review

CONFLICT_WORDS = ("changed since revision", "has a caption now", "is no longer the current caption")


@dataclass(frozen=True)
class Outcome:
    """One action of one editor: what it was based on, and whether it landed or was refused."""

    author: str
    kind: str  # "caption" or "keyword"
    action: str
    photo_id: int
    based_caption: int | None  # captions: the current caption the editor saw (None: the photo had none)
    based_revision: int  # the revision the editor saw (captions and keywords)
    text: str  # the caption text sent; the keyword's label
    landed: bool
    caption_id: int | None = None  # captions: the caption changed; for a refused edit, the kept one
    message: str = ""  # the refusal, one line
    seconds: float = 0.0  # how long the write took (the read of what the editor saw not included)


def make_photos(catalogue: Catalogue, count: int, *, captioned: int = 0, root: str = "/team") -> list[int]:
    """``count`` photos 00000.jpg, 00001.jpg... (catalogue rows only: files there are the caller's) in a
    library "team" at ``root``; the first ``captioned`` of them with a human draft caption. Their ids."""
    from desktop_app.catalogue.captions import add_caption

    with catalogue.write() as session:
        library = Library(root=root, name="team")
        session.add(library)
        session.flush()
        photos = [Photo(library_id=library.id, rel_path=f"{number:05}.jpg", status=PhotoStatus.OK)
                  for number in range(count)]
        session.add_all(photos)
        session.flush()
        for photo in photos[:captioned]:
            add_caption(session, photo, f"first draft of photo {photo.id}", origin=CaptionOrigin.HUMAN,
                        author="setup")
        return [photo.id for photo in photos]


def make_terms(catalogue: Catalogue, labels: list[str]) -> None:
    """Free keywords with these labels (an editor's read finds them)."""
    with catalogue.write() as session:
        for label in labels:
            resolve_term(session, label, create_free=True)


def edit_once(catalogue: Catalogue, author: str, photo_id: int, text: str, *, approve: bool = False,
              type_first: bool = False) -> Outcome:
    """What an editor does: read the photo's current caption (what they see), then edit it (or edit and
    approve) based on that revision, through services.review as ``photo-annotator edit`` does.
    ``type_first``: save the text as an unsaved edit first, as the app does while one types."""
    with catalogue.read() as session:
        seen = BasedOn.of(current_caption(session, photo_id))
    action = APPROVE if approve else EDIT
    base = dict(author=author, kind="caption", action=action, photo_id=photo_id,
                based_caption=seen.caption_id, based_revision=seen.revision, text=text)
    start = time.perf_counter()
    try:
        if type_first:
            Reviewer(catalogue, author).save_unsaved(photo_id, text, based_on=seen)
        done = review(catalogue, str(photo_id), Change(action, text=text, based_on=seen), author=author)
    except CaptionConflict as refused:
        return Outcome(**base, landed=False, caption_id=refused.kept_caption_id, message=str(refused),
                       seconds=time.perf_counter() - start)
    return Outcome(**base, landed=True, caption_id=done.caption_id, seconds=time.perf_counter() - start)


def tag_once(catalogue: Catalogue, author: str, photo_id: int, label: str, action: str) -> Outcome:
    """A keyword action (add or reject) on the photo, based on the revision of its keyword the editor
    saw, through services.keywords as ``photo-annotator tags`` does."""
    with catalogue.read() as session:
        term = resolve_term(session, label)
        keyword = keyword_of(session, photo_id, term.id)
        revision = keyword.revision if keyword is not None else 0
    if keyword is None:
        action = ADD  # nothing to reject yet: what the editor sees offers adding it
    start = time.perf_counter()
    [tagged] = tag_photos(catalogue, [str(photo_id)], label, action, author=author, revision=revision)
    return Outcome(author, "keyword", action, photo_id, None, revision, label, landed=tagged.error is None,
                   message=tagged.error or "", seconds=time.perf_counter() - start)


def run_editor(url: str, author: str, photo_ids: list[int], actions: int, seed: int,
               labels: list[str] | None = None) -> list[dict[str, Any]]:
    """One editor process: ``actions`` actions on photos drawn from ``photo_ids`` (edits, edit and
    approves, one in four typed first; with ``labels``, one in four a keyword add or reject). The
    outcomes as dicts (picklable across processes)."""
    rng = random.Random(seed)
    outcomes = []
    with open_catalogue(url) as catalogue:
        for number in range(actions):
            photo_id = rng.choice(photo_ids)
            if labels and rng.random() < 0.25:
                outcome = tag_once(catalogue, author, photo_id, rng.choice(labels), rng.choice((ADD, REJECT)))
            else:
                outcome = edit_once(catalogue, author, photo_id, f"{author} wrote this, take {number}",
                                    approve=rng.random() < 0.3, type_first=rng.random() < 0.25)
            outcomes.append(asdict(outcome))
    return outcomes


def check_outcomes(catalogue: Catalogue, outcomes: list[Outcome]) -> list[str]:
    """Everything wrong with a run (empty: nothing lost, nothing doubled). Each landed edit is the
    revision after the one it was based on, with its text and author; each refused one says why and
    its text is kept as a non-current human draft; each caption's and keyword's revisions are numbered
    1..n; a photo has one keyword per term."""
    problems: list[str] = []
    with catalogue.read() as session:
        for outcome in outcomes:
            if outcome.kind == "keyword":
                if not outcome.landed and "changed since revision" not in outcome.message \
                        and "is gone" not in outcome.message:
                    problems.append(f"keyword action refused without a conflict: {outcome}")
                continue
            if outcome.landed:
                number = outcome.based_revision + 1 if outcome.based_caption is not None else 1
                if outcome.based_caption is not None and outcome.caption_id != outcome.based_caption:
                    problems.append(f"edit landed on another caption than it was based on: {outcome}")
                found = session.scalar(select(CaptionRevision).where(
                    CaptionRevision.caption_id == outcome.caption_id, CaptionRevision.number == number))
                if found is None or found.text != outcome.text or found.author != outcome.author:
                    problems.append(f"landed edit not revision {number} of its caption: {outcome}")
                continue
            if not any(words in outcome.message for words in CONFLICT_WORDS):
                problems.append(f"edit refused without the conflict message: {outcome}")
            kept = session.get(Caption, outcome.caption_id) if outcome.caption_id is not None else None
            if kept is None or (kept.text, kept.is_current, kept.origin) != (outcome.text, False,
                                                                             CaptionOrigin.HUMAN):
                problems.append(f"refused edit's text not kept as a draft: {outcome}")
            elif not session.scalar(select(func.count()).where(CaptionRevision.caption_id == kept.id,
                                                               CaptionRevision.note.contains(KEPT_NOTE))):
                problems.append(f"kept text not noted as kept: {outcome}")
        for table, owner in ((CaptionRevision, CaptionRevision.caption_id),
                             (PhotoKeywordRevision, PhotoKeywordRevision.keyword_id)):
            numbers: dict[int, list[int]] = {}
            for key, number in session.execute(select(owner, table.number)):
                numbers.setdefault(key, []).append(number)
            for key, found in numbers.items():
                if sorted(found) != list(range(1, len(found) + 1)):
                    problems.append(f"{table.__tablename__} of {key} numbered {sorted(found)}")
        for model in (Caption, PhotoKeyword):
            for key, revision in session.execute(select(model.id, model.revision)):
                owner = CaptionRevision.caption_id if model is Caption else PhotoKeywordRevision.keyword_id
                table = CaptionRevision if model is Caption else PhotoKeywordRevision
                newest = session.scalar(select(func.max(table.number)).where(owner == key))
                if newest != revision:
                    problems.append(f"{model.__tablename__} {key} at revision {revision}, newest is {newest}")
        doubled = session.execute(select(PhotoKeyword.photo_id, PhotoKeyword.term_id)
                                  .group_by(PhotoKeyword.photo_id, PhotoKeyword.term_id)
                                  .having(func.count() > 1)).all()
        problems += [f"photo {photo} has term {term} twice" for photo, term in doubled]
        currents = session.execute(select(Caption.photo_id, Caption.kind).where(Caption.is_current.is_(True))
                                   .group_by(Caption.photo_id, Caption.kind).having(func.count() > 1)).all()
        problems += [f"photo {photo} has several current {kind} captions" for photo, kind in currents]
    return problems
