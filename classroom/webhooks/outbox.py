"""The webhook outbox: enqueue in the caller's transaction, claim what is due, record attempts.

Events: ``class.started`` (the first join), ``class.ended``, and ``report.ready`` (the class's
attendance report, built when it is first sent: the class has ended, its rows are closed).
Each body is the Standard Webhooks envelope ``{"type", "timestamp", "data"}``, fixed at the
first attempt so that every retry sends the same bytes under the same ``webhook-id``.

Claiming moves a row's ``next_attempt_at`` past the attempt (a lease) with a conditional
UPDATE, so that two dispatchers never send the same row at once, and a dispatcher killed
mid-delivery leaves the row to be sent again once the lease is over. A failed attempt waits
``retry_base_s * 2**(attempts - 1)`` (at most `MAX_DELAY`) before the next; after
`max_attempts` the row is ``failed`` and stays in the log.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from classroom.models import ClassRecord
from classroom.webhooks.models import ERROR_MAX, WebhookAttemptRecord, WebhookOutboxRecord

CLASS_STARTED = "class.started"
CLASS_ENDED = "class.ended"
REPORT_READY = "report.ready"
EVENT_TYPES = (CLASS_STARTED, CLASS_ENDED, REPORT_READY)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
MAX_DELAY = timedelta(hours=1)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def class_data(record: ClassRecord) -> dict[str, Any]:
    """What class.started and class.ended say about the class."""
    return {
        "class_id": record.id,
        "title": record.title,
        "room": record.room,
        "course_id": record.course_id,
        "started_at": record.started_at.isoformat() if record.started_at else None,
        "ended_at": record.ended_at.isoformat() if record.ended_at else None,
    }


def envelope(event_type: str, at: datetime, data: dict[str, Any]) -> str:
    return json.dumps({"type": event_type, "timestamp": at.isoformat(), "data": data}, ensure_ascii=False)


def enqueue(session: Session, class_id: str, event_type: str, at: datetime, data: dict[str, Any] | None) -> bool:
    """Record an event once per class and type (in the caller's transaction); False if it
    already was. `data` None: built at the first attempt (the report)."""
    found = session.scalar(
        select(WebhookOutboxRecord.id).where(
            WebhookOutboxRecord.class_id == class_id, WebhookOutboxRecord.event_type == event_type
        )
    )
    if found is not None:
        return False
    session.add(
        WebhookOutboxRecord(
            webhook_id=f"msg_{uuid.uuid4().hex}",
            event_type=event_type,
            class_id=class_id,
            created_at=at,
            payload=None if data is None else envelope(event_type, at, data),
            status=PENDING,
            attempts=0,
            next_attempt_at=at,
        )
    )
    return True


@dataclass(frozen=True)
class Delivery:
    outbox_id: int
    webhook_id: str
    event_type: str
    class_id: str
    body: str
    attempt: int  # 1 for the first


class AttemptView(BaseModel):
    at: datetime
    url: str
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryView(BaseModel):
    id: int
    webhook_id: str
    type: str
    class_id: str
    created_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    log: list[AttemptView]


class WebhookOutbox:
    """The outbox's database side; sync, for a thread. `report(class_id)` gives the JSON-ready
    attendance report that report.ready carries."""

    def __init__(
        self,
        db: sessionmaker[Session],
        report: Callable[[str], dict[str, Any]],
        *,
        retry_base_s: float = 5.0,
        max_attempts: int = 12,
        lease: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = _utcnow,
    ):
        self._db = db
        self._report = report
        self.retry_base_s = retry_base_s
        self.max_attempts = max_attempts
        self._lease = lease
        self._clock = clock

    def claim_due(self, limit: int = 20) -> list[Delivery]:
        """Pending events due now, oldest first, leased to this caller."""
        now = self._clock()
        with self._db() as session:
            due = session.execute(
                select(WebhookOutboxRecord.id, WebhookOutboxRecord.next_attempt_at)
                .where(WebhookOutboxRecord.status == PENDING, WebhookOutboxRecord.next_attempt_at <= now)
                .order_by(WebhookOutboxRecord.next_attempt_at, WebhookOutboxRecord.id)
                .limit(limit)
            ).all()
        claimed: list[Delivery] = []
        for outbox_id, seen in due:
            with self._db.begin() as session:
                taken = session.execute(
                    update(WebhookOutboxRecord)
                    .where(WebhookOutboxRecord.id == outbox_id, WebhookOutboxRecord.next_attempt_at == seen)
                    .values(next_attempt_at=now + self._lease)
                )
                if cast(CursorResult[Any], taken).rowcount != 1:
                    continue  # another dispatcher has it
                row = session.get(WebhookOutboxRecord, outbox_id)
                assert row is not None
                if row.payload is None:
                    row.payload = envelope(row.event_type, row.created_at, self._report(row.class_id))
                claimed.append(
                    Delivery(row.id, row.webhook_id, row.event_type, row.class_id, row.payload, row.attempts + 1)
                )
        return claimed

    def record(
        self, delivery: Delivery, url: str, status_code: int | None, error: str | None, duration_ms: int
    ) -> str:
        """Log an attempt; a 2xx answer delivers, anything else schedules the next try. The status."""
        now = self._clock()
        with self._db.begin() as session:
            row = session.get(WebhookOutboxRecord, delivery.outbox_id)
            if row is None:
                return FAILED  # its class was deleted meanwhile
            session.add(
                WebhookAttemptRecord(
                    outbox_id=row.id,
                    at=now,
                    url=url[:2000],
                    status_code=status_code,
                    error=None if error is None else error[:ERROR_MAX],
                    duration_ms=duration_ms,
                )
            )
            row.attempts += 1
            if status_code is not None and 200 <= status_code < 300:
                row.status, row.delivered_at = DELIVERED, now
            elif row.attempts >= self.max_attempts:
                row.status = FAILED
            else:
                row.next_attempt_at = now + self.backoff(row.attempts)
            return row.status

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failed attempt."""
        return min(timedelta(seconds=self.retry_base_s * 2 ** (attempts - 1)), MAX_DELAY)

    def log(self, class_id: str | None = None, limit: int = 100) -> list[DeliveryView]:
        """The newest events first, each with its attempts."""
        with self._db() as session:
            query = select(WebhookOutboxRecord).order_by(WebhookOutboxRecord.id.desc()).limit(limit)
            if class_id is not None:
                query = query.where(WebhookOutboxRecord.class_id == class_id)
            rows = list(session.scalars(query))
            attempts: dict[int, list[AttemptView]] = {r.id: [] for r in rows}
            for attempt in session.scalars(
                select(WebhookAttemptRecord)
                .where(WebhookAttemptRecord.outbox_id.in_(list(attempts)))
                .order_by(WebhookAttemptRecord.id)
            ):
                attempts[attempt.outbox_id].append(
                    AttemptView(
                        at=attempt.at,
                        url=attempt.url,
                        status_code=attempt.status_code,
                        error=attempt.error,
                        duration_ms=attempt.duration_ms,
                    )
                )
            return [
                DeliveryView(
                    id=r.id,
                    webhook_id=r.webhook_id,
                    type=r.event_type,
                    class_id=r.class_id,
                    created_at=r.created_at,
                    status=r.status,
                    attempts=r.attempts,
                    next_attempt_at=r.next_attempt_at if r.status == PENDING else None,
                    delivered_at=r.delivered_at,
                    log=attempts[r.id],
                )
                for r in rows
            ]
