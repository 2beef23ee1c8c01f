"""What every HTTP request must pass before the application reads its body.

Two rules, checked in this pure ASGI middleware so they hold for every route:

- `/api/...` requests that carry a body (POST, PUT, PATCH, DELETE) need a credential
  (`Authorization: Bearer <token>`: the admin token, a technician link's or a lecturer's join
  link's token). A request without one, or with one that cannot be a token, is refused here,
  before a byte of its body is read: an unauthenticated client cannot make the server buffer
  a large body. The route checks the token itself afterwards, as before. Reads (GET, HEAD,
  OPTIONS) have no body to guard: their routes decide, and a few are public
  (`/api/lecturer-actions`).
- No request body may exceed `MAX_BODY_BYTES` (413 `payload_too_large`): a declared
  Content-Length over the limit is refused up front; a body without one (chunked) is counted
  as it arrives and refused when it crosses the limit.
  The routes that stream a file to disk (e-lecture uploads, `streamed`) have their own,
  larger limit (`recording.upload_max_mb`).

Refusals use the one JSON error shape (signaling/api/errors.py).
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from signaling.api.errors import error_response

MAX_BODY_BYTES = 64 * 1024  # the largest body a route takes is a few hundred bytes
MAX_CREDENTIAL_CHARS = 4096  # join tokens are at most this long (docs/protocol.md)
CREDENTIAL_PREFIX = "/api/"
# Files sent as the body (a roster spreadsheet, a signed PDF report to verify) may be larger.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
UPLOADS = re.compile(r"^/api/(courses/[^/]+/roster|reports/verify)$")
READS = frozenset({"GET", "HEAD", "OPTIONS"})

NEEDS_CREDENTIAL = (
    "this API needs a credential: send 'Authorization: Bearer <token>' (the admin token, "
    "a technician link's or a lecturer's join link's token)"
)


def _credential_refusal(authorization: str | None) -> tuple[int, str, str] | None:
    """(status, code, message) when the Authorization header cannot carry a valid token."""
    scheme, _, credential = (authorization or "").partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return 401, "auth_required", NEEDS_CREDENTIAL
    if len(credential) > MAX_CREDENTIAL_CHARS or not credential.isprintable():
        return 403, "auth_invalid", "the credential is not a token this server issues"
    return None


def _too_large(limit: int) -> tuple[int, str, str]:
    return 413, "payload_too_large", f"the request body exceeds the limit of {limit} bytes"


class RequestGuard:
    """Refuses requests without a credential on `/api/` and bodies over the limit."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES, streamed: tuple[re.Pattern[str], int] | None = None
    ) -> None:
        """`streamed`: routes that stream their body to disk (e-lecture uploads) and their limit."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        refusal = None
        api = path.startswith(CREDENTIAL_PREFIX) or path == CREDENTIAL_PREFIX.rstrip("/")
        if api and scope["method"] not in READS:
            refusal = _credential_refusal(headers.get("authorization"))
        limit = MAX_UPLOAD_BYTES if api and UPLOADS.match(path) else self.max_body_bytes
        if api and self.streamed is not None and self.streamed[0].match(path):
            limit = self.streamed[1]
        length = headers.get("content-length")
        if refusal is None and length is not None and length.isdigit() and int(length) > limit:
            refusal = _too_large(limit)
        if refusal is not None:
            await _respond(refusal, scope, receive, send)
            return
        await _Counted(self.app, limit)(scope, receive, send)


class _Counted:
    """One request whose body is counted as the application reads it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.received = 0
        self.started = False  # the application's response has begun
        self.refused = False  # we answered 413: the application's response is dropped

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted_receive() -> Message:
            if self.refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
                if self.received > self.limit:
                    if not self.started:
                        await _respond(_too_large(self.limit), scope, receive, send)
                    self.refused = True
                    return {"type": "http.disconnect"}  # the application stops reading
            return message

        async def guarded_send(message: Message) -> None:
            if self.refused:
                return
            if message["type"] == "http.response.start":
                self.started = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)


async def _respond(refusal: tuple[int, str, str], scope: Scope, receive: Receive, send: Send) -> None:
    status, code, message = refusal
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    await error_response(status, code, message, headers=headers)(scope, receive, send)
