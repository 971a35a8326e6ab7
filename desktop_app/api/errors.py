"""JSON errors with stable codes: every error response is ``{"error": {"code": ..., "message": ...}}``
(and, for a stale revision, the current ETag), FastAPI's own validation errors included.

The codes are part of the API: add new ones, never rename them. A database failure is 503
``database_unavailable``, anything unexpected 500 ``internal_error`` (logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from desktop_app.catalogue.caption_rules import CaptionConflict, CaptionError, CaptionTooLong
from desktop_app.catalogue.database import database_failure
from desktop_app.catalogue.errors import CatalogueError
from desktop_app.catalogue.keyword_rules import AmbiguousTerm, KeywordConflict, KeywordError, UnknownTerm
from desktop_app.catalogue.photos import LibraryNotFoundError, PhotoNotFoundError
from desktop_app.catalogue.tokens import TokenError
from desktop_app.errors import one_line
from desktop_app.exports import ExportError
from desktop_app.jobs.store import JobError
from desktop_app.plugin_api.embedder import EmbedderError
from desktop_app.plugin_api.hf import ModelLoadError, ModelNotAvailableError
from desktop_app.plugin_registry import UnknownCaptionerError, UnknownEmbedderError
from desktop_app.search.service import SearchError
from desktop_app.services.flags import FlagsNotConfirmed
from desktop_app.services.photos import FilterError

log = logging.getLogger(__name__)

# The code of an HTTP status when nothing more specific is known.
_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 412: "stale_revision",
                 422: "invalid_request", 428: "precondition_required"}


class ApiError(HTTPException):
    """An error with its stable code; ``extra`` goes into the error object, ``headers`` on the response."""

    def __init__(self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(status, message, headers=headers)
        self.code, self.message, self.extra = code, message, extra


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def etag(item_id: int | None, revision: int | None) -> str:
    """The ETag of a caption or a photo's keyword: its id and revision ("0.0": there is none yet)."""
    return f'"{item_id or 0}.{revision or 0}"'


def _respond(error: ApiError) -> JSONResponse:
    return JSONResponse(error_body(error.code, error.message, **error.extra), status_code=error.status_code,
                        headers=error.headers)


def as_api_error(exc: Exception) -> ApiError | None:
    """The API error a service's exception is, or None for one that is not the client's doing."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, CaptionConflict):
        current = etag(exc.caption_id, exc.revision)
        return ApiError(412, "stale_revision", str(exc), headers={"ETag": current}, current_etag=current,
                        kept_caption_id=exc.kept_caption_id)
    if isinstance(exc, KeywordConflict):
        current = etag(exc.keyword_id, exc.revision)
        return ApiError(412, "stale_revision", str(exc), headers={"ETag": current}, current_etag=current)
    if isinstance(exc, FlagsNotConfirmed):
        return ApiError(409, "flags_not_confirmed", f"{exc}; approve again with confirm_flags",
                        flags=[{"text": flag.text, "category": flag.category, "reason": flag.reason,
                                "start": flag.start, "end": flag.end} for flag in exc.flags])
    if isinstance(exc, JobError):
        message = str(exc)
        return ApiError(404 if message.startswith("no job ") else 409, "job_refused", message)
    for kinds, status, code, message in _PLAIN:
        if isinstance(exc, kinds):
            return ApiError(status, code, message(exc))
    return None


# The services' exceptions that are the client's doing (as_api_error): anything else is a 500.
SERVICE_ERRORS: tuple[type[Exception], ...] = (
    CaptionError, KeywordError, PhotoNotFoundError, LibraryNotFoundError, JobError, TokenError, SearchError,
    FilterError, CatalogueError, ExportError, UnknownCaptionerError, UnknownEmbedderError,
    ModelNotAvailableError, ModelLoadError, EmbedderError)


def _message(exc: KeyError) -> str:
    return str(exc.args[0]) if exc.args else one_line(exc)  # a KeyError's str() is quoted


def install(app: FastAPI) -> None:
    """Every error as JSON with its code."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, ApiError):
            return _respond(exc)
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, message), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"where": ".".join(str(part) for part in error.get("loc", ())),
                     "message": error.get("msg", "")} for error in exc.errors()]
        first = problems[0] if problems else {"where": "", "message": "invalid request"}
        return JSONResponse(error_body("invalid_request", f"{first['where']}: {first['message']}",
                                       problems=problems), status_code=422)

    async def service_error(_request: Request, exc: Exception) -> JSONResponse:
        error = as_api_error(exc)
        assert error is not None  # registered only for the classes as_api_error knows
        return _respond(error)

    for known in SERVICE_ERRORS:
        app.add_exception_handler(known, service_error)

    async def database_error(_request: Request, exc: Exception) -> JSONResponse:
        # A database failure outside the catalogue's own sessions (locked, disk full, server gone).
        return JSONResponse(error_body("database_unavailable", str(database_failure(exc))), status_code=503)

    app.add_exception_handler(DBAPIError, database_error)

    async def internal(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected failure", exc_info=exc)
        return JSONResponse(error_body("internal_error", f"unexpected failure: {one_line(exc)}"),
                            status_code=500)

    app.add_exception_handler(Exception, internal)  # Starlette's last resort: JSON too


# The services' refusals that map straight onto a status and a code (the first match wins: subclasses
# before their base classes).
_Kinds = type[Exception] | tuple[type[Exception], ...]
_PLAIN: tuple[tuple[_Kinds, int, str, Callable[[Exception], str]], ...] = (
    (PhotoNotFoundError, 404, "photo_not_found", lambda exc: _message(exc)),
    (LibraryNotFoundError, 404, "library_not_found", lambda exc: _message(exc)),
    ((UnknownCaptionerError, UnknownEmbedderError), 422, "unknown_plugin", lambda exc: _message(exc)),
    ((ModelNotAvailableError, ModelLoadError, EmbedderError), 409, "model_unavailable", one_line),
    (UnknownTerm, 404, "unknown_term", str),
    (AmbiguousTerm, 422, "ambiguous_term", str),
    (KeywordError, 409, "keyword_refused", str),
    (CaptionTooLong, 422, "caption_too_long", str),
    (CaptionError, 409, "caption_refused", str),
    (TokenError, 409, "token_refused", str),
    (ExportError, 409, "export_refused", str),
    (SearchError, 422, "search_failed", str),
    (FilterError, 422, "invalid_request", str),
    (CatalogueError, 409, "catalogue_refused", str),
)
