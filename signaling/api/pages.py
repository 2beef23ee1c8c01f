"""The browser client: the join page and its static files (web/static, no build step).

Join links are ``{public_url}/join#t=<token>``; the token stays in the fragment, so this route
never sees it. Everything is served with ``Cache-Control: no-cache`` (browsers revalidate with
the ETag and get a 304), so an upgraded server never meets a browser running last week's
modules, and the page gets a Content-Security-Policy that allows only its own scripts and
its own server for WebSocket and fetch.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import web

STATIC_DIR = Path(web.__file__).parent / "static"

PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    ),
    "Permissions-Policy": "camera=(self), microphone=(self), display-capture=(self)",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)


@router.api_route("/join", methods=["GET", "HEAD"])
async def join_page() -> FileResponse:
    """The page behind every join link (pre-join, then the class view of the link's role)."""
    return FileResponse(STATIC_DIR / "join.html", media_type="text/html", headers=PAGE_HEADERS)


@router.api_route("/course", methods=["GET", "HEAD"])
async def course_page() -> FileResponse:
    """The page behind a personal course link: the course's classes, each to join."""
    return FileResponse(STATIC_DIR / "course.html", media_type="text/html", headers=PAGE_HEADERS)


@router.api_route("/test", methods=["GET", "HEAD"])
async def test_page() -> FileResponse:
    """A module-end test, from a trainee's course link: ``/test?test=<id>#t=<token>``."""
    return FileResponse(STATIC_DIR / "test.html", media_type="text/html", headers=PAGE_HEADERS)


@router.api_route("/assessment", methods=["GET", "HEAD"])
async def assessment_page() -> FileResponse:
    """A course's bank, tests, results and grading, from a lecturer's course link."""
    return FileResponse(STATIC_DIR / "assessment.html", media_type="text/html", headers=PAGE_HEADERS)


class RevalidatedFiles(StaticFiles):
    """Static files that browsers revalidate on every use (cheap: 304 with the ETag)."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


static_files = RevalidatedFiles(directory=STATIC_DIR)
