"""Watching counts in the course report: minutes watched per e-lecture and in all (ranges
played, merged), and a missed class made up by watching its recording when the course says so,
in the JSON and every file (CSV, XLSX, PDF), on real rows with an injected clock."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.classes import ClassInfo
from classroom.courses import catalog
from classroom.courses.completion import CompletionRule
from classroom.courses.roster_file import RosterRow
from classroom.recording.watching import add_watched
from classroom.reports.build import Report, Reports, TraineeLine
from classroom.reports.export import export
from classroom.roles import Role
from tests.support.clock import ManualClock

MORNING = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # 08:00 in Lạng Sơn
ROSTER = [
    RosterRow(2, "HV001", "Nguyễn Thị Hồng Nhung", "Sở Nội vụ"),
    RosterRow(3, "HV002", "Hoàng Văn Thụ", None),
    RosterRow(4, "HV003", "Lý Thị Mai", None),
]


def planned(db: sessionmaker[Session], title: str, day: int) -> ClassInfo:
    start = MORNING + timedelta(days=day)
    return classes.create(db, title, "room-101", starts_at=start, ends_at=start + timedelta(hours=1),
                          allow_overlap=True)  # fmt: skip


def line(report: Report, external_id: str) -> TraineeLine:
    return next(t for t in report.trainees if t.external_id == external_id)


@pytest.fixture
def course_report(db: sessionmaker[Session]) -> tuple[str, Reports, ClassInfo, ClassInfo]:
    """Two one-hour classes, both over; everyone attends Buổi 1 whole; HV001 misses Buổi 2 and
    watches 50 of its 60 minutes (80 % asks 48), HV002 misses it and watches 40, HV003 attends."""
    clock = ManualClock(wall_start=MORNING)
    course = catalog.create(db, "Khóa 12", rule=CompletionRule(min_percent_per_class=80))
    catalog.import_roster(db, course.id, ROSTER, "replace")
    one, two = planned(db, "Buổi 1", 0), planned(db, "Buổi 2", 1)
    catalog.attach(db, course.id, [one.id, two.id])
    log = AttendanceLog(db, clock.wall)
    rows = [log.joined(one.id, f"p{n}", Role.TRAINEE, t.external_id, t.name) for n, t in enumerate(ROSTER)]
    clock.set_wall(MORNING + timedelta(hours=1))
    for row in rows:
        log.left(row, "closed")
    clock.set_wall(MORNING + timedelta(days=1))
    mai = log.joined(two.id, "p9", Role.TRAINEE, "HV003", "Lý Thị Mai")
    clock.set_wall(MORNING + timedelta(days=1, hours=1))
    log.left(mai, "closed")
    clock.set_wall(MORNING + timedelta(days=2))  # both classes' planned ends have passed
    recording = f"{two.id}/20250311-080000-abc123"
    # Played 0-30 min, played 20-40 again (counted once), sought to 45 and played to 55.
    add_watched(db, course.id, "HV001", recording, [(0, 1800), (1200, 2400)])
    add_watched(db, course.id, "HV001", recording, [(2700, 3300)])
    add_watched(db, course.id, "HV002", recording, [(0, 2400)])
    add_watched(db, course.id, "HV002", f"{one.id}/20250310-080000-def456", [(0, 90)])  # a review
    return course.id, Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall), one, two


def test_minutes_watched_per_e_lecture_and_in_all(
    course_report: tuple[str, Reports, ClassInfo, ClassInfo],
) -> None:
    course_id, reports, one, two = course_report
    report = reports.course(course_id)
    assert [(e.class_id, e.title) for e in report.recordings] == [(one.id, "Buổi 1"), (two.id, "Buổi 2")]
    nhung, thu, mai = line(report, "HV001"), line(report, "HV002"), line(report, "HV003")
    assert [w.seconds for w in nhung.watched] == [0, 3000]  # 0-40 and 45-55 min, not the seek
    assert (nhung.watched_seconds, thu.watched_seconds, mai.watched_seconds) == (3000, 2490, 0)
    assert [a.watched_seconds for a in thu.classes] == [90, 2400]
    # Watching does not count for this course (yet): a missed class is missed.
    assert nhung.completion and nhung.completion.status == "not_completed"
    assert [(r.code, r.watched_minutes) for r in nhung.completion.reasons] == [("class_missed", None)]
    assert mai.completion and mai.completion.status == "completed"


def test_watching_makes_up_for_a_missed_class_once_the_course_counts_it(
    db: sessionmaker[Session], course_report: tuple[str, Reports, ClassInfo, ClassInfo]
) -> None:
    course_id, reports, _, two = course_report
    catalog.set_recording(db, course_id, {"watching_counts": True})
    report = reports.course(course_id)
    assert report.watching_counts
    nhung, thu = line(report, "HV001"), line(report, "HV002")
    assert nhung.completion and nhung.completion.status == "completed"
    assert [(r.code, r.class_id, r.watched_minutes, r.required_minutes) for r in nhung.completion.reasons] == [
        ("class_watched", two.id, 50, 48)
    ]
    assert [(a.meets_rule, a.made_up) for a in nhung.classes] == [(True, False), (False, True)]
    assert thu.completion and thu.completion.status == "not_completed"  # 40 of the 48 minutes
    assert [(r.code, r.watched_minutes) for r in thu.completion.reasons] == [("class_missed", 40)]
    assert [a.made_up for a in thu.classes] == [False, False]


def test_every_export_carries_the_minutes_watched_and_the_reasons(
    db: sessionmaker[Session], course_report: tuple[str, Reports, ClassInfo, ClassInfo]
) -> None:
    course_id, reports, _, _ = course_report
    catalog.set_recording(db, course_id, {"watching_counts": True})
    report = reports.course(course_id)

    data = json.loads(export(report, "json", "vi").data)
    nhung = next(t for t in data["trainees"] if t["external_id"] == "HV001")
    assert (nhung["watched_seconds"], [w["seconds"] for w in nhung["watched"]]) == (3000, [0, 3000])
    assert data["watching_counts"] is True

    rows = list(csv.reader(io.StringIO(export(report, "csv", "vi").data.decode("utf-8-sig"))))
    by_id = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert (by_id["HV001"]["Xem lại (phút): Buổi 2"], by_id["HV001"]["Tổng thời gian xem lại (phút)"]) == ("50.0", "50.0")
    assert by_id["HV002"]["Tổng thời gian xem lại (phút)"] == "41.5"
    assert by_id["HV001"]["Kết quả"] == "Hoàn thành"
    assert "Buổi “Buổi 2”: đã bù bằng xem lại bài giảng 50/48 phút" in by_id["HV001"]["Lý do"]
    assert by_id["HV002"]["Lý do"] == "Vắng buổi “Buổi 2” (đã xem lại 40 phút)"

    book = load_workbook(io.BytesIO(export(report, "xlsx", "en").data))
    detail = list(book["Detail"].iter_rows(values_only=True))
    head = list(detail[0])
    made_up = [r for r in detail[1:] if r[head.index("Made up by watching")] == "Yes"]
    assert [(r[head.index("Trainee id")], r[head.index("Watched (min)")]) for r in made_up] == [("HV001", 50)]
    summary = [list(r) for r in book["Summary"].iter_rows(values_only=True)]
    heading = next(r for r in summary if r[0] == "Completion rule")
    assert "watching a missed class's e-lecture makes up for it" in heading[1]

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(export(report, "pdf", "vi").data)).pages)
    assert "xem lại bài giảng điện tử của buổi vắng được tính bù" in text
    assert "đã bù bằng xem lại bài giảng 50/48 phút" in " ".join(text.split())
