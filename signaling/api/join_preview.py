"""`GET /api/join-preview`: what the pre-join page shows before anyone joins.

The page has its join link's token (in the URL fragment) and asks with it, as a bearer
credential, for the class's title and planned times, the role and name the link carries, the
room's title (a room link asks for no name) and whether to join with microphone and camera
off (trainees of a large class do by default), and whether the class is being recorded. Any genuine, unexpired join link may ask about
its own class, and only about it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from classroom import classes
from classroom.recording.catalog import is_recording
from classroom.recording.schedule import recording_plan
from classroom.roles import Role
from signaling.api.schemas import error_doc
from signaling.errors import AuthRefused, SignalingError, TokenError
from signaling.server.state import server_of

router = APIRouter(tags=["join"])
bearer = HTTPBearer(auto_error=False, description="The join link's token (after `#t=` in the link).")


class PreviewClass(BaseModel):
    id: str
    title: str
    room: str | None
    starts_at: datetime | None
    ends_at: datetime | None


class JoinPreview(BaseModel):
    class_: PreviewClass = Field(alias="class", serialization_alias="class")
    role: Role
    name: str | None = Field(description="The name the link carries; null: the page asks for one.")
    room_title: str | None = Field(description="The class's room as people call it; a room link joins under it.")
    join_muted: bool = Field(description="Join with microphone and camera off unless the person chooses otherwise.")
    recorded: bool = Field(default=False, description="The class is being recorded right now.")
    recorded_by_schedule: bool = Field(
        default=False, description="Its course records every class from its start (docs/recording.md)."
    )

    model_config = {"populate_by_name": True}


@router.get(
    "/api/join-preview",
    response_model=JoinPreview,
    response_model_by_alias=True,
    summary="What a join link opens: the class, the role, the name (no admin token needed)",
    responses={
        401: error_doc("No join token (`auth_required`)."),
        403: error_doc("A token that is not a genuine, unexpired join link (`token_invalid`, `token_expired`)."),
        404: error_doc("The class no longer exists (`class_not_found`)."),
    },
)
async def join_preview(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> JoinPreview:
    state = server_of(request.app)
    if credentials is None:
        raise AuthRefused("send the join link's token as a bearer credential", code="auth_required")
    try:
        claims = state.services.tokens.verify_any(credentials.credentials)
    except TokenError as error:
        raise AuthRefused(error.message, code=error.code) from None
    info = await run_in_threadpool(classes.get, state.services.db, claims.class_id)
    room_title = None
    if info.room is not None:
        try:
            room_title = state.rooms.get(info.room).view().title
        except SignalingError:
            room_title = None  # rooms still starting, or a room the rooms file no longer has
    crowd = state.live.participant_count(info.id)
    join_muted = claims.role is Role.TRAINEE and crowd >= state.settings.signaling.join_muted_from
    return JoinPreview(
        class_=PreviewClass(id=info.id, title=info.title, room=info.room, starts_at=info.starts_at, ends_at=info.ends_at),
        role=claims.role,
        name=claims.name,
        room_title=room_title or info.room,
        join_muted=join_muted,
        recorded=await run_in_threadpool(is_recording, state.settings.recording.folder, info.id)
        if state.settings.recording.folder is not None
        else False,
        recorded_by_schedule=state.settings.recording.enabled
        and await run_in_threadpool(recording_plan, state.services.db, info.id) is not None,
    )
