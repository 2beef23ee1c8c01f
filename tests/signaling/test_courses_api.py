"""The REST API of courses, rosters, course links and reports, through the real app."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bench.certificates import MadeCertificate, make_certificate
from bench.demo_report import seed
from classroom import classes
from classroom.courses.roster_file import parse_roster
from signaling.server.app import create_app
from signaling.server.settings import Settings
from signaling.server.state import server_of
from tests.signaling.conftest import RecordingLive

ROSTER_CSV = "mã học viên,họ và tên,đơn vị\nHV001,Nguyễn Thị Hồng Nhung,Sở Nội vụ\nHV002,Hoàng Văn Thụ,\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code, body
    return body


def course(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/api/courses", json={"title": "Khóa 12", **body}, headers=admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def roster(client: TestClient, admin: dict[str, str], course_id: str, text: str = ROSTER_CSV,
           **params: str) -> Any:  # fmt: skip
    return client.put(f"/api/courses/{course_id}/roster", content=text.encode(), params=params,
                      headers={**admin, "Content-Type": "text/csv"})  # fmt: skip


def test_courses_rules_and_classes(client: TestClient, admin: dict[str, str]) -> None:
    created = course(client, admin, code="K12", rule={"min_percent_per_class": 80})
    assert (created["time_zone"], created["rule"]["min_percent_per_class"]) == ("Asia/Ho_Chi_Minh", 80)
    error(client.post("/api/courses", json={"title": "X", "time_zone": "Mars/Olympus"}, headers=admin),
          422, "invalid_course")  # fmt: skip
    error(client.post("/api/courses", json={"title": "X", "rule": {"min_percent_per_class": 120}},
                      headers=admin), 422, "invalid_request")  # fmt: skip
    error(client.post("/api/courses", json={"title": "X"}), 401, "auth_required")
    cid = created["id"]
    k = client.post("/api/classes", json={"title": "Buổi 1"}, headers=admin).json()
    attached = client.post(f"/api/courses/{cid}/classes", json={"class_ids": [k["id"]]}, headers=admin)
    assert attached.json()["class_ids"] == [k["id"]]
    error(client.post(f"/api/courses/{cid}/classes", json={"class_ids": ["nope"]}, headers=admin),
          404, "class_not_found")  # fmt: skip
    ruled = client.put(f"/api/courses/{cid}/rule", json={"min_total_minutes": 90}, headers=admin).json()
    assert ruled["rule"] == {"min_percent_per_class": None, "min_total_minutes": 90, "min_quiz_score": None}
    error(client.put(f"/api/courses/{cid}/rule", json={"min_total_minutes": 0}, headers=admin),
          422, "invalid_request")  # fmt: skip
    assert [c["id"] for c in client.get(f"/api/courses/{cid}/classes", headers=admin).json()] == [k["id"]]
    assert [c["id"] for c in client.get("/api/courses", headers=admin).json()] == [cid]
    error(client.get("/api/courses/nope", headers=admin), 404, "course_not_found")


def test_roster_import_csv_xlsx_and_row_errors(client: TestClient, admin: dict[str, str]) -> None:
    cid = course(client, admin)["id"]
    done = roster(client, admin, cid)
    assert done.status_code == 200 and done.json()["added"] == 2
    bad = roster(client, admin, cid, "mã học viên,họ và tên\nHV1,An\n,Bình\nHV1,Chi\n")
    body = error(bad, 422, "roster_invalid")
    assert [(d["row"], d["field"], d["message"]) for d in body["details"]] == [
        (3, "external id (mã học viên)", "empty"),
        (4, "external id (mã học viên)", "'HV1' is also on row 2"),
    ]
    names = [t["name"] for t in client.get(f"/api/courses/{cid}/trainees", headers=admin).json()]
    assert names == ["Nguyễn Thị Hồng Nhung", "Hoàng Văn Thụ"]  # nothing half-imported
    error(client.put(f"/api/courses/{cid}/roster", content=b"x", headers={**admin, "Content-Type": "image/png"}),
          415, "unsupported_media_type")  # fmt: skip
    error(roster(client, admin, "nope"), 404, "course_not_found")
    # A roster larger than the API's usual 64 KiB body limit is taken; over 4 MiB is not.
    big = "id,name,unit\n" + "".join(f"HV{i:05d},Học viên số {i},Đơn vị {i}\n" for i in range(3000))
    assert len(big.encode()) > 64 * 1024
    assert roster(client, admin, cid, big).json()["trainees"] == 3000
    error(roster(client, admin, cid, big * 40), 413, "payload_too_large")
    # Links exported as XLSX import back as a roster (merge keeps the others).
    links = client.post(f"/api/courses/{cid}/links", params={"format": "xlsx"}, headers=admin)
    assert links.status_code == 201 and links.headers["content-type"] == XLSX
    again = client.put(f"/api/courses/{cid}/roster", content=links.content, params={"mode": "merge"},
                       headers={**admin, "Content-Type": XLSX})  # fmt: skip
    assert again.json() == {"course_id": cid, "added": 0, "updated": 0, "removed": 0, "trainees": 3000}


def test_course_links_and_the_exchange_for_a_join_link(client: TestClient, admin: dict[str, str]) -> None:
    services = server_of(client.app).services
    cid = course(client, admin)["id"]
    roster(client, admin, cid)
    k = client.post("/api/classes", json={"title": "Buổi 1"}, headers=admin).json()
    other = client.post("/api/classes", json={"title": "Lớp khác"}, headers=admin).json()
    client.post(f"/api/courses/{cid}/classes", json={"class_ids": [k["id"]]}, headers=admin)
    issued = client.post(f"/api/courses/{cid}/links", json={"ttl_hours": 48}, headers=admin)
    assert issued.status_code == 201
    links = {x["external_id"]: x for x in issued.json()}
    assert set(links) == {"HV001", "HV002"}
    token = links["HV001"]["link"].split("/course#t=", 1)[1]
    claims = services.course_tokens.verify(token, cid)
    assert (claims.external_id, claims.name) == ("HV001", "Nguyễn Thị Hồng Nhung")
    bearer = {"Authorization": f"Bearer {token}"}

    view = client.get("/api/course-link", headers=bearer).json()
    assert (view["title"], view["name"], [c["id"] for c in view["classes"]]) == (
        "Khóa 12", "Nguyễn Thị Hồng Nhung", [k["id"]]
    )
    joined = client.post("/api/course-link/join", json={"class_id": k["id"]}, headers=bearer)
    assert joined.status_code == 200, joined.text
    join_token = joined.json()["link"].split("/join#t=", 1)[1]
    join = services.tokens.verify(join_token, k["id"])
    assert (join.role.value, join.external_id, join.name) == ("trainee", "HV001", "Nguyễn Thị Hồng Nhung")

    error(client.post("/api/course-link/join", json={"class_id": other["id"]}, headers=bearer),
          404, "class_not_found")  # fmt: skip
    error(client.get("/api/course-link"), 401, "auth_required")
    error(client.get("/api/course-link", headers=admin), 403, "token_invalid")
    roster(client, admin, cid, "id,name\nHV002,Hoàng Văn Thụ\n")  # HV001 taken off the roster
    error(client.post("/api/course-link/join", json={"class_id": k["id"]}, headers=bearer),
          403, "not_on_roster")  # fmt: skip
    client.post(f"/api/classes/{k['id']}/end", headers=admin)
    other_token = links["HV002"]["link"].split("#t=", 1)[1]
    error(client.post("/api/course-link/join", json={"class_id": k["id"]},
                      headers={"Authorization": f"Bearer {other_token}"}), 409, "class_ended")  # fmt: skip
    sheet = client.post(f"/api/courses/{cid}/links", params={"format": "csv"}, headers=admin)
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0] == ["Mã học viên", "Họ và tên", "Đơn vị", "Đường dẫn", "Hết hạn"]
    assert [r.external_id for r in parse_roster(sheet.content, "csv")] == ["HV002"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> MadeCertificate:
    return make_certificate(tmp_path_factory.mktemp("ca"), "Trường Chính trị Hoàng Văn Thụ",
                            "Trường Chính trị tỉnh Lạng Sơn")  # fmt: skip


@pytest.fixture
def signing_client(tmp_path: Path, live: RecordingLive, made: MadeCertificate) -> Iterator[TestClient]:
    settings = Settings.load(data_dir=tmp_path / "signed", report_certificate=made.p12,
                             report_certificate_password=made.password)  # fmt: skip
    with TestClient(create_app(settings, live)) as c:
        yield c


def admin_of(client: TestClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {server_of(client.app).services.admin_token.value}"}


def test_reports_unsigned_without_a_certificate(client: TestClient, admin: dict[str, str]) -> None:
    demo = seed(server_of(client.app).services.db)
    report = client.get(f"/api/classes/{demo.class_id}/report", headers=admin).json()
    assert report["kind"] == "class" and report["trainees"][0]["classes"][0]["first_join"].endswith("+07:00")
    assert client.get("/api/reports/signing", headers=admin).json()["signed"] is False
    pdf = client.get(f"/api/courses/{demo.course_id}/report", params={"format": "pdf"}, headers=admin)
    assert pdf.status_code == 200 and pdf.headers["x-report-signed"] == "false"
    assert pdf.headers["content-type"] == "application/pdf"
    checked = client.post("/api/reports/verify", content=pdf.content,
                          headers={**admin, "Content-Type": "application/pdf"}).json()  # fmt: skip
    assert (checked["signed"], checked["valid"]) == (False, False)
    xlsx = client.get(f"/api/courses/{demo.course_id}/report", params={"format": "xlsx", "lang": "en"},
                      headers=admin)  # fmt: skip
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Summary", "Detail"]
    text = client.get(f"/api/classes/{demo.class_id}/report", params={"format": "csv"}, headers=admin)
    assert text.headers["content-type"].startswith("text/csv") and "Nguyễn Thị Hồng Nhung" in text.text
    error(client.get("/api/classes/nope/report", headers=admin), 404, "class_not_found")
    error(client.get(f"/api/classes/{demo.class_id}/report", params={"format": "doc"}, headers=admin),
          422, "invalid_request")  # fmt: skip


def test_signed_reports_verify_and_a_changed_copy_does_not(signing_client: TestClient) -> None:
    admin = admin_of(signing_client)
    demo = seed(server_of(signing_client.app).services.db)
    status = signing_client.get("/api/reports/signing", headers=admin).json()
    assert status["signed"] is True and "Trường Chính trị Hoàng Văn Thụ" in status["signer"]
    pdf = signing_client.get(f"/api/classes/{demo.class_id}/report", params={"format": "pdf"}, headers=admin)
    assert pdf.headers["x-report-signed"] == "true"
    post = {**admin, "Content-Type": "application/pdf"}
    checked = signing_client.post("/api/reports/verify", content=pdf.content, headers=post).json()
    assert (checked["valid"], checked["unchanged"], checked["trusted"]) == (True, True, True)
    assert checked["signer_common_name"] == "Trường Chính trị Hoàng Văn Thụ" and checked["signed_at"]
    changed = bytearray(pdf.content)
    changed[changed.index(b"classbridge")] ^= 1
    tampered = signing_client.post("/api/reports/verify", content=bytes(changed), headers=post).json()
    assert (tampered["valid"], tampered["unchanged"]) == (False, False)
    assert tampered["problem"] == "the document was changed after it was signed"
    assert classes.get(server_of(signing_client.app).services.db, demo.class_id).status.value == "ended"


def test_the_course_page_is_served_with_the_strict_policy(client: TestClient) -> None:
    page = client.get("/course")
    assert page.status_code == 200 and '<script type="module" src="/static/course/course.js">' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"  # the token in the fragment stays put
    assert client.get("/static/course/i18n/vi.json").json()["course.join"] == "Vào lớp"


def test_recording_settings_create_change_and_refuse(client: TestClient, admin: dict[str, str]) -> None:
    created = course(client, admin, record_classes=True, recording_retention_days=365)
    cid = created["id"]
    assert (created["record_classes"], created["recording_retention_days"], created["watching_counts"]) == (
        True, 365, False)  # fmt: skip
    changed = client.patch(f"/api/courses/{cid}", json={"watching_counts": True}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["record_classes"], changed.json()["recording_retention_days"],
            changed.json()["watching_counts"]) == (True, 365, True)  # the others stay  # fmt: skip
    kept = client.patch(f"/api/courses/{cid}", json={"recording_retention_days": None, "record_classes": False},
                        headers=admin).json()  # fmt: skip
    assert (kept["record_classes"], kept["recording_retention_days"], kept["watching_counts"]) == (False, None, True)
    for bad in ({"recording_retention_days": 0}, {"recording_retention_days": 3651},
                {"recording_retention_days": "many"}, {"record_classes": None}, {"colour": "red"}):
        error(client.patch(f"/api/courses/{cid}", json=bad, headers=admin), 422, "invalid_request")
    error(client.post("/api/courses", json={"title": "X", "recording_retention_days": -1}, headers=admin),
          422, "invalid_request")  # fmt: skip
    assert client.get(f"/api/courses/{cid}", headers=admin).json()["watching_counts"] is True  # nothing lost
    error(client.patch("/api/courses/nope", json={"watching_counts": True}, headers=admin), 404, "course_not_found")
    error(client.patch(f"/api/courses/{cid}", json={"watching_counts": True}), 401, "auth_required")
