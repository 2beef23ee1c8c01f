"""The room API: rooms and devices with live status, device commands, positions, scenes,
the event log, the audit log and technician links (REST; live updates: signaling/ws/rooms.py).

Every route takes ``Authorization: Bearer <credential>`` and checks the permission matrix of
signaling/auth/room_access.py. Device failures come back in the one error shape with a stable
code: ``device_offline`` (503), ``device_timeout`` (504), ``device_busy`` and
``device_refused`` (409), ``unsupported`` (422), ``device_error`` (502), ``invalid_value``
(422: a value outside what the device takes, whatever its protocol); unknown names are 404 (``room_not_found``, ``device_not_found``, ``scene_not_found``,
``position_not_found``); ``rooms_starting`` (503) while devices start after a restart.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from classroom.audit import AuditEntry, audit_csv
from devices.errors import DeviceError
from devices.commands import DeviceCommand
from devices.room.error_codes import code_of
from devices.room.errors import NotFound
from devices.room.events import LogEntry
from devices.room.room_view import RoomView
from devices.room.scene_run import SceneRunView
from devices.room.device_view import DeviceView
from signaling.api.errors import InvalidValue, error_response
from signaling.auth.room_access import LECTURER_ACTIONS, Principal, PrincipalKind, require
from signaling.server.rooms import RoomService, RoomsStarting
from signaling.api.schemas import Responses, TechnicianLinkRequest, error_doc
from signaling.auth.technicians import TechnicianLink
from signaling.server.state import server_of

bearer = HTTPBearer(
    auto_error=False,
    description="The admin token, a technician link's token, or a lecturer's join-link token.",
)

DEVICE_STATUS: dict[str, int] = {  # the HTTP status of a device failure's code (devices/room/error_codes.py)
    "device_offline": 503,
    "device_timeout": 504,
    "device_busy": 409,
    "device_refused": 409,
    "unsupported": 422,
    "invalid_value": 422,
    "device_auth": 502,
    "device_error": 502,
}


router = APIRouter(
    prefix="/api",
    tags=["rooms"],
    responses={
        401: error_doc("No credential (`auth_required`)."),
        403: error_doc("Not allowed (`forbidden`, `not_your_room`, `scene_not_allowed`, `auth_invalid`...)."),
        404: error_doc("No such room, device, scene or position."),
        503: error_doc("The rooms are starting (`rooms_starting`), or the device is offline."),
    },
)
DEVICE_ERRORS: Responses = {
    409: error_doc("The device is busy or refused (`device_busy`, `device_refused`)."),
    422: error_doc("The device has no such control (`unsupported`), a value is outside what it takes (`invalid_value`), or the body is invalid."),
    504: error_doc("The device did not answer in time (`device_timeout`)."),
}


async def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    creds = server_of(request.app).room_credentials
    return await run_in_threadpool(creds.principal, credentials.credentials if credentials else None)


Who = Annotated[Principal, Depends(principal)]


def _rooms(request: Request) -> RoomService:
    rooms = server_of(request.app).rooms
    return rooms


@router.get("/rooms", response_model=list[RoomView], summary="Rooms with their devices' live status")
async def list_rooms(request: Request, who: Who) -> list[RoomView]:
    """Every room for the admin and technicians; a lecturer's own room only (none when
    their class has no room, or one this server does not control)."""
    if not (who.staff or who.kind is PrincipalKind.LECTURER):
        require(who, "view")
    return [c.view() for c in _rooms(request).controllers() if who.sees(c.name)]


@router.get("/lecturer-actions", response_model=list[str], summary="What a lecturer may do to their room")
async def lecturer_actions() -> list[str]:
    """The actions a lecturer may take in their class's room (`scene` only for scenes marked
    for lecturers): the class page and the console read this list instead of keeping a copy.
    It is no secret (docs/rooms.md has it), so it takes no credential."""
    return sorted(LECTURER_ACTIONS)


@router.get("/rooms/{room}", response_model=RoomView, summary="One room")
async def get_room(room: str, request: Request, who: Who) -> RoomView:
    require(who, "view", room)
    return _rooms(request).get(room).view()


@router.get("/rooms/{room}/devices/{device}", response_model=DeviceView, summary="One device")
async def get_device(room: str, device: str, request: Request, who: Who) -> DeviceView:
    require(who, "view", room)
    return _rooms(request).get(room).device_view(device)


@router.post(
    "/rooms/{room}/devices/{device}/commands",
    response_model=DeviceView,
    summary="Command a device",
    description="PTZ move/stop/zoom/home, preset recall/save, absolute position; display "
    "power/input/volume/mute; microphone mute/gain. `move` and `zoom` take `seconds`: the "
    "camera stops by itself after that long. Returns the device's view after the command "
    "(a fresh poll follows and is pushed on the WebSocket).",
    responses=DEVICE_ERRORS,
)
async def command_device(
    room: str, device: str, command: Annotated[DeviceCommand, Body()], request: Request, who: Who
) -> DeviceView:
    require(who, command.do, room)
    try:
        return await _rooms(request).get(room).command(device, command, who.actor)
    except ValueError as error:
        raise InvalidValue(str(error)) from None


@router.post(
    "/rooms/{room}/positions/{position}",
    response_model=DeviceView,
    summary="Send a camera to a named position",
    responses=DEVICE_ERRORS,
)
async def go_to_position(room: str, position: str, request: Request, who: Who) -> DeviceView:
    require(who, "position", room)
    controller = _rooms(request).get(room)
    try:
        await controller.go_to_position(position, who.actor)
    except ValueError as error:
        raise InvalidValue(str(error)) from None
    found = controller.room.position(position)
    assert found is not None  # go_to_position raised NotFound otherwise
    return controller.device_view(found.camera)


@router.post(
    "/rooms/{room}/scenes/{scene}/runs",
    response_model=SceneRunView,
    status_code=202,
    summary="Run a scene",
    description="Starts the scene (cancelling one that is running in the room) and returns "
    "the run at once; its steps are pushed on the WebSocket as they finish. `?wait=true` "
    "answers 200 with the finished run instead.",
    responses={200: {"model": SceneRunView, "description": "The finished run (`wait=true`)."}},
)
async def run_scene(
    room: str,
    scene: str,
    request: Request,
    who: Who,
    response: Response,
    wait: Annotated[bool, Query(description="Answer when the scene has finished.")] = False,
) -> SceneRunView:
    if not (who.staff or who.room == room):
        require(who, "scene", room)  # refused before anything about the room is revealed
    controller = _rooms(request).get(room)
    found = controller.room.scene(scene)
    if found is None:
        raise NotFound("scene", scene, [s.name for s in controller.room.scenes])
    require(who, "scene", room, lecturer_scene=found.lecturer)
    if wait:
        response.status_code = 200
        return await controller.run_scene(scene, who.actor)
    return controller.start_scene(scene, who.actor)


@router.get("/rooms/{room}/events", response_model=list[LogEntry], summary="The room's recent event log")
async def room_events(
    room: str,
    request: Request,
    who: Who,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[LogEntry]:
    """Commands, scene runs, drift corrections and link changes, oldest first (in memory;
    the audit log keeps the acts for good)."""
    require(who, "view", room)
    return _rooms(request).get(room).recent(limit)


@router.get(
    "/audit",
    response_model=list[AuditEntry],
    summary="The audit log",
    description="Who did what to which device or scene, when, with the result; newest first. "
    "`?format=csv` gives a spreadsheet (UTF-8 with BOM, for Excel). Page with `before` (an id).",
    responses={200: {"content": {"text/csv": {}}}},
)
async def audit(
    request: Request,
    who: Who,
    room: Annotated[str | None, Query(description="Only this room.")] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 200,
    before: Annotated[int | None, Query(ge=1, description="Entries older than this id.")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> list[AuditEntry] | Response:
    require(who, "audit")
    log = server_of(request.app).services.audit
    entries = await run_in_threadpool(log.entries, room, limit, before)
    if format == "csv":
        return Response(
            audit_csv(entries),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="room-audit.csv"'},
        )
    return entries


@router.post(
    "/technicians/links",
    response_model=TechnicianLink,
    status_code=201,
    summary="Issue a technician link (admin)",
    description="A link to the technician console for one named person: "
    "`{public_url}/console#t=<token>`. Rotating the signing keys with --drop-old revokes it.",
)
async def technician_link(body: TechnicianLinkRequest, request: Request, who: Who) -> TechnicianLink:
    require(who, "technician_link")
    tokens = server_of(request.app).services.technicians
    ttl = None if body.ttl_hours is None else timedelta(hours=body.ttl_hours)
    return tokens.link(body.name, ttl)


def _starting(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RoomsStarting)
    return error_response(503, exc.code, exc.message, headers={"Retry-After": "2"})


def _device(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotFound):
        return error_response(404, f"{exc.what.replace(' ', '_')}_not_found", str(exc))
    code = code_of(exc)  # the code the logs and scene steps carry for the same failure
    return error_response(DEVICE_STATUS.get(code, 502), code, str(exc))


def install(app: FastAPI) -> None:
    """The room routes and their error translations."""
    app.add_exception_handler(RoomsStarting, _starting)
    app.add_exception_handler(DeviceError, _device)
    app.include_router(router)
