"""The webhook outbox with an injected clock: events recorded with the class change, claimed
once, retried with exponential backoff, failed after the last attempt, logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.attendance import AttendanceLog
from classroom.roles import Role
from classroom.webhooks.outbox import DELIVERED, FAILED, PENDING, WebhookOutbox
from tests.support.clock import ManualClock

T0 = datetime(2025, 9, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(wall_start=T0)


def outbox(db: sessionmaker[Session], clock: ManualClock, **kw: Any) -> WebhookOutbox:
    log = AttendanceLog(db, clock.wall)
    return WebhookOutbox(db, lambda cid: log.report(cid).model_dump(mode="json"), clock=clock.wall, **kw)


def test_a_class_gives_three_events_once_each(db: sessionmaker[Session], clock: ManualClock) -> None:
    cid = classes.create(db, "Lớp bồi dưỡng", now=T0).id
    log = AttendanceLog(db, clock.wall)
    classes.start(db, cid, now=clock.wall())
    log.joined(cid, "p1", Role.TRAINEE, "HV1", "Nguyễn Thị Lan")
    clock.advance(60)
    classes.start(db, cid, now=clock.wall())  # every join "starts" it: one event still
    log.heartbeat()
    classes.end(db, cid, now=clock.wall())
    box = outbox(db, clock)
    due = box.claim_due()
    assert [d.event_type for d in due] == ["class.started", "class.ended", "report.ready"]
    bodies = [json.loads(d.body) for d in due]
    assert bodies[0]["data"]["title"] == "Lớp bồi dưỡng" and bodies[0]["timestamp"] == T0.isoformat()
    (person,) = bodies[2]["data"]["people"]
    assert (person["display_name"], person["seconds_online"]) == ("Nguyễn Thị Lan", 60)
    assert box.claim_due() == []  # leased: not handed out twice


def test_backoff_doubles_then_fails_and_the_log_keeps_every_attempt(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    cid = classes.create(db, "Lớp", now=T0).id
    classes.start(db, cid, now=T0)
    box = outbox(db, clock, retry_base_s=5, max_attempts=4)
    waits = []
    for attempt in range(1, 5):
        (delivery,) = box.claim_due()
        assert delivery.attempt == attempt
        body = delivery.body
        status = box.record(delivery, "http://127.0.0.1:9/hook", 503, "HTTP 503", 12)
        (view,) = box.log()
        if status == PENDING:
            assert view.next_attempt_at is not None
            waits.append((view.next_attempt_at - clock.wall()).total_seconds())
            clock.advance(waits[-1] - 0.5)
            assert box.claim_due() == []  # not yet
            clock.advance(0.5)
    assert waits == [5, 10, 20] and status == FAILED
    (view,) = box.log(cid)
    assert view.attempts == 4 and [a.status_code for a in view.log] == [503] * 4 and view.next_attempt_at is None
    assert json.loads(body)["type"] == "class.started"


def test_a_2xx_delivers_and_the_same_bytes_go_on_every_retry(db: sessionmaker[Session], clock: ManualClock) -> None:
    cid = classes.create(db, "Lớp", now=T0).id
    classes.end(db, cid, now=T0)
    box = outbox(db, clock, retry_base_s=1)
    first = {d.event_type: d for d in box.claim_due()}
    box.record(first["report.ready"], "http://127.0.0.1:9/hook", None, "ConnectError", 3)
    box.record(first["class.ended"], "http://127.0.0.1:9/hook", 204, None, 3)
    clock.advance(1)
    (again,) = box.claim_due()
    assert again.webhook_id == first["report.ready"].webhook_id and again.body == first["report.ready"].body
    assert box.record(again, "http://127.0.0.1:9/hook", 200, None, 3) == DELIVERED
    assert {v.type: v.status for v in box.log()} == {"class.ended": DELIVERED, "report.ready": DELIVERED}


def test_a_dispatcher_killed_mid_delivery_sends_again_after_the_lease(
    db: sessionmaker[Session], clock: ManualClock
) -> None:
    cid = classes.create(db, "Lớp", now=T0).id
    classes.start(db, cid, now=T0)
    box = outbox(db, clock, lease=timedelta(seconds=60))
    (taken,) = box.claim_due()  # ... and the process dies before recording anything
    clock.advance(59)
    assert box.claim_due() == []
    clock.advance(2)
    (again,) = box.claim_due()
    assert again.webhook_id == taken.webhook_id and again.attempt == 1
