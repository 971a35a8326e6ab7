"""A photo's keywords (`tags show`), a person's keyword actions (`tags add/remove/accept/reject`) under
the revision contract (each keyword's ETag ``"ID.REVISION"``, "0.0" for a term the photo does not have;
If-Match required), and suggestions (`tags suggest`: a tag job, queued)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from desktop_app.api.auth import Context, IfMatch, Reader, Writer, author, based_on
from desktop_app.api.errors import etag
from desktop_app.services.keywords import KEYWORD_ACTIONS, keyword_action, photo_keyword_records
from desktop_app.services.photos import photo_file

router = APIRouter(tags=["keywords"])

Action = Literal["add", "remove", "accept", "reject"]
assert set(Action.__args__) == set(KEYWORD_ACTIONS)  # type: ignore[attr-defined]


class KeywordBody(BaseModel):
    term: Annotated[str, Field(min_length=1, description="A preferred label or a synonym of one.")]
    vocab: str | None = Field(None, description="The vocabulary, where a label is in several.")


class SuggestBody(BaseModel):
    tagger: str | None = Field(None, description="The tagger (default: caption-text).")
    model: str | None = None
    vocabularies: list[str] | None = Field(None, description="Default: every imported vocabulary.")
    top_n: Annotated[int | None, Field(ge=1, le=1000)] = None
    threshold: Annotated[float | None, Field(ge=0, le=1)] = None


@router.get("/photos/{photo_id}/keywords")
def keywords(photo_id: int, ctx: Context, _token: Reader) -> dict[str, Any]:
    """The photo's keywords in every state, each with its history and ``etag`` (`tags show --json`)."""
    found = photo_file(ctx.catalogue, photo_id)
    records = photo_keyword_records(ctx.catalogue, photo_id)
    for record in records:
        record["etag"] = etag(record["id"], record["revision"])
    return {"id": found.photo_id, "path": found.path, "keywords": records}


@router.post("/photos/{photo_id}/keywords/{action}")
def act(photo_id: int, action: Action, body: KeywordBody, ctx: Context, token: Writer, response: Response,
        if_match: IfMatch = None) -> dict[str, Any]:
    """add (a term no vocabulary has becomes a free keyword), remove (kept as rejected), accept or
    reject the keyword ``term``; If-Match: its ETag, "0.0" when the photo does not have it."""
    _keyword_id, revision = based_on(if_match)  # the revision decides: a photo has one keyword per term
    view = keyword_action(ctx.catalogue, str(photo_id), body.term, action, vocabulary=body.vocab,
                          author=author(token), revision=revision)
    response.headers["ETag"] = etag(view.keyword_id, view.revision)
    return {"photo_id": photo_id, "keyword_id": view.keyword_id, "label": view.label,
            "vocabulary": view.vocabulary, "state": view.state.value, "revision": view.revision,
            "etag": response.headers["ETag"]}


@router.post("/photos/{photo_id}/keywords-suggest", status_code=202)
def suggest(photo_id: int, ctx: Context, _token: Writer, body: SuggestBody | None = None) -> dict[str, Any]:
    """Queue suggesting keywords for the photo (a tag job, as `tags suggest`; the app or a `worker`
    runs it): its job, 202. The tagger, vocabularies and options are checked now."""
    from desktop_app.services import jobs

    body = body or SuggestBody()
    photo_file(ctx.catalogue, photo_id)  # 404 for no such photo
    runner = ctx.runner()
    tagger = body.tagger or jobs.default_tagger(runner.engine.registry)
    options = {"vocabularies": body.vocabularies, "top_n": body.top_n, "threshold": body.threshold}
    return jobs.queue_tag_job(runner, tagger, [photo_id], model=body.model, options=options).to_json()
