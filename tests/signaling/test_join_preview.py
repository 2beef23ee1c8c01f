"""`GET /api/join-preview`: the pre-join page's facts, for the holder of a join link only."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.signaling.conftest import RecordingLive
from tests.support.rooms import admin_headers, bearer, simulated_app, token_of


def create(client: TestClient, **body: object) -> dict:
    created = client.post("/api/classes", json={"title": "Kỹ năng lãnh đạo – buổi 3", **body}, headers=admin_headers(client))
    assert created.status_code == 201, created.text
    return created.json()


def test_a_link_shows_its_class_its_times_role_and_name(tmp_path: Path) -> None:
    with simulated_app(tmp_path / "data") as client:
        made = create(client, room="room-101", starts_at="2026-12-03T08:00:00+07:00", ends_at="2026-12-03T11:30:00+07:00")
        personal = client.post(
            f"/api/classes/{made['id']}/links",
            json={"role": "trainee", "external_id": "HV-1", "name": "Nguyễn Thị Lan"},
            headers=admin_headers(client),
        ).json()["link"]
        seen = client.get("/api/join-preview", headers=bearer(token_of(personal)))
        assert seen.status_code == 200, seen.text
        body = seen.json()
        assert body["class"]["title"] == "Kỹ năng lãnh đạo – buổi 3"
        assert body["class"]["starts_at"].startswith("2026-12-03T01:00:00")
        assert (body["role"], body["name"], body["join_muted"]) == ("trainee", "Nguyễn Thị Lan", False)
        shared = client.get("/api/join-preview", headers=bearer(token_of(made["links"]["trainee"]))).json()
        assert shared["name"] is None


def test_trainees_of_a_full_class_join_muted(client: TestClient, live: RecordingLive) -> None:
    made = create(client)
    live.counts[made["id"]] = 15
    trainee = client.get("/api/join-preview", headers=bearer(token_of(made["links"]["trainee"]))).json()
    lecturer = client.get("/api/join-preview", headers=bearer(token_of(made["links"]["lecturer"]))).json()
    assert trainee["join_muted"] is True and lecturer["join_muted"] is False


def test_a_room_link_joins_under_the_room_s_title(tmp_path: Path) -> None:
    with simulated_app(tmp_path / "data") as client:
        made = create(client, room="room-101")
        seen = client.get("/api/join-preview", headers=bearer(token_of(made["links"]["room"]))).json()
        title = client.get("/api/rooms/room-101", headers=admin_headers(client)).json()["title"]
        assert (seen["role"], seen["room_title"]) == ("room", title)


def test_no_or_a_forged_token_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    missing = client.get("/api/join-preview")
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "auth_required")
    forged = client.get("/api/join-preview", headers=bearer("eyJhbGciOiJIUzI1NiJ9.e30.x"))
    assert (forged.status_code, forged.json()["error"]["code"]) == (403, "token_invalid")
    admin_token = client.get("/api/join-preview", headers=admin)  # the admin token is no join link
    assert admin_token.status_code == 403


def test_a_class_of_a_course_that_records_every_class_says_so_before_anyone_joins(
    client: TestClient, admin: dict[str, str]
) -> None:
    made = create(client)
    link = bearer(token_of(made["links"]["trainee"]))
    assert client.get("/api/join-preview", headers=link).json()["recorded_by_schedule"] is False
    course = client.post("/api/courses", json={"title": "Khóa 12", "record_classes": True}, headers=admin).json()
    client.post(f"/api/courses/{course['id']}/classes", json={"class_ids": [made["id"]]}, headers=admin)
    seen = client.get("/api/join-preview", headers=link).json()
    assert (seen["recorded_by_schedule"], seen["recorded"]) == (True, False)  # will be, is not yet
    client.patch(f"/api/courses/{course['id']}", json={"record_classes": False}, headers=admin)
    assert client.get("/api/join-preview", headers=link).json()["recorded_by_schedule"] is False
