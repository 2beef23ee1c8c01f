"""Who is who in a class, and what each role may send.

Roles come from the join link (signed token) and never from the client. What a role may
*receive* is the subscription policy's business (classroom/subscriptions.py); this module only
says who may publish which kind of source.
"""

from __future__ import annotations

import enum
from typing import Literal


class Role(str, enum.Enum):
    LECTURER = "lecturer"
    TRAINEE = "trainee"
    ROOM = "room"  # the smart room's agent: room camera, ceiling microphones, the room screen
    OBSERVER = "observer"  # supervisors and inspectors: receive only


class Source(str, enum.Enum):
    """What a published track carries, as the publisher labels it."""

    CAMERA = "camera"
    MICROPHONE = "microphone"
    SCREEN = "screen"  # shared slides / screen; video
    SCREEN_AUDIO = "screen_audio"  # audio captured with a shared tab


MediaKind = Literal["audio", "video"]

SOURCE_KIND: dict[Source, MediaKind] = {
    Source.CAMERA: "video",
    Source.MICROPHONE: "audio",
    Source.SCREEN: "video",
    Source.SCREEN_AUDIO: "audio",
}

PUBLISHABLE: dict[Role, frozenset[Source]] = {
    Role.LECTURER: frozenset(Source),
    Role.ROOM: frozenset(Source),
    Role.TRAINEE: frozenset({Source.CAMERA, Source.MICROPHONE}),
    Role.OBSERVER: frozenset(),
}


def may_publish(role: Role, source: Source) -> bool:
    return source in PUBLISHABLE[role]
