"""The class directory the live hub consults, backed by the database (classroom/classes.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from classroom import classes
from classroom.models import ClassStatus
from classroom.errors import ClassEnded, ClassNotFound
from classroom.hub import DirectoryEntry


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
