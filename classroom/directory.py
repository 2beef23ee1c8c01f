"""The database behind the live classes: the class directory the hub consults
(classroom/classes.py) and each class's journal (chat lines, removed people)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from classroom import classes
from classroom.chat import ChatLine
from classroom.errors import ClassEnded, ClassNotFound
from classroom.hub import DirectoryEntry
from classroom.journal import ChatDraft, Removal
from classroom.models import ChatRecord, ClassStatus, RemovalRecord


class DatabaseDirectory:
    def __init__(self, db: sessionmaker[Session]):
        self.db = db

    async def get(self, class_id: str) -> DirectoryEntry | None:
        try:
            info = await run_in_threadpool(classes.get, self.db, class_id)
        except ClassNotFound:
            return None
        return DirectoryEntry(id=info.id, title=info.title, room=info.room, ended=info.status is ClassStatus.ENDED)

    async def mark_live(self, class_id: str) -> None:
        await run_in_threadpool(classes.start, self.db, class_id)

    async def mark_ended(self, class_id: str) -> None:
        try:
            await run_in_threadpool(classes.end, self.db, class_id)
        except ClassEnded:
            pass  # ended meanwhile through the REST API: the outcome is the same


def _line(record: ChatRecord) -> ChatLine:
    return ChatLine(
        id=record.id,
        at=record.at,
        sender_id=record.sender_id,
        sender_name=record.sender_name,
        sender_role=record.sender_role,
        sender_identity=record.sender_identity,
        text=record.text,
        to_id=record.to_id,
        to_name=record.to_name,
        to_identity=record.to_identity,
    )


class DatabaseJournal:
    """`classroom.journal.ClassJournal` in the database; calls run in the thread pool."""

    def __init__(self, db: sessionmaker[Session]):
        self.db = db

    async def add_chat(self, class_id: str, draft: ChatDraft) -> ChatLine:
        def add() -> ChatLine:
            with self.db.begin() as session:
                record = ChatRecord(class_id=class_id, **draft.__dict__)
                session.add(record)
                session.flush()
                return _line(record)

        return await run_in_threadpool(add)

    async def chat_history(self, class_id: str, limit: int) -> list[ChatLine]:
        def history() -> list[ChatLine]:
            with self.db() as session:
                query = (
                    select(ChatRecord)
                    .where(ChatRecord.class_id == class_id)
                    .order_by(ChatRecord.id.desc())
                    .limit(limit)
                )
                return [_line(r) for r in reversed(session.scalars(query).all())]

        return await run_in_threadpool(history)

    async def remove(self, class_id: str, removal: Removal) -> None:
        def remove() -> None:
            with self.db.begin() as session:
                session.merge(RemovalRecord(class_id=class_id, identity=removal.identity, name=removal.name, at=removal.at))

        await run_in_threadpool(remove)

    async def readmit(self, class_id: str, identity: str) -> bool:
        def readmit() -> bool:
            with self.db.begin() as session:
                result = session.execute(
                    delete(RemovalRecord).where(RemovalRecord.class_id == class_id, RemovalRecord.identity == identity)
                )
                return bool(getattr(result, "rowcount", 0))

        return await run_in_threadpool(readmit)

    async def removals(self, class_id: str) -> list[Removal]:
        def removals() -> list[Removal]:
            with self.db() as session:
                query = select(RemovalRecord).where(RemovalRecord.class_id == class_id).order_by(RemovalRecord.at)
                return [Removal(identity=r.identity, name=r.name, at=r.at) for r in session.scalars(query)]

        return await run_in_threadpool(removals)
