"""The job queue: queue a caption or tag job, list jobs, a job's status, pause, resume, cancel.

The server queues jobs and runs none: the app or a `photo-annotator worker` beside it runs the queue
(as for `caption --queue-only`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from desktop_app.api.auth import Context, Reader, Writer
from desktop_app.api.errors import ApiError
from desktop_app.services import jobs as service
from desktop_app.services.photos import existing_photo_ids

router = APIRouter(tags=["jobs"])

StateName = Literal["queued", "running", "paused", "done", "failed", "cancelled"]


class JobBody(BaseModel):
    kind: Literal["caption", "tag"] = "caption"
    photo_ids: list[int] | None = Field(None, description="The photos; or give folder.")
    folder: str | None = Field(None, description="Every readable photo under this folder (in a library).")
    captioner: str | None = Field(None, description="caption: the captioner id (e.g. generic).")
    tagger: str | None = Field(None, description="tag: the tagger id (default: caption-text).")
    model: str | None = Field(None, description="A hub id or a model folder (default: the settings').")
    options: dict[str, Any] = Field(default_factory=dict, description="The captioner's or tagger's "
                                                                      "options.")


@router.post("/jobs", status_code=202)
def queue(body: JobBody, ctx: Context, _token: Writer) -> dict[str, Any]:
    """Queue a job (202): the captioner or tagger, the model folder and the options are checked now."""
    if (body.photo_ids is None) == (body.folder is None):
        raise ApiError(422, "invalid_request", "give photo_ids or folder (one of them)")
    if body.photo_ids is not None:
        if not body.photo_ids:
            raise ApiError(422, "invalid_request", "photo_ids is empty")
        missing = sorted(set(body.photo_ids) - existing_photo_ids(ctx.catalogue, body.photo_ids))
        if missing:
            raise ApiError(404, "photo_not_found", f"no photo with id {missing[0]}", missing=missing[:100])
    runner = ctx.runner()
    if body.kind == "caption":
        if not body.captioner:
            raise ApiError(422, "invalid_request", "a caption job needs captioner")
        if body.folder is not None:
            job = service.queue_folder_job(runner, body.captioner, body.folder, body.model, body.options)
        else:
            job = service.queue_caption_job(runner, body.captioner, body.photo_ids or [], body.model,
                                            body.options)
    else:
        tagger = body.tagger or service.default_tagger(runner.engine.registry)
        if body.folder is not None:
            job = service.queue_tag_folder_job(runner, tagger, body.folder, body.model, body.options)
        else:
            job = service.queue_tag_job(runner, tagger, body.photo_ids or [], body.model, body.options)
    return job.to_json()


@router.get("/jobs")
def list_jobs(ctx: Context, _token: Reader,
              state: Annotated[list[StateName] | None, Query(description="Repeat for several.")] = None
              ) -> dict[str, Any]:
    """Every job, oldest first (of ``state`` when given)."""
    from desktop_app.catalogue.models import JobState

    found = service.list_jobs(ctx.catalogue, [JobState(each) for each in state] if state else None)
    return {"total": len(found), "items": [job.to_json() for job in found]}


@router.get("/jobs/{job_id}")
def job_status(job_id: int, ctx: Context, _token: Reader) -> dict[str, Any]:
    """A job's state and counts, with its failed photos and why."""
    job = service.job_summary(ctx.catalogue, job_id)
    failures = service.job_failures(ctx.catalogue, job_id)
    return {**job.to_json(), "failures": [{"path": path, "reason": reason} for path, reason in failures]}


@router.post("/jobs/{job_id}/pause")
def pause(job_id: int, ctx: Context, _token: Writer) -> dict[str, Any]:
    """Pause a queued or running job (a worker running it stops after its batch)."""
    return service.pause_job(ctx.catalogue, job_id).to_json()


@router.post("/jobs/{job_id}/resume")
def resume(job_id: int, ctx: Context, _token: Writer) -> dict[str, Any]:
    """Put a paused or failed job back in the queue."""
    return service.requeue_job(ctx.catalogue, job_id).to_json()


@router.post("/jobs/{job_id}/cancel")
def cancel(job_id: int, ctx: Context, _token: Writer) -> dict[str, Any]:
    """Cancel a job: what it stored stays; a worker running it stops after its batch."""
    return service.cancel_job(ctx.catalogue, job_id).to_json()
