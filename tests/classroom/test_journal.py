"""The class journal in a real SQLite database: chat lines and removals outlive the process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.db import open_database
from classroom.directory import DatabaseJournal
from classroom.journal import ChatDraft, Removal
from classroom.roles import Role

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def draft(i: int, **extra: object) -> ChatDraft:
    return ChatDraft(
        at=T0 + timedelta(seconds=i),
        sender_id="p1",
        sender_name="Nguyễn Thị Lan",
        sender_role=Role.TRAINEE,
        sender_identity="HV-1",
        text=f"Dòng {i}: “trích dẫn” – ổn ạ",
        **extra,  # type: ignore[arg-type]
    )


async def test_chat_lines_are_kept_in_order_and_the_history_is_the_latest(
    db: sessionmaker[Session], database_url: str
) -> None:
    cid = classes.create(db, "Lớp 1").id
    journal = DatabaseJournal(db)
    lines = [await journal.add_chat(cid, draft(i)) for i in range(5)]
    assert [line.id for line in lines] == sorted(line.id for line in lines)
    private = await journal.add_chat(cid, draft(9, to_id="p2", to_name="Trần An", to_identity="HV-2"))
    assert (private.to_identity, private.at) == ("HV-2", T0 + timedelta(seconds=9))
    history = await journal.chat_history(cid, 3)
    assert [line.text.split(":")[0] for line in history] == ["Dòng 3", "Dòng 4", "Dòng 9"]
    # another process opening the same database reads the same lines
    again = DatabaseJournal(open_database(database_url))
    assert [line.id for line in await again.chat_history(cid, 10)] == [line.id for line in lines] + [private.id]
    other = classes.create(db, "Lớp 2").id
    assert await journal.chat_history(other, 10) == []


async def test_removals_are_kept_per_class_until_readmitted(db: sessionmaker[Session]) -> None:
    cid = classes.create(db, "Lớp 1").id
    other = classes.create(db, "Lớp 2").id
    journal = DatabaseJournal(db)
    await journal.remove(cid, Removal("HV-7", "Lê Văn Bảy", T0))
    await journal.remove(cid, Removal("HV-7", "Lê Văn Bảy", T0 + timedelta(minutes=1)))  # twice: one row
    assert await journal.removals(cid) == [Removal("HV-7", "Lê Văn Bảy", T0 + timedelta(minutes=1))]
    assert await journal.removals(other) == []
    assert await journal.readmit(cid, "HV-7") is True
    assert await journal.readmit(cid, "HV-7") is False
    assert await journal.removals(cid) == []
