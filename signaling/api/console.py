"""The technician console: ``/console`` and its files under ``/console/static`` (no build step).

Technician links are ``{public_url}/console#t=<token>``: the token stays in the fragment, which
browsers never send. The admin opens ``/console`` and types the admin token instead. Files
are revalidated on every use, as the class page's are (signaling/api/pages.py), and the
page gets a Content-Security-Policy allowing only its own scripts and its own server; unlike
the class page, it asks for no camera or microphone.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse

import web
from signaling.api.pages import RevalidatedFiles

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


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/console/static", RevalidatedFiles(directory=CONSOLE_DIR), name="console")
