"""Uploading, adding slides to and deleting e-lectures on a real server: a real MP4 (PyAV) and
PDF (fpdf2) stream in and play back from signed links; too large, wrong and cut-short files are
refused with their code and leave nothing behind; only the course's lecturers and the admin may
upload or delete; deleting is audited and keeps what trainees watched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from classroom.courses.models import CourseRecord
from classroom.db import open_database
from classroom.recording.recording import Recording, StoragePolicy
from classroom.recording.watching import watched_seconds
from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.support.recordings import make_recording
from tests.support.uploads import make_mp4, make_pdf
from tests.web.support import ADMIN_TOKEN, ClassServer

LIMIT_MB = 1


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClassServer, CourseTokens, Path]]:
    root = tmp_path_factory.mktemp("upload")
    server = ClassServer(root / "data", env={"CLASSBRIDGE_RECORDING__UPLOAD_MAX_MB": str(LIMIT_MB)}).start()
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    with db.begin() as session:
        for course in ("K12", "K99"):
            session.add(CourseRecord(id=course, title=f"Khóa {course}", created_at=datetime(2026, 12, 1, tzinfo=UTC)))
    make_recording(server.data_dir / "recordings", "c1", "K12", "Buổi 1: Kỹ năng lãnh đạo", seconds=3, screen_from=1)
    make_mp4(root / "lecture.mp4", 2.0)
    make_pdf(root / "slides.pdf", 4)
    yield server, CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(days=30)), root
    server.stop()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(server: ClassServer, token: str, body: bytes, course: str = "K12", **query: str) -> httpx.Response:
    params = {"title": "Bài giảng tải lên", **query}
    return httpx.post(f"{server.url}/api/courses/{course}/uploads", params=params, content=body, headers=auth(token), timeout=30)


def leftovers(server: ClassServer) -> list[str]:
    incoming = server.data_dir / "recordings" / ".incoming"
    return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []


def test_a_lecturer_uploads_a_video_then_its_slides_and_trainees_play_them(library) -> None:
    server, tokens, root = library
    lecturer, _ = tokens.mint("K12", Role.LECTURER, external_id="GV-1", name="Trần Thị Bình")
    trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-1", name="Lê Văn Cường")
    made = upload(server, lecturer, (root / "lecture.mp4").read_bytes(), lecturer="Trần Thị Bình", held_on="2025-03-08")
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["source"] == "upload" and entry["duration"] == 2.0 and entry["held_on"] == "2025-03-08"
    assert entry["lecturer"] == "Trần Thị Bình" and entry["slides"] is None
    (track,) = entry["tracks"]
    assert (track["kind"], track["source"], track["start"], track["end"]) == ("video", "upload", 0.0, 2.0)

    added = httpx.post(
        f"{server.url}/api/recordings/{entry['class_id']}/{entry['id']}/files",
        content=(root / "slides.pdf").read_bytes(), headers=auth(lecturer),
    )
    assert added.status_code == 200, added.text
    listed = httpx.get(f"{server.url}/api/courses/K12/recordings", headers=auth(trainee)).json()
    (seen,) = [r for r in listed if r["id"] == entry["id"]]
    assert seen["slides"]["pages"] == 4 and seen["tracks"][0]["file"] == "video.mp4"
    video = httpx.get(server.url + seen["tracks"][0]["url"], headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and video.headers["content-type"] == "video/mp4"
    assert video.content == (root / "lecture.mp4").read_bytes()[:100]
    pdf = httpx.get(server.url + seen["slides"]["url"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content == (root / "slides.pdf").read_bytes()
    assert leftovers(server) == []


def test_bad_files_are_refused_and_leave_nothing(library) -> None:
    server, tokens, root = library
    def entries() -> list[str]:
        return [r["id"] for r in httpx.get(f"{server.url}/api/courses/K12/recordings", headers=auth(ADMIN_TOKEN)).json()]

    before = entries()
    video = (root / "lecture.mp4").read_bytes()
    pdf = (root / "slides.pdf").read_bytes()
    cases = [
        (video[: len(video) * 2 // 3], 422, "bad_video"),
        (pdf[: len(pdf) // 2], 422, "bad_pdf"),
        ("Chỉ là chữ, không phải video".encode(), 415, "unsupported_file"),
        (b"", 422, "empty_file"),
        (b"%PDF-1.7" + b"\0" * (LIMIT_MB << 20), 413, "payload_too_large"),  # refused by its Content-Length
    ]
    for body, status, code in cases:
        refused = upload(server, ADMIN_TOKEN, body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (status, code), refused.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams, cut at the limit
        yield pdf[:1000]
        for _ in range(LIMIT_MB * 20):
            yield b"\0" * 65536

    streamed = httpx.post(
        f"{server.url}/api/courses/K12/uploads", params={"title": "x"}, content=chunks(), headers=auth(ADMIN_TOKEN), timeout=30
    )
    assert streamed.status_code == 413
    for query in ({"title": "   "}, {"title": "a\x00b"}, {"title": "x" * 201}, {"lecturer": "\x07"}, {"held_on": "2025-13-01"}):
        assert upload(server, ADMIN_TOKEN, pdf, **query).json()["error"]["code"] == "invalid_request", query
    assert upload(server, ADMIN_TOKEN, pdf, course="nope").json()["error"]["code"] == "course_not_found"
    assert entries() == before
    assert leftovers(server) == []


def test_who_may_upload_and_delete(library) -> None:
    server, tokens, root = library
    pdf = (root / "slides.pdf").read_bytes()
    trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-1")
    other, _ = tokens.mint("K99", Role.LECTURER, external_id="GV-9")
    assert upload(server, trainee, pdf).json()["error"]["code"] == "not_lecturer"
    assert upload(server, other, pdf).json()["error"]["code"] == "wrong_course"
    assert httpx.post(f"{server.url}/api/courses/K12/uploads", params={"title": "x"}, content=pdf).status_code == 401
    assert httpx.delete(f"{server.url}/api/recordings/c1/r1", headers=auth(trainee)).status_code == 403
    assert httpx.delete(f"{server.url}/api/recordings/c1/r1", headers=auth(other)).status_code == 404
    added = httpx.post(f"{server.url}/api/recordings/c1/r1/files", content=pdf, headers=auth(ADMIN_TOKEN))
    assert added.json()["error"]["code"] == "not_an_upload"
    assert leftovers(server) == []


def test_deleting_removes_the_files_keeps_what_was_watched_and_is_audited(library) -> None:
    server, tokens, root = library
    lecturer, _ = tokens.mint("K12", Role.LECTURER, external_id="GV-1", name="Trần Thị Bình")
    trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-5")
    entry = upload(server, lecturer, (root / "slides.pdf").read_bytes(), title="Tài liệu cũ").json()
    assert entry["tracks"] == [] and entry["slides"]["pages"] == 4
    watched = httpx.post(f"{server.url}/api/recordings/c1/r1/watched", json={"ranges": [[0, 2]]}, headers=auth(trainee))
    assert watched.json()["seconds"] == 2
    for class_id, recording_id, token in (("c1", "r1", ADMIN_TOKEN), (entry["class_id"], entry["id"], lecturer)):
        gone = httpx.delete(f"{server.url}/api/recordings/{class_id}/{recording_id}", headers=auth(token))
        assert gone.status_code == 204, gone.text
        assert not (server.data_dir / "recordings" / class_id / recording_id).exists()
        assert httpx.get(f"{server.url}/api/recordings/{class_id}/{recording_id}", headers=auth(token)).status_code == 404
    listed = httpx.get(f"{server.url}/api/courses/K12/recordings", headers=auth(ADMIN_TOKEN)).json()
    assert "Tài liệu cũ" not in [r["title"] for r in listed] and "c1" not in [r["class_id"] for r in listed]
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    assert watched_seconds(db, "K12")["HV-5"]["c1/r1"] == 2  # proof of watching stays
    audit = httpx.get(f"{server.url}/api/audit", headers=auth(ADMIN_TOKEN)).json()
    deleted = [(e["actor_kind"], e["actor_name"], e["target"]) for e in audit if e["event"] == "lecture_deleted"]
    assert ("admin", "admin", "Buổi 1: Kỹ năng lãnh đạo") in deleted and ("lecturer", "Trần Thị Bình", "Tài liệu cũ") in deleted
    assert any(e["event"] == "lecture_uploaded" for e in audit)


def test_a_recording_still_being_written_is_not_deleted(library) -> None:
    server, _, _ = library
    info: dict[str, object] = {"class_id": "c7", "course_id": "K12", "title": "Đang ghi hình", "lecturer": "An"}
    running = Recording("r1", StoragePolicy(server.data_dir / "recordings", min_free_bytes=0), info, lambda r: None)
    running.start()
    refused = httpx.delete(f"{server.url}/api/recordings/c7/r1", headers=auth(ADMIN_TOKEN))
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "still_recording")
    assert running.folder.exists()
