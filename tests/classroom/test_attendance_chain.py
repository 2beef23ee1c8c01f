"""The attendance hash chain: the canonical encoding, and the verifier naming rows edited or
deleted directly in the database afterwards (the SQLite file, or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.attendance_chain.chain import record_event, verify
from classroom.attendance_chain.encoding import GENESIS, ChainEvent, canonical, event_hash
from classroom.errors import ClassNotFound
from classroom.roles import Role
from tests.support.clock import ManualClock

T0 = datetime(2025, 9, 2, 1, 0, tzinfo=UTC)


def test_canonical_encoding_is_stable_and_utf8() -> None:
    event = ChainEvent("c1", 1, T0, "join", 7, "p1", "trainee", "HV1", "Nguyễn Thị Lan")
    assert canonical(event) == (
        '{"at":"2025-09-02T01:00:00.000000Z","attendance_id":7,"class_id":"c1","data":{},'
        '"external_id":"HV1","kind":"join","name":"Nguyễn Thị Lan","participant_id":"p1",'
        '"position":1,"reason":null,"role":"trainee"}'
    ).encode()
    # the same instant in another zone encodes the same
    plus7 = T0.astimezone(datetime.now().astimezone().tzinfo)
    assert canonical(ChainEvent("c1", 1, plus7, "join")) == canonical(ChainEvent("c1", 1, T0, "join"))
    first = event_hash(GENESIS, event)
    assert len(first) == 64 and first != event_hash("1" * 64, event)
    with pytest.raises(ValueError, match="naive"):
        canonical(ChainEvent("c1", 1, T0.replace(tzinfo=None), "join"))


@pytest.fixture
def filled(db: sessionmaker[Session]) -> tuple[str, AttendanceLog]:
    """A class with three connections: joins, leaves, a check-in, and a class end."""
    class_id = classes.create(db, "Lớp bồi dưỡng", now=T0).id
    clock = ManualClock(wall_start=T0)
    log = AttendanceLog(db, clock.wall)
    lan = log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Nguyễn Thị Lan")
    log.joined(class_id, "p2", Role.TRAINEE, "HV2", "Trần Văn Minh")
    clock.advance(60)
    record_event(db, class_id, "checkin", clock.wall(), external_id="HV3", name="Hoa", data={"room": "A2"})
    clock.advance(60)
    log.left(lan, "left")
    log.heartbeat()
    classes.end(db, class_id, now=clock.wall())
    return class_id, log


def sql(db: sessionmaker[Session], statement: str, **params: object) -> None:
    """SQL run on the database itself, past the server, as whoever holds the file or the
    database password could."""
    with db.kw["bind"].begin() as connection:
        connection.execute(text(statement), params)


def test_an_untouched_chain_verifies(db: sessionmaker[Session], filled: tuple[str, AttendanceLog]) -> None:
    verdict = verify(db, filled[0])
    assert verdict.ok and verdict.events == 5 and verdict.problems == [] and verdict.head


def test_edited_attendance_row_is_named(
    db: sessionmaker[Session], filled: tuple[str, AttendanceLog]
) -> None:
    """Somebody credits Lan an extra hour by editing her leave in the file."""
    class_id, _ = filled
    later = (T0 + timedelta(hours=1)).replace(tzinfo=None)
    sql(db, "UPDATE attendance SET left_at = :later WHERE external_id = 'HV1'", later=later)
    verdict = verify(db, class_id)
    assert not verdict.ok
    assert [(p.problem, p.attendance_id) for p in verdict.problems] == [("row_edited", 1)]
    assert "left_at" in verdict.problems[0].detail


def test_edited_event_is_named(db: sessionmaker[Session], filled: tuple[str, AttendanceLog]) -> None:
    class_id, _ = filled
    sql(db, "UPDATE attendance_events SET name = 'Hoà' WHERE position = 3")
    verdict = verify(db, class_id)
    assert [(p.problem, p.position) for p in verdict.problems] == [("event_edited", 3)]
    assert "event #3 (checkin) was edited" in verdict.problems[0].detail


def test_edited_event_with_its_hash_rewritten_is_named(
    db: sessionmaker[Session], filled: tuple[str, AttendanceLog]
) -> None:
    """A forger who recomputes the edited event's own hash still breaks the next link."""
    class_id, _ = filled
    with db() as session:
        from classroom.attendance_chain.models import AttendanceEventRecord

        row = session.query(AttendanceEventRecord).filter_by(class_id=class_id, position=3).one()
        forged = ChainEvent(class_id, 3, row.at, row.kind, None, None, None, "HV3", "Hoà", None, {"room": "A2"})
        new_hash = event_hash(row.prev_hash, forged)
    sql(db, "UPDATE attendance_events SET name = 'Hoà', hash = :h WHERE position = 3", h=new_hash)
    verdict = verify(db, class_id)
    assert [(p.problem, p.position) for p in verdict.problems] == [("link_broken", 3)]


def test_deleted_event_is_named(db: sessionmaker[Session], filled: tuple[str, AttendanceLog]) -> None:
    class_id, _ = filled
    sql(db, "DELETE FROM attendance_events WHERE position = 3")
    verdict = verify(db, class_id)
    assert [(p.problem, p.position) for p in verdict.problems] == [("event_deleted", 3)]
    assert verdict.problems[0].detail == "event #3 was deleted"


def test_deleted_attendance_row_is_named(
    db: sessionmaker[Session], filled: tuple[str, AttendanceLog]
) -> None:
    class_id, _ = filled
    sql(db, "DELETE FROM attendance WHERE external_id = 'HV2'")
    verdict = verify(db, class_id)
    assert [(p.problem, p.attendance_id) for p in verdict.problems] == [("row_deleted", 2)]
    assert "Trần Văn Minh" in verdict.problems[0].detail


def test_deleted_last_event_is_noticed_through_the_rows(
    db: sessionmaker[Session], filled: tuple[str, AttendanceLog]
) -> None:
    class_id, _ = filled
    sql(db, "DELETE FROM attendance_events WHERE position = 5")  # Minh's close at class end
    verdict = verify(db, class_id)
    assert [(p.problem, p.attendance_id) for p in verdict.problems] == [("row_unchained", 2)]


def test_row_inserted_outside_the_server_is_named(
    db: sessionmaker[Session], filled: tuple[str, AttendanceLog]
) -> None:
    class_id, _ = filled
    sql(
        db,
        "INSERT INTO attendance (class_id, participant_id, role, joined_at, left_at) "
        "VALUES (:c, 'px', 'trainee', :a, :b)",
        c=class_id,
        a=T0.replace(tzinfo=None),
        b=(T0 + timedelta(hours=2)).replace(tzinfo=None),
    )
    verdict = verify(db, class_id)
    assert [(p.problem, p.attendance_id) for p in verdict.problems] == [("row_unchained", 3)]


def test_unknown_class(db: sessionmaker[Session]) -> None:
    with pytest.raises(ClassNotFound):
        verify(db, "nope")
    with pytest.raises(ClassNotFound):
        record_event(db, "nope", "checkin", T0)


def test_room_check_ins_are_chained_and_an_edit_is_named(db: sessionmaker[Session]) -> None:
    from classroom.checkin import register
    from tests.support.checkin import enrol

    class_id = classes.create(db, "Lớp có phòng học", now=T0).id
    enrol(db, class_id)
    register.check_in(db, class_id, "HV-001", "phone-1", T0 + timedelta(minutes=1))
    register.check_in(db, class_id, "HV-002", "phone-2", T0 + timedelta(minutes=2))
    register.check_out(db, class_id, "phone-1", T0 + timedelta(minutes=50))
    verdict = verify(db, class_id)
    assert verdict.ok and verdict.events == 3
    sql(db, "UPDATE room_checkins SET checked_in_at = :a WHERE external_id = 'HV-002'", a=T0.replace(tzinfo=None))
    sql(db, "UPDATE room_checkins SET checked_out_at = NULL WHERE external_id = 'HV-001'")
    problems = {(p.problem, p.checkin_id): p.detail for p in verify(db, class_id).problems}
    assert set(problems) == {("checkin_edited", 1), ("checkin_edited", 2)}
    assert "checked_out_at differs" in problems[("checkin_edited", 1)]
    assert "checked_in_at differs" in problems[("checkin_edited", 2)]
    sql(db, "DELETE FROM room_checkins WHERE external_id = 'HV-002'")
    assert ("checkin_deleted", None) in {(p.problem, p.checkin_id) for p in verify(db, class_id).problems}
