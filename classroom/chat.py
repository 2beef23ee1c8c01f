"""The class's chat: what a line is, how long it may be, and where lines are kept.

Lines are kept with the class (a `ClassJournal`, the database in production), so late joiners
read the history and the school keeps the record. A line is to everyone, or from a lecturer
to one participant (private: only the two sides and the class's lecturers see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classroom.roles import Role

CHAT_MAX_CHARS = 1000
CHAT_HISTORY = 200  # lines a newcomer receives
CHAT_RATE_PER_SECOND = 0.5  # a line every two seconds on average...
CHAT_BURST = 5  # ...with a few in a row


@dataclass(frozen=True)
class ChatLine:
    id: int
    at: datetime
    sender_id: str
    sender_name: str
    sender_role: Role
    text: str
    to_id: str | None = None  # a private line: the recipient's participant id
    to_name: str | None = None
    to_identity: str | None = None  # the recipient's identity, so they see it after a reconnect
    sender_identity: str | None = None

    def visible_to(self, participant_id: str, role: Role, identity: str | None) -> bool:
        if self.to_id is None or role is Role.LECTURER:
            return True
        mine = {participant_id} | ({identity} if identity else set())
        return bool(mine & {self.to_id, self.sender_id, self.to_identity, self.sender_identity})


def clean_text(text: str) -> str:
    """Chat text as shown: trimmed, control characters (but newlines) removed."""
    kept = "".join(ch for ch in text if ch == "\n" or ch >= " " and ch != "\x7f")
    return kept.strip()
