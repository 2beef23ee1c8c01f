"""What a live class keeps beyond its life in memory: chat lines and removed people.

A live class is dropped when its last participant leaves and the server may restart, so both
are kept with the class (the database in production: classroom/directory.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from classroom.chat import ChatLine
from classroom.roles import Role


@dataclass(frozen=True)
class ChatDraft:
    at: datetime
    sender_id: str
    sender_name: str
    sender_role: Role
    sender_identity: str | None
    text: str
    to_id: str | None = None
    to_name: str | None = None
    to_identity: str | None = None


@dataclass(frozen=True)
class Removal:
    identity: str  # the person's id from the school's records, or their browser's id
    name: str
    at: datetime


class ClassJournal(Protocol):
    async def add_chat(self, class_id: str, draft: ChatDraft) -> ChatLine: ...

    async def chat_history(self, class_id: str, limit: int) -> list[ChatLine]:
        """The last `limit` lines, oldest first."""
        ...

    async def remove(self, class_id: str, removal: Removal) -> None: ...

    async def readmit(self, class_id: str, identity: str) -> bool: ...

    async def removals(self, class_id: str) -> list[Removal]: ...
