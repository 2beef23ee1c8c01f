"""Crash safety of attendance with an injected clock: heartbeats, recovery at start, the sweep
for rows of a gone process, and the report of rows nobody sees any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import HEARTBEAT_MAX_S, SERVER_LOST, STALE_AFTER, AttendanceLog
from classroom.attendance_chain.chain import verify
from classroom.models import AttendanceRecord
from classroom.roles import Role
from tests.support.clock import ManualClock

T0 = datetime(2025, 9, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(wall_start=T0)


@pytest.fixture
def class_id(db: sessionmaker[Session]) -> str:
    return classes.create(db, "Lớp bồi dưỡng", now=T0).id


def process(db: sessionmaker[Session], clock: ManualClock) -> AttendanceLog:
    """The attendance log of one server process."""
    return AttendanceLog(db, clock.wall)


def online(log: AttendanceLog, class_id: str) -> dict[str, int]:
    return {p.external_id or p.person: p.seconds_online for p in log.report(class_id).people}


def run_for(clock: ManualClock, log: AttendanceLog, seconds: float, beat: float = 2.0) -> None:
    """Time passes with the process alive: it heartbeats every `beat` seconds."""
    end = clock.now + seconds
    while clock.now + beat <= end:
        clock.advance(beat)
        log.heartbeat()
    clock.advance(end - clock.now)


def test_heartbeat_is_one_update_for_this_process_only(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    mine, other = process(db, clock), process(db, clock)
    a = mine.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    mine.joined(class_id, "p2", Role.TRAINEE, "HV2", "Minh")
    other.joined(class_id, "p3", Role.TRAINEE, "HV3", "Hoa")
    mine.left(a, "left")
    clock.advance(4)
    assert mine.heartbeat() == 1  # Minh's row: Lan left, Hoa belongs to the other process
    with db() as session:
        seen = {r.external_id: r.last_seen_at for r in session.scalars(select(AttendanceRecord))}
    assert seen == {"HV1": T0, "HV2": T0 + timedelta(seconds=4), "HV3": T0}


def test_crash_closes_rows_at_their_last_sighting(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    before = process(db, clock)
    before.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    before.joined(class_id, "p2", Role.TRAINEE, "HV2", "Minh")
    run_for(clock, before, 29)  # seen at 28 s, then SIGKILL at 29 s
    clock.advance(10)  # down for 10 s; nobody is connected, nothing may count
    after = process(db, clock)
    assert after.recover() == 2
    assert online(after, class_id) == {"HV1": 28, "HV2": 28}
    with db() as session:
        closed = list(session.scalars(select(AttendanceRecord)))
    assert {(r.left_at, r.leave_reason) for r in closed} == {(T0 + timedelta(seconds=28), SERVER_LOST)}
    clock.advance(600)
    classes.end(db, class_id, now=clock.wall())  # ending later credits nothing for the downtime
    assert online(after, class_id) == {"HV1": 28, "HV2": 28}
    assert verify(db, class_id).ok


def test_unrecovered_rows_count_only_to_their_last_sighting_once_stale(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    """The CLI reads a database whose server was killed and not restarted."""
    log = process(db, clock)
    log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    run_for(clock, log, 29)
    clock.advance(STALE_AFTER.total_seconds() + 1)
    assert online(process(db, clock), class_id) == {"HV1": 28}
    clock.advance(3600)
    assert online(process(db, clock), class_id) == {"HV1": 28}


def test_loss_is_at_most_one_heartbeat(db: sessionmaker[Session], clock: ManualClock, class_id: str) -> None:
    log = process(db, clock)
    log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    run_for(clock, log, 100 + HEARTBEAT_MAX_S - 0.001, beat=HEARTBEAT_MAX_S)  # killed just before a beat
    process(db, clock).recover()
    assert 100 + HEARTBEAT_MAX_S - online(log, class_id)["HV1"] <= HEARTBEAT_MAX_S


def test_recover_leaves_the_rows_of_its_own_process(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    log = process(db, clock)
    log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    assert log.recover() == 0 and log.sweep() == 0


def test_sweep_closes_only_rows_no_process_has_seen_lately(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    worker_a, worker_b, main = process(db, clock), process(db, clock), process(db, clock)
    worker_a.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    worker_b.joined(class_id, "p2", Role.TRAINEE, "HV2", "Minh")
    clock.advance(10)
    worker_a.heartbeat()
    worker_b.heartbeat()  # worker B dies right after this
    clock.advance(STALE_AFTER.total_seconds() + 1)
    worker_a.heartbeat()
    assert online(main, class_id) == {"HV1": 26, "HV2": 10}  # Minh counts to his last sighting
    assert main.sweep() == 1
    with db() as session:
        rows = {r.external_id: r for r in session.scalars(select(AttendanceRecord))}
    assert rows["HV1"].left_at is None
    assert (rows["HV2"].left_at, rows["HV2"].leave_reason) == (T0 + timedelta(seconds=10), SERVER_LOST)


def test_stale_open_row_is_not_online_and_class_end_closes_it_at_last_sighting(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    log = process(db, clock)
    log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    clock.advance(5)
    log.heartbeat()
    clock.advance(STALE_AFTER.total_seconds() + 1)
    (person,) = log.report(class_id).people
    assert not person.online_now and person.last_leave == T0 + timedelta(seconds=5)
    classes.end(db, class_id, now=clock.wall())
    assert online(log, class_id) == {"HV1": 5}


def test_reconnect_and_two_tabs_with_heartbeats(
    db: sessionmaker[Session], clock: ManualClock, class_id: str
) -> None:
    log = process(db, clock)
    tab1 = log.joined(class_id, "p1", Role.TRAINEE, "HV1", "Lan")
    run_for(clock, log, 60)
    tab2 = log.joined(class_id, "p2", Role.TRAINEE, "HV1", "Lan")  # a second tab
    run_for(clock, log, 60)
    log.left(tab1, "disconnected")
    run_for(clock, log, 30)
    log.left(tab2, "disconnected")  # the network drops...
    run_for(clock, log, 15)
    again = log.joined(class_id, "p3", Role.TRAINEE, "HV1", "Lan")  # ...and comes back
    run_for(clock, log, 45)
    log.left(again, "left")
    (person,) = log.report(class_id).people
    assert person.sessions == 3 and person.seconds_online == 60 + 60 + 30 + 45
    assert verify(db, class_id).ok and verify(db, class_id).events == 6
