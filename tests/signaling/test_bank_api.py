"""The question bank's REST API on the real app: who may use it, imports (all or nothing,
with per-question details), edits, export."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from classroom.roles import Role
from signaling.server.state import server_of
from tests.support.courses import make_course

SAMPLES = Path(__file__).parents[2] / "config" / "question-bank"


def _setup(client: TestClient) -> dict[str, dict[str, str]]:
    services = server_of(client.app).services
    make_course(services.db, "c1", {"HV001": "Nguyễn Văn An"})
    make_course(services.db, "c2")

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return {
        "admin": bearer(services.admin_token.value),
        "lecturer": bearer(services.course_tokens.mint("c1", Role.LECTURER, name="GV")[0]),
        "trainee": bearer(services.course_tokens.mint("c1", Role.TRAINEE, external_id="HV001")[0]),
        "other_course": bearer(services.course_tokens.mint("c2", Role.LECTURER)[0]),
    }


def test_lecturers_and_the_admin_manage_the_bank_others_do_not(client: TestClient) -> None:
    who = _setup(client)
    url = "/api/courses/c1/questions"
    assert client.get(url).json()["error"]["code"] == "auth_required"
    assert client.get(url, headers=who["trainee"]).json()["error"]["code"] == "not_lecturer"
    refused = client.get(url, headers=who["other_course"])
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "wrong_course"
    assert client.get(url, headers={"Authorization": "Bearer nonsense"}).status_code == 403
    for role in ("admin", "lecturer"):
        assert client.get(url, headers=who[role]).json() == {"questions": [], "topics": {}}
    assert client.get("/api/courses/zz/questions", headers=who["admin"]).status_code == 404


def test_import_all_or_nothing_then_export(client: TestClient) -> None:
    who = _setup(client)
    url = "/api/courses/c1/questions/import"
    bad = "Câu?\nA. x\nB. y\nANSWER: A\n\nThiếu đáp án?\nA. x\nB. y\n".encode()
    refused = client.post(url, params={"format": "aiken"}, content=bad, headers=who["lecturer"])
    assert refused.status_code == 422
    body = refused.json()["error"]
    assert body["code"] == "bank_import_refused"
    assert body["details"] == [{"field": "question 2 (line 6)", "message": "missing_answer: the question has no ANSWER: line"}]
    assert client.get("/api/courses/c1/questions", headers=who["admin"]).json()["questions"] == []
    kept = client.post(url, params={"format": "aiken", "keep_valid": "true", "topic": "Dân vận"},
                       content=bad, headers=who["lecturer"]).json()
    assert kept["imported"] == 1 and kept["problems"][0]["code"] == "missing_answer"
    done = client.post(url, params={"format": "xlsx"}, content=(SAMPLES / "sample.xlsx").read_bytes(),
                       headers=who["admin"])
    assert done.status_code == 200 and done.json()["imported"] == 7
    listed = client.get("/api/courses/c1/questions", params={"topic": "Dân vận"}, headers=who["admin"]).json()
    assert [q["text"] for q in listed["questions"]] == ["Câu?"]
    gift = client.get("/api/courses/c1/questions/export", params={"format": "gift"}, headers=who["lecturer"])
    assert gift.status_code == 200 and "{FALSE}" in gift.text and gift.headers["content-type"].startswith("text/plain")
    xlsx = client.get("/api/courses/c1/questions/export", headers=who["lecturer"])
    assert xlsx.content[:2] == b"PK"
    garbage = client.post(url, params={"format": "xlsx"}, content=b"not a workbook", headers=who["admin"])
    assert garbage.status_code == 422 and garbage.json()["error"]["details"][0]["message"].startswith("bad_xlsx")
    unknown = client.post(url, params={"format": "pdf"}, content=b"x", headers=who["admin"])
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"


def test_edit_one_question(client: TestClient) -> None:
    who = _setup(client)
    url = "/api/courses/c1/questions"
    body = {"kind": "multiple", "text": "Chọn các cơ quan nhà nước", "options": ["HĐND", "UBND", "Hội Nông dân"],
            "correct": [0, 1], "topic": "Quản lý nhà nước", "difficulty": "hard"}
    created = client.post(url, json=body, headers=who["lecturer"])
    assert created.status_code == 201
    qid = created.json()["id"]
    assert client.get(f"{url}/{qid}", headers=who["admin"]).json()["correct"] == [0, 1]
    bad = client.put(f"{url}/{qid}", json=body | {"kind": "single"}, headers=who["lecturer"])
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_question"
    dup = client.post(url, json=body | {"text": "chọn các cơ quan  nhà nước"}, headers=who["lecturer"])
    assert dup.status_code == 422
    assert client.put(f"{url}/{qid}", json=body | {"correct": [2]}, headers=who["lecturer"]).json()["correct"] == [2]
    assert client.post(url, json=body | {"extra": 1}, headers=who["lecturer"]).status_code == 422
    assert client.delete(f"{url}/{qid}", headers=who["trainee"]).status_code == 403
    assert client.delete(f"{url}/{qid}", headers=who["lecturer"]).status_code == 204
    assert client.get(f"{url}/{qid}", headers=who["admin"]).json()["error"]["code"] == "question_not_found"
    assert client.get(f"/api/courses/c2/questions/{qid}", headers=who["admin"]).status_code == 404
