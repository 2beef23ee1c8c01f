"""One JSON error shape for every HTTP failure: ``{"error": {"code", "message", "details"?}}``.

Domain errors are translated to HTTP statuses here, at the edge, so the classroom and token
code never knows about HTTP. Validation errors list each bad field. Anything unexpected is
answered with a generic 500; Starlette then re-raises it so that the server (uvicorn) logs the
traceback, once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from classroom.errors import (
    ClassEnded,
    ClassNotFound,
    ClassroomError,
    CourseNotFound,
    DatabaseError,
    InvalidCourse,
    ReportUnavailable,
    RoomBooked,
    RosterInvalid,
    UnknownRoom,
)
from signaling.api.assessment_status import STATUS as ASSESSMENT_STATUS
from signaling.api.library_status import STATUS as LIBRARY_STATUS
from signaling.errors import AuthRefused, RecordingNotFound, SignalingError
from signaling.api.schemas import ErrorBody, ErrorDetail, ErrorResponse

class InvalidValue(SignalingError):
    """A command's value is outside what the device takes (the room routes raise it for the
    device layer's ValueErrors, so every protocol answers the same)."""

    code = "invalid_value"


STATUS: list[tuple[type[Exception], int]] = [  # first match wins
    (InvalidValue, 422),
    (ClassNotFound, 404),
    (RecordingNotFound, 404),
    (ClassEnded, 409),
    (RoomBooked, 409),
    (UnknownRoom, 422),
    (DatabaseError, 503),
    (CourseNotFound, 404),
    (InvalidCourse, 422),
    (RosterInvalid, 422),
    (ReportUnavailable, 503),
    *ASSESSMENT_STATUS,
    *LIBRARY_STATUS,
]

HTTP_CODES = {
    400: "bad_request",
    401: "auth_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


# A device command's value outside its range is `invalid_value`, as when the device's own
# limits refuse it (a VISCA camera's preset count), so one mistake has one code.
RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")
DEVICE_COMMANDS = re.compile(r"^/api/rooms/[^/]+/devices/[^/]+/commands$")


# Errors located at the body itself that mean it is not a JSON object; others at the body
# are about its content (a model-level check, a tagged union's unknown tag).
NOT_AN_OBJECT = ("model_attributes_type", "dict_type", "model_type", "model_class_type")


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, (ClassroomError, SignalingError))
    if isinstance(exc, AuthRefused):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.code, exc.message, headers=headers)
    status = next((s for t, s in STATUS if isinstance(exc, t)), 400)
    details = None
    if isinstance(exc, RosterInvalid):  # every bad row of the file, to fix them all at once
        details = [ErrorDetail(field=p.column, message=p.why, row=p.row) for p in exc.problems]
    return error_response(status, exc.code, exc.message, details)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    if any(tuple(e.get("loc", ())) == ("body",) and e.get("type") in NOT_AN_OBJECT for e in errors):
        return error_response(
            400,
            "invalid_json",
            "the request body must be a JSON object, sent as Content-Type: application/json",
        )
    details = [
        ErrorDetail(field=_field(tuple(e.get("loc", ()))), message=str(e.get("msg", "")))
        for e in errors
    ]
    summary = "; ".join(f"{d.field}: {d.message}" for d in details)
    if DEVICE_COMMANDS.match(request.url.path) and all(e.get("type") in RANGE_ERRORS for e in errors):
        return error_response(422, InvalidValue.code, summary, details)
    return error_response(422, "invalid_request", summary, details)


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    return error_response(500, "internal_error", "internal server error; see the server log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ClassroomError, _domain)
    app.add_exception_handler(SignalingError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
