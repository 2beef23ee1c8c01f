"""The signaling protocol: every WebSocket message, in one pydantic discriminated union each way.

Documented for humans in docs/protocol.md; this module is the single source of truth. A
message that does not validate never reaches class logic: `parse_client_message` turns every
kind of bad input into a `MessageError` with a stable code.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from classroom.assessment.live_quiz import QUESTIONS_MAX, TIME_LIMIT_MAX_S, TIME_LIMIT_MIN_S
from classroom.assessment.questions import OPTION_MAX, OPTIONS_MAX, TEXT_MAX, TOPIC_MAX
from classroom.chat import CHAT_MAX_CHARS
from classroom.reactions import REACTIONS
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
    CLASS_LOCKED = "class_locked"
    REMOVED = "removed"
    REFUSED = "refused"
    NOT_ADMITTED = "not_admitted"
    FLOOR_FULL = "floor_full"
    CHAT_OFF = "chat_off"
    INVALID_CHAT = "invalid_chat"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    KEEPALIVE_TIMEOUT = "keepalive_timeout"
    SERVER_BUSY = "server_busy"
    RECORDING_UNAVAILABLE = "recording_unavailable"
    INTERNAL = "internal"
    INVALID_QUIZ = "invalid_quiz"
    QUIZ_RUNNING = "quiz_running"
    UNKNOWN_QUIZ = "unknown_quiz"
    QUIZ_CLOSED = "quiz_closed"
    ALREADY_ANSWERED = "already_answered"
    INVALID_ANSWER = "invalid_answer"


class MessageError(Exception):
    """A problem with what a client sent; `fatal` errors close the connection."""

    def __init__(
        self, code: ErrorCode, message: str, *, fatal: bool = False, ref: str | None = None
    ):
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


LayerQuality = Literal["high", "medium", "low"]
LayerState = Literal["high", "medium", "low", "paused"]
LinkQualityLevel = Literal["good", "fair", "poor"]
MAX_VIEW_TRACKS = 32


class TrackDeclaration(_Message):
    track_id: TrackId  # the MediaStreamTrack id, as in the SDP's a=msid
    source: Source
    # A lower layer of a layered camera: the high track's id and this track's quality
    # (docs/relay.md, "Layers"). Others only ever see the high track.
    layer_of: TrackId | None = None
    quality: LayerQuality = "high"


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
    agent: bool = False  # the room agent (it plays the class's sound in the room)


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
    # The room agent announces itself (room links only): it plays the class to the room's
    # speakers, so the room's screen page stays silent (no echo loop).
    agent: bool = False


class Publish(_Message):
    type: Literal["publish"]
    tracks: Annotated[
        list[TrackDeclaration], Field(min_length=1, max_length=MAX_TRACKS_PER_MESSAGE)
    ]


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
    """What the participant wants to receive: `video: false` for weak links (no camera video,
    slides kept at a low rate); `save_data` for metered links (lowest layers, slides on change)."""

    type: Literal["receive"]
    video: bool
    save_data: bool = False


class TileSize(_Message):
    """The displayed size of a received video tile in device pixels; 0×0: hidden."""

    track_id: TrackId
    width: Annotated[int, Field(ge=0, le=7680)]
    height: Annotated[int, Field(ge=0, le=4320)]


class View(_Message):
    """How large the page shows each received video track (a track never listed: full size)."""

    type: Literal["view"]
    tracks: Annotated[list[TileSize], Field(max_length=MAX_VIEW_TRACKS)]


class EndClass(_Message):
    """The lecturer ends the class for everyone."""

    type: Literal["end_class"]


class Ping(_Message):
    type: Literal["ping"]
    ts: float | None = None


class Leave(_Message):
    type: Literal["leave"]


# ---- client → server: running the class ----------------------------------------------------


def _known_reaction(value: str) -> str:
    if value not in REACTIONS:
        raise ValueError(f"one of {', '.join(REACTIONS)}")
    return value


ModeratedSource = Literal["microphone", "camera"]


class Chat(_Message):
    """A chat line to everyone, or (lecturers) to one participant."""

    type: Literal["chat"]
    text: Annotated[str, Field(min_length=1, max_length=CHAT_MAX_CHARS)]
    to: ParticipantId | None = None


class Hand(_Message):
    """Raise or lower one's hand; a lecturer lowers someone's with `participant_id`."""

    type: Literal["hand"]
    raised: bool
    participant_id: ParticipantId | None = None


class FloorRequest(_Message):
    """Lecturer: give or take back the floor; a trainee holding it hands it back (`give: false`)."""

    type: Literal["floor"]
    participant_id: ParticipantId
    give: bool


class React(_Message):
    type: Literal["react"]
    reaction: Annotated[str, Field(max_length=32), AfterValidator(_known_reaction)]


class Block(_Message):
    """Lecturer: stop forwarding a trainee's microphone or camera (`participant_id` null: all trainees')."""

    type: Literal["block"]
    participant_id: ParticipantId | None
    source: ModeratedSource
    may_resume: bool = True


class Allow(_Message):
    """Lecturer: lift a block; the trainee may turn that source on again."""

    type: Literal["allow"]
    participant_id: ParticipantId
    source: ModeratedSource


class Remove(_Message):
    type: Literal["remove"]
    participant_id: ParticipantId


class Readmit(_Message):
    type: Literal["readmit"]
    identity: Annotated[str, Field(min_length=1, max_length=128)]


class ChangeSettings(_Message):
    """Lecturer: switch the class's settings; fields left out stay as they are."""

    type: Literal["settings"]
    chat: bool | None = None
    locked: bool | None = None
    lobby: bool | None = None
    auto_admit_personal: bool | None = None
    floor_screen_share: bool | None = None


class Admit(_Message):
    """Lecturer: let someone waiting in the lobby in (`admit: false` refuses them)."""

    type: Literal["admit"]
    seat_id: ParticipantId
    admit: bool


# ---- client → server: polls and quizzes -----------------------------------------------------

QuizId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
QuizQuestionKind = Literal["single", "multiple", "true_false"]
OptionIndex = Annotated[int, Field(ge=0, lt=OPTIONS_MAX)]


class QuizQuestionIn(_Message):
    """A question typed on the spot (a poll's needs no `correct`); `correct` holds option
    indexes, or [0] true / [1] false."""

    kind: QuizQuestionKind
    text: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]
    options: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=OPTION_MAX)]],
        Field(max_length=OPTIONS_MAX),
    ] = []
    correct: Annotated[list[OptionIndex], Field(max_length=OPTIONS_MAX)] = []


class QuizDrawIn(_Message):
    """Draw `count` questions from the course's bank, of a topic and/or difficulty."""

    count: Annotated[int, Field(ge=1, le=QUESTIONS_MAX)]
    topic: Annotated[str, Field(max_length=TOPIC_MAX)] | None = None
    difficulty: Literal["easy", "medium", "hard"] | None = None


class QuizStart(_Message):
    """Lecturer: launch a poll or quiz: questions typed here, chosen from the course's bank by
    id, and/or drawn from it; the server ends it `time_limit_s` later."""

    type: Literal["quiz_start"]
    kind: Literal["poll", "quiz"]
    time_limit_s: Annotated[int, Field(ge=TIME_LIMIT_MIN_S, le=TIME_LIMIT_MAX_S)]
    questions: Annotated[list[QuizQuestionIn], Field(max_length=QUESTIONS_MAX)] = []
    question_ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=QUESTIONS_MAX)] = []
    draw: Annotated[list[QuizDrawIn], Field(max_length=10)] = []
    anonymous: bool = False
    shuffle: bool = True


class QuizAnswer(_Message):
    """Trainee: the answer to one question of their paper, by the positions they were shown."""

    type: Literal["quiz_answer"]
    quiz_id: QuizId
    question: Annotated[int, Field(ge=0, lt=QUESTIONS_MAX)]
    choice: Annotated[list[OptionIndex], Field(min_length=1, max_length=OPTIONS_MAX)]


class QuizEnd(_Message):
    """Lecturer: end the poll or quiz before its time."""

    type: Literal["quiz_end"]
    quiz_id: QuizId


class QuizRelease(_Message):
    """Lecturer: show each trainee their score (a quiz) or everyone the counts (a poll)."""

    type: Literal["quiz_release"]
    quiz_id: QuizId


class Record(_Message):
    """The lecturer starts (`on`: true) or stops recording the class."""

    type: Literal["record"]
    on: bool


ClientRequest = Union[
    Join,
    Publish,
    Unpublish,
    ClientOffer,
    ClientAnswer,
    Candidate,
    Mute,
    ReceiveMedia,
    View,
    EndClass,
    Ping,
    Leave,
    Chat,
    Hand,
    FloorRequest,
    React,
    Block,
    Allow,
    Remove,
    Readmit,
    ChangeSettings,
    Admit,
    QuizStart,
    QuizAnswer,
    QuizEnd,
    QuizRelease,
    Record,
]
ClientMessage = Annotated[ClientRequest, Field(discriminator="type")]

# ---- server → client -----------------------------------------------------------------------


class ClassSettingsInfo(_Message):
    chat: bool
    locked: bool
    lobby: bool
    auto_admit_personal: bool
    floor_screen_share: bool


class RaisedHandInfo(_Message):
    participant_id: ParticipantId
    raised_at: AwareDatetime


class BlockInfo(_Message):
    participant_id: ParticipantId
    source: Source
    may_resume: bool


RecordingStopReason = Literal[
    "stopped",
    "class_ended",
    "everyone_left",
    "server_shutdown",
    "disk_full",
    "quota",
    "write_error",
]


class RecordingStateInfo(_Message):
    active: bool
    since: AwareDatetime | None = None
    by: str | None = None
    reason: RecordingStopReason | None = None


class ClassStateInfo(_Message):
    settings: ClassSettingsInfo
    hands: list[RaisedHandInfo]
    floor: list[ParticipantId]
    blocks: list[BlockInfo]
    recording: RecordingStateInfo = RecordingStateInfo(active=False)


class ChatLineInfo(_Message):
    id: int
    at: AwareDatetime
    sender_id: ParticipantId
    sender_name: str
    sender_role: Role
    text: str
    to_id: ParticipantId | None = None
    to_name: str | None = None


class WaitingInfo(_Message):
    seat_id: ParticipantId
    name: str
    external_id: str | None
    since: AwareDatetime


class RemovalInfo(_Message):
    identity: str
    name: str
    at: AwareDatetime


class Joined(_Message):
    type: Literal["joined"] = "joined"
    v: int = PROTOCOL_VERSION
    participant: ParticipantInfo
    class_: LiveClassInfo = Field(alias="class")
    participants: list[ParticipantInfo]
    state: ClassStateInfo
    chat: list[ChatLineInfo]
    ice_servers: list[IceServerInfo]
    limits: Limits

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )


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


class WaitingInLobby(_Message):
    type: Literal["waiting"] = "waiting"
    class_: LiveClassInfo = Field(alias="class")

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )


class LobbyInfo(_Message):
    type: Literal["lobby"] = "lobby"
    waiting: list[WaitingInfo]
    removed: list[RemovalInfo]


class ChatPosted(_Message):
    type: Literal["chat"] = "chat"
    line: ChatLineInfo


class HandsInfo(_Message):
    type: Literal["hands"] = "hands"
    hands: list[RaisedHandInfo]


class FloorInfo(_Message):
    type: Literal["floor"] = "floor"
    holders: list[ParticipantId]


class Reaction(_Message):
    type: Literal["reaction"] = "reaction"
    participant_id: ParticipantId
    reaction: str


class Blocked(_Message):
    type: Literal["blocked"] = "blocked"
    participant_id: ParticipantId
    source: Source
    blocked: bool
    may_resume: bool


class CheckIn(_Message):
    """A trainee checked in to the class from the room (or out: `checked_out_at`); sent to
    the lecturer, the room and observers. The whole list: ``GET /api/classes/{id}/checkins``."""

    type: Literal["checkin"] = "checkin"
    external_id: str
    name: str
    checked_in_at: AwareDatetime
    checked_out_at: AwareDatetime | None = None


class SettingsInfo(_Message):
    type: Literal["settings"] = "settings"
    settings: ClassSettingsInfo


class QuizQuestionInfo(_Message):
    kind: QuizQuestionKind
    text: str
    options: list[str]  # in the order this recipient is shown them
    correct: list[int] | None = None  # lecturers only


class QuizAnsweredInfo(_Message):
    question: int  # as shown on the trainee's paper
    choice: list[int]


class QuizInfo(_Message):
    id: QuizId
    kind: Literal["poll", "quiz"]
    anonymous: bool
    started_at: AwareDatetime
    deadline: AwareDatetime  # the server refuses answers after it
    time_limit_s: int
    open: bool
    questions: list[QuizQuestionInfo]
    answered: list[QuizAnsweredInfo]  # a trainee's answers so far (after a reload)


class QuizResultInfo(_Message):
    identity: str  # the trainee's external id ("" in an anonymous poll)
    name: str
    answered: int
    correct: int
    score: float  # 0..100


class QuizStarted(_Message):
    type: Literal["quiz"] = "quiz"
    quiz: QuizInfo


class QuizSaved(_Message):
    type: Literal["quiz_saved"] = "quiz_saved"
    quiz_id: QuizId
    question: int


class QuizResults(_Message):
    type: Literal["quiz_results"] = "quiz_results"
    quiz_id: QuizId
    open: bool
    counts: list[list[int]]  # per question (lecturer's order), per option
    results: list[QuizResultInfo]


class QuizEnded(_Message):
    type: Literal["quiz_ended"] = "quiz_ended"
    quiz_id: QuizId


class QuizReleased(_Message):
    type: Literal["quiz_released"] = "quiz_released"
    quiz_id: QuizId
    counts: list[list[int]]  # a poll's counts (empty for a quiz)
    result: QuizResultInfo | None  # a quiz: the trainee's own
    correct: list[list[int]]  # a quiz: per question as shown, the right options as shown


class RecordingInfo(_Message):
    type: Literal["recording"] = "recording"
    recording: RecordingStateInfo


class TrackLayer(_Message):
    track_id: TrackId
    layer: LayerState


class Link(_Message):
    """To a subscriber: its link as the relay sees it and the layer it gets of each video."""

    type: Literal["link"] = "link"
    quality: LinkQualityLevel
    reduced: bool  # the picture is lower than the tiles ask for because of the connection
    estimate_kbps: int | None
    tracks: list[TrackLayer]


class LayerActivity(_Message):
    track_id: TrackId
    active: bool


class Layers(_Message):
    """To a publisher: which of its layer tracks someone receives (encode only those)."""

    type: Literal["layers"] = "layers"
    tracks: list[LayerActivity]


class ParticipantLink(_Message):
    id: ParticipantId
    quality: LinkQualityLevel
    layer: LayerState | None
    estimate_kbps: int | None


class LinkQuality(_Message):
    """To lecturers: each participant's link quality and the layer it receives."""

    type: Literal["link_quality"] = "link_quality"
    participants: list[ParticipantLink]


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
        WaitingInLobby,
        LobbyInfo,
        ChatPosted,
        HandsInfo,
        FloorInfo,
        Reaction,
        Blocked,
        SettingsInfo,
        CheckIn,
        QuizStarted,
        QuizSaved,
        QuizResults,
        QuizEnded,
        QuizReleased,
        RecordingInfo,
        Link,
        Layers,
        LinkQuality,
    ],
    Field(discriminator="type"),
]

_client_adapter: TypeAdapter[Any] = TypeAdapter(ClientMessage)
_server_adapter: TypeAdapter[Any] = TypeAdapter(ServerMessage)


def parse_client_message(raw: str | bytes, max_bytes: int) -> ClientRequest:
    """Validate one frame from a client, or raise MessageError saying what is wrong.

    Input nested deeper than Python's recursion limit makes the JSON decoder (and anything
    walking the result) raise RecursionError: that is bad input too, not a server bug.
    """
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise MessageError(
            ErrorCode.TOO_LARGE,
            f"message of {size} bytes exceeds the limit of {max_bytes}",
            fatal=True,
        )
    try:
        data = json.loads(raw)
    except RecursionError:
        raise MessageError(ErrorCode.BAD_JSON, "not valid JSON: nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MessageError(ErrorCode.BAD_JSON, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MessageError(ErrorCode.BAD_MESSAGE, "a message must be a JSON object")
    kind = data.get("type")
    ref = kind[:32] if isinstance(kind, str) else None
    try:
        return _validate(data, kind, ref)
    except RecursionError:
        raise MessageError(
            ErrorCode.BAD_MESSAGE, "the message is nested too deeply", ref=ref
        ) from None


def _validate(data: dict[str, Any], kind: object, ref: str | None) -> ClientRequest:
    try:
        message: ClientRequest = _client_adapter.validate_python(data)
        return message
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if "type" in data and not isinstance(kind, str):
            raise MessageError(ErrorCode.BAD_MESSAGE, "'type' must be a string") from None
        if any(e["type"] == "union_tag_invalid" for e in errors):
            raise MessageError(
                ErrorCode.UNKNOWN_TYPE, f"unknown message type {ref!r}", ref=ref
            ) from None
        if any(e["type"] == "union_tag_not_found" for e in errors):
            raise MessageError(ErrorCode.BAD_MESSAGE, "the message has no 'type'") from None
        raise MessageError(ErrorCode.BAD_MESSAGE, _describe(errors), ref=ref) from None


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
