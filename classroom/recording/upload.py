"""Existing e-lectures uploaded into a course's library: an MP4 video and/or PDF slides.

An upload becomes a library entry like a class's recording: a folder
`<recordings>/upload-<course id>/<entry id>/` with `recording.json` (`"source": "upload"`),
the video as `video.mp4` (one segment from 0 to its duration, so the playback page plays it
like a recorded track) and the slides as `slides.pdf`. The edge streams the body into a
temporary file inside the recordings folder (`incoming_file`); it is checked here and moved
into place, or deleted: a refused file leaves nothing behind.

Checks read the headers only, never decode: the MP4's top-level boxes must cover the file
exactly (a cut-short copy is refused even when its index is at the front), PyAV must open it
as MP4/QuickTime with a video or audio stream and a duration; a PDF needs its header, its
end-of-file marker and pypdf must read its page tree.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Callable, Literal

import av
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from classroom.recording.errors import BadFile, NoRoom, NotAnUpload, UnsupportedFile
from classroom.recording.library import write_json
from classroom.recording.mp4_boxes import HEADER_BYTES, BoxError, BoxWalk
from classroom.recording.recording import MANIFEST, StoragePolicy, folder_bytes

UPLOAD_CLASS_PREFIX = "upload-"  # the pseudo class id of a course's uploads
INCOMING = ".incoming"  # temporary files of uploads being received (never listed)
VIDEO_FILE = "video.mp4"
SLIDES_FILE = "slides.pdf"
MP4_FORMATS = {"mov", "mp4", "m4a"}  # FFmpeg names the QuickTime/MP4 demuxer "mov,mp4,m4a,..."
PDF_TAIL = 2048  # where "%%EOF" must be found

Kind = Literal["video", "slides"]


@dataclass(frozen=True)
class VideoInfo:
    duration: float
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class SlidesInfo:
    pages: int


@dataclass(frozen=True)
class UploadInfo:
    """What the uploader says about the e-lecture."""

    title: str
    lecturer: str | None = None
    held_on: date | None = None  # when it was given; None: the day of the upload


def upload_class(course_id: str) -> str:
    return f"{UPLOAD_CLASS_PREFIX}{course_id}"


def sniff(head: bytes) -> Kind:
    """What a file is from its first bytes (never from its name or the declared type)."""
    if head.startswith(b"%PDF-"):
        return "slides"
    if head[4:8] == b"ftyp":
        return "video"
    raise UnsupportedFile("the file is neither an MP4 video nor a PDF", "unsupported_file")


def check_video(path: Path) -> VideoInfo:
    size = path.stat().st_size
    walk = BoxWalk(size)
    try:
        with path.open("rb") as f:
            while not walk.done:
                f.seek(walk.next_offset)
                walk.push(f.read(HEADER_BYTES))
        walk.check()
    except BoxError as error:
        raise BadFile(f"the video cannot be used: {error}", "bad_video") from None
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not MP4_FORMATS & set(container.format.name.split(",")):
                raise BadFile(f"not an MP4 video ({container.format.name})", "bad_video")
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            if video is None and audio is None:
                raise BadFile("the file has no video or audio stream", "bad_video")
            duration = container.duration / av.time_base if container.duration else 0.0
            if duration <= 0:
                raise BadFile("the video's duration cannot be read", "bad_video")
            return VideoInfo(
                duration=round(duration, 3),
                video_codec=video.codec_context.name if video else None,
                audio_codec=audio.codec_context.name if audio else None,
                width=video.codec_context.width if video else None,
                height=video.codec_context.height if video else None,
            )
    except av.FFmpegError as error:
        raise BadFile(f"the video cannot be read: {error}", "bad_video") from None


def check_slides(path: Path) -> SlidesInfo:
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - PDF_TAIL))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise BadFile("the PDF is cut short (no end-of-file marker)", "bad_pdf")
    try:
        pages = len(PdfReader(path).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise BadFile(f"the PDF cannot be read: {error}", "bad_pdf") from None
    if pages < 1:
        raise BadFile("the PDF has no pages", "bad_pdf")
    return SlidesInfo(pages)


def check(path: Path) -> tuple[Kind, VideoInfo | SlidesInfo]:
    """What the file is and what it holds; UnsupportedFile or BadFile when it is no use."""
    with path.open("rb") as f:
        head = f.read(16)
    if not head:
        raise BadFile("the file is empty", "empty_file")
    kind = sniff(head)
    return kind, check_video(path) if kind == "video" else check_slides(path)


class Uploads:
    """Receives uploads into the recordings folder `storage`."""

    def __init__(
        self, storage: Path, wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC), policy: StoragePolicy | None = None
    ):
        """`policy`: the quota and free-space floor recordings keep (uploads keep them too)."""
        self.storage = storage
        self._wall_clock = wall_clock
        self._policy = policy

    def make_room(self, size: int) -> None:
        """Refuse (NoRoom) an upload of `size` bytes the disk or the quota cannot take, before it is received."""
        policy = self._policy
        if policy is None:
            return
        self.storage.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(self.storage).free - size < policy.min_free_bytes:
            raise NoRoom("the server's disk has no room for this file")
        if policy.quota_bytes is not None and folder_bytes(self.storage) + size > policy.quota_bytes:
            raise NoRoom("the recordings' quota has no room for this file")

    def incoming_file(self) -> Path:
        """A new empty temporary file on the recordings' disk (so storing it is a rename)."""
        folder = self.storage / INCOMING
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, suffix=".part")
        os.close(fd)
        return Path(name)

    def create(self, course_id: str, part: Path, info: UploadInfo, by: str) -> dict[str, object]:
        """A new library entry holding the checked file `part` (which is moved, or deleted)."""
        try:
            kind, found = check(part)
            now = self._wall_clock()
            entry_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
            class_id = upload_class(course_id)
            folder = self.storage / class_id / entry_id
            held_on = info.held_on or now.date()
            manifest: dict[str, object] = {
                "id": entry_id,
                "class_id": class_id,
                "course_id": course_id,
                "source": "upload",
                "title": info.title,
                "lecturer": info.lecturer,
                "held_on": held_on.isoformat(),
                "started_at": datetime.combine(held_on, time(0, 0), UTC).isoformat(),
                "ended_at": None,
                "uploaded_at": now.isoformat(),
                "uploaded_by": by,
                "duration": 0.0,
                "status": "complete",
                "segments": [],
                "slides": None,
                "timeline": [],
            }
            folder.mkdir(parents=True)
            try:
                self._place(folder, manifest, kind, found, part)
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        finally:
            part.unlink(missing_ok=True)
        return manifest

    def attach(self, folder: Path, part: Path) -> dict[str, object]:
        """Add (or replace) the video or the slides of an uploaded entry in `folder`."""
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or manifest.get("source") != "upload":
                raise NotAnUpload("files are added to uploaded e-lectures only, not to a class's recording")
            kind, found = check(part)
            self._place(folder, manifest, kind, found, part)
        finally:
            part.unlink(missing_ok=True)
        return manifest

    def _place(self, folder: Path, manifest: dict[str, object], kind: Kind, found: VideoInfo | SlidesInfo, part: Path) -> None:
        size = part.stat().st_size
        if isinstance(found, VideoInfo):
            os.replace(part, folder / VIDEO_FILE)
            label = {"participant_id": "", "name": manifest.get("lecturer") or "", "role": "lecturer", "source": "upload", "track_id": ""}
            codec = "video/mp4" if found.video_codec else "audio/mp4"
            manifest["segments"] = [
                {"file": VIDEO_FILE, "label": label, "codec": codec, "start": 0.0, "end": found.duration, "frames": 0, "bytes": size}
            ]
            manifest["duration"] = found.duration
            manifest["video"] = {"video_codec": found.video_codec, "audio_codec": found.audio_codec, "width": found.width, "height": found.height}
        else:
            os.replace(part, folder / SLIDES_FILE)
            manifest["slides"] = {"file": SLIDES_FILE, "pages": found.pages, "bytes": size}
        write_json(folder / MANIFEST, manifest)


def discard_incoming(storage: Path) -> None:
    """Temporary files left by uploads a crash interrupted (called at start, before anyone uploads)."""
    shutil.rmtree(storage / INCOMING, ignore_errors=True)
