"""The e-lecture library over HTTP: a course's recordings, their files, chapters and watching.

Who may see what: the admin token sees every course; a course link's token (CourseTokens)
sees its own course, trainees and lecturers alike; lecturers (and the admin) edit chapters;
trainees report what they watched. Files are fetched with a signed link that expires
(signaling/auth/recording_links.py), since a `<video>` sends no bearer header.
The playback page is `/library#t=<course token>` (web/static/library/).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from classroom.recording.library import CHAPTER_TITLE_MAX, MAX_CHAPTERS, Chapter, Library, dicts
from classroom.recording.watching import add_watched
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
    media_type = "video/webm" if name.endswith(".webm") else "video/x-matroska"
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})


@router.api_route("/library", methods=["GET", "HEAD"], include_in_schema=False)
async def library_page() -> FileResponse:
    """The library and playback page (the course token stays in the URL fragment)."""
    return FileResponse(Path(STATIC_DIR) / "library" / "library.html", media_type="text/html", headers=PAGE_HEADERS)
