"""The REST API of courses, rosters, course links and attendance reports.

Admin routes (the admin bearer token, as for classes): create and list courses, attach
classes, set the completion rule and the recording settings, import a roster (the CSV or XLSX file as the request body),
issue every trainee a personal course link, and download reports of a class or a course as
JSON, CSV, XLSX or PDF (signed when the school's certificate is configured; the
`X-Report-Signed` header says which). `POST /api/reports/verify` checks a signed PDF.

Course-link routes take the course link's own token as the bearer credential: what the
link opens (the course and its classes) and a join link to one of its classes for the person
it names.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field, field_validator
from starlette.concurrency import run_in_threadpool

from classroom.classes import ClassInfo
from classroom.courses import catalog
from classroom.courses.catalog import (
    MAX_RETENTION_DAYS,
    CourseInfo,
    ImportMode,
    RecordingSettings,
    RosterImported,
    Trainee,
)
from classroom.courses.completion import CompletionRule
from classroom.courses.models import COURSE_CODE_MAX, DEFAULT_TIME_ZONE, TIME_ZONE_MAX
from classroom.courses.roster_file import RosterFormat, parse_roster
from classroom.models import CLASS_ID_MAX, TITLE_MAX
from classroom.reports.build import Report
from classroom.reports.export import MEDIA_TYPES, Format, ReportFile
from classroom.reports.signature import Verification
from classroom.reports.words import Lang
from signaling.api.classes import require_admin
from signaling.api.schemas import MAX_TTL_HOURS, LinkOut, Responses, _printable, _Request, error_doc
from signaling.auth.course_tokens import CourseClaims
from signaling.errors import AuthRefused, TokenError
from signaling.server import reports
from signaling.server.reports import CourseLinkOut, CourseView, SigningStatus
from signaling.server.services import Services
from signaling.server.state import server_of

XLSX_TYPE = MEDIA_TYPES["xlsx"]
NOT_FOUND: Responses = {404: error_doc("No such course (`course_not_found`).")}
FILE_FORMATS: Responses = {200: {"content": {MEDIA_TYPES[f]: {} for f in ("csv", "xlsx", "pdf")}}}


RECORD_CLASSES = "Record every class of the course from its start (docs/recording.md)."
RETENTION = f"Delete the course's recordings this many days (1 to {MAX_RETENTION_DAYS}) after they end."
WATCHING_COUNTS = ("Watching a class's recording makes up, for the completion rule, for a "
                   "class the trainee missed.")  # fmt: skip


class CourseCreate(_Request):
    title: str = Field(min_length=1, max_length=TITLE_MAX,
                       examples=["Bồi dưỡng kiến thức quốc phòng và an ninh – Khóa 12"])  # fmt: skip
    code: str | None = Field(default=None, min_length=1, max_length=COURSE_CODE_MAX,
                             description="The school's own code for the course.")  # fmt: skip
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, min_length=1, max_length=TIME_ZONE_MAX,
                           description="Report times are in this zone.")  # fmt: skip
    rule: CompletionRule = Field(default_factory=CompletionRule)
    record_classes: bool = Field(default=False, description=RECORD_CLASSES)
    recording_retention_days: int | None = Field(default=None, ge=1, le=MAX_RETENTION_DAYS,
                                                 description=RETENTION)  # fmt: skip
    watching_counts: bool = Field(default=False, description=WATCHING_COUNTS)

    _check = field_validator("title", "code", "time_zone")(_printable)

    def recording(self) -> RecordingSettings:
        return RecordingSettings(record_classes=self.record_classes,
                                 recording_retention_days=self.recording_retention_days,
                                 watching_counts=self.watching_counts)  # fmt: skip


class CourseUpdate(_Request):
    """The recording settings to change; a field left out stays as it is."""

    record_classes: bool | None = Field(default=None, description=RECORD_CLASSES)
    recording_retention_days: int | None = Field(default=None, ge=1, le=MAX_RETENTION_DAYS,
                                                 description=RETENTION + " null: keep them.")  # fmt: skip
    watching_counts: bool | None = Field(default=None, description=WATCHING_COUNTS)

    @field_validator("record_classes", "watching_counts")
    @classmethod
    def _not_null(cls, v: bool | None) -> bool:
        if v is None:
            raise ValueError("true or false (leave the field out to keep it as it is)")
        return v

    def changes(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True)


class RuleRequest(_Request, CompletionRule):
    """Every part optional; a part left out is not required."""


class ClassIds(_Request):
    class_ids: list[str] = Field(min_length=1, max_length=200)

    @field_validator("class_ids")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        if any(not 0 < len(i) <= CLASS_ID_MAX for i in v):
            raise ValueError(f"a class id has 1 to {CLASS_ID_MAX} characters")
        return v


class CourseLinksRequest(_Request):
    ttl_hours: float | None = Field(default=None, gt=0, le=MAX_TTL_HOURS,
                                    description="Default course_link_ttl_hours.")  # fmt: skip


class JoinRequest(_Request):
    class_id: str = Field(min_length=1, max_length=CLASS_ID_MAX)


FormatQuery = Annotated[Format, Query(description="json, csv (UTF-8 with BOM), xlsx or pdf.")]
LangQuery = Annotated[Lang, Query(description="The language of a file's words: vi or en.")]

router = APIRouter(
    prefix="/api",
    tags=["courses"],
    dependencies=[Depends(require_admin)],
    responses={
        401: error_doc("No admin token (`auth_required`)."),
        403: error_doc("Wrong admin token (`auth_invalid`)."),
        422: error_doc("Invalid request (`invalid_request`, `invalid_course`)."),
    },
)
link_router = APIRouter(prefix="/api/course-link", tags=["course links"])
course_bearer = HTTPBearer(auto_error=False, description="The course link's token (after `#t=`).")


def _services(request: Request) -> Services:
    return server_of(request.app).services


def report_file_response(made: ReportFile) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{made.filename}"'}
    if made.filename.endswith(".pdf"):
        headers["X-Report-Signed"] = "true" if made.signed else "false"
    return Response(made.data, media_type=made.media_type, headers=headers)


@router.post("/courses", status_code=201, response_model=CourseInfo, summary="Create a course")
async def create_course(body: CourseCreate, request: Request) -> CourseInfo:
    db = _services(request).db
    return await run_in_threadpool(catalog.create, db, body.title, body.code, body.time_zone,
                                   body.rule, None, body.recording())  # fmt: skip


@router.get("/courses", response_model=list[CourseInfo], summary="List courses, newest first")
async def list_courses(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[CourseInfo]:
    return await run_in_threadpool(catalog.list_courses, _services(request).db, limit)


@router.get("/courses/{course_id}", response_model=CourseInfo, summary="Get a course",
            responses=NOT_FOUND)  # fmt: skip
async def get_course(course_id: str, request: Request) -> CourseInfo:
    return await run_in_threadpool(catalog.get, _services(request).db, course_id)


@router.patch(
    "/courses/{course_id}",
    response_model=CourseInfo,
    responses=NOT_FOUND,
    summary="Change the course's recording settings",
    description="`record_classes`, `recording_retention_days` (1 to 3650, or null: keep the "
    "recordings), `watching_counts`; the fields left out stay as they are.",
)
async def update_course(course_id: str, body: CourseUpdate, request: Request) -> CourseInfo:
    return await run_in_threadpool(catalog.set_recording, _services(request).db, course_id,
                                   body.changes())  # fmt: skip


@router.put("/courses/{course_id}/rule", response_model=CourseInfo, responses=NOT_FOUND,
            summary="Set the completion rule")  # fmt: skip
async def set_rule(course_id: str, body: RuleRequest, request: Request) -> CourseInfo:
    rule = CompletionRule.model_validate(body.model_dump())
    return await run_in_threadpool(catalog.set_rule, _services(request).db, course_id, rule)


@router.post(
    "/courses/{course_id}/classes",
    response_model=CourseInfo,
    summary="Put classes in the course",
    description="All or none: an unknown class id (`class_not_found`) attaches nothing.",
    responses={404: error_doc("No such course or class.")},
)
async def attach_classes(course_id: str, body: ClassIds, request: Request) -> CourseInfo:
    return await run_in_threadpool(catalog.attach, _services(request).db, course_id, body.class_ids)


@router.delete("/courses/{course_id}/classes/{class_id}", response_model=CourseInfo,
               summary="Take a class out of the course", responses=NOT_FOUND)  # fmt: skip
async def detach_class(course_id: str, class_id: str, request: Request) -> CourseInfo:
    return await run_in_threadpool(catalog.detach, _services(request).db, course_id, class_id)


@router.get("/courses/{course_id}/classes", response_model=list[ClassInfo],
            summary="The course's classes", responses=NOT_FOUND)  # fmt: skip
async def course_classes(course_id: str, request: Request) -> list[ClassInfo]:
    return await run_in_threadpool(catalog.course_classes, _services(request).db, course_id)


@router.put(
    "/courses/{course_id}/roster",
    response_model=RosterImported,
    summary="Import the roster from a CSV or XLSX file",
    description="The file is the request body (`Content-Type: text/csv` or the XLSX type, or "
    "`?format=`). Columns by header, English or Vietnamese: external id / mã học viên, name / "
    "họ và tên, unit / đơn vị. `mode=replace` (default) makes the roster exactly the file; "
    "`merge` adds and updates only. A file with any bad row imports nothing: 422 "
    "`roster_invalid`, `details` lists each row, column and why.",
    responses={**NOT_FOUND, 415: error_doc("Neither CSV nor XLSX (`unsupported_media_type`).")},
    openapi_extra={"requestBody": {"content": {"text/csv": {}, XLSX_TYPE: {}}, "required": True}},
)
async def import_roster(
    course_id: str,
    request: Request,
    mode: Annotated[ImportMode, Query()] = "replace",
    format: Annotated[RosterFormat | None, Query(description="csv or xlsx [Content-Type].")] = None,
) -> RosterImported:
    fmt = format or _roster_format(request.headers.get("content-type", ""))
    data = await request.body()
    services = _services(request)

    def run() -> RosterImported:
        catalog.get(services.db, course_id)  # a missing course before a long file
        return catalog.import_roster(services.db, course_id, parse_roster(data, fmt), mode)

    return await run_in_threadpool(run)


def _roster_format(content_type: str) -> RosterFormat:
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv", "text/plain"):
        return "csv"
    if kind in (XLSX_TYPE, "application/octet-stream"):
        return "xlsx"
    raise HTTPException(
        415, f"send the roster as text/csv or as an XLSX file ({XLSX_TYPE}), or say ?format=csv|xlsx"
    )


@router.get("/courses/{course_id}/trainees", response_model=list[Trainee],
            summary="The roster", responses=NOT_FOUND)  # fmt: skip
async def list_trainees(course_id: str, request: Request) -> list[Trainee]:
    return await run_in_threadpool(catalog.trainees, _services(request).db, course_id)


@router.post(
    "/courses/{course_id}/links",
    status_code=201,
    response_model=list[CourseLinkOut],
    summary="Issue every trainee a personal course link",
    description="One link per trainee on the roster, opening every class of the course "
    "(`{public_url}/course#t=...`). `?format=csv|xlsx` returns them as a spreadsheet for the "
    "training office to send (it also imports as a roster).",
    responses={**NOT_FOUND, **FILE_FORMATS},
)
async def issue_links(
    course_id: str,
    request: Request,
    body: Annotated[CourseLinksRequest | None, Body()] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
    lang: LangQuery = "vi",
) -> list[CourseLinkOut] | Response:
    services = _services(request)
    ttl = body.ttl_hours if body else None

    def run() -> tuple[list[CourseLinkOut], str]:
        zone = catalog.get(services.db, course_id).time_zone
        return reports.issue_course_links(services, course_id, ttl), zone

    links, zone = await run_in_threadpool(run)
    if format == "json":
        return links
    data = reports.links_file(links, format, lang, zone)
    return Response(data, status_code=201, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="course-links-{course_id}.{format}"'
    })  # fmt: skip


@router.get(
    "/courses/{course_id}/report",
    response_model=Report,
    summary="Attendance report of a course",
    description="Per trainee of the roster (and anyone else who joined as a trainee): each "
    "class's intervals, time online, in the room or remote, and the completion rule's "
    "verdict with the reasons. Times in the course's time zone.",
    responses={**NOT_FOUND, **FILE_FORMATS, 503: error_doc("No font for the PDF, or the "
               "certificate cannot be opened (`report_unavailable`).")},  # fmt: skip
)
async def course_report(
    course_id: str, request: Request, format: FormatQuery = "json", lang: LangQuery = "vi"
) -> Report | Response:
    services = _services(request)

    def run() -> ReportFile:
        return reports.report_file(services, reports.reports(services).course(course_id),
                                   format, lang)  # fmt: skip

    return report_file_response(await run_in_threadpool(run))


@router.get(
    "/classes/{class_id}/report",
    response_model=Report,
    summary="Attendance report of a class, per trainee",
    description="First join, last leave, intervals (connections and room check-ins), time "
    "online, in the room or remote, against the course's rule. Times in the school's zone "
    "(the course's, for a class in a course).",
    responses={404: error_doc("No such class (`class_not_found`)."), **FILE_FORMATS},
)
async def class_report(
    class_id: str, request: Request, format: FormatQuery = "json", lang: LangQuery = "vi"
) -> Report | Response:
    services = _services(request)

    def run() -> ReportFile:
        return reports.report_file(services, reports.reports(services).klass(class_id),
                                   format, lang)  # fmt: skip

    return report_file_response(await run_in_threadpool(run))


@router.get("/reports/signing", response_model=SigningStatus,
            summary="Whether PDF reports are signed, and by whom")  # fmt: skip
async def signing(request: Request) -> SigningStatus:
    return await run_in_threadpool(reports.signing_status, _services(request).settings)


@router.post(
    "/reports/verify",
    response_model=Verification,
    summary="Check a signed PDF report",
    description="Send the PDF as the body. `valid`: the signature is genuine; `unchanged`: "
    "nothing changed since it was signed; `trusted`: the signer's certificate chains to the "
    "school's or to report_trust_roots; `signer`, `signed_at`; `problem` says why not.",
    openapi_extra={"requestBody": {"content": {"application/pdf": {}}, "required": True}},
)
async def verify_report(request: Request) -> Verification:
    data = await request.body()
    return await run_in_threadpool(reports.verify_pdf, _services(request).settings, data)


def _claims(request: Request, credentials: HTTPAuthorizationCredentials | None) -> CourseClaims:
    if credentials is None:
        raise AuthRefused("send the course link's token as a bearer credential",
                          code="auth_required")  # fmt: skip
    try:
        return reports.course_claims(_services(request), credentials.credentials)
    except TokenError as error:
        raise AuthRefused(error.message, code=error.code) from None


Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(course_bearer)]


@link_router.get("", response_model=CourseView,
                 summary="What a course link opens: the course and its classes")  # fmt: skip
async def course_link_view(request: Request, credentials: Bearer) -> CourseView:
    claims = _claims(request, credentials)
    return await run_in_threadpool(reports.course_view, _services(request), claims)


@link_router.post(
    "/join",
    response_model=LinkOut,
    summary="Exchange a course link for a join link to one of its classes",
    description="The join link carries the course link's person (external id and name), so "
    "attendance counts for them. Refused for a class of another course (`class_not_found`), "
    "an ended class (`class_ended`) or a trainee since taken off the roster (`not_on_roster`).",
)
async def course_link_join(body: JoinRequest, request: Request, credentials: Bearer) -> LinkOut:
    claims = _claims(request, credentials)
    return await run_in_threadpool(reports.exchange, _services(request), claims, body.class_id)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(link_router)
