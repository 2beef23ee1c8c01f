"""Attendance over REST: the class report for the admin and the class's lecturer, a trainee's
own record, the hash-chain check, and the webhook delivery log.

``GET /api/classes/{id}/attendance`` takes as bearer token the admin token (the whole report),
a lecturer join token of that class (the whole report: their own class, during and after it),
or a trainee join token of that class that names the trainee (``external_id``: only their own
record). Any other credential is refused with 403 and nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from classroom.attendance import AttendanceReport, report_csv
from classroom.attendance_chain.chain import ChainVerdict, verify
from classroom.reports.build import Report
from classroom.reports.export import MEDIA_TYPES, ReportFile
from classroom.roles import Role
from classroom.webhooks.outbox import DeliveryView
from signaling.api.classes import NOT_FOUND, bearer, require_admin
from signaling.api.courses import FormatQuery, LangQuery
from signaling.api.courses import _file as report_response
from signaling.api.schemas import error_doc
from signaling.auth.tokens import TokenError
from signaling.errors import AuthRefused
from signaling.server import reports
from signaling.server.services import Services
from signaling.server.state import server_of
from signaling.webhooks.dispatcher import outbox_of


class AttendanceRefused(AuthRefused):
    """A credential that may not read this class's attendance."""

    code = "forbidden"


@dataclass(frozen=True)
class Reader:
    """Who reads: `only` is the external id a trainee is limited to, None for the whole class."""

    whole_class: bool
    only: str | None = None


def _services(request: Request) -> Services:
    return server_of(request.app).services


def attendance_reader(
    class_id: str,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Reader:
    if credentials is None:
        raise AttendanceRefused(
            "send 'Authorization: Bearer <token>': the admin token or a join link's token",
            code="auth_required",
        )
    services = _services(request)
    token = credentials.credentials
    if services.admin_token.matches(token):
        return Reader(whole_class=True)
    try:
        claims = services.tokens.verify(token, class_id)
    except TokenError as error:
        raise AttendanceRefused(str(error), code="auth_invalid") from None
    if claims.role is Role.LECTURER:
        return Reader(whole_class=True)
    if claims.role is Role.TRAINEE and claims.external_id:
        return Reader(whole_class=False, only=claims.external_id)
    raise AttendanceRefused(
        "only the lecturer sees the class's attendance; a trainee sees their own, with their personal link"
    )


router = APIRouter(
    prefix="/api",
    tags=["attendance"],
    responses={
        401: error_doc("No credential (`auth_required`)."),
        403: error_doc("A credential that may not read this (`auth_invalid`, `forbidden`)."),
        **NOT_FOUND,
    },
)


@router.get(
    "/classes/{class_id}/attendance",
    response_model=AttendanceReport,
    summary="Attendance report",
    description="Per person: number of connections, first join, last leave and total time "
    "online (overlapping connections count once). `?format=csv` gives a spreadsheet "
    "(UTF-8 with BOM, for Excel). The admin token and the class's lecturer link see everyone; "
    "a trainee's personal link sees only that trainee.",
    responses={200: {"content": {"text/csv": {}}}},
)
async def attendance(
    class_id: str,
    request: Request,
    reader: Annotated[Reader, Depends(attendance_reader)],
    format: Annotated[Literal["json", "csv"], Query(description="json or csv.")] = "json",
) -> AttendanceReport | Response:
    report = await run_in_threadpool(_services(request).attendance.report, class_id)
    if not reader.whole_class:
        report = report.model_copy(update={"people": [p for p in report.people if p.external_id == reader.only]})
    if format == "csv":
        return Response(
            report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="attendance-{class_id}.csv"'},
        )
    return report


@router.get(
    "/classes/{class_id}/attendance/report",
    response_model=Report,
    summary="The class's full attendance report, for its lecturer or a trainee",
    description="The report of `GET /api/classes/{id}/report` (intervals, remote or in the room, "
    "the course's rule; `format` json, csv, xlsx or signed pdf) with the same credentials as "
    "`GET /api/classes/{id}/attendance`: the class's lecturer link gets every trainee, a "
    "trainee's personal link only their own line.",
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in ("csv", "xlsx", "pdf")}}},
)
async def class_report(
    class_id: str,
    request: Request,
    reader: Annotated[Reader, Depends(attendance_reader)],
    format: FormatQuery = "json",
    lang: LangQuery = "vi",
) -> Report | Response:
    services = _services(request)

    def run() -> Report | ReportFile:
        report = reports.reports(services).klass(class_id)
        if not reader.whole_class:
            report = report.model_copy(
                update={"trainees": [t for t in report.trainees if t.external_id == reader.only]}
            )
        return report if format == "json" else reports.report_file(services, report, format, lang)

    made = await run_in_threadpool(run)
    return made if isinstance(made, Report) else report_response(made)


@router.get(
    "/classes/{class_id}/attendance/verify",
    response_model=ChainVerdict,
    summary="Check the attendance hash chain",
    description="Recomputes the class's chain of attendance events and compares every "
    "attendance row with it: `ok`, or `problems` naming each event or row edited or deleted "
    "in the database afterwards. Admin token only.",
    dependencies=[Depends(require_admin)],
)
async def verify_chain(class_id: str, request: Request) -> ChainVerdict:
    return await run_in_threadpool(verify, _services(request).db, class_id)


@router.get(
    "/webhooks/deliveries",
    response_model=list[DeliveryView],
    summary="Webhook delivery log",
    description="The webhook events (class.started, class.ended, report.ready), newest first, "
    "with their status (`pending`, `delivered`, `failed`), the next attempt, and every attempt "
    "made: when, the HTTP status or the error. Admin token only.",
    dependencies=[Depends(require_admin)],
)
async def webhook_deliveries(
    request: Request,
    class_id: Annotated[str | None, Query(max_length=64, description="Only this class's events.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many events.")] = 100,
) -> list[DeliveryView]:
    return await run_in_threadpool(outbox_of(_services(request)).log, class_id, limit)


def install(app: FastAPI) -> None:
    app.include_router(router)
