"""What a live class tells its participants, in the class's own terms.

The class emits these events to each participant's `Outbox`; the edge (the WebSocket
signaling) turns them into frames of its wire protocol. Nothing here knows JSON, pydantic or
protocol versions, so the class can be driven and observed without a wire.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Union

from classroom.assessment.quiz_events import (
    QuizAnswerTaken,
    QuizEnded,
    QuizReleased,
    QuizResults,
    QuizStarted,
)
from classroom.chat import ChatLine
from classroom.hands import RaisedHand
from classroom.journal import Removal
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
    agent: bool = False  # the room's agent: it plays the class to the room's speakers


@dataclass(frozen=True)
class ForwardedTrack:
    """Which publisher's track one m-line of a participant's receive connection carries."""

    mid: str
    participant_id: str
    track_id: str
    source: Source
    kind: MediaKind


@dataclass(frozen=True)
class ClassSettings:
    """What the lecturer switches during the class."""

    chat: bool = True  # trainees may chat (the lecturer always may)
    locked: bool = False  # no new trainees or observers get in
    lobby: bool = False  # trainees wait until the lecturer admits them...
    auto_admit_personal: bool = True  # ...except those with a personal link (an external id)
    floor_screen_share: bool = False  # a trainee holding the floor may share their screen


@dataclass(frozen=True)
class MediaBlock:
    """The lecturer stopped forwarding one source of a participant (their microphone, camera)."""

    participant_id: str
    source: Source
    may_resume: bool  # the participant may lift it by unmuting themselves


@dataclass(frozen=True)
class RecordingStatus:
    """Whether the class is being recorded (everyone sees it), since when and by whom; when a
    recording stopped, why (`stopped`, `class_ended`, `disk_full`, `quota`, `write_error`)."""

    active: bool = False
    since: datetime | None = None
    by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ClassState:
    """Everything of a live class a newcomer needs besides the roster."""

    settings: ClassSettings
    hands: tuple[RaisedHand, ...]
    floor: tuple[str, ...]
    blocks: tuple[MediaBlock, ...]
    recording: RecordingStatus = RecordingStatus()


@dataclass(frozen=True)
class WaitingView:
    """Someone waiting in the lobby, as lecturers see them."""

    seat_id: str
    name: str
    external_id: str | None
    since: datetime


# ---- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seated:
    """The newcomer is in: who they are, the class, who else is there, its state and chat."""

    participant: ParticipantView
    class_summary: ClassSummary
    participants: tuple[ParticipantView, ...]
    state: ClassState
    chat: tuple[ChatLine, ...] = ()


@dataclass(frozen=True)
class Waiting:
    """The newcomer waits in the lobby for the lecturer to let them in."""

    class_summary: ClassSummary


@dataclass(frozen=True)
class LobbyChanged:
    """For lecturers: who waits to be let in, and who was removed (and may be re-admitted)."""

    waiting: tuple[WaitingView, ...]
    removed: tuple[Removal, ...]


@dataclass(frozen=True)
class ChatPosted:
    line: ChatLine


@dataclass(frozen=True)
class HandsChanged:
    hands: tuple[RaisedHand, ...]  # first raised first


@dataclass(frozen=True)
class FloorChanged:
    holders: tuple[str, ...]


@dataclass(frozen=True)
class Reacted:
    participant_id: str
    reaction: str


@dataclass(frozen=True)
class MediaBlocked:
    """A source of a participant is (no longer) forwarded by the lecturer's decision."""

    block: MediaBlock
    blocked: bool


@dataclass(frozen=True)
class SettingsChanged:
    settings: ClassSettings


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


@dataclass(frozen=True)
class CheckInChanged:
    """A trainee checked in to the class from the room (or out of it): for its lecturers."""

    external_id: str
    name: str
    checked_in_at: datetime
    checked_out_at: datetime | None


@dataclass(frozen=True)
class RecordingChanged:
    """Recording started or stopped (by the lecturer, or on its own when storage ran out)."""

    status: RecordingStatus


@dataclass(frozen=True)
class LinkChanged:
    """To a subscriber: its link as the relay measures it, and the layer of each video."""

    quality: str  # good, fair, poor
    reduced: bool  # lower than the tiles ask for, because of the connection
    estimate_kbps: int | None
    tracks: tuple[tuple[str, str], ...]  # (track id, layer: high/medium/low/paused)


@dataclass(frozen=True)
class LayersChanged:
    """To a publisher: which of its layer tracks someone receives (encode only those)."""

    tracks: tuple[tuple[str, bool], ...]  # (track id, active)


@dataclass(frozen=True)
class ParticipantLink:
    participant_id: str
    quality: str
    layer: str | None  # the best layer received of a camera, "paused", None: no camera
    estimate_kbps: int | None


@dataclass(frozen=True)
class LinkQualities:
    """To lecturers: every participant's link."""

    participants: tuple[ParticipantLink, ...]


ClassEvent = Union[
    Seated,
    Waiting,
    LobbyChanged,
    ChatPosted,
    HandsChanged,
    FloorChanged,
    Reacted,
    MediaBlocked,
    SettingsChanged,
    ParticipantJoined,
    ParticipantLeft,
    TrackPublished,
    TrackUnpublished,
    TrackMuted,
    ReceiveOffer,
    PublishAnswer,
    NegotiationFailed,
    ClassEnded,
    CheckInChanged,
    QuizStarted,
    QuizAnswerTaken,
    QuizResults,
    QuizEnded,
    QuizReleased,
    RecordingChanged,
    LinkChanged,
    LayersChanged,
    LinkQualities,
]


class Dismissal(enum.Enum):
    """Why the class lets a participant's connection go."""

    REPLACED = "replaced"  # the same person joined again from another window or device
    REMOVED = "removed"  # the lecturer removed them
    REFUSED = "refused"  # the lecturer did not let them in from the lobby
    CLASS_ENDED = "class_ended"
    SERVER_SHUTDOWN = "server_shutdown"
