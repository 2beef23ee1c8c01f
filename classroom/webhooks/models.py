"""The webhook outbox and its delivery log.

An outbox row is written in the same transaction as the change it announces (a class started,
ended), so that no event is lost between the two, and survives any restart until delivered.
``webhook_id`` is the Standard Webhooks ``webhook-id``: the same on every retry, so that the
receiver can ignore a duplicate. Every attempt adds a row to ``webhook_attempts``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classroom.models import Base, UtcDateTime

EVENT_TYPE_MAX = 32
ERROR_MAX = 300


class WebhookOutboxRecord(Base):
    __tablename__ = "webhook_outbox"
    __table_args__ = (
        UniqueConstraint("class_id", "event_type", name="one_event_of_a_type_per_class"),
        Index("ix_webhook_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(EVENT_TYPE_MAX))
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)  # fixed at the first attempt
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookAttemptRecord(Base):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("webhook_outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    url: Mapped[str] = mapped_column(String(2000))
    status_code: Mapped[int | None] = mapped_column(nullable=True)  # None: no HTTP answer
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX), nullable=True)
    duration_ms: Mapped[int] = mapped_column()
