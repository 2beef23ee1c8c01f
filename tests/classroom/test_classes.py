from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.db import open_database
from classroom.classes import ID_ALPHABET, ID_LENGTH, TRANSITIONS
from classroom.errors import ClassEnded, ClassNotFound, RoomBooked, UnknownRoom
from classroom.models import ClassStatus
from classroom.roles import Role
from tests.support.clock import ManualClock

T0 = datetime(2025, 9, 2, 1, 0, tzinfo=UTC)


def test_create_and_get(db: sessionmaker[Session]) -> None:
    info = classes.create(db, "Lớp bồi dưỡng", "phong-a2", now=T0)
    assert len(info.id) == ID_LENGTH and set(info.id) <= set(ID_ALPHABET)
    assert (info.title, info.room, info.status, info.created_at) == (
        "Lớp bồi dưỡng",
        "phong-a2",
        ClassStatus.CREATED,
        T0,
    )
    assert classes.get(db, info.id) == info


def test_ids_are_distinct(db: sessionmaker[Session]) -> None:
    assert len({classes.create(db, "t").id for _ in range(50)}) == 50


def test_unknown_class(db: sessionmaker[Session]) -> None:
    for call in (classes.get, classes.start, classes.end):
        with pytest.raises(ClassNotFound, match="there is no class 'nope'") as caught:
            call(db, "nope")
        assert caught.value.code == "class_not_found"


def test_list_newest_first_with_filter_and_limit(db: sessionmaker[Session]) -> None:
    made = [classes.create(db, f"c{i}", now=T0 + timedelta(minutes=i)) for i in range(4)]
    classes.start(db, made[1].id)
    classes.end(db, made[2].id)
    assert [c.title for c in classes.list_classes(db)] == ["c3", "c2", "c1", "c0"]
    assert [c.title for c in classes.list_classes(db, limit=2)] == ["c3", "c2"]
    assert [c.title for c in classes.list_classes(db, ClassStatus.LIVE)] == ["c1"]
    assert [c.title for c in classes.list_classes(db, ClassStatus.ENDED)] == ["c2"]
    assert [c.title for c in classes.list_classes(db, ClassStatus.CREATED)] == ["c3", "c0"]


def test_first_join_starts_later_joins_do_not_restart(db: sessionmaker[Session]) -> None:
    info = classes.create(db, "t", now=T0)
    live = classes.start(db, info.id, now=T0 + timedelta(minutes=5))
    assert (live.status, live.started_at) == (ClassStatus.LIVE, T0 + timedelta(minutes=5))
    again = classes.start(db, info.id, now=T0 + timedelta(minutes=9))
    assert again.started_at == T0 + timedelta(minutes=5)


def test_end_from_created_and_from_live(db: sessionmaker[Session]) -> None:
    for start_first in (False, True):
        info = classes.create(db, "t", now=T0)
        if start_first:
            classes.start(db, info.id, now=T0)
        ended = classes.end(db, info.id, now=T0 + timedelta(hours=2))
        assert (ended.status, ended.ended_at) == (ClassStatus.ENDED, T0 + timedelta(hours=2))


def test_ended_class_cannot_start_or_end_again(db: sessionmaker[Session]) -> None:
    info = classes.create(db, "t")
    first = classes.end(db, info.id, now=T0)
    for call in (classes.start, classes.end):
        with pytest.raises(ClassEnded, match="has already ended") as caught:
            call(db, info.id)
        assert caught.value.code == "class_ended"
    assert classes.get(db, info.id) == first  # nothing changed


def test_end_closes_open_attendance(db: sessionmaker[Session]) -> None:
    info = classes.create(db, "t", now=T0)
    clock = ManualClock(wall_start=T0)
    log = AttendanceLog(db, clock=clock.wall)
    open_row = log.joined(info.id, "p1", Role.TRAINEE, "HV1", "Lan")
    closed_row = log.joined(info.id, "p2", Role.TRAINEE, "HV2", "Minh")
    log.left(closed_row, "left")
    clock.advance(3600)
    log.heartbeat()  # the process still sees Lan
    classes.end(db, info.id, now=T0 + timedelta(hours=1))
    people = {p.external_id: p for p in log.report(info.id).people}
    assert people["HV1"].last_leave == T0 + timedelta(hours=1) and not people["HV1"].online_now
    assert people["HV2"].last_leave == T0
    assert open_row != closed_row


def test_transition_table_is_complete() -> None:
    assert set(TRANSITIONS) == set(ClassStatus)
    assert TRANSITIONS[ClassStatus.ENDED] == frozenset()


def test_planned_times_and_the_classes_booked_in_a_room(db: sessionmaker[Session]) -> None:
    t0 = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    planned = classes.create(db, "Sáng", "a2", starts_at=t0, ends_at=t0 + 2 * hour)
    assert (planned.starts_at, planned.ends_at) == (t0, t0 + 2 * hour)
    old = classes.create(db, "Hôm qua", "a2", starts_at=t0 - 26 * hour, ends_at=t0 - 24 * hour)
    live = classes.create(db, "Đột xuất", "a2")
    classes.start(db, live.id)
    classes.create(db, "Phòng khác", "b1", starts_at=t0, ends_at=t0 + hour)
    classes.create(db, "Chưa bắt đầu, không giờ", "a2")
    booked = classes.booked_in(db, "a2", since=t0 - hour)
    assert {c.id for c in booked} == {planned.id, live.id}
    assert old.id not in {c.id for c in booked}


def at(hour: float) -> datetime:
    return T0 + timedelta(hours=hour)


def test_a_room_holds_one_booked_class_at_a_time(db: sessionmaker[Session]) -> None:
    def book(room: str, start: float, end: float, **extra: bool) -> str:
        return classes.create(db, "t", room, starts_at=at(start), ends_at=at(end), **extra).id

    first = book("room-101", 1, 3)
    for start, end in ((2, 4), (0, 1.5), (1.5, 2), (0, 5)):
        with pytest.raises(RoomBooked, match=f"by class {first} ") as refused:
            book("room-101", start, end)
        assert (refused.value.code, refused.value.other_id) == ("room_booked", first)
    book("room-101", 3, 4)  # back to back
    book("room-101", 0, 1)
    book("room-102", 1, 3)
    classes.create(db, "không giờ", "room-101")  # a class without times books no time
    book("room-101", 2, 4, allow_overlap=True)

    early = book("room-103", 1, 3)
    classes.end(db, early, now=at(2))  # ended early: the room is free from then
    book("room-103", 2, 3)
    with pytest.raises(RoomBooked):
        book("room-103", 1.5, 2.5)


def test_a_room_must_be_a_known_one(db: sessionmaker[Session]) -> None:
    with pytest.raises(UnknownRoom, match=r"^there is no room 'phong-a2'; the rooms are: room-101, room-102$"):
        classes.create(db, "t", "phong-a2", known_rooms=["room-102", "room-101"])
    with pytest.raises(UnknownRoom, match="the rooms are: none"):
        classes.create(db, "t", "room-101", known_rooms=[])
    assert classes.create(db, "t", "room-101", known_rooms=["room-101"]).room == "room-101"
    assert classes.create(db, "t", known_rooms=[]).room is None
    assert classes.list_classes(db, limit=10)[0].room is None and len(classes.list_classes(db)) == 2


def test_the_schedule_steps_of_a_class_are_kept_once(db: sessionmaker[Session]) -> None:
    booked = classes.create(db, "t", "room-101", starts_at=at(1), ends_at=at(2))
    assert classes.schedule_steps(db, [booked.id]) == {booked.id: set()}
    for first in (True, False):
        kept = classes.record_schedule_step(db, booked.id, "start", room="room-101", at=at(1), outcome="ran")
        assert kept is first
    assert classes.schedule_steps(db, [booked.id, "other"]) == {booked.id: {"start"}, "other": set()}


def test_bookings_made_at_the_same_moment_do_not_both_get_the_room(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'classbridge.db'}")  # a file: real connections
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def book() -> None:
        start.wait()
        try:
            classes.create(db, "t", "room-101", starts_at=at(1), ends_at=at(2))
            outcomes.append("booked")
        except RoomBooked:
            outcomes.append("refused")

    for _ in range(5):
        threads = [threading.Thread(target=book) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["booked"] + ["refused"] * 29
    assert len(classes.list_classes(db)) == 1
