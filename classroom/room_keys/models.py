"""The room-key table: one row per key an admin issued for a room.

Only a digest of the key's secret is kept, so a copy of the database opens no room. A key is
revoked by setting ``revoked_at``; the row stays, so that the list shows what was revoked when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from classroom.models import NAME_MAX, ROOM_MAX, Base, UtcDateTime

ROOM_KEY_ID_MAX = 16
ROOM_KEY_DIGEST_MAX = 64  # hex SHA-256


class RoomKeyRecord(Base):
    __tablename__ = "room_keys"

    id: Mapped[str] = mapped_column(String(ROOM_KEY_ID_MAX), primary_key=True)
    room: Mapped[str] = mapped_column(String(ROOM_MAX), index=True)
    digest: Mapped[str] = mapped_column(String(ROOM_KEY_DIGEST_MAX))
    label: Mapped[str | None] = mapped_column(String(NAME_MAX))  # "room PC", "kiosk 2"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
