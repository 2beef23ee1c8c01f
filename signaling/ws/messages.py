"""The signaling protocol: every WebSocket message, in one pydantic discriminated union each way.

Documented for humans in docs/protocol.md; this module is the single source of truth. A
message that does not validate never reaches class logic: `parse_client_message` turns every
kind of bad input into a `MessageError` with a stable code.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from classroom.roles import Role, Source

PROTOCOL_VERSION = 1

MAX_SDP_CHARS = 60_000
MAX_TRACKS_PER_MESSAGE = 8

TrackId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
ParticipantId = Annotated[str, Field(min_length=1, max_length=64)]
DisplayName = Annotated[str, Field(min_length=1, max_length=80)]
Sdp = Annotated[str, Field(min_length=1, max_length=MAX_SDP_CHARS)]


class ErrorCode(str, enum.Enum):
    """Stable error codes; clients translate them for users (web/i18n)."""

    BAD_JSON = "bad_json"
    BAD_MESSAGE = "bad_message"
    UNKNOWN_TYPE = "unknown_type"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    NOT_JOINED = "not_joined"
    ALREADY_JOINED = "already_joined"
    UNSUPPORTED_VERSION = "unsupported_version"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_INVALID = "token_invalid"
    WRONG_CLASS = "wrong_class"
    CLASS_NOT_FOUND = "class_not_found"
    CLASS_ENDED = "class_ended"
    CLASS_FULL = "class_full"
    NOT_ALLOWED = "not_allowed"
    UNKNOWN_TRACK = "unknown_track"
    INVALID_SDP = "invalid_sdp"
    INVALID_CANDIDATE = "invalid_candidate"
    NEGOTIATION_FAILED = "negotiation_failed"
    REPLACED = "replaced"
    KEEPALIVE_TIMEOUT = "keepalive_timeout"
    SERVER_BUSY = "server_busy"
    INTERNAL = "internal"


class MessageError(Exception):
    """A problem with what a client sent; `fatal` errors close the connection."""

    def __init__(self, code: ErrorCode, message: str, *, fatal: bool = False, ref: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fatal = fatal
        self.ref = ref


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- shared shapes -------------------------------------------------------------------------


class IceCandidate(_Message):
    """As in the browser's RTCIceCandidateInit."""

    candidate: Annotated[str, Field(max_length=512)]
    sdpMid: Annotated[str, Field(max_length=32)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=255)] | None = None


class TrackDeclaration(_Message):
    track_id: TrackId  # the MediaStreamTrack id, as in the SDP's a=msid
    source: Source


class TrackInfo(_Message):
    track_id: TrackId
    source: Source
    kind: Literal["audio", "video"]
    muted: bool = False


class ParticipantInfo(_Message):
    id: ParticipantId
    role: Role
    name: str
    external_id: str | None = None
    tracks: list[TrackInfo] = []


class LiveClassInfo(_Message):
    id: str
    title: str
    room: str | None = None


class IceServerInfo(_Message):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class SubscribedTrack(_Message):
    """Which publisher's track an m-line of the subscribe connection carries."""

    mid: str
    participant_id: ParticipantId
    track_id: TrackId
    source: Source
    kind: Literal["audio", "video"]


class Limits(_Message):
    max_message_bytes: int
    rate_per_second: float
    keepalive_timeout_s: float


# ---- client → server -----------------------------------------------------------------------


class Join(_Message):
    type: Literal["join"]
    v: int
    token: Annotated[str, Field(min_length=1, max_length=4096)]
    name: DisplayName | None = None  # used when the link carries no name
    client_id: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] | None = None


class Publish(_Message):
    type: Literal["publish"]
    tracks: Annotated[list[TrackDeclaration], Field(min_length=1, max_length=MAX_TRACKS_PER_MESSAGE)]


class Unpublish(_Message):
    type: Literal["unpublish"]
    track_ids: Annotated[list[TrackId], Field(min_length=1, max_length=MAX_TRACKS_PER_MESSAGE)]


class ClientOffer(_Message):
    type: Literal["offer"]
    transport: Literal["publish"]
    sdp: Sdp


class ClientAnswer(_Message):
    type: Literal["answer"]
    transport: Literal["subscribe"]
    sdp: Sdp


class Candidate(_Message):
    type: Literal["candidate"]
    transport: Literal["publish", "subscribe"]
    candidate: IceCandidate | None  # null: end of candidates


class Mute(_Message):
    type: Literal["mute"]
    track_id: TrackId
    muted: bool


class ReceiveMedia(_Message):
    """What the participant wants to receive: `video: false` for weak links (audio only)."""

    type: Literal["receive"]
    video: bool


class EndClass(_Message):
    """The lecturer ends the class for everyone."""

    type: Literal["end_class"]


class Ping(_Message):
    type: Literal["ping"]
    ts: float | None = None


class Leave(_Message):
    type: Literal["leave"]


ClientRequest = Union[Join, Publish, Unpublish, ClientOffer, ClientAnswer, Candidate, Mute, ReceiveMedia, EndClass, Ping, Leave]
ClientMessage = Annotated[ClientRequest, Field(discriminator="type")]

# ---- server → client -----------------------------------------------------------------------


class Joined(_Message):
    type: Literal["joined"] = "joined"
    v: int = PROTOCOL_VERSION
    participant: ParticipantInfo
    class_: LiveClassInfo = Field(alias="class")
    participants: list[ParticipantInfo]
    ice_servers: list[IceServerInfo]
    limits: Limits

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class ParticipantJoined(_Message):
    type: Literal["participant_joined"] = "participant_joined"
    participant: ParticipantInfo


class ParticipantLeft(_Message):
    type: Literal["participant_left"] = "participant_left"
    participant_id: ParticipantId
    reason: str = "left"


class TrackPublished(_Message):
    type: Literal["track_published"] = "track_published"
    participant_id: ParticipantId
    track: TrackInfo


class TrackUnpublished(_Message):
    type: Literal["track_unpublished"] = "track_unpublished"
    participant_id: ParticipantId
    track_id: TrackId


class TrackMuted(_Message):
    type: Literal["track_muted"] = "track_muted"
    participant_id: ParticipantId
    track_id: TrackId
    muted: bool


class ServerOffer(_Message):
    type: Literal["offer"] = "offer"
    transport: Literal["subscribe"] = "subscribe"
    sdp: str
    tracks: list[SubscribedTrack]
    fresh: bool = False  # for a new connection: drop the previous subscribe connection


class ServerAnswer(_Message):
    type: Literal["answer"] = "answer"
    transport: Literal["publish"] = "publish"
    sdp: str


class ServerCandidate(_Message):
    type: Literal["candidate"] = "candidate"
    transport: Literal["publish", "subscribe"]
    candidate: IceCandidate | None


class Pong(_Message):
    type: Literal["pong"] = "pong"
    ts: float | None = None


class Error(_Message):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    fatal: bool = False
    ref: str | None = None  # the type of the client message this answers, when known
    retry_after_s: float | None = None  # server_busy: try again no sooner than this


class ClassEnded(_Message):
    type: Literal["class_ended"] = "class_ended"


ServerMessage = Annotated[
    Union[
        Joined,
        ParticipantJoined,
        ParticipantLeft,
        TrackPublished,
        TrackUnpublished,
        TrackMuted,
        ServerOffer,
        ServerAnswer,
        ServerCandidate,
        Pong,
        Error,
        ClassEnded,
    ],
    Field(discriminator="type"),
]

_client_adapter: TypeAdapter[Any] = TypeAdapter(ClientMessage)
_server_adapter: TypeAdapter[Any] = TypeAdapter(ServerMessage)


def parse_client_message(raw: str | bytes, max_bytes: int) -> ClientRequest:
    """Validate one frame from a client, or raise MessageError saying what is wrong."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise MessageError(ErrorCode.TOO_LARGE, f"message of {size} bytes exceeds the limit of {max_bytes}", fatal=True)
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MessageError(ErrorCode.BAD_JSON, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MessageError(ErrorCode.BAD_MESSAGE, "a message must be a JSON object")
    kind = data.get("type")
    try:
        message: ClientRequest = _client_adapter.validate_python(data)
        return message
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] == "union_tag_invalid" for e in errors):
            raise MessageError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind!r}", ref=str(kind)[:32]) from None
        if any(e["type"] == "union_tag_not_found" for e in errors):
            raise MessageError(ErrorCode.BAD_MESSAGE, "the message has no 'type'") from None
        raise MessageError(ErrorCode.BAD_MESSAGE, _describe(errors), ref=str(kind)[:32]) from None


def _describe(errors: list[Any]) -> str:
    parts = []
    for e in errors[:3]:
        where = ".".join(str(p) for p in e["loc"][1:]) or "message"
        parts.append(f"{where}: {e['msg']}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def encode(message: BaseModel) -> str:
    """Serialize one server message (aliases applied, e.g. 'class')."""
    return message.model_dump_json(by_alias=True, exclude_none=False)


def parse_server_message(raw: str | bytes) -> Any:
    """For clients (tests, the room agent): validate a frame from the server."""
    return _server_adapter.validate_json(raw)
