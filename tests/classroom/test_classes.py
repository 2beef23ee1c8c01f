from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.classes import ID_ALPHABET, ID_LENGTH, TRANSITIONS
from classroom.errors import ClassEnded, ClassNotFound
from classroom.models import ClassStatus
from classroom.roles import Role

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
    log = AttendanceLog(db, clock=lambda: T0)
    open_row = log.joined(info.id, "p1", Role.TRAINEE, "HV1", "Lan")
    closed_row = log.joined(info.id, "p2", Role.TRAINEE, "HV2", "Minh")
    log.left(closed_row, "left")
    classes.end(db, info.id, now=T0 + timedelta(hours=1))
    people = {p.external_id: p for p in log.report(info.id).people}
    assert people["HV1"].last_leave == T0 + timedelta(hours=1) and not people["HV1"].online_now
    assert people["HV2"].last_leave == T0
    assert open_row != closed_row


def test_transition_table_is_complete() -> None:
    assert set(TRANSITIONS) == set(ClassStatus)
    assert TRANSITIONS[ClassStatus.ENDED] == frozenset()
