"""The FastAPI application: settings, database, keys and live classes wired into one `ServerState`.

Opening the data directory happens here, synchronously, so that a bad database URL or an
unreadable key file stops ``classbridge serve`` before it listens, with a clear message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from classroom.live import LiveClasses
from classroom.recording.combined import CombinedJobs
from signaling.api import attendance as attendance_api
from signaling.api import classes as api
from signaling.api import bank as bank_api
from signaling.api import exams as exams_api
from signaling.api import join_preview, metrics, readiness
from signaling.api import library as library_api
from signaling.api import library_combined as combined_api
from signaling.api import console as console_routes
from signaling.api import courses as courses_api
from signaling.api import rooms as rooms_api
from signaling.api import checkin as checkin_api
from signaling.api import room_keys as room_keys_api
from signaling.api import room_screen
from signaling.api import room_agent as room_agent_api
from signaling.ws import rooms as rooms_ws
from signaling.api import pages as web_routes
from signaling.api.errors import install_error_handlers
from signaling.api.request_guard import RequestGuard
from signaling.auth.room_access import Credentials
from signaling.server.logs import RequestContext
from signaling.server.rooms import RoomService
from signaling.server.services import Services
from signaling.server.settings import Settings
from signaling.server.state import ServerState
from signaling.webhooks.dispatcher import dispatcher_of

log = logging.getLogger(__name__)
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

DESCRIPTION = """\
Live online classes for training schools: create a class, hand out one join link per role
(lecturer, trainee, room, observer) or a personal link per trainee, end it, and download the
attendance report. Smart rooms: devices with live status, device commands, named camera
positions, scenes, the event log and the audit log; technician links for the console.

The `classes` routes need the admin token as `Authorization: Bearer <token>`. The `rooms`
routes take the admin token, a technician link's token, or a lecturer's join-link token
(their own room only). Errors always have the shape `{"error": {"code": ..., "message": ...}}`;
`code` is stable for programs.

Live room updates: WebSocket `/ws/rooms`. Send `{"type": "hello", "v": 1, "token": "..."}`
first; the server answers `welcome` (you, your rooms, the recent event log) and then pushes
`device`, `scene` and `log` events (the shapes of `DeviceView`, `SceneRunView` and
`LogEntry` below); `ping` is answered with `pong`. See docs/rooms.md.
"""


def _application(settings: Settings, lifespan: Lifespan) -> FastAPI:
    """The FastAPI object; its /docs and /redoc pages load Swagger UI and ReDoc from this
    server (fastapi-offline ships them), not from a CDN: a school LAN may have no internet.
    `api_docs: off` leaves out the pages and /openapi.json."""
    title, release = "classbridge", version("classbridge")
    if settings.api_docs == "off":
        return FastAPI(
            title=title, version=release, description=DESCRIPTION, lifespan=lifespan,
            docs_url=None, redoc_url=None, openapi_url=None,
        )
    return FastAPIOffline(
        title=title,
        version=release,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/docs/assets",
        # Swagger UI would otherwise ask an online validator about the spec.
        swagger_ui_parameters={"validatorUrl": None},
    )


def create_app(
    settings: Settings, live: LiveClasses | None = None, rooms: RoomService | None = None
) -> FastAPI:
    """The server; `live` replaces the real hub (REST-only tests), which disables signaling
    and, unless `rooms` is given, the rooms."""
    services = Services.open(settings)
    hub = workers = connection_deps = None
    if rooms is None:
        rooms = RoomService.open(settings) if live is None else RoomService()
    if live is None and settings.workers > 1:
        from signaling.workers.pool import WorkerPool

        workers = live = WorkerPool(settings, settings.workers)
    elif live is None:
        from signaling.server.media import build_hub, connection_terms  # aiortc: a real server only
        from signaling.ws.connection import Deps

        hub = live = build_hub(settings, services)
        connection_deps = Deps(settings, hub, services.tokens, services.attendance, connection_terms(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Rows a crash left open close at their last sighting, before anyone joins again.
        if recovered := await run_in_threadpool(services.attendance.recover):
            log.warning("closed %d attendance rows left open by a crash at their last sighting", recovered)
        seen = asyncio.create_task(services.attendance.keep_seen(settings.attendance.heartbeat_s))
        webhooks = dispatcher_of(services)
        delivering = asyncio.create_task(webhooks.run()) if webhooks else None
        housekeeping = library_api.start_housekeeping(settings, services.audit, services.db)
        if workers is not None:
            await workers.start()
        if hub is not None:
            from signaling.server.media import freeze_startup_objects

            freeze_startup_objects()
        rooms.launch(services.db, live)
        combining = asyncio.create_task(app.state.combined_jobs.run())  # the combined-MP4 jobs
        yield
        combining.cancel()
        await rooms.stop()
        if hub is not None:
            await hub.close()
        if workers is not None:
            await workers.stop()
        seen.cancel()
        housekeeping.cancel()
        if delivering is not None:
            delivering.cancel()
        # Whoever is still connected when the server stops has left now.
        try:
            closed = await run_in_threadpool(services.attendance.close_open, "server_stopped")
            if closed:
                log.info("closed %d open attendance rows at shutdown", closed)
        except SQLAlchemyError as e:  # the database went away: stop all the same
            log.error("could not close the open attendance rows at shutdown: %s", e)
        await run_in_threadpool(services.close)

    app = _application(settings, lifespan)
    app.state.server = ServerState(
        settings=settings,
        services=services,
        live=live,
        rooms=rooms,
        room_credentials=Credentials(services.admin_token, services.technicians, services.tokens, services.db),
        hub=hub,
        workers=workers,
        connection_deps=connection_deps,
    )
    assert settings.recording.folder is not None  # derived from data_dir
    app.state.combined_jobs = CombinedJobs(settings.recording.folder)
    install_error_handlers(app)
    # no body read before a credential, none over the limit
    app.add_middleware(RequestGuard, streamed=library_api.streamed_uploads(settings))
    app.add_middleware(RequestContext)  # outermost: request and class ids for every log record
    app.include_router(api.health_router)
    app.include_router(api.router)
    attendance_api.install(app)
    app.include_router(join_preview.router)
    app.include_router(room_keys_api.room_router)  # before the rooms' /api/rooms/{room} routes
    app.include_router(room_keys_api.admin_router)
    app.include_router(room_agent_api.router)
    checkin_api.install(app)
    app.include_router(bank_api.router)
    app.include_router(exams_api.router)
    app.include_router(combined_api.router)  # before the library's /recordings/{class}/{recording}/{file}
    app.include_router(library_api.router)
    rooms_api.install(app)
    courses_api.install(app)
    app.include_router(rooms_ws.router)
    console_routes.install(app)
    app.include_router(web_routes.router)
    app.include_router(room_screen.router)
    app.mount("/static", web_routes.static_files, name="static")
    app.include_router(readiness.router)
    app.include_router(metrics.router)  # in every mode: processes and rooms at least
    if hub is not None or workers is not None:
        from signaling.ws import connection as ws

        app.include_router(ws.router)
    return app
