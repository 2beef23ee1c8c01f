"""Finding and talking to the classbridge server that serves a data directory, from the CLI.

Ending a class must also disconnect the people in it, which only the running server can do;
so ``classbridge class end`` asks the server first and falls back to the database only when
nothing listens. ``serve`` announces where it listens in <data_dir>/server.json, because the
CLI may not have been given the same --port/--tls flags. Standard library HTTP only: the CLI
needs no HTTP client dependency.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel, Field, ValidationError

from signaling.auth.admin import AdminToken
from signaling.errors import SignalingError
from signaling.api.schemas import ClassOut
from signaling.server.settings import Settings

TIMEOUT_S = 10.0
RUNTIME_FILE = "server.json"


class Announcement(BaseModel):
    url: str  # where this machine reaches the server
    public_url: str  # the base of the join links it hands out
    tls_cert: Path | None
    pid: int = Field(gt=0)
    rooms: list[str] | None = None  # the rooms it drives (None: announced by an older server)


@contextmanager
def announced(settings: Settings, rooms: list[str] | None = None) -> Iterator[None]:
    """Tell CLI commands on the same data directory where the server listens, and which rooms
    it drives (it may have been started with a --rooms-file the CLI was not given), while it runs."""
    path = settings.data_dir / RUNTIME_FILE
    assert settings.public_url is not None  # derived by Settings
    note = Announcement(
        url=settings.local_url(),
        public_url=settings.public_url,
        tls_cert=settings.tls_cert,
        pid=os.getpid(),
        rooms=rooms,
    )
    tmp = path.with_name(f".{RUNTIME_FILE}.{os.getpid()}")
    tmp.write_text(note.model_dump_json(), encoding="utf-8")
    os.replace(tmp, path)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, under another user
    return True


def find(settings: Settings) -> Announcement | None:
    """The announcement of the server running on this data directory, if one is running.

    A server stopped by a signal leaves its file behind (uvicorn re-raises the signal after
    shutting down); the pid check ignores such leftovers.
    """
    try:
        text = (settings.data_dir / RUNTIME_FILE).read_text(encoding="utf-8")
        note = Announcement.model_validate_json(text)
    except (OSError, ValueError):
        return None
    return note if _alive(note.pid) else None


def with_server_links(settings: Settings) -> Settings:
    """`settings` with the running server's public URL, so that links the CLI signs point at it
    even when the server was started with --port/--host/--tls flags the CLI was not given."""
    note = find(settings)
    return settings if note is None else settings.model_copy(update={"public_url": note.public_url})


def client_tls_context(cert: Path) -> ssl.SSLContext:
    """Trust exactly the server's own certificate (self-signed ones included), by file, not name."""
    ctx = ssl.create_default_context(cafile=str(cert))
    ctx.check_hostname = False  # we connect to 127.0.0.1, which the certificate need not name
    ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # a CA-issued leaf is its own anchor here
    return ctx


def end_class_via_server(settings: Settings, admin: AdminToken, class_id: str) -> str | None:
    """End the class through the running server and return its URL; None when none listens."""
    note = find(settings)
    base, cert = (note.url, note.tls_cert) if note else (settings.local_url(), settings.tls_cert)
    request = urllib.request.Request(
        f"{base}/api/classes/{quote(class_id, safe='')}/end",
        method="POST",
        headers={"Authorization": f"Bearer {admin.value}"},
    )
    try:
        context = None
        if base.startswith("https:") and cert is not None:
            context = client_tls_context(cert)
        with urllib.request.urlopen(request, timeout=TIMEOUT_S, context=context) as response:
            ClassOut.model_validate_json(response.read())
            return base
    except urllib.error.HTTPError as e:
        raise _refusal(base, e) from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, ConnectionRefusedError):
            return None
        raise SignalingError(f"cannot talk to the server at {base}: {e.reason}") from None
    except (OSError, ValidationError) as e:
        raise SignalingError(f"cannot talk to the server at {base}: {e}") from None


def _refusal(base: str, error: urllib.error.HTTPError) -> SignalingError:
    """The server's own error (code and message) when it answered in our error shape."""
    try:
        body = json.loads(error.read())["error"]
        code, message = str(body["code"]), str(body["message"])
    except (ValueError, KeyError, TypeError):
        return SignalingError(f"the server at {base} answered HTTP {error.code}")
    if code in ("auth_required", "auth_invalid"):
        message += (
            f" (the server at {base} has another admin token: give this command the server's"
            " CLASSBRIDGE_ADMIN_TOKEN, or the same --config/--data-dir)"
        )
    return SignalingError(message, code=code)
