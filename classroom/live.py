"""What the REST API needs from the live classes (the signaling hub), as a narrow Protocol.

The hub that owns WebSocket connections implements it; `NoLiveClasses` stands in when the
server runs without one, and says so instead of pretending.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class LiveClasses(Protocol):
    async def end_class(self, class_id: str) -> None:
        """Disconnect everyone in the class (it has just been marked ended in the database)."""

    def participant_count(self, class_id: str) -> int:
        """How many participants are connected to the class right now."""


class NoLiveClasses:
    """No signaling hub runs in this process: nobody can be connected, so nobody is disconnected."""

    async def end_class(self, class_id: str) -> None:
        log.info(
            "class %s ended; no live signaling hub runs here, so nobody to disconnect", class_id
        )

    def participant_count(self, class_id: str) -> int:
        return 0
