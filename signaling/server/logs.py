"""How the server's processes log: plain text for a person at a terminal, or one JSON object
per line for a log collector (`log_format: json`), each record carrying the request id and the
class id of the request or signaling connection it belongs to.

`RequestContext` (a pure ASGI middleware) gives every HTTP request and WebSocket an id (the
proxy's `X-Request-ID` when it sent a usable one, else a new one), returns it in the
`X-Request-ID` response header, and keeps it and the class id of `/ws/{class}` and
`/api/classes/{class}/...` in context variables that the log records read. Tasks started while
handling a request inherit them; a media worker sets the class id of the connections it runs.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LogFormat = Literal["text", "json"]
REQUEST_ID_HEADER = "x-request-id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
class_id: ContextVar[str | None] = ContextVar("class_id", default=None)

_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # what a proxy's id may be, logged as is
_CLASS_PATH = re.compile(r"^/(?:ws|api/classes)/([A-Za-z0-9_-]{1,16})(?:/|$)")


class _Context(logging.Filter):
    """Puts the current request and class ids on every record (None outside of one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.class_id = class_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, ids, error."""

    def __init__(self, process: str = "main") -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "process": self.process,
        }
        for key in ("request_id", "class_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, fmt: LogFormat, process: str = "main") -> None:
    """Set up the root logger of this process (the server's, or a media worker's)."""
    handler = logging.StreamHandler()
    handler.addFilter(_Context())
    if fmt == "json":
        handler.setFormatter(JsonFormatter(process))
    else:
        prefix = "" if process == "main" else f"{process} "
        handler.setFormatter(logging.Formatter(TEXT_FORMAT.replace("%(levelname)s", prefix + "%(levelname)s")))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


class RequestContext:
    """Request and class ids for the logs of every HTTP request and WebSocket."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers", []):
            if name == REQUEST_ID_HEADER.encode():
                given = value.decode("latin-1")
        rid = given if _USABLE_ID.fullmatch(given) else secrets.token_hex(8)
        match = _CLASS_PATH.match(scope.get("path", ""))
        request_token = request_id.set(rid)
        class_token = class_id.set(match.group(1) if match else None)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(request_token)
            class_id.reset(class_token)
