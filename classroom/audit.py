"""The room-control audit log: who did what to which device or scene, when, with what result.

The room controllers hand every act to `AuditLog.record` (commands, scene runs, the
schedule's runs, drift corrections); the console lists the entries and schools export them
as CSV (UTF-8 with BOM, for Excel) or JSON. Rows are only ever added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance import excel_csv, spreadsheet_safe
from classroom.models import AUDIT_TEXT_MAX, NAME_MAX, ROOM_MAX, AuditRecord

CSV_COLUMNS = ["id", "at", "room", "actor_kind", "actor_name", "actor_class", "target", "action", "result", "detail"]


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    at: datetime
    room: str
    actor_kind: str
    actor_name: str
    target: str
    action: str
    result: str
    detail: str
    actor_class: str | None = None  # the class acted for (a lecturer's link naming no person, the schedule)
    event: str | None = None  # the act as data, for the console to word (older rows: None)
    args: dict[str, Any] | None = None
    error: str | None = None


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AuditLog:
    def __init__(self, db: sessionmaker[Session]) -> None:
        self.db = db

    def record(
        self,
        *,
        at: datetime,
        room: str,
        actor_kind: str,
        actor_name: str,
        target: str,
        action: str,
        result: str,
        detail: str = "",
        actor_class: str | None = None,
        event: str | None = None,
        args: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> AuditEntry:
        row = AuditRecord(
            at=at,
            room=_fit(room, ROOM_MAX),
            actor_kind=actor_kind,
            actor_name=_fit(actor_name, NAME_MAX),
            target=_fit(target, ROOM_MAX),
            action=_fit(action, AUDIT_TEXT_MAX),
            result=result,
            detail=_fit(detail, AUDIT_TEXT_MAX),
            actor_class=actor_class,
            event=event,
            args=args,
            error=error or None,
        )
        with self.db.begin() as session:
            session.add(row)
            session.flush()
            return AuditEntry.model_validate(row)

    def entries(
        self, room: str | None = None, limit: int = 200, before: int | None = None
    ) -> list[AuditEntry]:
        """The newest `limit` entries (of one room), newest first; `before` pages by id."""
        query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
        if room is not None:
            query = query.where(AuditRecord.room == room)
        if before is not None:
            query = query.where(AuditRecord.id < before)
        with self.db() as session:
            return [AuditEntry.model_validate(r) for r in session.scalars(query)]


def audit_csv(entries: list[AuditEntry]) -> str:
    """Entries as CSV for Excel (`excel_csv`); text cells are defused against spreadsheet formulas."""
    return excel_csv(
        CSV_COLUMNS,
        (
            [
                e.id,
                e.at.isoformat(),
                e.room,
                e.actor_kind,
                spreadsheet_safe(e.actor_name),
                e.actor_class or "",
                e.target,
                spreadsheet_safe(e.action),
                e.result,
                spreadsheet_safe(e.detail),
            ]
            for e in entries
        ),
    )
