"""Who may read a class's attendance over REST: the admin and the class's lecturer (all of it),
a trainee's personal link (only their own record); and the hash-chain check."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from classroom.roles import Role
from signaling.server.app import create_app
from signaling.server.settings import Settings
from signaling.server.state import server_of
from tests.signaling.conftest import RecordingLive
from tests.signaling.test_api import create, error, token_of


@pytest.fixture
def client(settings: Settings, live: RecordingLive) -> Iterator[TestClient]:
    with TestClient(create_app(settings, live)) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def personal(client: TestClient, admin: dict[str, str], cid: str, role: str, **extra: Any) -> dict[str, str]:
    response = client.post(f"/api/classes/{cid}/links", json={"role": role, **extra}, headers=admin)
    assert response.status_code == 201, response.text
    return bearer(token_of(response.json()["link"]))


@pytest.fixture
def class_with_people(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    created = create(client, admin)
    log = server_of(client.app).services.attendance
    log.joined(created["id"], "p1", Role.TRAINEE, "HV1", "Nguyễn Thị Lan")
    log.joined(created["id"], "p2", Role.TRAINEE, "HV2", "Trần Văn Minh")
    log.joined(created["id"], "p3", Role.LECTURER, None, "Thầy Hùng")
    return created


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {p["display_name"] for p in response.json()["people"]}


def test_the_lecturer_link_reads_and_downloads_its_class(
    client: TestClient, class_with_people: dict[str, Any]
) -> None:
    cid = class_with_people["id"]
    lecturer = bearer(token_of(class_with_people["links"]["lecturer"]))
    assert names(client.get(f"/api/classes/{cid}/attendance", headers=lecturer)) == {
        "Nguyễn Thị Lan",
        "Trần Văn Minh",
        "Thầy Hùng",
    }
    response = client.get(f"/api/classes/{cid}/attendance", params={"format": "csv"}, headers=lecturer)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[0][0] == "external_id"


def test_a_lecturer_link_of_another_class_is_refused(
    client: TestClient, admin: dict[str, str], class_with_people: dict[str, Any]
) -> None:
    other = create(client, admin)
    lecturer_elsewhere = bearer(token_of(other["links"]["lecturer"]))
    message = error(
        client.get(f"/api/classes/{class_with_people['id']}/attendance", headers=lecturer_elsewhere),
        403,
        "auth_invalid",
    )
    assert "another class" in message


def test_a_trainee_sees_only_their_own_record(
    client: TestClient, admin: dict[str, str], class_with_people: dict[str, Any]
) -> None:
    cid = class_with_people["id"]
    lan = personal(client, admin, cid, "trainee", external_id="HV1", name="Nguyễn Thị Lan")
    assert names(client.get(f"/api/classes/{cid}/attendance", headers=lan)) == {"Nguyễn Thị Lan"}
    csv_text = client.get(f"/api/classes/{cid}/attendance", params={"format": "csv"}, headers=lan).text
    assert "Nguyễn Thị Lan" in csv_text and "Minh" not in csv_text and "Hùng" not in csv_text
    absent = personal(client, admin, cid, "trainee", external_id="HV9", name="Vắng Mặt")
    assert names(client.get(f"/api/classes/{cid}/attendance", headers=absent)) == set()


@pytest.mark.parametrize("role", ["trainee", "observer", "room"])
def test_shared_trainee_observer_and_room_links_are_refused(
    client: TestClient, class_with_people: dict[str, Any], role: str
) -> None:
    cid = class_with_people["id"]
    shared = bearer(token_of(class_with_people["links"][role]))  # names nobody
    error(client.get(f"/api/classes/{cid}/attendance", headers=shared), 403, "forbidden")


def test_no_or_bad_credential(client: TestClient, class_with_people: dict[str, Any]) -> None:
    cid = class_with_people["id"]
    error(client.get(f"/api/classes/{cid}/attendance"), 401, "auth_required")
    error(client.get(f"/api/classes/{cid}/attendance", headers=bearer("x" * 40)), 403, "auth_invalid")


def test_verify_names_an_edited_row_and_is_for_the_admin_only(
    client: TestClient, admin: dict[str, str], class_with_people: dict[str, Any]
) -> None:
    cid = class_with_people["id"]
    ok = client.get(f"/api/classes/{cid}/attendance/verify", headers=admin).json()
    assert ok["ok"] and ok["events"] == 3 and ok["problems"] == []
    with server_of(client.app).services.db.kw["bind"].begin() as db:  # past the server, in the database
        db.execute(text("UPDATE attendance SET display_name = 'Người Khác' WHERE external_id = 'HV2'"))
    verdict = client.get(f"/api/classes/{cid}/attendance/verify", headers=admin).json()
    assert not verdict["ok"]
    assert [(p["problem"], p["attendance_id"]) for p in verdict["problems"]] == [("row_edited", 2)]
    lecturer = bearer(token_of(class_with_people["links"]["lecturer"]))
    error(client.get(f"/api/classes/{cid}/attendance/verify", headers=lecturer), 403, "auth_invalid")
    error(client.get("/api/classes/nope/attendance/verify", headers=admin), 404, "class_not_found")



def test_the_lecturer_downloads_the_full_report_and_a_trainee_gets_their_line(
    client: TestClient, admin: dict[str, str], class_with_people: dict[str, Any]
) -> None:
    import io as _io

    from openpyxl import load_workbook

    cid = class_with_people["id"]
    path = f"/api/classes/{cid}/attendance/report"
    lecturer = bearer(token_of(class_with_people["links"]["lecturer"]))
    full = client.get(path, headers=lecturer)
    assert full.status_code == 200, full.text
    assert {t["name"] for t in full.json()["trainees"]} == {"Nguyễn Thị Lan", "Trần Văn Minh"}
    xlsx = client.get(path, params={"format": "xlsx"}, headers=lecturer)
    assert xlsx.status_code == 200 and f"{cid}" in xlsx.headers["content-disposition"]
    book = load_workbook(_io.BytesIO(xlsx.content))
    cells = " | ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    assert "Nguyễn Thị Lan" in cells and "Trần Văn Minh" in cells
    pdf = client.get(path, params={"format": "pdf"}, headers=lecturer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    lan = personal(client, admin, cid, "trainee", external_id="HV1", name="Nguyễn Thị Lan")
    own = client.get(path, headers=lan).json()
    assert [t["external_id"] for t in own["trainees"]] == ["HV1"]
    shared = bearer(token_of(class_with_people["links"]["trainee"]))
    error(client.get(path, headers=shared), 403, "forbidden")
    error(client.get(path, params={"format": "doc"}, headers=lecturer), 422, "invalid_request")
