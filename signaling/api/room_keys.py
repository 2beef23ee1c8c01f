"""Room keys over REST (admin) and the room PC's one question: what is on in my room now?

``GET /api/rooms/{room}/now`` takes a room key (signaling/auth/room_keys.py) and answers
``{"room", "class": null | {id, title, starts_at, ends_at, join_token}, "next": null | {id,
title, starts_at}}``: the class on in the room now (classroom/room_now.py) with a room-role
join token for it, and the next class planned there. The room agent and the LED-wall page
poll it to follow the room's schedule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from classroom.classes import ClassInfo
from classroom.errors import UnknownRoom
from classroom.models import NAME_MAX
from classroom.roles import Role
from classroom.room_now import now_in_room
from signaling.api.classes import require_admin
from signaling.api.schemas import _printable, _Request, error_doc
from signaling.auth.room_keys import IssuedRoomKey, RoomKeyInfo, RoomKeys
from signaling.server.state import server_of

ROOM_TOKEN_AFTER_END = timedelta(hours=1)  # the room's join token outlives a class that overruns

bearer = HTTPBearer(auto_error=False, description="A room key: rk_<id>_<secret>.")

admin_router = APIRouter(
    prefix="/api",
    tags=["room keys"],
    dependencies=[Depends(require_admin)],
    responses={
        401: error_doc("No admin token (`auth_required`)."),
        403: error_doc("Wrong admin token (`auth_invalid`)."),
    },
)
room_router = APIRouter(prefix="/api", tags=["room keys"])


class RoomKeyRequest(_Request):
    label: str | None = Field(
        default=None, min_length=1, max_length=NAME_MAX, description="Which PC holds it.",
        examples=["LED-wall PC"],
    )  # fmt: skip

    _printable_label = field_validator("label")(_printable)


class NowClass(BaseModel):
    id: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    join_token: str = Field(description="A room-role join token for this class.")


class NextClass(BaseModel):
    id: str
    title: str
    starts_at: datetime | None


class RoomNow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    room: str
    class_: NowClass | None = Field(alias="class")
    next: NextClass | None


def keys_of(request: Request) -> RoomKeys:
    return RoomKeys(server_of(request.app).services.db)


def _known(request: Request, room: str) -> None:
    names = server_of(request.app).rooms.names
    if room not in names:
        raise UnknownRoom(room, sorted(names))


@admin_router.post(
    "/rooms/{room}/keys",
    status_code=201,
    response_model=IssuedRoomKey,
    summary="Issue a room key (admin)",
    description="A long-lived key for the room PC of `room` (its agent and LED-wall page). "
    "`key` is shown only in this answer; the server keeps a digest.",
    responses={422: error_doc("No such room (`unknown_room`) or a bad label.")},
)
async def issue_key(
    room: str, request: Request, body: Annotated[RoomKeyRequest | None, Body()] = None
) -> IssuedRoomKey:
    _known(request, room)
    return await run_in_threadpool(keys_of(request).issue, room, body.label if body else None)


@admin_router.get("/room-keys", response_model=list[RoomKeyInfo], summary="List room keys (admin)")
async def list_keys(
    request: Request, room: Annotated[str | None, Query(max_length=100)] = None
) -> list[RoomKeyInfo]:
    return await run_in_threadpool(keys_of(request).list, room)


@admin_router.post(
    "/room-keys/{key_id}/revoke",
    response_model=RoomKeyInfo,
    summary="Revoke a room key (admin)",
    description="The key stops working at once (`key_revoked`).",
    responses={404: error_doc("No such key (`room_key_not_found`).")},
)
async def revoke_key(key_id: str, request: Request) -> RoomKeyInfo:
    return await run_in_threadpool(keys_of(request).revoke, key_id)


async def room_key(
    room: str,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> RoomKeyInfo:
    """The dependency of the room PC's routes: a valid key of the path's room."""
    presented = credentials.credentials if credentials else None
    return await run_in_threadpool(keys_of(request).verify, presented, room)


RoomKey = Annotated[RoomKeyInfo, Depends(room_key)]


def _room_token(request: Request, info: ClassInfo, now: datetime) -> str:
    tokens = server_of(request.app).services.tokens
    ttl = None
    if info.ends_at is not None:
        ttl = max(info.ends_at + ROOM_TOKEN_AFTER_END - now, ROOM_TOKEN_AFTER_END)
    return tokens.issue(info.id, Role.ROOM, ttl=ttl)


@room_router.get(
    "/rooms/{room}/now",
    response_model=RoomNow,
    summary="The class on in this room now, and the next (room key)",
    description="For the room PC: the class on now (from 15 minutes before its planned start "
    "to its end, or while live) with a room-role `join_token`, and the next class planned.",
    responses={
        401: error_doc(
            "No room key (`room_key_required`), not a room key (`room_key_invalid`: join "
            "tokens are not), or a revoked key (`key_revoked`)."
        ),
        403: error_doc("A key of another room (`wrong_room`)."),
    },
)
async def room_now(room: str, request: Request, key: RoomKey) -> RoomNow:
    now = datetime.now(UTC)
    current, upcoming = await run_in_threadpool(
        now_in_room, server_of(request.app).services.db, key.room, now
    )
    return RoomNow(
        room=key.room,
        class_=None
        if current is None
        else NowClass(
            id=current.id,
            title=current.title,
            starts_at=current.starts_at,
            ends_at=current.ends_at,
            join_token=_room_token(request, current, now),
        ),
        next=None
        if upcoming is None
        else NextClass(id=upcoming.id, title=upcoming.title, starts_at=upcoming.starts_at),
    )
