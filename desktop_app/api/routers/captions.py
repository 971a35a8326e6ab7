"""A photo's captions, their history, and the review actions (edit, approve, reject) under the
revision contract: each caption's ETag is ``"ID.REVISION"``; every write needs it in If-Match (428
without, 412 with the current ETag when the caption changed since; a refused edit's text is kept
beside the current caption, as in the app)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from desktop_app.api.auth import Context, IfMatch, Reader, Writer, author, based_on
from desktop_app.api.errors import etag
from desktop_app.catalogue.caption_rules import BasedOn
from desktop_app.catalogue.models import CaptionKind
from desktop_app.services.photos import photo_record
from desktop_app.services.review import APPROVE, EDIT, REJECT, Change, review

router = APIRouter(tags=["captions"])

Kind = Literal["description", "alt-text", "extended-description"]


class EditBody(BaseModel):
    text: Annotated[str, Field(min_length=1, description="The new caption text.")]
    approve: bool = Field(False, description="Approve the new text in the same revision.")
    kind: Kind = "description"


class ReviewBody(BaseModel):
    kind: Kind = "description"
    confirm_flags: bool = Field(False, description="approve: the editor checked the caption's flags.")
    reason: str | None = Field(None, description="With confirm_flags: kept in the approval's note.")


def _current(record: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((caption for caption in record["captions"] if caption["current"] and caption["kind"] == kind),
                None)


@router.get("/photos/{photo_id}/captions")
def captions(photo_id: int, ctx: Context, _token: Reader, response: Response,
             kind: Kind = "description") -> dict[str, Any]:
    """Every caption of the photo (all kinds, current and kept beside), each with its full history and
    its ``etag``; ``current`` is the current caption of ``kind`` (null: none yet), whose ETag is the
    response's ETag header ("0.0" when there is none)."""
    record = photo_record(ctx.catalogue, str(photo_id))
    current = _current(record, kind)
    for caption in record["captions"]:
        caption["etag"] = etag(caption["id"], caption["revision"])
    response.headers["ETag"] = etag(current["id"], current["revision"]) if current else etag(None, 0)
    return {"photo_id": record["id"], "current": current, "captions": record["captions"]}


@router.get("/photos/{photo_id}/history")
def history(photo_id: int, ctx: Context, _token: Reader, kind: Kind | None = None) -> dict[str, Any]:
    """Every revision of the photo's captions (of ``kind`` when given), oldest first."""
    record = photo_record(ctx.catalogue, str(photo_id))
    revisions = [{"caption_id": caption["id"], "kind": caption["kind"], **revision}
                 for caption in record["captions"] if kind is None or caption["kind"] == kind
                 for revision in caption["history"]]
    revisions.sort(key=lambda revision: (revision["at"], revision["caption_id"], revision["revision"]))
    return {"photo_id": record["id"], "revisions": revisions}


def _write(ctx: Context, photo_id: int, change: Change, if_match: str | None, response: Response,
           who: str) -> dict[str, Any]:
    caption_id, revision = based_on(if_match)
    done = review(ctx.catalogue, str(photo_id), replace(change, based_on=BasedOn(caption_id, revision)),
                  author=who)
    response.headers["ETag"] = etag(done.caption_id, done.revision)
    return {"photo_id": photo_id, "caption_id": done.caption_id, "kind": done.kind.value,
            "state": done.state.value, "text": done.text, "revision": done.revision,
            "etag": response.headers["ETag"]}


@router.put("/photos/{photo_id}/caption")
def edit(photo_id: int, body: EditBody, ctx: Context, token: Writer, response: Response,
         if_match: IfMatch = None) -> dict[str, Any]:
    """A new text for the photo's current caption of ``kind`` (a human revision; the old text stays in
    the history); the first caption of that kind with If-Match "0.0"."""
    change = Change(APPROVE if body.approve else EDIT, text=body.text, kind=CaptionKind(body.kind))
    return _write(ctx, photo_id, change, if_match, response, author(token))


@router.post("/photos/{photo_id}/caption/approve")
def approve(photo_id: int, ctx: Context, token: Writer, response: Response, if_match: IfMatch = None,
            body: ReviewBody | None = None) -> dict[str, Any]:
    """Approve the photo's current caption of ``kind``; a flagged one (409 flags_not_confirmed, its flags
    listed) only with ``confirm_flags``."""
    body = body or ReviewBody()
    change = Change(APPROVE, kind=CaptionKind(body.kind), confirm_flags=body.confirm_flags,
                    flags_reason=body.reason)
    return _write(ctx, photo_id, change, if_match, response, author(token))


@router.post("/photos/{photo_id}/caption/reject")
def reject(photo_id: int, ctx: Context, token: Writer, response: Response, if_match: IfMatch = None,
           body: ReviewBody | None = None) -> dict[str, Any]:
    """Reject the photo's current caption of ``kind``."""
    body = body or ReviewBody()
    return _write(ctx, photo_id, Change(REJECT, kind=CaptionKind(body.kind)), if_match, response,
                  author(token))
