"""What one server process's routes use, built once by `create_app`: the typed container.

Routes reach it with `server_of(request.app)` instead of untyped `app.state` attributes, so
mypy checks every use. The media side (hub, workers) is only imported for type checking:
REST-only servers and the CLI never import aiortc.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.types import ASGIApp

from classroom.live import LiveClasses
from signaling.auth.room_access import Credentials
from signaling.server.room_agents import RoomAgents
from signaling.server.rooms import RoomService
from signaling.server.services import Services
from signaling.server.settings import Settings

if TYPE_CHECKING:
    from classroom.hub import ClassHub
    from signaling.workers.pool import WorkerPool
    from signaling.ws.connection import Deps


@dataclass(frozen=True)
class ServerState:
    settings: Settings
    services: Services
    live: LiveClasses  # the hub, the worker pool, or a stand-in for REST-only tests
    rooms: RoomService
    room_credentials: Credentials
    hub: ClassHub | None = None  # classes live in this process
    workers: WorkerPool | None = None  # classes live in media worker processes
    connection_deps: Deps | None = None  # what a signaling connection in this process needs
    room_agents: RoomAgents = field(default_factory=RoomAgents)  # the room agents' last reports


def server_of(app: ASGIApp) -> ServerState:
    state = getattr(getattr(app, "state", None), "server", None)
    if not isinstance(state, ServerState):
        raise RuntimeError("this application was not built by create_app")
    return state
