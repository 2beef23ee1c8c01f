from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from classroom.models import ClassRecord, ClassStatus


def test_datetimes_come_back_aware_utc(db: sessionmaker[Session]) -> None:
    hanoi = timezone(timedelta(hours=7))
    with db.begin() as session:
        session.add(
            ClassRecord(
                id="a",
                title="t",
                status=ClassStatus.CREATED,
                created_at=datetime(2025, 9, 2, 14, 30, tzinfo=hanoi),
            )
        )
    with db() as session:
        record = session.get(ClassRecord, "a")
        assert record is not None
        assert record.created_at == datetime(2025, 9, 2, 7, 30, tzinfo=UTC)
        assert record.created_at.tzinfo is UTC
        assert session.execute(text("SELECT status FROM classes")).scalar() == "created"


def test_naive_datetimes_are_refused(db: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.begin() as session:
        session.add(
            ClassRecord(
                id="a", title="t", status=ClassStatus.CREATED, created_at=datetime(2025, 1, 1)
            )
        )
