"""Reports from real rows, on an injected clock: joins, leaves, reconnects, two tabs, check-in
and check-out, classes to come, the completion rule, and time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.checkin.models import CheckInRecord
from classroom.classes import ClassInfo
from classroom.courses import catalog
from classroom.courses.completion import CompletionRule
from classroom.courses.roster_file import RosterRow
from classroom.errors import ClassNotFound, CourseNotFound, InvalidCourse
from classroom.reports.build import Report, Reports, TraineeLine
from classroom.roles import Role
from tests.support.clock import ManualClock

# 08:00 in Lạng Sơn (UTC+7) is 01:00 UTC.
MORNING = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
ROSTER = [
    RosterRow(2, "HV001", "Nguyễn Thị Hồng Nhung", "Sở Nội vụ"),
    RosterRow(3, "HV002", "Hoàng Văn Thụ", "UBND huyện Cao Lộc"),
    RosterRow(4, "HV003", "Lý Thị Mai", None),
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(wall_start=MORNING)


def at(clock: ManualClock, minutes: float) -> None:
    clock.set_wall(MORNING + timedelta(minutes=minutes))


def planned(db: sessionmaker[Session], title: str, start_min: int, hours: float = 2) -> ClassInfo:
    start = MORNING + timedelta(minutes=start_min)
    return classes.create(db, title, "room-101", starts_at=start, ends_at=start + timedelta(hours=hours),
                          allow_overlap=True)  # fmt: skip


def check_in(db: sessionmaker[Session], class_id: str, external_id: str, name: str,
             at_: datetime, out: datetime | None = None) -> None:  # fmt: skip
    with db.begin() as s:
        s.add(CheckInRecord(class_id=class_id, external_id=external_id, name=name,
                            device=f"phone-{external_id}", checked_in_at=at_, checked_out_at=out))  # fmt: skip


def line(report: Report, external_id: str) -> TraineeLine:
    return next(t for t in report.trainees if t.external_id == external_id)


def test_class_report_merges_tabs_and_reconnects_and_counts_the_room(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    course = catalog.create(db, "Bồi dưỡng kiến thức quốc phòng", rule=CompletionRule(min_percent_per_class=80))
    catalog.import_roster(db, course.id, ROSTER, "replace")
    k = planned(db, "Buổi 1", 0)
    catalog.attach(db, course.id, [k.id])
    log = AttendanceLog(db, clock.wall)
    # HV001: a phone and a laptop at once (counted once), then a dropped link for 20 s.
    phone = log.joined(k.id, "p1", Role.TRAINEE, "HV001", "Nguyễn Thị Hồng Nhung")
    at(clock, 10)
    laptop = log.joined(k.id, "p2", Role.TRAINEE, "HV001", "Nguyễn Thị Hồng Nhung")
    at(clock, 30)
    log.left(phone, "closed")
    at(clock, 60)
    log.left(laptop, "connection_lost")
    clock.advance(20)
    again = log.joined(k.id, "p3", Role.TRAINEE, "HV001", "Nguyễn Thị Hồng Nhung")
    at(clock, 100)
    log.left(again, "closed")
    # HV002: in the room from 08:05, checked out at 09:00, then remote from a phone 09:30-09:50.
    check_in(db, k.id, "HV002", "Hoàng Văn Thụ", MORNING + timedelta(minutes=5),
             MORNING + timedelta(minutes=60))
    at(clock, 90)
    remote = log.joined(k.id, "p4", Role.TRAINEE, "HV002", "Hoàng Văn Thụ")
    at(clock, 110)
    log.left(remote, "closed")
    # Someone on a shared link, not on the roster; and the lecturer, who is no trainee.
    guest = log.joined(k.id, "p5", Role.TRAINEE, None, "Khách")
    log.joined(k.id, "p6", Role.LECTURER, None, "Giảng viên")
    at(clock, 115)
    log.left(guest, "closed")
    at(clock, 120)
    classes.end(db, k.id, now=clock.wall())

    report = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall).klass(k.id)
    assert report.kind == "class" and report.time_zone == "Asia/Ho_Chi_Minh"
    assert [t.external_id for t in report.trainees] == ["HV001", "HV002", "HV003", None]
    a = line(report, "HV001").classes[0]
    assert a.seconds == 100 * 60 - 20 and a.remote_seconds == a.seconds and a.room_seconds == 0
    # One interval shown (the reconnect merged), in Lạng Sơn time.
    assert [(i.start.isoformat(), i.end and i.end.isoformat(), i.where) for i in a.intervals] == [
        ("2025-03-10T08:00:00+07:00", "2025-03-10T09:40:00+07:00", "remote")
    ]
    assert (a.first_join and a.first_join.hour, a.mode, a.meets_rule) == (8, "remote", True)
    assert a.percent == round(100 * (6000 - 20) / 7200, 1)

    b = line(report, "HV002").classes[0]
    assert (b.room_seconds, b.remote_seconds, b.seconds, b.mode) == (55 * 60, 20 * 60, 75 * 60, "both")
    assert [i.where for i in b.intervals] == ["room", "remote"]
    assert b.meets_rule is False and b.last_leave == MORNING + timedelta(minutes=110)

    absent = line(report, "HV003").classes[0]
    assert (absent.seconds, absent.mode, absent.first_join, absent.meets_rule) == (0, "absent", None, False)
    guest_line = report.trainees[-1]
    assert (guest_line.name, guest_line.on_roster, guest_line.seconds) == ("Khách", False, 300)
    assert all(t.name != "Giảng viên" for t in report.trainees)


def test_open_connections_and_checkins_count_up_to_now_then_to_the_class_end(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    k = classes.create(db, "Lớp không thuộc khóa nào")
    classes.start(db, k.id, now=clock.wall())  # the first join starts it (the hub does)
    log = AttendanceLog(db, clock.wall)
    log.joined(k.id, "p1", Role.TRAINEE, "HV9", "Đinh Công Tráng")
    check_in(db, k.id, "HV8", "Lê Văn Tám", clock.wall())
    at(clock, 30)
    log.heartbeat()  # the server sees the connection every few seconds
    reports = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall)
    live = reports.klass(k.id)
    assert live.course_id is None and live.rule is None
    for t in live.trainees:
        a = t.classes[0]
        assert (a.seconds, a.present_now, a.last_leave, a.intervals[0].end) == (1800, True, None, None)
        assert a.percent is None  # an unplanned class still running has no length yet
    at(clock, 45)
    log.heartbeat()
    classes.end(db, k.id, now=clock.wall())
    at(clock, 600)  # hours later: nothing counts after the end
    ended = reports.klass(k.id)
    for t in ended.trainees:
        a = t.classes[0]
        assert (a.seconds, a.present_now, a.percent) == (2700, False, 100.0)
        assert a.last_leave == (MORNING + timedelta(minutes=45)).astimezone(a.last_leave.tzinfo)


def test_an_open_row_nobody_sees_counts_to_its_last_sighting(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    """The server was killed and has not been restarted: no time counts past the last heartbeat."""
    k = classes.create(db, "Lớp máy chủ bị tắt")
    classes.start(db, k.id, now=clock.wall())
    log = AttendanceLog(db, clock.wall)
    log.joined(k.id, "p1", Role.TRAINEE, "HV9", "Đinh Công Tráng")
    at(clock, 10)
    log.heartbeat()  # last seen at 10 min, then the process dies
    at(clock, 40)
    (trainee,) = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall).klass(k.id).trainees
    a = trainee.classes[0]
    assert (a.seconds, a.present_now) == (600, False)


def test_course_report_completion_with_classes_to_come(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    rule = CompletionRule(min_percent_per_class=80, min_total_minutes=200)
    course = catalog.create(db, "Khóa 12", code="K12", rule=rule)
    catalog.import_roster(db, course.id, ROSTER[:2], "replace")
    first, second = planned(db, "Buổi 1", 0), planned(db, "Buổi 2", 24 * 60)
    catalog.attach(db, course.id, [second.id, first.id])
    log = AttendanceLog(db, clock.wall)
    row = log.joined(first.id, "p1", Role.TRAINEE, "HV001", "Nguyễn Thị Hồng Nhung")
    short = log.joined(first.id, "p2", Role.TRAINEE, "HV002", "Hoàng Văn Thụ")
    at(clock, 60)
    log.left(short, "closed")
    at(clock, 120)
    log.left(row, "closed")
    classes.end(db, first.id, now=clock.wall())
    reports = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall)

    mid = reports.course(course.id)
    assert [c.title for c in mid.classes] == ["Buổi 1", "Buổi 2"]  # planned order
    assert [c.held for c in mid.classes] == [True, False]
    one, two = line(mid, "HV001"), line(mid, "HV002")
    assert one.completion and one.completion.status == "in_progress"
    assert [r.code for r in one.completion.reasons] == ["total_short"]
    assert two.completion and two.completion.status == "not_completed"  # Buổi 1 is lost for good
    assert [(r.code, r.title, r.minutes, r.required_minutes) for r in two.completion.reasons][0] == (
        "class_short", "Buổi 1", 60, 96
    )

    at(clock, 24 * 60)
    late = log.joined(second.id, "p3", Role.TRAINEE, "HV001", "Nguyễn Thị Hồng Nhung")
    at(clock, 24 * 60 + 96)  # exactly 80 % of Buổi 2
    log.left(late, "closed")
    at(clock, 24 * 60 + 120)  # Buổi 2's planned end passes (nobody ended it): it is over
    done = reports.course(course.id)
    one = line(done, "HV001")
    assert one.completion and one.completion.status == "completed"
    assert (one.seconds, one.classes_attended) == (216 * 60, 2)
    two = line(done, "HV002")
    assert two.completion and [r.code for r in two.completion.reasons] == [
        "class_short", "class_missed", "total_short"
    ]


def test_times_are_in_the_course_zone_or_the_schools(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    late = datetime(2025, 3, 10, 23, 30, tzinfo=UTC)  # 06:30 on the 11th in Lạng Sơn
    clock.set_wall(late)
    k = classes.create(db, "Lớp tối")
    log = AttendanceLog(db, clock.wall)
    log.left(log.joined(k.id, "p1", Role.TRAINEE, "HV1", "An"), "closed")
    school = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall).klass(k.id)
    assert school.classes[0].class_id == k.id
    first = school.trainees[0].classes[0].first_join
    assert first is not None and (first.day, first.hour, first.utcoffset()) == (11, 6, timedelta(hours=7))
    assert Reports(db, "UTC", clock=clock.wall).klass(k.id).generated_at.utcoffset() == timedelta(0)
    course = catalog.create(db, "Khóa ở Tokyo", zone="Asia/Tokyo")
    catalog.attach(db, course.id, [k.id])
    tokyo = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall).klass(k.id)
    assert tokyo.time_zone == "Asia/Tokyo"
    joined = tokyo.trainees[0].classes[0].first_join
    assert joined is not None and (joined.hour, joined.utcoffset()) == (8, timedelta(hours=9))


def test_unknown_ids_and_zones(db: sessionmaker[Session]) -> None:
    with pytest.raises(ClassNotFound):
        Reports(db, "Asia/Ho_Chi_Minh").klass("nope")
    with pytest.raises(CourseNotFound):
        Reports(db, "Asia/Ho_Chi_Minh").course("nope")
    with pytest.raises(InvalidCourse):
        catalog.create(db, "X", zone="Mars/Olympus")
    with pytest.raises(InvalidCourse):
        Reports(db, "Nowhere/Else")


def test_a_connection_its_server_stopped_seeing_counts_to_its_last_sighting(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    """A crash: the row stays open, nobody refreshes it; the report never counts "up to now"."""
    k = classes.create(db, "Lớp gặp sự cố")
    classes.start(db, k.id, now=clock.wall())
    log = AttendanceLog(db, clock.wall)
    log.joined(k.id, "p1", Role.TRAINEE, "HV1", "An")
    at(clock, 10)
    log.heartbeat()
    at(clock, 60)  # the server died at minute 10
    a = Reports(db, "Asia/Ho_Chi_Minh", clock=clock.wall).klass(k.id).trainees[0].classes[0]
    assert (a.seconds, a.present_now) == (600, False)
    assert a.last_leave == (MORNING + timedelta(minutes=10)).astimezone(a.last_leave.tzinfo)
