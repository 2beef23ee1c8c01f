"""Module-end tests over REST on the real app: the lecturer composes, a trainee takes it
through their course link (resume, save, submit), the lecturer grades and reads results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from classroom.roles import Role
from signaling.server.state import server_of
from tests.support.courses import make_course


def test_compose_take_grade_and_read(client: TestClient) -> None:
    services = server_of(client.app).services
    make_course(services.db, "c1", {"HV001": "Nguyễn Văn An", "HV002": "Trần Thị Bình"})

    def bearer(role: Role, external_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {services.course_tokens.mint('c1', role, external_id=external_id)[0]}"}

    lecturer, an, stranger = bearer(Role.LECTURER), bearer(Role.TRAINEE, "HV001"), bearer(Role.TRAINEE, "HV999")
    base = "/api/courses/c1"
    ids = [client.post(f"{base}/questions", headers=lecturer, json=q).json()["id"] for q in (
        {"kind": "single", "text": "Thủ đô?", "options": ["Hà Nội", "Huế"], "correct": [0]},
        {"kind": "short", "text": "Nêu phương châm dân vận."},
    )]
    now = datetime.now(UTC)
    exam = {"title": "Kiểm tra kết thúc học phần I", "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(), "time_limit_s": 600, "question_ids": ids}
    assert client.post(f"{base}/tests", headers=an, json=exam).status_code == 403
    bad = client.post(f"{base}/tests", headers=lecturer, json=exam | {"closes_at": exam["opens_at"]})
    assert bad.status_code == 422
    test_id = client.post(f"{base}/tests", headers=lecturer, json=exam).json()["id"]
    assert [t["id"] for t in client.get(f"{base}/tests", headers=an).json()] == [test_id]
    assert client.post(f"{base}/tests/{test_id}/attempt", headers=lecturer).json()["error"]["code"] == "not_trainee"
    assert client.post(f"{base}/tests/{test_id}/attempt", headers=stranger).json()["error"]["code"] == "not_on_roster"
    paper = client.post(f"{base}/tests/{test_id}/attempt", headers=an).json()
    capital = next(n for n, q in enumerate(paper["questions"]) if q["text"] == "Thủ đô?")
    right = paper["questions"][capital]["options"].index("Hà Nội")
    url = f"{base}/tests/{test_id}/attempt/answers"
    assert client.put(f"{url}/{capital}", headers=an, json={"choice": [right]}).status_code == 204
    assert client.put(f"{url}/{1 - capital}", headers=an, json={"text": "Dân biết, dân bàn"}).status_code == 204
    assert client.put(f"{url}/{capital}", headers=an, json={"choice": [5]}).json()["error"]["code"] == "invalid_answer"
    assert client.put(f"{url}/{capital}", headers=an, json={}).status_code == 422
    resumed = client.post(f"{base}/tests/{test_id}/attempt", headers=an).json()
    assert resumed["questions"] == paper["questions"]
    assert resumed["answers"] == {str(capital): [right], str(1 - capital): "Dân biết, dân bàn"}
    done = client.post(f"{base}/tests/{test_id}/attempt/submit", headers=an).json()
    assert done["closed"] and done["score"] is None
    assert client.put(f"{url}/{capital}", headers=an, json={"choice": [right]}).status_code == 409
    (waiting,) = client.get(f"{base}/tests/{test_id}/grading", headers=lecturer).json()
    assert waiting["answer"] == "Dân biết, dân bàn"
    graded = client.post(f"{base}/tests/{test_id}/grades", headers=lecturer,
                         json={"external_id": "HV001", "question": waiting["question"], "mark": 0.5})
    assert graded.json() == {"score": 75.0}
    rows = {r["external_id"]: r for r in client.get(f"{base}/tests/{test_id}/results", headers=lecturer).json()}
    assert rows["HV001"]["score"] == 75.0 and rows["HV002"]["score"] is None
    csv = client.get(f"{base}/tests/{test_id}/results", params={"format": "csv"}, headers=lecturer)
    assert csv.headers["content-type"].startswith("text/csv") and "Nguyễn Văn An" in csv.content.decode("utf-8-sig")
    xlsx = client.get(f"{base}/tests/{test_id}/results", params={"format": "xlsx"}, headers=lecturer)
    assert xlsx.content[:2] == b"PK"
    items = {i["text"]: i for i in client.get(f"{base}/tests/{test_id}/items", headers=lecturer).json()}
    assert items["Thủ đô?"]["option_counts"] == [1, 0] and items["Thủ đô?"]["difficulty_index"] == 1.0
    assert client.get(f"{base}/scores", headers=lecturer).json() == {"HV001": 75.0}
    assert client.get(f"{base}/tests/nope/results", headers=lecturer).status_code == 404
    # the course's completion rule reads the test score (the signed course report's completion)
    admin = {"Authorization": f"Bearer {services.admin_token.value}"}
    assert client.put(f"{base}/rule", json={"min_quiz_score": 80}, headers=admin).status_code == 200
    report = client.get(f"{base}/report", headers=admin).json()
    completion = {t["external_id"]: t["completion"] for t in report["trainees"]}
    assert completion["HV001"]["status"] == "not_completed"
    assert completion["HV001"]["reasons"][0] | {"code": "quiz_short", "score": 75.0, "required_score": 80.0} == completion["HV001"]["reasons"][0]
    assert client.put(f"{base}/rule", json={"min_quiz_score": 70}, headers=admin).status_code == 200
    completion = {t["external_id"]: t["completion"] for t in client.get(f"{base}/report", headers=admin).json()["trainees"]}
    assert completion["HV001"]["status"] == "completed"
