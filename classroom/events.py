"""What a live class tells its participants, in the class's own terms.

The class emits these events to each participant's `Outbox`; the edge (the WebSocket
signaling) turns them into frames of its wire protocol. Nothing here knows JSON, pydantic or
protocol versions, so the class can be driven and observed without a wire.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Union

from classroom.roles import MediaKind, Role, Source


@dataclass(frozen=True)
class ClassSummary:
    """The live class as its participants see it."""

    id: str
    title: str
    room: str | None = None


@dataclass(frozen=True)
class TrackView:
    track_id: str
    source: Source
    kind: MediaKind
    muted: bool = False


@dataclass(frozen=True)
class ParticipantView:
    id: str
    role: Role
    name: str
    external_id: str | None
    tracks: tuple[TrackView, ...] = ()


@dataclass(frozen=True)
class ForwardedTrack:
    """Which publisher's track one m-line of a participant's receive connection carries."""

    mid: str
    participant_id: str
    track_id: str
    source: Source
    kind: MediaKind


# ---- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seated:
    """The newcomer is in: who they are, the class, and who else is there."""

    participant: ParticipantView
    class_summary: ClassSummary
    participants: tuple[ParticipantView, ...]


@dataclass(frozen=True)
class ParticipantJoined:
    participant: ParticipantView


@dataclass(frozen=True)
class ParticipantLeft:
    participant_id: str
    reason: str


@dataclass(frozen=True)
class TrackPublished:
    participant_id: str
    track: TrackView


@dataclass(frozen=True)
class TrackUnpublished:
    participant_id: str
    track_id: str


@dataclass(frozen=True)
class TrackMuted:
    participant_id: str
    track_id: str
    muted: bool


@dataclass(frozen=True)
class ReceiveOffer:
    """The relay offers the participant's receive connection these tracks."""

    sdp: str
    tracks: tuple[ForwardedTrack, ...]
    fresh: bool  # a new connection: the participant drops its previous one


@dataclass(frozen=True)
class PublishAnswer:
    """The relay's answer to the participant's offer on its publish connection."""

    sdp: str


@dataclass(frozen=True)
class NegotiationFailed:
    """The receive connection failed and starts afresh; a new offer follows."""

    reason: str


@dataclass(frozen=True)
class ClassEnded:
    pass


ClassEvent = Union[
    Seated,
    ParticipantJoined,
    ParticipantLeft,
    TrackPublished,
    TrackUnpublished,
    TrackMuted,
    ReceiveOffer,
    PublishAnswer,
    NegotiationFailed,
    ClassEnded,
]


class Dismissal(enum.Enum):
    """Why the class lets a participant's connection go."""

    REPLACED = "replaced"  # the same person joined again from another window or device
    CLASS_ENDED = "class_ended"
    SERVER_SHUTDOWN = "server_shutdown"
