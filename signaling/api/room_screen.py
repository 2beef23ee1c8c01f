"""The LED-wall page: ``/room/{room}/screen#k=<room key>``, opened full-screen by the room PC's
kiosk browser. The key stays in the fragment (out of server logs); the page sends it as a
bearer to ``GET /api/rooms/{room}/now`` and ``/checkin`` (signaling/api/room_keys.py,
signaling/api/checkin.py) and joins the class on now with the room-role token it gets.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from signaling.api.pages import PAGE_HEADERS, STATIC_DIR

router = APIRouter(include_in_schema=False)


@router.api_route("/room/{room}/screen", methods=["GET", "HEAD"])
async def room_screen(room: str) -> FileResponse:
    """The same page for every room: it reads the room from its own address."""
    return FileResponse(STATIC_DIR / "screen.html", media_type="text/html", headers=PAGE_HEADERS)
