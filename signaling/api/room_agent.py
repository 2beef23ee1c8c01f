"""The room agent's health: it reports with its room key; the console reads it.

``PUT /api/rooms/{room}/agent`` (room key, the agent's status) and ``GET
/api/rooms/{room}/agent`` (admin, technicians, and a lecturer of the room: as the room's
devices). /metrics exports the same as gauges (signaling/api/metrics.py).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from signaling.api.room_keys import RoomKey
from signaling.api.rooms import Who
from signaling.api.schemas import error_doc
from signaling.server.room_agents import AgentReport, AgentView
from signaling.server.state import server_of

router = APIRouter(prefix="/api", tags=["room agent"])


@router.put(
    "/rooms/{room}/agent",
    status_code=204,
    summary="The room agent reports its status (room key)",
    responses={
        401: error_doc("No room key, not a room key, or a revoked key."),
        403: error_doc("A key of another room (`wrong_room`)."),
    },
)
async def report(room: str, body: AgentReport, request: Request, key: RoomKey) -> None:
    server_of(request.app).room_agents.report(key.room, body)


@router.get(
    "/rooms/{room}/agent",
    response_model=AgentView,
    summary="The room agent's last status",
    responses={404: error_doc("No agent has reported for this room (`not_found`).")},
)
async def status(room: str, request: Request, who: Who) -> AgentView:
    view = server_of(request.app).room_agents.view(room) if who.sees(room) else None
    if view is None:
        raise HTTPException(404, f"no agent has reported for {room}")
    return view
