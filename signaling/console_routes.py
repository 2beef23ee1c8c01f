"""The technician console: ``/console`` and its files under ``/console/static`` (no build step).

Technician links are ``{public_url}/console#t=<token>``: the token stays in the fragment, which
browsers never send. The admin opens ``/console`` and types the admin token instead. Files
are revalidated on every use (an upgraded server never meets last week's modules) and the
page gets a Content-Security-Policy allowing only its own scripts and its own server.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import web

CONSOLE_DIR = Path(web.__file__).parent / "static" / "console"

HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
        "object-src 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)


@router.api_route("/console", methods=["GET", "HEAD"])
async def console_page() -> FileResponse:
    return FileResponse(CONSOLE_DIR / "console.html", media_type="text/html", headers=HEADERS)


class _Revalidated(StaticFiles):
    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/console/static", _Revalidated(directory=CONSOLE_DIR), name="console")
