from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import CSV_COLUMNS, AttendanceLog, PersonAttendance, report_csv
from classroom.errors import ClassNotFound
from classroom.models import AttendanceRecord
from classroom.roles import Role
from tests.support.clock import ManualClock

T0 = datetime(2025, 9, 2, 1, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(wall_start=T0)


@pytest.fixture
def log(db: sessionmaker[Session], clock: ManualClock) -> AttendanceLog:
    return AttendanceLog(db, clock.wall)


@pytest.fixture
def class_id(db: sessionmaker[Session]) -> str:
    return classes.create(db, "Lớp bồi dưỡng", now=T0).id


def rows(db: sessionmaker[Session]) -> list[AttendanceRecord]:
    with db() as session:
        return list(session.scalars(select(AttendanceRecord).order_by(AttendanceRecord.id)))


def people_of(log: AttendanceLog, class_id: str) -> dict[str, PersonAttendance]:
    return {p.person: p for p in log.report(class_id).people}


def test_joined_and_left_write_rows(
    db: sessionmaker[Session], log: AttendanceLog, clock: ManualClock, class_id: str
) -> None:
    row = log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    clock.set_wall(at(30))
    log.left(row, "left")
    clock.set_wall(at(40))
    log.left(row, "disconnected")  # a second close keeps the first
    (record,) = rows(db)
    assert (record.participant_id, record.role, record.external_id, record.display_name) == (
        "p1",
        Role.TRAINEE,
        "HV1",
        "Lan",
    )
    assert (record.joined_at, record.left_at, record.leave_reason) == (
        T0,
        T0 + timedelta(minutes=30),
        "left",
    )


def test_bad_input(log: AttendanceLog, class_id: str) -> None:
    with pytest.raises(ClassNotFound):
        log.joined("nope", "p1", Role.TRAINEE, None, None)
    with pytest.raises(ValueError, match="no attendance row 999"):
        log.left(999, "left")
    row = log.joined(class_id, "p1", Role.TRAINEE, None, None)
    with pytest.raises(ValueError, match="longer than 64"):
        log.left(row, "x" * 65)
    with pytest.raises(ClassNotFound):
        log.report("nope")


def test_report_per_person(log: AttendanceLog, clock: ManualClock, class_id: str) -> None:
    lan1 = log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    log.joined(class_id, "p2", Role.LECTURER, None, "Thầy Hùng")
    clock.set_wall(at(20))
    log.left(lan1, "disconnected")  # network drop ...
    clock.set_wall(at(25))
    lan2 = log.joined(class_id, "p3", Role.TRAINEE, "HV1", "Nguyễn Thị Lan")  # ... and back
    clock.set_wall(at(60))
    log.left(lan2, "left")
    clock.set_wall(at(90))
    log.heartbeat()  # the lecturer's connection is still there
    report = log.report(class_id)
    assert report.title == "Lớp bồi dưỡng" and report.generated_at == clock.wall()
    people = {p.person: p for p in report.people}
    lan = people["external:HV1"]
    assert (lan.sessions, lan.first_join, lan.last_leave) == (2, T0, T0 + timedelta(minutes=60))
    assert lan.seconds_online == 55 * 60 and not lan.online_now
    assert lan.display_name == "Nguyễn Thị Lan"  # the latest name
    teacher = people["name:lecturer:Thầy Hùng"]
    assert teacher.online_now and teacher.last_leave is None
    assert teacher.seconds_online == 90 * 60  # still connected: counts up to now
    clock.advance(10)  # within STALE_AFTER of the last heartbeat: still counting up to now
    assert people_of(log, class_id)["name:lecturer:Thầy Hùng"].seconds_online == 90 * 60 + 10


def test_overlapping_connections_count_once(
    log: AttendanceLog, clock: ManualClock, class_id: str
) -> None:
    a = log.joined(class_id, "p1", Role.TRAINEE, "HV1", None)
    clock.set_wall(at(10))
    b = log.joined(class_id, "p2", Role.TRAINEE, "HV1", None)  # a second tab
    clock.set_wall(at(30))
    log.left(a, "left")
    clock.set_wall(at(40))
    log.left(b, "left")
    clock.set_wall(at(50))
    c = log.joined(class_id, "p3", Role.TRAINEE, "HV1", None)
    clock.set_wall(at(55))
    log.left(c, "left")
    (person,) = log.report(class_id).people
    assert person.sessions == 3 and person.seconds_online == (40 + 5) * 60


def test_anonymous_connections_are_separate_people(log: AttendanceLog, class_id: str) -> None:
    log.joined(class_id, "p1", Role.OBSERVER, None, None)
    log.joined(class_id, "p2", Role.OBSERVER, None, None)
    assert len(log.report(class_id).people) == 2


def test_same_name_in_two_roles_is_two_people(log: AttendanceLog, class_id: str) -> None:
    log.joined(class_id, "p1", Role.ROOM, None, "Phòng A2")
    log.joined(class_id, "p2", Role.OBSERVER, None, "Phòng A2")
    assert len(log.report(class_id).people) == 2


def test_close_open_at_shutdown(
    db: sessionmaker[Session], log: AttendanceLog, clock: ManualClock, class_id: str
) -> None:
    log.joined(class_id, "p1", Role.TRAINEE, None, None)
    done = log.joined(class_id, "p2", Role.TRAINEE, None, None)
    log.left(done, "left")
    clock.set_wall(at(5))
    assert log.close_open("server_stopped") == 1
    assert [r.leave_reason for r in rows(db)] == ["server_stopped", "left"]
    assert log.close_open("server_stopped") == 0


def test_class_end_reason(
    db: sessionmaker[Session], log: AttendanceLog, clock: ManualClock, class_id: str
) -> None:
    log.joined(class_id, "p1", Role.TRAINEE, None, None)
    clock.set_wall(at(3))
    log.heartbeat()
    classes.end(db, class_id, now=T0 + timedelta(minutes=3))
    (record,) = rows(db)
    assert (record.left_at, record.leave_reason) == (T0 + timedelta(minutes=3), "class_ended")


def test_csv(log: AttendanceLog, clock: ManualClock, class_id: str) -> None:
    row = log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Nguyễn Thị Lan")
    log.joined(class_id, "p2", Role.TRAINEE, '=HYPERLINK("x")', "+cmd")
    clock.set_wall(at(61.5))
    log.left(row, "left")
    log.heartbeat()
    text = report_csv(log.report(class_id))
    assert text.startswith("\ufeff") and "\r\n" in text
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert table[0] == CSV_COLUMNS
    assert table[1] == [
        "HV1",
        "Nguyễn Thị Lan",
        "trainee",
        "1",
        T0.isoformat(),
        (T0 + timedelta(minutes=61.5)).isoformat(),
        "no",
        "3690",
        "1:01:30",
    ]
    assert table[2][:2] == ['\'=HYPERLINK("x")', "'+cmd"]  # formulas defused
    assert table[2][5:7] == ["", "yes"]


def test_empty_report(log: AttendanceLog, class_id: str) -> None:
    assert log.report(class_id).people == []
    assert report_csv(log.report(class_id)) == "\ufeff" + ",".join(CSV_COLUMNS) + "\r\n"
