"""The library's HTTP API on a real server: who sees which course, signed expiring file links
(with ranges for seeking), chapters from the timeline and edited, watched ranges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from classroom.courses.models import CourseRecord
from classroom.db import open_database
from classroom.recording.watching import watched_seconds
from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from signaling.auth.recording_links import RecordingLinks
from tests.support.recordings import make_recording
from tests.web.support import ADMIN_TOKEN, ClassServer


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClassServer, CourseTokens]]:
    server = ClassServer(tmp_path_factory.mktemp("lib") / "data").start()
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    with db.begin() as session:
        session.add(CourseRecord(id="K12", title="Khóa 12", created_at=datetime(2026, 12, 1, tzinfo=UTC)))
    make_recording(server.data_dir / "recordings", "c1", "K12", "Buổi 1: Kỹ năng lãnh đạo", seconds=12, screen_from=5)
    make_recording(server.data_dir / "recordings", "c9", "K99", "Khóa khác", seconds=3, screen_from=1)
    tokens = CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(days=30))
    yield server, tokens
    server.stop()


def get(server: ClassServer, path: str, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"})


def test_a_course_link_lists_its_courses_recordings_only(library) -> None:
    server, tokens = library
    trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-1", name="Lê Văn Cường")
    (rec,) = get(server, "/api/courses/K12/recordings", trainee).json()
    assert rec["title"] == "Buổi 1: Kỹ năng lãnh đạo" and rec["lecturer"] == "Nguyễn Văn An"
    assert abs(rec["duration"] - 12) < 0.1
    assert {t["source"] for t in rec["tracks"]} == {"camera", "microphone", "screen"}
    assert [(c["kind"], round(c["t"])) for c in rec["chapters"]] == [("start", 0), ("screen_share", 5)]
    assert get(server, "/api/courses/K99/recordings", trainee).json()["error"]["code"] == "wrong_course"
    assert get(server, "/api/recordings/c9/r1", trainee).status_code == 404
    assert get(server, "/api/courses/K99/recordings", ADMIN_TOKEN).json()[0]["title"] == "Khóa khác"
    assert get(server, "/api/courses/K12/recordings", "not-a-token").status_code == 403
    assert httpx.get(f"{server.url}/api/courses/K12/recordings").status_code == 401


def test_files_need_the_signed_link_and_serve_ranges(library) -> None:
    server, tokens = library
    trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-1")
    (rec,) = get(server, "/api/courses/K12/recordings", trainee).json()
    url = server.url + rec["tracks"][0]["url"]
    whole = httpx.get(url)
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/webm"
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert httpx.get(url.split("?")[0]).status_code == 403
    other = RecordingLinks(Keyring.open(server.data_dir), default_ttl=timedelta(hours=1)).mint("c9/r1")
    assert httpx.get(url.split("?")[0] + f"?t={other}").status_code == 403
    expired = RecordingLinks(Keyring.open(server.data_dir), default_ttl=timedelta(hours=1), clock=lambda: 1e9).mint("c1/r1")
    assert httpx.get(url.split("?")[0] + f"?t={expired}").json()["error"]["code"] == "token_expired"
    assert httpx.get(f"{server.url}/recordings/c1/r1/recording.json?t={url.split('t=')[1]}").status_code == 404
    assert httpx.get(f"{server.url}/recordings/c1/r1/..%2Fx?t=x").status_code in (403, 404)


def test_lecturers_edit_chapters_and_trainees_report_what_they_played(library) -> None:
    server, tokens = library
    lecturer, _ = tokens.mint("K12", Role.LECTURER, external_id="GV-1")
    trainee, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-7")
    chapters = [{"t": 0, "title": "Mở đầu"}, {"t": 6.5, "title": "Phần 2: Thảo luận"}]
    put = httpx.put(f"{server.url}/api/recordings/c1/r1/chapters", json=chapters, headers={"Authorization": f"Bearer {lecturer}"})
    assert put.status_code == 200 and [c["title"] for c in put.json()] == ["Mở đầu", "Phần 2: Thảo luận"]
    refused = httpx.put(f"{server.url}/api/recordings/c1/r1/chapters", json=chapters, headers={"Authorization": f"Bearer {trainee}"})
    assert refused.status_code == 403
    bad = httpx.put(f"{server.url}/api/recordings/c1/r1/chapters", json=[{"t": -1, "title": ""}], headers={"Authorization": f"Bearer {lecturer}"})
    assert bad.status_code == 422
    post = lambda ranges: httpx.post(  # noqa: E731
        f"{server.url}/api/recordings/c1/r1/watched", json={"ranges": ranges}, headers={"Authorization": f"Bearer {trainee}"}
    )
    assert post([[0, 4], [3, 6]]).json()["seconds"] == 6
    assert post([[5, 9], [100, 200]]).json()["seconds"] == 9  # past the end counts nothing
    assert post([[1, "x"]]).status_code == 422
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    seconds = watched_seconds(db, "K12")["HV-7"]["c1/r1"]
    assert seconds == 9
    lecturer_post = httpx.post(f"{server.url}/api/recordings/c1/r1/watched", json={"ranges": [[0, 1]]}, headers={"Authorization": f"Bearer {lecturer}"})
    assert lecturer_post.status_code == 403
