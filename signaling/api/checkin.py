"""In-room check-in over HTTP: the room screen's PIN and QR, and the phone's check-in page.

- ``GET /api/rooms/{room}/checkin`` (room key): the PIN and QR code (SVG) the LED wall shows
  for the class on now, and when they change.
- ``GET /checkin``: the phone-sized page (web/static/checkin.html). It gives the phone a
  device cookie (HttpOnly); the server keeps only its digest, so one phone checks in one
  person per class.
- ``POST /checkin/pin`` ``{"pin", "room"?}``: the PIN of a class on now → a check-in ticket
  for that class (wrong PINs are limited per phone and per address: 429 ``too_many_attempts``).
- ``GET /checkin/roster?q=`` (ticket): the class's roster, searched by name or id.
- ``POST /checkin/confirm`` ``{"external_id"}`` (ticket + device cookie): counted present.
- ``POST /checkin/checkout`` ``{"class_id"}`` (device cookie): leaves the room now.
- ``GET /api/classes/{id}/checkins`` (admin, or a join token of that class): the list the
  lecturer's page shows; every change is also pushed to the class page as a ``checkin`` frame.

These routes are outside ``/api`` (except the two reads): a trainee in the room has no
credential but the PIN. Errors use the one JSON shape with codes the page words in vi or en.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp

from classroom.checkin import codes, register
from classroom.checkin.errors import CheckInError
from classroom.checkin.register import CheckInView
from classroom.checkin.roster_search import search
from classroom.classes import ClassInfo
from classroom.models import ROOM_MAX
from classroom.room_now import now_in_room, on_now
from signaling.api.errors import error_response
from signaling.api.guess_limit import GuessLimit
from signaling.api.pages import PAGE_HEADERS, STATIC_DIR
from signaling.api.room_keys import RoomKey
from signaling.api.schemas import _Request, error_doc
from signaling.auth.checkin_tickets import CheckInTickets, TICKET_TTL, load_checkin_secret
from signaling.auth.room_access import PrincipalKind
from signaling.errors import AuthRefused, SignalingError, TokenError
from signaling.server.state import server_of

DEVICE_COOKIE = "cb_checkin_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookies at 400 days
DEVICE_LIMIT = (5, 300.0)  # wrong PINs per phone per 5 minutes
ADDRESS_LIMIT = (40, 300.0)  # per address: the room's phones may share one behind the Wi-Fi


class CheckInRefused(SignalingError):
    """A refusal of the check-in edge, with its HTTP status."""

    def __init__(self, message: str, *, code: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.retry_after = retry_after


@dataclass
class CheckInDesk:
    """What the check-in routes share in one server process."""

    secret: bytes
    tickets: CheckInTickets
    by_device: GuessLimit
    by_address: GuessLimit


def desk_of(app: ASGIApp) -> CheckInDesk:
    desk = getattr(getattr(app, "state", None), "checkin_desk", None)
    if not isinstance(desk, CheckInDesk):
        raise RuntimeError("the check-in routes were not installed")
    return desk


# ---- bodies -------------------------------------------------------------------------------


class PinRequest(_Request):
    pin: str = Field(min_length=1, max_length=16, description="The six digits on the room's screen.")
    room: str | None = Field(default=None, min_length=1, max_length=ROOM_MAX)


class ConfirmRequest(_Request):
    external_id: str = Field(min_length=1, max_length=128)


class CheckoutRequest(_Request):
    class_id: str = Field(min_length=1, max_length=64)


class CheckInOut(BaseModel):
    class_id: str
    external_id: str
    name: str
    checked_in_at: datetime
    checked_out_at: datetime | None


class CheckInClass(BaseModel):
    id: str
    title: str
    room: str | None
    ends_at: datetime | None


class Ticket(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    ticket: str
    expires_at: datetime
    class_: CheckInClass = Field(alias="class")
    me: CheckInOut | None = Field(description="Whom this phone has checked in to this class, if anyone.")


class RosterMatch(BaseModel):
    external_id: str
    name: str
    unit: str | None


class RoomCode(BaseModel):
    class_id: str
    pin: str
    url: str = Field(description="What the QR code holds: the check-in page with the PIN.")
    qr_svg: str
    changes_at: datetime


def _out(view: CheckInView) -> CheckInOut:
    return CheckInOut(
        class_id=view.class_id, external_id=view.external_id, name=view.name,
        checked_in_at=view.checked_in_at, checked_out_at=view.checked_out_at,
    )  # fmt: skip


def _class(info: ClassInfo) -> CheckInClass:
    return CheckInClass(id=info.id, title=info.title, room=info.room, ends_at=info.ends_at)


# ---- the device cookie --------------------------------------------------------------------


def _cookie(request: Request) -> str | None:
    value = request.cookies.get(DEVICE_COOKIE)
    if value is None or not 20 <= len(value) <= 100 or not value.isascii() or not value.isprintable():
        return None
    return value


def _device(request: Request, response: Response) -> str:
    """The digest of the phone's device cookie, giving it one when it has none."""
    value = _cookie(request)
    if value is None:
        value = secrets.token_urlsafe(24)
        response.set_cookie(
            DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_MAX_AGE, path="/checkin",
            httponly=True, samesite="strict", secure=request.url.scheme == "https",
        )  # fmt: skip
    return hashlib.sha256(value.encode()).hexdigest()


# ---- routes -------------------------------------------------------------------------------

page_router = APIRouter(include_in_schema=False)
router = APIRouter(tags=["check-in"])
ticket_bearer = HTTPBearer(auto_error=False, description="A check-in ticket (POST /checkin/pin).")
join_bearer = HTTPBearer(auto_error=False, description="The admin token or a join link's token.")


@page_router.api_route("/checkin", methods=["GET", "HEAD"])
async def checkin_page(request: Request) -> Response:
    response = FileResponse(STATIC_DIR / "checkin.html", media_type="text/html", headers=PAGE_HEADERS)
    _device(request, response)
    return response


def _qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def _entry_url(request: Request, room: str, pin: str) -> str:
    public = server_of(request.app).settings.public_url or str(request.base_url)
    return f"{public.rstrip('/')}/checkin?{urlencode({'room': room, 'pin': pin})}"


@router.get(
    "/api/rooms/{room}/checkin",
    response_model=RoomCode,
    summary="The room screen's check-in PIN and QR code (room key)",
    description="For the class on now in the room. The PIN changes every minute "
    "(`changes_at`); the previous one is still accepted for a minute.",
    responses={
        404: error_doc("No class is on in the room now (`no_class`)."),
        409: error_doc("The class has no course roster (`no_roster`)."),
    },
)
async def room_code(room: str, request: Request, key: RoomKey) -> RoomCode:
    db = server_of(request.app).services.db
    current, _ = await run_in_threadpool(now_in_room, db, key.room, datetime.now(UTC))
    if current is None:
        raise CheckInRefused("no class is on in this room now", code="no_class", status=404)
    await run_in_threadpool(register.require_roster, db, current.id)
    pin, changes = codes.current_pin(desk_of(request.app).secret, current.id, time.time())
    url = _entry_url(request, key.room, pin)
    return RoomCode(
        class_id=current.id, pin=pin, url=url, qr_svg=_qr_svg(url),
        changes_at=datetime.fromtimestamp(changes, UTC),
    )  # fmt: skip


def _limit(request: Request, device: str) -> None:
    desk = desk_of(request.app)
    address = request.client.host if request.client else "unknown"
    wait = max(desk.by_device.wait_s(device), desk.by_address.wait_s(address))
    if wait > 0:
        raise CheckInRefused(
            f"too many wrong PINs; try again in {int(wait) + 1} s",
            code="too_many_attempts", status=429, retry_after=wait,
        )  # fmt: skip


def _missed(request: Request, device: str) -> None:
    desk = desk_of(request.app)
    desk.by_device.missed(device)
    desk.by_address.missed(request.client.host if request.client else "unknown")


@router.post(
    "/checkin/pin",
    response_model=Ticket,
    summary="Trade the room's PIN for a check-in ticket",
    responses={
        400: error_doc("Wrong or expired PIN (`pin_invalid`)."),
        409: error_doc("The class has no roster (`no_roster`)."),
        429: error_doc("Too many wrong PINs (`too_many_attempts`; Retry-After)."),
    },
)
async def trade_pin(body: PinRequest, request: Request, response: Response) -> Ticket:
    device = _device(request, response)
    _limit(request, device)
    desk = desk_of(request.app)
    db = server_of(request.app).services.db
    now = time.time()
    candidates = await run_in_threadpool(on_now, db, datetime.fromtimestamp(now, UTC))
    pin = body.pin.replace(" ", "")
    found = [
        c for c in candidates
        if (body.room is None or c.room == body.room) and codes.accepts(desk.secret, c.id, pin, now)
    ]  # fmt: skip
    if not found:
        _missed(request, device)
        raise CheckInRefused(
            "this PIN is wrong or has expired: type the one on the room's screen now",
            code="pin_invalid", status=400,
        )  # fmt: skip
    info = found[0]
    await run_in_threadpool(register.require_roster, db, info.id)
    ticket, expires = desk.tickets.issue(info.id)
    mine = await run_in_threadpool(register.of_device, db, info.id, device)
    return Ticket(
        ticket=ticket, expires_at=expires, class_=_class(info), me=None if mine is None else _out(mine)
    )


def _ticket(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise CheckInRefused("type the room's PIN first", code="ticket_required", status=401)
    try:
        return desk_of(request.app).tickets.verify(credentials.credentials).class_id
    except TokenError as error:
        expired = error.code == "token_expired"
        raise CheckInRefused(
            "this check-in has expired: type the room's PIN again" if expired else error.message,
            code="ticket_expired" if expired else "ticket_invalid", status=401,
        ) from None  # fmt: skip


TicketCredential = Annotated[HTTPAuthorizationCredentials | None, Depends(ticket_bearer)]


@router.get("/checkin/roster", response_model=list[RosterMatch], summary="Search the class's roster")
async def roster(
    request: Request,
    credentials: TicketCredential,
    q: Annotated[str, Query(max_length=100, description="Part of a name, or an id.")] = "",
) -> list[RosterMatch]:
    class_id = _ticket(request, credentials)
    entries = await run_in_threadpool(register.roster, server_of(request.app).services.db, class_id)
    return [RosterMatch(external_id=e.external_id, name=e.name, unit=e.unit) for e in search(entries, q)]


@router.post("/checkin/confirm", response_model=CheckInOut, summary="Check in (ticket + this phone)")
async def confirm(
    body: ConfirmRequest, request: Request, response: Response, credentials: TicketCredential
) -> CheckInOut:
    class_id = _ticket(request, credentials)
    device = _device(request, response)
    db = server_of(request.app).services.db
    view, new = await run_in_threadpool(
        register.check_in, db, class_id, body.external_id, device, datetime.now(UTC)
    )
    if new:
        await server_of(request.app).live.checkin_changed(view)
    return _out(view)


@router.post("/checkin/checkout", response_model=CheckInOut, summary="Check out (this phone)")
async def checkout(body: CheckoutRequest, request: Request, response: Response) -> CheckInOut:
    device = _device(request, response)
    db = server_of(request.app).services.db
    view = await run_in_threadpool(register.check_out, db, body.class_id, device, datetime.now(UTC))
    await server_of(request.app).live.checkin_changed(view)
    return _out(view)


@router.get(
    "/api/classes/{class_id}/checkins",
    response_model=list[CheckInOut],
    summary="Who checked in to the class from the room",
    description="The admin token, or a lecturer's, room's or observer's join token of the class.",
)
async def class_checkins(
    class_id: str,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(join_bearer)],
) -> list[CheckInOut]:
    state = server_of(request.app)
    who = await run_in_threadpool(
        state.room_credentials.principal, credentials.credentials if credentials else None
    )
    allowed = who.kind is PrincipalKind.ADMIN or (
        who.class_id == class_id
        and who.kind in (PrincipalKind.LECTURER, PrincipalKind.ROOM, PrincipalKind.OBSERVER)
    )
    if not allowed:
        raise AuthRefused("only the class's lecturer, room and observers see its check-ins", code="forbidden")
    return [_out(v) for v in await run_in_threadpool(register.of_class, state.services.db, class_id)]


def _refused(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, CheckInRefused):
        headers = None if exc.retry_after is None else {"Retry-After": str(int(exc.retry_after) + 1)}
        return error_response(exc.status, exc.code, exc.message, headers=headers)
    assert isinstance(exc, CheckInError)
    return error_response(exc.status, exc.code, exc.message)


def install(app: FastAPI) -> None:
    settings = server_of(app).settings
    app.state.checkin_desk = CheckInDesk(
        secret=load_checkin_secret(settings.data_dir),
        tickets=CheckInTickets(server_of(app).services.keyring, default_ttl=TICKET_TTL),
        by_device=GuessLimit(*DEVICE_LIMIT),
        by_address=GuessLimit(*ADDRESS_LIMIT),
    )
    app.add_exception_handler(CheckInRefused, _refused)
    app.add_exception_handler(CheckInError, _refused)
    app.include_router(page_router)
    app.include_router(router)

