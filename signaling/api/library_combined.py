"""The combined MP4 of a recording over HTTP: ask for it, follow it, download it.

Lecturers of the course and the admin ask for it; whoever may see the recording follows the
job and downloads the file when it is done, through a signed link like the track files'. The
job itself runs in the background, in its own low-priority process (classroom/recording/combined.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from classroom.recording.combined import DONE, OUTPUT, CombinedJobs, read_state
from signaling.api.errors import InvalidValue
from signaling.api.schemas import error_doc
from signaling.api.library import Viewer, Who, _library, _links, _manifest
from signaling.errors import AuthRefused, RecordingNotFound, TokenError

router = APIRouter(tags=["library"])


class CombinedOut(BaseModel):
    status: str = Field(description="none (never asked for), queued, running, done or failed.")
    progress: float = 0.0
    url: str | None = Field(default=None, description="When done: the file, signed; expires after a few hours.")
    bytes: int | None = None


def jobs_of(request: Request) -> CombinedJobs:
    jobs = getattr(request.app.state, "combined_jobs", None)
    assert isinstance(jobs, CombinedJobs)  # made with the app (signaling/server/app.py)
    return jobs


def _folder(request: Request, who: Viewer, class_id: str, recording_id: str) -> tuple[Path, dict[str, object]]:
    manifest = _manifest(request, who, class_id, recording_id)  # who may see it
    folder = _library(request).folder(class_id, recording_id)
    if folder is None:
        raise RecordingNotFound(f"no recording {class_id}/{recording_id} in your courses")
    return folder, manifest


def _out(request: Request, class_id: str, recording_id: str, state: dict[str, object] | None) -> CombinedOut:
    if state is None:
        return CombinedOut(status="none")
    progress = state.get("progress")
    size = state.get("bytes")
    out = CombinedOut(
        status=str(state.get("status", "none")),
        progress=float(progress) if isinstance(progress, (int, float)) else 0.0,
        bytes=size if isinstance(size, int) else None,
    )
    if out.status == DONE:
        token = _links(request).mint(f"{class_id}/{recording_id}")
        out.url = f"/recordings/{class_id}/{recording_id}/{OUTPUT}?t={quote(token)}"
    return out


@router.get(
    "/api/recordings/{class_id}/{recording_id}/combined",
    response_model=CombinedOut,
    summary="The combined MP4's job: its state and, when done, its signed link",
)
async def combined_state(class_id: str, recording_id: str, request: Request, who: Who) -> CombinedOut:
    folder, _ = _folder(request, who, class_id, recording_id)
    return _out(request, class_id, recording_id, await run_in_threadpool(read_state, folder))


@router.post(
    "/api/recordings/{class_id}/{recording_id}/combined",
    response_model=CombinedOut,
    status_code=202,
    summary="Ask for one MP4 of the recording (lecturers, the admin); made in the background",
    responses={422: error_doc("The recording is still running (`still_recording`).")},
)
async def request_combined(class_id: str, recording_id: str, request: Request, who: Who) -> CombinedOut:
    folder, manifest = _folder(request, who, class_id, recording_id)
    if not who.edits:
        raise AuthRefused("only lecturers ask for the combined file", code="not_allowed")
    if manifest.get("status") == "recording":
        raise InvalidValue("the recording is still running: ask once it has stopped", code="still_recording")
    state = await run_in_threadpool(jobs_of(request).request, folder)
    return _out(request, class_id, recording_id, state)


@router.api_route(f"/recordings/{{class_id}}/{{recording_id}}/{OUTPUT}", methods=["GET", "HEAD"], include_in_schema=False)
async def combined_file(
    class_id: str, recording_id: str, request: Request, t: Annotated[str, Query(max_length=4096)] = ""
) -> FileResponse:
    """The combined MP4, with ranges; `t` is the signed link's token."""
    try:
        _links(request).verify(t, f"{class_id}/{recording_id}")
    except TokenError as error:
        raise AuthRefused(error.message, code=error.code) from None
    folder = _library(request).folder(class_id, recording_id)
    if folder is None or not (folder / OUTPUT).is_file():
        raise RecordingNotFound("the combined file of this recording is not made yet")
    title = str((_library(request).manifest(class_id, recording_id) or {}).get("title") or recording_id)
    return FileResponse(
        folder / OUTPUT,
        media_type="video/mp4",
        filename=f"{title}.mp4",
        headers={"Cache-Control": "private, max-age=3600"},
    )
