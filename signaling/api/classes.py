"""The REST API: classes and join links, for admins and the school's own systems (attendance:
signaling/api/attendance.py).

Every ``/api`` route needs the admin bearer token. Database work runs in the thread pool
(the classroom services are synchronous); the live classes are touched on the event loop.
"""

from __future__ import annotations

from functools import partial
from importlib.metadata import version
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from classroom import classes
from classroom.classes import ClassInfo
from classroom.live import LiveClasses
from classroom.models import ClassStatus
from signaling.errors import AdminAuthError
from signaling.api.schemas import (
    ClassCreate,
    ClassCreated,
    ClassOut,
    Health,
    LinkOut,
    LinkRequest,
    Responses,
    error_doc,
)
from signaling.server.services import Services
from signaling.server.state import server_of

bearer = HTTPBearer(
    auto_error=False,
    description="The admin token: CLASSBRIDGE_ADMIN_TOKEN, or the file <data_dir>/admin-token.",
)


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    if credentials is None:
        raise AdminAuthError(
            "this API needs the admin token: send 'Authorization: Bearer <token>'",
            code="auth_required",
        )
    if not _services(request).admin_token.matches(credentials.credentials):
        raise AdminAuthError("the admin token is wrong", code="auth_invalid")


router = APIRouter(
    prefix="/api",
    tags=["classes"],
    dependencies=[Depends(require_admin)],
    responses={
        401: error_doc("No admin token (`auth_required`)."),
        403: error_doc("Wrong admin token (`auth_invalid`)."),
        422: error_doc("Invalid request (`invalid_request`); `details` names each field."),
    },
)
health_router = APIRouter(tags=["health"])

NOT_FOUND: Responses = {404: error_doc("No such class (`class_not_found`).")}
ENDED: Responses = {409: error_doc("The class has ended (`class_ended`).")}


def _services(request: Request) -> Services:
    return server_of(request.app).services


def _live(request: Request) -> LiveClasses:
    return server_of(request.app).live


def _out(request: Request, info: ClassInfo) -> ClassOut:
    return ClassOut(
        **info.model_dump(), participants_online=_live(request).participant_count(info.id)
    )


@router.post(
    "/classes",
    status_code=201,
    response_model=ClassCreated,
    summary="Create a class",
    description="Creates a class and returns one join link per role (lecturer, trainee, room, "
    "observer). Links expire after `link_ttl_hours`; personal links come from "
    "`POST /api/classes/{id}/links`. With `room`, `starts_at` and `ends_at`, the room's "
    "schedule prepares the room before the class and switches it off after; a room another "
    "class holds at that time is refused unless `allow_overlap`.",
    responses={
        409: error_doc("Another class holds the room then (`room_booked`; the message names it)."),
        422: error_doc(
            "Invalid request (`invalid_request`, `details` names each field), or a room the "
            "rooms file does not have (`unknown_room`; the message lists the rooms)."
        ),
    },
)
async def create_class(body: ClassCreate, request: Request) -> ClassCreated:
    s = _services(request)
    create = partial(
        classes.create,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        known_rooms=server_of(request.app).rooms.names,
        allow_overlap=body.allow_overlap,
    )
    info = await run_in_threadpool(create, s.db, body.title, body.room)
    return ClassCreated.build(info, s.links.for_every_role(info.id))


@router.get("/classes", response_model=list[ClassOut], summary="List classes, newest first")
async def list_classes(
    request: Request,
    status: Annotated[ClassStatus | None, Query(description="Only classes in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
) -> list[ClassOut]:
    found = await run_in_threadpool(classes.list_classes, _services(request).db, status, limit)
    return [_out(request, info) for info in found]


@router.get(
    "/classes/{class_id}", response_model=ClassOut, summary="Get a class", responses=NOT_FOUND
)
async def get_class(class_id: str, request: Request) -> ClassOut:
    return _out(request, await run_in_threadpool(classes.get, _services(request).db, class_id))


@router.post(
    "/classes/{class_id}/end",
    response_model=ClassOut,
    summary="End a class",
    description="Marks the class ended, closes its attendance and disconnects everyone in it. "
    "Its join links stop working.",
    responses={**NOT_FOUND, **ENDED},
)
async def end_class(class_id: str, request: Request) -> ClassOut:
    info = await run_in_threadpool(classes.end, _services(request).db, class_id)
    await _live(request).end_class(class_id)
    return _out(request, info)


@router.post(
    "/classes/{class_id}/links",
    status_code=201,
    response_model=LinkOut,
    summary="Issue a personal join link",
    description="For the school's training-management system: one link per trainee, carrying "
    "their `external_id` and display `name`, which attendance reports then show.",
    responses={**NOT_FOUND, **ENDED},
)
async def issue_link(class_id: str, body: LinkRequest, request: Request) -> LinkOut:
    return await run_in_threadpool(_services(request).join_link, class_id, body)


@health_router.get("/healthz", response_model=Health, summary="Liveness check (no auth)")
async def healthz() -> Health:
    return Health(status="ok", version=version("classbridge"))
