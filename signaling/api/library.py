"""The e-lecture library over HTTP: a course's recordings, their files, chapters and watching.

Who may see what: the admin token sees every course; a course link's token (CourseTokens)
sees its own course, trainees and lecturers alike; lecturers (and the admin) edit chapters;
trainees report what they watched. Files are fetched with a signed link that expires
(signaling/auth/recording_links.py), since a `<video>` sends no bearer header.
The playback page is `/library#t=<course token>` (web/static/library/).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import ClientDisconnect

from classroom.courses import catalog as courses
from classroom.models import NAME_MAX, TITLE_MAX
from classroom.recording.errors import NoRoom, NotAnUpload
from classroom.recording.library import CHAPTER_TITLE_MAX, MAX_CHAPTERS, Chapter, Library, audit_deletion, dicts
from classroom.audit import AuditLog
from classroom.recording.retention import sweep_forever
from classroom.recording.upload import UploadInfo, Uploads, discard_incoming, upload_class
from classroom.recording.watching import add_watched
from signaling.server.settings import Settings
from classroom.roles import Role
from signaling.api.pages import PAGE_HEADERS, STATIC_DIR
from signaling.api.schemas import error_doc
from signaling.auth.course_tokens import CourseClaims
from signaling.auth.recording_links import RECORDING_LINK_TTL, RecordingLinks
from signaling.errors import AuthRefused, RecordingNotFound, TokenError
from signaling.server.state import server_of

router = APIRouter(tags=["library"])
bearer = HTTPBearer(auto_error=False, description="A course link's token, or the admin token.")

MAX_RANGES = 100
MEDIA_TYPES = {".webm": "video/webm", ".mkv": "video/x-matroska", ".mp4": "video/mp4", ".pdf": "application/pdf"}
# The routes that take a file as their body, streamed to disk (RequestGuard lets them be large).
STREAMED = re.compile(r"^/api/(courses/[^/]+/uploads|recordings/[^/]+/[^/]+/files)$")
WRITE_CHUNK = 1 << 20
FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file itself (not a form).",
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ("video/mp4", "application/pdf")},
    }
}


def start_housekeeping(settings: Settings, audit: AuditLog, db: sessionmaker[Session]) -> asyncio.Task[None]:
    """At start: the temporary files of uploads a crash interrupted go; then the course
    retention rule is swept now and every hour (classroom/recording/retention.py)."""
    folder = settings.recording.folder
    assert folder is not None
    discard_incoming(folder)
    return asyncio.create_task(sweep_forever(Library(folder), db, audit), name="recording retention")


def streamed_uploads(settings: Settings) -> tuple[re.Pattern[str], int]:
    """What RequestGuard lets through as a large body: the upload routes, up to the setting."""
    return STREAMED, settings.recording.upload_max_mb << 20


class Viewer(BaseModel):
    """Who asks: the admin (`claims` None) or a course link's holder."""

    claims: CourseClaims | None

    def may_see(self, course_id: object) -> bool:
        return self.claims is None or self.claims.course_id == course_id

    @property
    def edits(self) -> bool:
        return self.claims is None or self.claims.role is Role.LECTURER


def viewer(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Viewer:
    services = server_of(request.app).services
    if credentials is None:
        raise AuthRefused("send a course link's token as a bearer credential", code="auth_required")
    if services.admin_token.matches(credentials.credentials):
        return Viewer(claims=None)
    try:
        return Viewer(claims=services.course_tokens.verify(credentials.credentials))
    except TokenError as error:
        raise AuthRefused(error.message, code=error.code) from None


Who = Annotated[Viewer, Depends(viewer)]


def _library(request: Request) -> Library:
    folder = server_of(request.app).settings.recording.folder
    assert folder is not None  # derived from data_dir
    return Library(folder)


def _links(request: Request) -> RecordingLinks:
    return RecordingLinks(server_of(request.app).services.keyring, default_ttl=RECORDING_LINK_TTL)


class TrackOut(BaseModel):
    file: str
    url: str = Field(description="Signed; expires after a few hours.")
    kind: str
    source: str
    name: str
    role: str
    start: float
    end: float | None


class ChapterOut(BaseModel):
    t: float
    title: str | None
    kind: str
    name: str | None


class SlidesOut(BaseModel):
    file: str
    url: str = Field(description="Signed; expires after a few hours.")
    pages: int


class RecordingOut(BaseModel):
    id: str
    class_id: str
    course_id: str | None
    title: str
    lecturer: str | None
    started_at: str
    duration: float
    status: str
    chapters: list[ChapterOut]
    tracks: list[TrackOut]
    source: str = Field(default="class", description="`class`: recorded in a class; `upload`: an uploaded e-lecture.")
    held_on: str | None = Field(default=None, description="An upload: the day it was given (ISO date).")
    slides: SlidesOut | None = Field(default=None, description="An upload's PDF slides.")


def _out(request: Request, manifest: dict) -> RecordingOut:  # type: ignore[type-arg]
    class_id, recording_id = str(manifest["class_id"]), str(manifest["id"])
    token = _links(request).mint(f"{class_id}/{recording_id}")
    library = _library(request)
    tracks = []
    for s in dicts(manifest.get("segments")):
        found = s.get("label")
        label: dict[str, object] = found if isinstance(found, dict) else {}
        try:
            tracks.append(
                TrackOut(
                    file=str(s["file"]),
                    url=f"/recordings/{class_id}/{recording_id}/{quote(str(s['file']))}?t={token}",
                    kind=str(s["codec"]).split("/")[0],
                    source=str(label.get("source", "")),
                    name=str(label.get("name", "")),
                    role=str(label.get("role", "")),
                    start=s["start"],
                    end=s.get("end"),
                )
            )
        except (KeyError, ValueError):
            continue  # a segment the manifest describes badly is left out, not a 500
    slides = None
    found = manifest.get("slides")
    if isinstance(found, dict) and isinstance(found.get("pages"), int):
        name = str(found.get("file"))
        slides = SlidesOut(file=name, url=f"/recordings/{class_id}/{recording_id}/{quote(name)}?t={token}", pages=found["pages"])
    return RecordingOut(
        id=recording_id,
        class_id=class_id,
        course_id=manifest.get("course_id"),
        title=str(manifest.get("title", "")),
        lecturer=manifest.get("lecturer"),
        started_at=str(manifest.get("started_at", "")),
        duration=float(manifest.get("duration") or 0.0),
        status=str(manifest.get("status", "")),
        chapters=[ChapterOut(**asdict(c)) for c in library.chapters(class_id, recording_id, manifest)],
        tracks=tracks,
        source=str(manifest.get("source") or "class"),
        held_on=str(manifest["held_on"]) if manifest.get("held_on") else None,
        slides=slides,
    )


def _manifest(request: Request, who: Viewer, class_id: str, recording_id: str) -> dict:  # type: ignore[type-arg]
    manifest = _library(request).manifest(class_id, recording_id)
    if manifest is None or not who.may_see(manifest.get("course_id")):
        raise RecordingNotFound(f"no recording {class_id}/{recording_id} in your courses")
    return manifest


@router.get(
    "/api/courses/{course_id}/recordings",
    response_model=list[RecordingOut],
    summary="A course's recordings (e-lectures), oldest first",
    responses={403: error_doc("A token for another course (`wrong_course`).")},
)
async def course_recordings(course_id: str, request: Request, who: Who) -> list[RecordingOut]:
    if not who.may_see(course_id):
        raise AuthRefused("this course link is for another course", code="wrong_course")
    found = await run_in_threadpool(_library(request).course_recordings, course_id)
    return [_out(request, m) for m in found]


@router.get("/api/recordings/{class_id}/{recording_id}", response_model=RecordingOut, summary="One recording")
async def recording(class_id: str, recording_id: str, request: Request, who: Who) -> RecordingOut:
    return _out(request, _manifest(request, who, class_id, recording_id))


class ChapterIn(BaseModel):
    t: float = Field(ge=0)
    title: str = Field(min_length=1, max_length=CHAPTER_TITLE_MAX)

    @field_validator("title")
    @classmethod
    def _printable(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("an empty title")
        return v


@router.put(
    "/api/recordings/{class_id}/{recording_id}/chapters",
    response_model=list[ChapterOut],
    summary="Replace the chapters (lecturers and the admin)",
)
async def edit_chapters(
    class_id: str, recording_id: str, chapters: Annotated[list[ChapterIn], Field(max_length=MAX_CHAPTERS)],
    request: Request, who: Who,
) -> list[ChapterOut]:
    manifest = _manifest(request, who, class_id, recording_id)
    if not who.edits:
        raise AuthRefused("only lecturers edit chapters", code="not_allowed")
    duration = float(manifest.get("duration") or 0.0)
    kept = [Chapter(min(c.t, duration), c.title) for c in chapters]
    await run_in_threadpool(_library(request).save_chapters, class_id, recording_id, kept)
    return [ChapterOut(**asdict(c)) for c in _library(request).chapters(class_id, recording_id, manifest)]


class Watched(BaseModel):
    ranges: list[tuple[float, float]] = Field(max_length=MAX_RANGES, description="[start, end] seconds played")


class WatchedOut(BaseModel):
    seconds: float = Field(description="Everything this trainee has played of the recording, merged.")


@router.post(
    "/api/recordings/{class_id}/{recording_id}/watched",
    response_model=WatchedOut,
    summary="A trainee reports the ranges they played (not seeks)",
)
async def watched(class_id: str, recording_id: str, body: Watched, request: Request, who: Who) -> WatchedOut:
    manifest = _manifest(request, who, class_id, recording_id)
    claims = who.claims
    if claims is None or claims.role is not Role.TRAINEE or claims.external_id is None:
        raise AuthRefused("only a trainee's personal course link counts watching", code="not_allowed")
    duration = float(manifest.get("duration") or 0.0) + 1.0
    ranges = [(max(0.0, s), min(e, duration)) for s, e in body.ranges if 0 <= s < e]
    db = server_of(request.app).services.db
    seconds = await run_in_threadpool(
        add_watched, db, claims.course_id, claims.external_id, f"{class_id}/{recording_id}", ranges
    )
    return WatchedOut(seconds=round(seconds, 3))


@router.api_route("/recordings/{class_id}/{recording_id}/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def track_file(
    class_id: str, recording_id: str, name: str, request: Request, t: Annotated[str, Query(max_length=4096)] = ""
) -> FileResponse:
    """A track file, with ranges (seeking); `t` is the signed link's token."""
    try:
        _links(request).verify(t, f"{class_id}/{recording_id}")
    except TokenError as error:
        raise AuthRefused(error.message, code=error.code) from None
    path = _library(request).track_file(class_id, recording_id, name)
    if path is None:
        raise RecordingNotFound(f"no file {name} in this recording")
    media_type = MEDIA_TYPES.get(Path(name).suffix, "video/x-matroska")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.api_route("/library", methods=["GET", "HEAD"], include_in_schema=False)
async def library_page() -> FileResponse:
    """The library and playback page (the course token stays in the URL fragment)."""
    return FileResponse(Path(STATIC_DIR) / "library" / "library.html", media_type="text/html", headers=PAGE_HEADERS)


# ---- uploads and deletion (lecturers and the admin) ---------------------------------------------


def _uploads(request: Request) -> Uploads:
    from signaling.server.media import storage_policy  # aiortc: imported by a real server anyway

    settings = server_of(request.app).settings
    policy = storage_policy(settings)
    return Uploads(policy.folder, policy=policy)


def _editor(who: Viewer) -> None:
    if not who.edits:
        raise AuthRefused("only the course's lecturers and the admin may do this", code="not_lecturer")


def _actor(who: Viewer) -> tuple[str, str]:
    """(kind, name) for the audit log."""
    if who.claims is None:
        return "admin", "admin"
    return "lecturer", who.claims.name or who.claims.external_id or ""


async def _receive(request: Request, part: Path) -> bool:
    """Stream the request's body into `part`, a megabyte at a time off the event loop; False
    when the client went away (or RequestGuard cut the body at the limit: it has answered 413)."""
    pending = bytearray()
    try:
        with part.open("wb") as f:
            async for chunk in request.stream():
                pending += chunk
                if len(pending) >= WRITE_CHUNK:
                    await run_in_threadpool(f.write, bytes(pending))
                    pending.clear()
            await run_in_threadpool(f.write, bytes(pending))
    except ClientDisconnect:
        part.unlink(missing_ok=True)
        return False
    except OSError as error:  # the disk filled up meanwhile
        part.unlink(missing_ok=True)
        raise NoRoom(f"the file could not be stored: {error.strerror}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return True


def _declared_size(request: Request) -> int:
    length = request.headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


def _title(value: str, limit: int) -> str:
    value = " ".join(value.split())
    if not value or len(value) > limit or not value.isprintable():
        raise RequestValidationError([{"type": "value_error", "loc": ("query", "title"), "msg": "a title of printable text"}])
    return value


@router.post(
    "/api/courses/{course_id}/uploads",
    response_model=RecordingOut,
    status_code=201,
    summary="Upload an existing e-lecture: an MP4 video or PDF slides as the request body",
    description=(
        "The body is the file itself (`Content-Type: video/mp4` or `application/pdf`; what it is "
        "is read from its first bytes), at most `recording.upload_max_mb`. Add the other file with "
        "`POST /api/recordings/{class_id}/{recording_id}/files`. Refused files leave nothing behind: "
        "415 `unsupported_file`, 422 `bad_video`, `bad_pdf`, `empty_file`, 413 `payload_too_large`."
    ),
    openapi_extra=FILE_BODY,
    responses={
        403: error_doc("Not the admin or a lecturer of the course (`not_lecturer`, `wrong_course`)."),
        413: error_doc("Larger than `recording.upload_max_mb`."),
        507: error_doc("No room on the disk or in the recordings' quota (`storage_full`)."),
        415: error_doc("Neither an MP4 nor a PDF (`unsupported_file`)."),
        422: error_doc("A damaged or cut-short file (`bad_video`, `bad_pdf`, `empty_file`)."),
    },
)
async def upload(
    course_id: str,
    request: Request,
    who: Who,
    title: Annotated[str, Query(min_length=1, max_length=TITLE_MAX)],
    lecturer: Annotated[str | None, Query(max_length=NAME_MAX)] = None,
    held_on: Annotated[date | None, Query(description="The day it was given; default today.")] = None,
) -> RecordingOut | Response:
    if not who.may_see(course_id):
        raise AuthRefused("this course link is for another course", code="wrong_course")
    _editor(who)
    await run_in_threadpool(courses.get, server_of(request.app).services.db, course_id)  # 404 course_not_found
    info = UploadInfo(_title(title, TITLE_MAX), _title(lecturer, NAME_MAX) if lecturer else None, held_on)
    uploads = _uploads(request)
    await run_in_threadpool(uploads.make_room, _declared_size(request))
    part = await run_in_threadpool(uploads.incoming_file)
    if not await _receive(request, part):
        return Response(status_code=400)  # never sent: the client is gone or was answered 413
    manifest = await run_in_threadpool(uploads.create, course_id, part, info, _actor(who)[1])
    await _audit_upload(request, who, manifest)
    return _out(request, manifest)


@router.post(
    "/api/recordings/{class_id}/{recording_id}/files",
    response_model=RecordingOut,
    summary="Add or replace the video or the slides of an uploaded e-lecture (the file as the body)",
    openapi_extra=FILE_BODY,
    responses={409: error_doc("A class's recording, not an upload (`not_an_upload`).")},
)
async def add_file(class_id: str, recording_id: str, request: Request, who: Who) -> RecordingOut | Response:
    manifest = _manifest(request, who, class_id, recording_id)
    _editor(who)
    if manifest.get("source") != "upload":  # refused before the body is received
        raise NotAnUpload("files are added to uploaded e-lectures only, not to a class's recording")
    library, uploads = _library(request), _uploads(request)
    folder = library.folder(class_id, recording_id)
    if folder is None:
        raise RecordingNotFound(f"no recording {class_id}/{recording_id} in your courses")
    await run_in_threadpool(uploads.make_room, _declared_size(request))
    part = await run_in_threadpool(uploads.incoming_file)
    if not await _receive(request, part):
        return Response(status_code=400)
    manifest = await run_in_threadpool(uploads.attach, folder, part)
    return _out(request, manifest)


@router.delete(
    "/api/recordings/{class_id}/{recording_id}",
    status_code=204,
    summary="Delete a recording or an uploaded e-lecture (lecturers of the course, the admin)",
    description="What trainees watched of it stays counted. Audited (`lecture_deleted`).",
    responses={409: error_doc("Still being recorded (`still_recording`).")},
)
async def delete_recording(class_id: str, recording_id: str, request: Request, who: Who) -> Response:
    _manifest(request, who, class_id, recording_id)
    _editor(who)
    try:
        manifest = await run_in_threadpool(_library(request).delete, class_id, recording_id)
    except FileNotFoundError:
        raise RecordingNotFound(f"no recording {class_id}/{recording_id} in your courses") from None
    kind, name = _actor(who)
    audit = server_of(request.app).services.audit
    await run_in_threadpool(
        lambda: audit_deletion(audit, manifest, at=datetime.now(UTC), actor_kind=kind, actor_name=name, reason="deleted")
    )
    return Response(status_code=204)


async def _audit_upload(request: Request, who: Who, manifest: dict[str, object]) -> None:
    kind, name = _actor(who)
    title = str(manifest.get("title", ""))
    audit = server_of(request.app).services.audit
    await run_in_threadpool(
        lambda: audit.record(
            at=datetime.now(UTC), room="", actor_kind=kind, actor_name=name, actor_class=upload_class(str(manifest["course_id"])),
            target=title, action="e-lecture uploaded", result="ok",
            detail=f"{manifest['class_id']}/{manifest['id']}, course {manifest['course_id']}",
            event="lecture_uploaded", args={"title": title, "course": manifest.get("course_id")},
        )
    )
