"""Room keys: a long-lived, revocable credential scoped to one room, for the room PC.

The room agent and the LED-wall page hold one (``Authorization: Bearer rk_<id>_<secret>``)
and use it only to ask the server what happens in their room (``GET /api/rooms/{room}/now``),
which answers with a short-lived room-role join token for the class on now. An admin issues
keys (``classbridge room key ROOM``, ``POST /api/rooms/{room}/keys``); the key is shown once
and only a SHA-256 digest of it is stored (its secret is 256 random bits, so a plain digest
is as strong as a slow hash would be). Revoking sets a date; the row stays for the list.

Refusals (`RoomKeyRefused`) carry stable codes: ``room_key_required`` (401, no credential),
``room_key_invalid`` (401: not a room key, e.g. a trainee's join token, or an unknown one),
``key_revoked`` (401) and ``wrong_room`` (403: a valid key of another room).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom.room_keys.models import RoomKeyRecord
from signaling.errors import AuthRefused

PREFIX = "rk_"
KEY_ID_BYTES = 5  # 10 hex digits: short enough to read out, unique by check
SECRET_BYTES = 32
MAX_KEY_CHARS = 128


class RoomKeyRefused(AuthRefused):
    """A room key refused: 401 unless it is a valid key of another room (403)."""

    code = "room_key_invalid"

    @property
    def status(self) -> int:
        return 403 if self.code == "wrong_room" else 401


class RoomKeyNotFound(AuthRefused):
    """Revoking a key id that was never issued."""

    code = "room_key_not_found"

    @property
    def status(self) -> int:
        return 404


class RoomKeyInfo(BaseModel):
    """A key as lists show it: never its secret."""

    key_id: str
    room: str
    label: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None


class IssuedRoomKey(RoomKeyInfo):
    key: str  # shown once, at issue


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(record: RoomKeyRecord) -> RoomKeyInfo:
    return RoomKeyInfo(
        key_id=record.id,
        room=record.room,
        label=record.label,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )


def parse(credential: str) -> tuple[str, str] | None:
    """(key id, secret) of something shaped like a room key, else None."""
    if not credential.startswith(PREFIX) or len(credential) > MAX_KEY_CHARS:
        return None
    key_id, sep, secret = credential[len(PREFIX) :].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


class RoomKeys:
    """Issues, lists, revokes and checks room keys (synchronous: it uses the database)."""

    def __init__(
        self, db: sessionmaker[Session], clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.db = db
        self._clock = clock

    def issue(self, room: str, label: str | None = None) -> IssuedRoomKey:
        """A new key for `room` (the caller has checked that the room exists)."""
        secret = secrets.token_urlsafe(SECRET_BYTES)
        with self.db.begin() as session:
            key_id = secrets.token_hex(KEY_ID_BYTES)
            while session.get(RoomKeyRecord, key_id) is not None:
                key_id = secrets.token_hex(KEY_ID_BYTES)
            record = RoomKeyRecord(
                id=key_id, room=room, digest=digest(secret), label=label, created_at=self._clock()
            )
            session.add(record)
            session.flush()
            info = _info(record)
        return IssuedRoomKey(**info.model_dump(), key=f"{PREFIX}{key_id}_{secret}")

    def list(self, room: str | None = None) -> list[RoomKeyInfo]:
        query = select(RoomKeyRecord).order_by(RoomKeyRecord.created_at)
        if room is not None:
            query = query.where(RoomKeyRecord.room == room)
        with self.db() as session:
            return [_info(r) for r in session.scalars(query)]

    def revoke(self, key_id: str) -> RoomKeyInfo:
        """Revoke a key (again is harmless: the first date stays)."""
        with self.db.begin() as session:
            record = session.get(RoomKeyRecord, key_id)
            if record is None:
                raise RoomKeyNotFound(f"there is no room key {key_id!r}")
            if record.revoked_at is None:
                record.revoked_at = self._clock()
            return _info(record)

    def verify(self, credential: str | None, room: str) -> RoomKeyInfo:
        """The key behind `credential` if it is a valid, unrevoked key of `room`; else
        RoomKeyRefused saying which of those it is not."""
        if not credential:
            raise RoomKeyRefused(
                "send 'Authorization: Bearer <room key>' (classbridge room key ROOM issues one)",
                code="room_key_required",
            )
        parsed = parse(credential)
        if parsed is None:
            raise RoomKeyRefused(
                "this is not a room key (join links and other tokens do not open this API)"
            )
        key_id, secret = parsed
        with self.db() as session:
            record = session.get(RoomKeyRecord, key_id)
            found = None if record is None else (_info(record), record.digest)
        if found is None or not hmac.compare_digest(found[1], digest(secret)):
            raise RoomKeyRefused("this room key is not valid")
        info = found[0]
        if info.revoked_at is not None:
            raise RoomKeyRefused(
                f"this room key ({info.key_id}) was revoked; ask the admin for a new one",
                code="key_revoked",
            )
        if info.room != room:
            raise RoomKeyRefused(
                f"this room key is for {info.room}, not {room}", code="wrong_room"
            )
        return info
