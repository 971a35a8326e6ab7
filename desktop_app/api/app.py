"""The app factory: ``create_app(catalogue)`` is the whole HTTP API over one catalogue.

Every endpoint but /docs and /openapi.json needs a token (auth.py). Handlers are plain ``def``: FastAPI
runs them on its thread pool, and each opens the catalogue's sessions as the CLI's commands do (one
transaction per read or write), so the app and other processes on the same catalogue see every API write
as their own change polling does any other writer's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from desktop_app import __version__
from desktop_app.api import errors
from desktop_app.api.context import ApiContext
from desktop_app.api.routers import captions, exports, files, jobs, keywords, photos, search
from desktop_app.catalogue import Catalogue
from desktop_app.services.tokens import TokenChecker

if TYPE_CHECKING:
    from desktop_app.jobs.runner import JobRunner
    from desktop_app.library.thumbnails import ThumbnailCache

DESCRIPTION = """Photo Annotator's local HTTP API: photos, search, captions and their review (under the
revision contract: If-Match required on every write), keywords, jobs, image bytes, thumbnails, exports.

Send `Authorization: Bearer TOKEN` (make one with `photo-annotator token create NAME`). Errors are JSON:
`{"error": {"code": "...", "message": "..."}}`."""

DOCS_ASSETS = "/docs-assets"


def create_app(catalogue: Catalogue, *, thumbnails: ThumbnailCache | None = None,
               make_runner: Callable[[], JobRunner] | None = None) -> FastAPI:
    """The API over ``catalogue`` (opened by the caller, who closes it). ``thumbnails``: the cache to
    read and fill (default: the app's, at the settings' size); ``make_runner``: what queues jobs (default:
    a runner on the settings' engine and the installed plugins, made at the first job)."""
    context = ApiContext(catalogue, TokenChecker(catalogue), thumbnails=thumbnails, make_runner=make_runner)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        context.close()  # the search session's embedder

    # /docs from Swagger UI's files in the installed package, not FastAPI's default CDN: the page works on
    # an intranet without internet access, and no browser fetches scripts from elsewhere.
    app = FastAPI(title="Photo Annotator", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.context = context
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png")

    errors.install(app)
    for module in (photos, captions, keywords, search, jobs, files, exports):
        app.include_router(module.router)
    return app
