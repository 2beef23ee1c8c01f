"""`/readyz`: can this server take classes now? (`/healthz` only says the process answers.)

Three checks, each `ok` or what is wrong: the database answers a query (within a few seconds),
the media relay runs (every media worker process is up, when there are workers), and the rooms'
controllers have started (or there are no rooms). A device being offline does not make the
server unready: classes go on without it, and /metrics and the console show it. 200 when every
check is ok, else 503, with the same body; no credential needed (a load balancer asks it).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from signaling.server.state import ServerState, server_of

router = APIRouter(tags=["health"])
DATABASE_TIMEOUT_S = 5.0


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str]  # database, media, rooms: "ok" or the problem


def _query(state: ServerState) -> None:
    with state.services.db() as session:
        session.execute(text("SELECT 1"))


async def _database(state: ServerState) -> str:
    try:
        await asyncio.wait_for(run_in_threadpool(_query, state), DATABASE_TIMEOUT_S)
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT_S:g} s"
    except SQLAlchemyError as e:
        return f"unreachable: {type(e).__name__}: {str(e).splitlines()[0][:200]}"
    return "ok"


def _media(state: ServerState) -> str:
    if state.workers is not None:
        down = [
            str(i) for i, w in enumerate(state.workers.workers)
            if w is None or not w.alive or not w.ready.is_set()
        ]  # fmt: skip
        return f"media worker(s) {', '.join(down)} not running" if down else "ok"
    if state.hub is not None:
        return "ok"
    return "not served by this process"  # REST-only (tests): nothing to wait for


def _rooms(state: ServerState) -> str:
    rooms = state.rooms
    if rooms.failed:
        return rooms.failed
    if not rooms.ready.is_set():
        return "starting"
    return "ok"


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness check: database, media relay, room controllers (no auth)",
    responses={503: {"model": Readiness, "description": "A check failed; `checks` says which."}},
)
async def readyz(request: Request) -> JSONResponse:
    state = server_of(request.app)
    checks = {"database": await _database(state), "media": _media(state), "rooms": _rooms(state)}
    ready = all(v in ("ok", "not served by this process") for v in checks.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
