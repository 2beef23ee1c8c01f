"""A class while it is live: who is in it, what each one publishes, who receives what, and how
the lecturer runs it (chat, raised hands, the floor, moderation, the lobby).

One `LiveClass` per running class. It owns the roster, the lobby and the published tracks,
applies the subscription topology (classroom/subscriptions.py) through each participant's
media peer, and carries out what participants ask. It knows nothing of WebSockets, frames or
databases: it tells each participant what happened through their `Outbox` in its own events
(classroom/events.py), refuses requests with its own errors (classroom/errors.py), keeps chat
lines and removals in a `ClassJournal`, and gets each participant's media from a
`MediaPeerFactory`. The edge (signaling/ws/) maps frames to these calls and events back.

Every moderation rule is enforced here, not by the pages: a blocked microphone's packets are
not forwarded, a removed person's link is refused, a trainee cannot act on others.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Awaitable, Callable, Iterable, Protocol

from classroom.assessment.in_class import ClassQuizzes
from classroom.assessment.quiz_bank import QuizBank
from classroom.chat import CHAT_BURST, CHAT_HISTORY, CHAT_MAX_CHARS, CHAT_RATE_PER_SECOND, ChatLine, clean_text
from classroom.errors import ChatOff, ClassFull, ClassLocked, InvalidCandidate, InvalidChat, InvalidSdp
from classroom.errors import ClassEnded as ClassHasEnded
from classroom.errors import NotAdmitted, NotAllowed, RecordingUnavailable, RemovedFromClass, TooFast
from classroom.errors import UnknownParticipant, UnknownTrack
from classroom.events import (
    ChatPosted,
    CheckInChanged,
    ClassEnded,
    ClassEvent,
    ClassSettings,
    ClassState,
    ClassSummary,
    Dismissal,
    FloorChanged,
    ForwardedTrack,
    HandsChanged,
    LayersChanged,
    LinkChanged,
    LinkQualities,
    LobbyChanged,
    MediaBlock,
    MediaBlocked,
    MediaKind,
    NegotiationFailed,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantLink,
    ParticipantView,
    PublishAnswer,
    Reacted,
    ReceiveOffer,
    RecordingChanged,
    RecordingStatus,
    Seated,
    SettingsChanged,
    TrackMuted,
    TrackPublished,
    TrackUnpublished,
    TrackView,
    Waiting,
    WaitingView,
)
from classroom.floor import DEFAULT_FLOOR_LIMIT, Floor
from classroom.hands import HandQueue
from classroom.journal import ChatDraft, ClassJournal, Removal
from classroom.participant_media import (
    IncomingMedia,
    MediaPeerFactory,
    NegotiationError,
    OfferSender,
    ParticipantMedia,
)
from classroom.reactions import REACTION_BURST, REACTION_RATE_PER_SECOND, REACTIONS
from classroom.recording.recording import Recording, RecordingFactory, StopReason, TrackLabel
from classroom.recording.track_file import StorageError
from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import UpTrack
from classroom.relay.layers import Priority, Quality
from classroom.roles import SOURCE_KIND, Role, Source, may_publish
from classroom.seat_limits import SeatLimits
from classroom.subscriptions import receives
from classroom.token_bucket import TokenBucket

logger = logging.getLogger(__name__)

SCREEN_SOURCES = frozenset({Source.SCREEN, Source.SCREEN_AUDIO})
MODERATED_SOURCES = frozenset({Source.MICROPHONE, Source.CAMERA})
# Who the lock and removals keep out; lecturers and the room always get back in.
GUESTS = frozenset({Role.TRAINEE, Role.OBSERVER})
LOWER_LAYERS: frozenset[str] = frozenset({"medium", "low"})
# At most one `link` a second to a subscriber, one `link_quality` every 2 s to lecturers.
LINK_INTERVAL_S = 1.0
LINK_QUALITY_INTERVAL_S = 2.0
LINK_QUALITY_CHECK_S = 0.5  # how often the links are compared for a change
# Which layers anyone receives is checked at most this often (every subscriber reports twice a
# second; one check covers them all).
LAYERS_CHECK_INTERVAL_S = 0.25


class Outbox(Protocol):
    """A participant's connection as the class sees it."""

    def send(self, event: ClassEvent) -> None:
        """Queue an event for the participant; never blocks."""

    def dismiss(self, why: Dismissal) -> None:
        """Let the participant's connection go (after what was queued)."""


@dataclass
class PublishedTrack:
    track_id: str
    source: Source
    kind: MediaKind
    uptrack: UpTrack
    muted: bool = False
    # A layered camera's lower layers (docs/relay.md, "Layers"): quality → (track id, track).
    layers: dict[Quality, tuple[str, UpTrack]] = field(default_factory=dict)

    def view(self) -> TrackView:
        return TrackView(track_id=self.track_id, source=self.source, kind=self.kind, muted=self.muted)

    def layer_map(self) -> dict[Quality, UpTrack]:
        """Every layer of this source, the published (high) track included."""
        return {"high": self.uptrack, **{q: up for q, (_, up) in self.layers.items()}}


@dataclass
class Participant:
    id: str
    role: Role
    name: str
    external_id: str | None
    client_id: str | None
    outbox: Outbox
    peer: ParticipantMedia
    agent: bool = False  # the room's agent (announced at join; room role only)
    declared: dict[str, Source] = field(default_factory=dict)
    published: dict[str, PublishedTrack] = field(default_factory=dict)
    receive_video: bool = True  # False: no camera video, for weak links (slides kept)
    save_data: bool = False  # metered link: lowest layers, slides on change
    # Lower layers of a layered camera: declared (track id → (high track id, quality)), and
    # received before their high track was published.
    declared_layers: dict[str, tuple[str, Quality]] = field(default_factory=dict)
    spare_layers: dict[str, tuple[str, Quality, UpTrack]] = field(default_factory=dict)
    link: ParticipantLink | None = None
    sent_link: LinkChanged | None = None
    sent_link_at: float = 0.0
    sent_layers: dict[str, bool] = field(default_factory=dict)
    blocked: dict[Source, bool] = field(default_factory=dict)  # source -> may resume by themselves
    chat_pace: TokenBucket = field(default_factory=lambda: TokenBucket(CHAT_RATE_PER_SECOND, CHAT_BURST))
    reaction_pace: TokenBucket = field(
        default_factory=lambda: TokenBucket(REACTION_RATE_PER_SECOND, REACTION_BURST)
    )

    @property
    def identity(self) -> str | None:
        """Who this is across reconnects: the school's id, else the browser's."""
        return self.external_id or self.client_id

    def view(self) -> ParticipantView:
        return ParticipantView(
            id=self.id,
            role=self.role,
            name=self.name,
            external_id=self.external_id,
            tracks=tuple(t.view() for t in self.published.values()),
            agent=self.agent,
        )

    def stream_id(self, source: Source) -> str:
        """One msid stream per publisher and kind of content: camera+mic stay in lip-sync."""
        return f"{self.id}-screen" if source in SCREEN_SOURCES else self.id


@dataclass
class Seat:
    """A place in a live class: waiting in the lobby (`participant` None) or seated."""

    id: str
    role: Role
    name: str
    external_id: str | None
    client_id: str | None
    outbox: Outbox
    since: datetime
    participant: Participant | None = None
    agent: bool = False

    @property
    def identity(self) -> str | None:
        return self.external_id or self.client_id


def _now() -> datetime:
    return datetime.now(UTC)


class LiveClass:
    def __init__(
        self,
        summary: ClassSummary,
        media: MediaPeerFactory,
        max_participants: int,
        end_requested: Callable[[], Awaitable[None]] | None = None,
        *,
        journal: ClassJournal | None = None,
        chat_history: Iterable[ChatLine] = (),
        removals: Iterable[Removal] = (),
        floor_limit: int = DEFAULT_FLOOR_LIMIT,
        settings: ClassSettings | None = None,
        clock: Callable[[], datetime] = _now,
        quiz_bank: QuizBank | None = None,
        recordings: RecordingFactory | None = None,
        seat_limits: SeatLimits | None = None,
    ):
        """`recordings` makes a recording of this class when the lecturer starts one (None:
        recording is off). `max_participants` is the class size: trainees only; the other
        roles' limits come from `seat_limits`."""
        self.summary = summary
        self._media = media
        self._end_requested = end_requested
        self._journal = journal
        self._clock = clock
        self.max_participants = max_participants
        self.seat_limits = replace(seat_limits or SeatLimits(), trainees=max_participants)
        self.participants: dict[str, Participant] = {}
        self.lobby: dict[str, Seat] = {}
        self.settings = settings or ClassSettings()
        self.hands = HandQueue()
        self.floor = Floor(floor_limit)
        self.chat: deque[ChatLine] = deque(chat_history, maxlen=CHAT_HISTORY)
        self.removed: dict[str, Removal] = {r.identity: r for r in removals}
        self.ended = False
        self.quizzes = ClassQuizzes(summary.id, clock, lambda: list(self.participants.values()), quiz_bank)
        self._recordings = recordings
        self.recording: Recording | None = None
        self._recording_status = RecordingStatus()
        self.recording_declined = False  # a lecturer stopped the recording
        self._links_sent: tuple[ParticipantLink, ...] = ()
        self._links_sent_at = 0.0
        self._links_checked_at = 0.0
        self._layers_checked_at = 0.0

    # ---- membership -------------------------------------------------------------------------------

    async def join(
        self,
        role: Role,
        name: str,
        external_id: str | None,
        client_id: str | None,
        outbox: Outbox,
        agent: bool = False,
    ) -> Seat:
        """Seat a participant (its outbox gets `Seated` first) or put them in the lobby (it gets
        `Waiting`); raises ClassEnded, RemovedFromClass, ClassLocked or ClassFull."""
        if self.ended:
            raise ClassHasEnded(self.summary.id)
        if agent and role is not Role.ROOM:
            raise NotAllowed("only the room's link may join as the room agent")
        seat = Seat(secrets.token_urlsafe(6), role, name, external_id, client_id, outbox, self._clock(), agent=agent)
        if role in GUESTS and seat.identity in self.removed:
            raise RemovedFromClass()
        await self._replace_same_person(seat)
        if self.settings.locked and role in GUESTS:
            raise ClassLocked()
        limit = self.seat_limits.of(role)
        if self._seated_as(role) >= limit:
            raise ClassFull(limit, role.value)
        if self._waits_in_lobby(seat):
            self.lobby[seat.id] = seat
            outbox.send(Waiting(class_summary=self.summary))
            self._lobby_changed()
        else:
            self._seat(seat)
        return seat

    def _seated_as(self, role: Role) -> int:
        """People of `role` in the class, the lobby included."""
        return sum(1 for p in self.participants.values() if p.role is role) + sum(
            1 for s in self.lobby.values() if s.role is role
        )

    def _waits_in_lobby(self, seat: Seat) -> bool:
        if not self.settings.lobby or seat.role is not Role.TRAINEE:
            return False
        return not (self.settings.auto_admit_personal and seat.external_id)

    async def _replace_same_person(self, seat: Seat) -> None:
        """A page reload or a second device: the newer window wins."""
        others: list[Participant | Seat] = [*self.participants.values(), *self.lobby.values()]
        for other in others:
            same_person = seat.external_id is not None and other.external_id == seat.external_id
            same_client = seat.client_id is not None and other.client_id == seat.client_id
            if (same_person or same_client) and other.role is seat.role:
                other.outbox.dismiss(Dismissal.REPLACED)
                if isinstance(other, Participant):
                    await self.leave(other, "replaced")
                else:
                    self._leave_lobby(other)

    def _seat(self, seat: Seat) -> Participant:
        participant_id = seat.id
        outbox = seat.outbox
        participant = Participant(
            id=participant_id,
            role=seat.role,
            name=seat.name,
            external_id=seat.external_id,
            client_id=seat.client_id,
            outbox=outbox,
            agent=seat.agent,
            peer=self._media(
                participant_id,
                self._offer_sender(participant_id),
                lambda reason: outbox.send(NegotiationFailed(reason)),
            ),
        )
        seat.participant = participant
        participant.peer.watch_link(lambda report: self._link_reported(participant, report))
        outbox.send(
            Seated(
                participant=participant.view(),
                class_summary=self.summary,
                participants=self.roster(),
                state=self.state(),
                chat=tuple(line for line in self.chat if self._sees(participant, line)),
            )
        )
        self.participants[participant_id] = participant
        self._broadcast(ParticipantJoined(participant=participant.view()), exclude=participant_id)
        if participant.role is Role.LECTURER:
            outbox.send(self._lobby_view())
            self._credit_lecturer(participant)
        self.quizzes.seated(participant)
        for publisher in self.participants.values():
            for track in publisher.published.values():
                self._maybe_subscribe(participant, publisher, track)
        return participant

    def roster(self) -> tuple[ParticipantView, ...]:
        return tuple(p.view() for p in self.participants.values())

    def state(self) -> ClassState:
        return ClassState(
            settings=self.settings,
            hands=self.hands.queue(),
            floor=self.floor.holders(),
            blocks=tuple(
                MediaBlock(p.id, source, may_resume)
                for p in self.participants.values()
                for source, may_resume in p.blocked.items()
            ),
            recording=self._recording_status,
        )

    def seated(self, participant: Participant) -> bool:
        """False once the participant was replaced or removed (a request may still be in flight)."""
        return self.participants.get(participant.id) is participant

    def occupant(self, seat: Seat) -> Participant:
        """The participant in this seat; NotAdmitted while they wait in the lobby."""
        if seat.participant is None:
            raise NotAdmitted()
        return seat.participant

    async def leave_seat(self, seat: Seat, reason: str) -> None:
        if seat.participant is not None:
            await self.leave(seat.participant, reason)
        elif self.lobby.get(seat.id) is seat:
            self._leave_lobby(seat)

    def _leave_lobby(self, seat: Seat) -> None:
        del self.lobby[seat.id]
        self._lobby_changed()

    async def leave(self, participant: Participant, reason: str) -> None:
        if not self.seated(participant):
            return
        del self.participants[participant.id]
        try:
            for track_id in list(participant.published):
                self._unpublish(participant, track_id)
            await participant.peer.close()
        except Exception:  # the others must still see them leave, and attendance record it
            logger.exception("class %s: closing %s's media failed", self.summary.id, participant.id)
        self._broadcast(ParticipantLeft(participant_id=participant.id, reason=reason))
        if self.hands.lower(participant.id):
            self._broadcast(HandsChanged(self.hands.queue()))
        if self.floor.take_back(participant.id):
            self._floor_changed()

    @property
    def occupied(self) -> bool:
        return bool(self.participants or self.lobby)

    async def end(self) -> None:
        """The class was ended: everyone is told and disconnected."""
        self.ended = True
        self.end_recording(StopReason.CLASS_ENDED)
        for seat in list(self.lobby.values()):
            seat.outbox.send(ClassEnded())
            seat.outbox.dismiss(Dismissal.CLASS_ENDED)
        self.lobby.clear()
        for participant in list(self.participants.values()):
            participant.outbox.send(ClassEnded())
            participant.outbox.dismiss(Dismissal.CLASS_ENDED)
            await self.leave(participant, "class_ended")

    def checkin_changed(self, checkin: CheckInChanged) -> None:
        """A trainee checked in from the room (or out): the lecturers' people lists show it,
        and the room's screen may count it; trainees are not told who sits in the room."""
        for participant in self.participants.values():
            if participant.role in (Role.LECTURER, Role.ROOM, Role.OBSERVER):
                participant.outbox.send(checkin)

    # ---- media: what participants ask ----------------------------------------------------------------

    def declare_tracks(self, participant: Participant, tracks: Iterable[tuple[str, Source]]) -> None:
        """Label the tracks the participant is about to send (camera, screen...)."""
        declared = list(tracks)
        for _, source in declared:
            if not self._may_publish(participant, source):
                raise NotAllowed(f"a {participant.role.value} may not publish {source.value}")
        for track_id, source in declared:
            participant.declared[track_id] = source

    def declare_layers(self, participant: Participant, layers: Iterable[tuple[str, Source, str, Quality]]) -> None:
        """Label lower layers of a layered camera: (track id, source, the high track's id, quality)."""
        declared = list(layers)
        for track_id, source, high_id, quality in declared:
            if source is not Source.CAMERA or quality not in LOWER_LAYERS or track_id == high_id:
                raise NotAllowed("only a camera has layers, medium or low, each its own track")
            if not self._may_publish(participant, source):
                raise NotAllowed(f"a {participant.role.value} may not publish {source.value}")
        for track_id, _, high_id, quality in declared:
            participant.declared_layers[track_id] = (high_id, quality)

    def withdraw_tracks(self, participant: Participant, track_ids: Iterable[str]) -> None:
        """The participant stops sending these tracks."""
        for track_id in track_ids:
            participant.declared.pop(track_id, None)
            participant.declared_layers.pop(track_id, None)
            if track_id in participant.published:
                self._end_track(participant, track_id)
            elif self._drop_layer(participant, track_id):
                participant.peer.end_incoming(track_id)

    async def publish_offer(self, participant: Participant, sdp: str) -> None:
        """The participant's offer on its publish connection: answer it, forward its new tracks."""
        if not any(may_publish(participant.role, s) for s in Source):
            raise NotAllowed(f"a {participant.role.value} may not publish")
        try:
            answer, added, ended = await participant.peer.handle_publish_offer(sdp)
        except NegotiationError as exc:
            raise InvalidSdp(str(exc)) from None
        participant.outbox.send(PublishAnswer(sdp=answer))
        for incoming in ended:
            if incoming.track_id in participant.published:
                self._unpublish(participant, incoming.track_id)
            else:
                self._drop_layer(participant, incoming.track_id)
        layers = [i for i in added if i.track_id in participant.declared_layers]
        refused = [i for i in added if i not in layers and not self._publish(participant, i)]
        refused += [i for i in layers if not self._add_layer(participant, i)]
        if refused:
            names = ", ".join(i.track_id for i in refused)
            raise NotAllowed(f"tracks not forwarded: {names}")

    async def receive_answer(self, participant: Participant, sdp: str) -> None:
        """The participant's answer to our offer on its receive connection."""
        try:
            await participant.peer.handle_subscribe_answer(sdp)
        except NegotiationError as exc:
            raise InvalidSdp(str(exc)) from None

    async def add_candidate(
        self,
        participant: Participant,
        transport: str,
        candidate: str | None,
        sdp_mid: str | None,
        sdp_mline_index: int | None,
    ) -> None:
        """A trickled ICE candidate (None: the end of candidates)."""
        try:
            await participant.peer.add_remote_candidate(transport, candidate, sdp_mid, sdp_mline_index)
        except NegotiationError as exc:
            raise InvalidCandidate(str(exc)) from None

    def mute(self, participant: Participant, track_id: str, muted: bool) -> None:
        """The participant mutes or unmutes their own track; unmuting a source the lecturer
        blocked lifts the block only when the lecturer allowed it."""
        track = participant.published.get(track_id)
        if track is None:
            raise UnknownTrack(track_id)
        if not muted and track.source in participant.blocked:
            if not participant.blocked[track.source]:
                raise NotAllowed("the lecturer muted you; ask them to allow you to speak")
            self._unblock(participant, track.source)
        if track.muted != muted:
            track.muted = muted
            self._broadcast(TrackMuted(participant_id=participant.id, track_id=track.track_id, muted=track.muted))

    def receive_video(self, participant: Participant, video: bool, save_data: bool = False) -> None:
        """`video=False`: no camera video, for a weak link (slides kept); `save_data`: lowest
        layers and slides on change, for a metered link."""
        if participant.save_data != save_data:
            participant.save_data = save_data
            participant.peer.set_save_data(save_data)
        if participant.receive_video == video:
            return
        participant.receive_video = video
        for publisher in self.participants.values():
            for track in publisher.published.values():
                if track.source is not Source.CAMERA:
                    continue
                if video:
                    self._maybe_subscribe(participant, publisher, track)
                else:
                    participant.peer.unsubscribe((publisher.id, track.track_id))

    def set_view(self, participant: Participant, tiles: Iterable[tuple[str, int, int]]) -> None:
        """How large the participant's page shows each video (device pixels; 0×0 hidden)."""
        participant.peer.set_view({track_id: (width, height) for track_id, width, height in tiles})

    async def end_by(self, participant: Participant) -> None:
        """The lecturer ends the class for everyone."""
        self._lecturer_only(participant, "end the class")
        if self._end_requested is None:
            raise NotAllowed("this class cannot be ended from inside")
        await self._end_requested()

    # ---- interaction ----------------------------------------------------------------------------------

    async def post_chat(self, participant: Participant, text: str, to_id: str | None = None) -> ChatLine:
        """A chat line to everyone, or from a lecturer to one participant."""
        text = clean_text(text)
        if not text:
            raise InvalidChat("an empty chat line")
        if len(text) > CHAT_MAX_CHARS:
            raise InvalidChat(f"a chat line holds at most {CHAT_MAX_CHARS} characters")
        if participant.role in (Role.OBSERVER, Role.ROOM):
            raise NotAllowed(f"a {participant.role.value} does not chat")
        if participant.role is Role.TRAINEE and not self.settings.chat:
            raise ChatOff()
        recipient = None
        if to_id is not None:
            self._lecturer_only(participant, "send a private line")
            recipient = self._participant(to_id)
        if not participant.chat_pace.take():
            raise TooFast("too many chat lines; wait a moment")
        draft = ChatDraft(
            at=self._clock(),
            sender_id=participant.id,
            sender_name=participant.name,
            sender_role=participant.role,
            sender_identity=participant.identity,
            text=text,
            to_id=recipient.id if recipient else None,
            to_name=recipient.name if recipient else None,
            to_identity=recipient.identity if recipient else None,
        )
        line = await self._journal.add_chat(self.summary.id, draft) if self._journal else _unkept(draft)
        self.chat.append(line)
        for other in self.participants.values():
            if self._sees(other, line):
                other.outbox.send(ChatPosted(line))
        return line

    @staticmethod
    def _sees(participant: Participant, line: ChatLine) -> bool:
        return line.visible_to(participant.id, participant.role, participant.identity)

    def raise_hand(self, participant: Participant, raised: bool) -> None:
        if participant.role is not Role.TRAINEE:
            raise NotAllowed("only trainees raise their hand")
        changed = self.hands.raise_hand(participant.id, self._clock()) if raised else self.hands.lower(participant.id)
        if changed:
            self._broadcast(HandsChanged(self.hands.queue()))

    def lower_hand_of(self, lecturer: Participant, target_id: str) -> None:
        """The lecturer works through the queue."""
        self._lecturer_only(lecturer, "lower someone's hand")
        if self.hands.lower(self._participant(target_id).id):
            self._broadcast(HandsChanged(self.hands.queue()))

    def react(self, participant: Participant, reaction: str) -> None:
        if reaction not in REACTIONS:
            raise NotAllowed(f"unknown reaction {reaction!r}")
        if participant.role is Role.ROOM:
            raise NotAllowed("the room does not react")
        if not participant.reaction_pace.take():
            raise TooFast("too many reactions; wait a moment")
        self._broadcast(Reacted(participant.id, reaction))

    # ---- the floor ---------------------------------------------------------------------------------

    def give_floor(self, lecturer: Participant, target_id: str) -> None:
        """The trainee's camera and microphone go to everyone until the floor is taken back."""
        self._lecturer_only(lecturer, "give the floor")
        target = self._participant(target_id)
        if target.role is not Role.TRAINEE:
            raise NotAllowed("only a trainee can be given the floor")
        if not self.floor.give(target.id):
            return
        if self.hands.lower(target.id):
            self._broadcast(HandsChanged(self.hands.queue()))
        for track in target.published.values():
            for other in self.participants.values():
                self._maybe_subscribe(other, target, track)
        self._floor_changed()

    def take_back_floor(self, participant: Participant, target_id: str) -> None:
        """The lecturer takes the floor back, or the trainee hands it back."""
        if participant.id != target_id:
            self._lecturer_only(participant, "take back the floor")
        target = self._participant(target_id)
        if not self.floor.take_back(target.id):
            return
        self._end_disallowed_tracks(target)
        for track_id, track in target.published.items():
            for other in self.participants.values():
                if not self._receives(other, target, track):
                    other.peer.unsubscribe((target.id, track_id))
                else:
                    self._maybe_subscribe(other, target, track)  # its priority is no longer the floor's
        self._floor_changed()

    # ---- moderation ------------------------------------------------------------------------------

    def block(self, lecturer: Participant, target_id: str | None, source: Source, may_resume: bool) -> None:
        """Stop forwarding a trainee's microphone or camera (`target_id` None: every trainee's)."""
        self._lecturer_only(lecturer, "mute or stop someone's camera")
        if source not in MODERATED_SOURCES:
            raise NotAllowed(f"the lecturer blocks a microphone or a camera, not {source.value}")
        targets = [self._participant(target_id)] if target_id is not None else [
            p for p in self.participants.values() if p.role is Role.TRAINEE
        ]
        for target in targets:
            if target.role is not Role.TRAINEE:
                raise NotAllowed("the lecturer moderates trainees only")
            if target.blocked.get(source) == may_resume:
                continue
            target.blocked[source] = may_resume
            for track in target.published.values():
                if track.source is source:
                    for other in self.participants.values():
                        other.peer.unsubscribe((target.id, track.track_id))
            self._broadcast(MediaBlocked(MediaBlock(target.id, source, may_resume), blocked=True))
        self._sync_recording()

    def allow(self, lecturer: Participant, target_id: str, source: Source) -> None:
        """Lift a block: the trainee may turn their microphone or camera on again."""
        self._lecturer_only(lecturer, "allow someone to speak")
        self._unblock(self._participant(target_id), source)

    def _unblock(self, target: Participant, source: Source) -> None:
        if target.blocked.pop(source, None) is None:
            return
        for track in target.published.values():
            if track.source is source:
                for other in self.participants.values():
                    self._maybe_subscribe(other, target, track)
        self._broadcast(MediaBlocked(MediaBlock(target.id, source, True), blocked=False))
        self._sync_recording()

    async def remove(self, lecturer: Participant, target_id: str) -> None:
        """The trainee or observer leaves and their link no longer opens this class."""
        self._lecturer_only(lecturer, "remove someone")
        target = self._participant(target_id)
        if target.role not in GUESTS:
            raise NotAllowed(f"a {target.role.value} cannot be removed")
        if target.identity is not None:
            removal = Removal(identity=target.identity, name=target.name, at=self._clock())
            if self._journal is not None:
                await self._journal.remove(self.summary.id, removal)
            self.removed[removal.identity] = removal
        target.outbox.dismiss(Dismissal.REMOVED)
        await self.leave(target, "removed")
        self._lobby_changed()

    async def readmit(self, lecturer: Participant, identity: str) -> None:
        self._lecturer_only(lecturer, "re-admit someone")
        if self.removed.pop(identity, None) is None:
            raise UnknownParticipant(identity)
        if self._journal is not None:
            await self._journal.readmit(self.summary.id, identity)
        self._lobby_changed()

    def change_settings(self, lecturer: Participant, **changes: bool) -> None:
        """Chat on/off, lock, lobby: turning the lobby off lets everyone waiting in."""
        self._lecturer_only(lecturer, "change the class's settings")
        settings = replace(self.settings, **changes)
        if settings == self.settings:
            return
        self.settings = settings or ClassSettings()
        self._broadcast(SettingsChanged(settings))
        if not settings.lobby:
            for seat in list(self.lobby.values()):
                self.admit(lecturer, seat.id)
        if not settings.floor_screen_share:
            for holder in self.floor.holders():
                self._end_disallowed_tracks(self.participants[holder])

    def admit(self, lecturer: Participant, seat_id: str) -> None:
        self._lecturer_only(lecturer, "let someone in")
        seat = self.lobby.pop(seat_id, None)
        if seat is None:
            raise UnknownParticipant(seat_id)
        self._seat(seat)
        self._lobby_changed()

    def refuse(self, lecturer: Participant, seat_id: str) -> None:
        self._lecturer_only(lecturer, "refuse someone")
        seat = self.lobby.pop(seat_id, None)
        if seat is None:
            raise UnknownParticipant(seat_id)
        seat.outbox.dismiss(Dismissal.REFUSED)
        self._lobby_changed()

    def _lobby_view(self) -> LobbyChanged:
        return LobbyChanged(
            waiting=tuple(WaitingView(s.id, s.name, s.external_id, s.since) for s in self.lobby.values()),
            removed=tuple(self.removed.values()),
        )

    def _lobby_changed(self) -> None:
        view = self._lobby_view()
        for participant in self.participants.values():
            if participant.role is Role.LECTURER:
                participant.outbox.send(view)

    # ---- rules -----------------------------------------------------------------------------------

    @staticmethod
    def _lecturer_only(participant: Participant, what: str) -> None:
        if participant.role is not Role.LECTURER:
            raise NotAllowed(f"only the lecturer can {what}")

    def _participant(self, participant_id: str) -> Participant:
        participant = self.participants.get(participant_id)
        if participant is None:
            raise UnknownParticipant(participant_id)
        return participant

    def _may_publish(self, participant: Participant, source: Source) -> bool:
        if may_publish(participant.role, source):
            return True
        return source in SCREEN_SOURCES and participant.id in self.floor and self.settings.floor_screen_share

    def _receives(self, subscriber: Participant, publisher: Participant, track: PublishedTrack) -> bool:
        if track.source is Source.CAMERA and not subscriber.receive_video:
            return False
        if track.source in publisher.blocked:
            return False
        return receives(subscriber.id, subscriber.role, publisher.id, publisher.role, track.source, self.floor)

    # ---- tracks -----------------------------------------------------------------------------------

    def _publish(self, participant: Participant, incoming: IncomingMedia) -> bool:
        source = participant.declared.pop(incoming.track_id, None)
        if source is None:
            source = Source.CAMERA if incoming.kind == "video" else Source.MICROPHONE
        if SOURCE_KIND[source] != incoming.kind or not self._may_publish(participant, source):
            participant.peer.end_incoming(incoming.track_id)
            return False
        track = PublishedTrack(incoming.track_id, source, SOURCE_KIND[source], incoming.uptrack)
        participant.published[track.track_id] = track
        for layer_id, (high_id, quality, uptrack) in list(participant.spare_layers.items()):
            if high_id == track.track_id and source is Source.CAMERA:
                del participant.spare_layers[layer_id]
                track.layers[quality] = (layer_id, uptrack)
        self._broadcast(TrackPublished(participant_id=participant.id, track=track.view()), exclude=participant.id)
        for other in self.participants.values():
            self._maybe_subscribe(other, participant, track)
        if track.source is Source.SCREEN:
            self._note("screen_share", state="started", participant=participant.name, participant_id=participant.id)
        self._sync_recording()
        return True

    def _end_track(self, participant: Participant, track_id: str) -> None:
        """Stop forwarding a published track and stop accepting it from the participant."""
        self._unpublish(participant, track_id)
        participant.peer.end_incoming(track_id)

    def _end_disallowed_tracks(self, participant: Participant) -> None:
        """A screen share outlives neither the floor nor the lecturer's leave to share."""
        for track_id, track in list(participant.published.items()):
            if not self._may_publish(participant, track.source):
                self._end_track(participant, track_id)

    def _add_layer(self, participant: Participant, incoming: IncomingMedia) -> bool:
        """A lower layer of a layered camera arrived: its subscribers may now be fed from it."""
        high_id, quality = participant.declared_layers.pop(incoming.track_id)
        if incoming.kind != "video" or not self._may_publish(participant, Source.CAMERA):
            participant.peer.end_incoming(incoming.track_id)
            return False
        high = participant.published.get(high_id)
        if high is None or high.source is not Source.CAMERA:
            participant.spare_layers[incoming.track_id] = (high_id, quality, incoming.uptrack)
            return True
        high.layers[quality] = (incoming.track_id, incoming.uptrack)
        for other in self.participants.values():
            self._maybe_subscribe(other, participant, high)
        return True

    def _drop_layer(self, participant: Participant, track_id: str) -> bool:
        """A lower layer ended (withdrawn, or gone from the offer); True when it was one."""
        spare = participant.spare_layers.pop(track_id, None)
        if spare is not None:
            spare[2].close()
            return True
        for track in participant.published.values():
            for quality, (layer_id, uptrack) in list(track.layers.items()):
                if layer_id == track_id:
                    del track.layers[quality]
                    for other in self.participants.values():
                        self._maybe_subscribe(other, participant, track)
                    uptrack.close()
                    return True
        return False

    def _unpublish(self, participant: Participant, track_id: str) -> None:
        track = participant.published.pop(track_id)
        for other in self.participants.values():
            other.peer.unsubscribe((participant.id, track_id))
        track.uptrack.close()
        for layer_id, uptrack in track.layers.values():  # a layered camera's layers end with it
            uptrack.close()
            participant.peer.end_incoming(layer_id)
        self._broadcast(TrackUnpublished(participant_id=participant.id, track_id=track_id), exclude=participant.id)
        if track.source is Source.SCREEN:
            self._note("screen_share", state="stopped", participant=participant.name, participant_id=participant.id)

    def _maybe_subscribe(self, subscriber: Participant, publisher: Participant, track: PublishedTrack) -> None:
        if self._receives(subscriber, publisher, track):
            key = (publisher.id, track.track_id)
            subscriber.peer.subscribe(key, track.uptrack, publisher.stream_id(track.source))
            subscriber.peer.adapt(key, track.layer_map(), self._priority(publisher, track))

    def _priority(self, publisher: Participant, track: PublishedTrack) -> Priority:
        """Who gets a subscriber's bandwidth first: audio, slides, the floor, the lecturer."""
        if track.kind == "audio":
            return Priority.AUDIO
        if track.source is Source.SCREEN:
            return Priority.SCREEN
        if publisher.id in self.floor:
            return Priority.FLOOR
        if publisher.role in (Role.LECTURER, Role.ROOM):
            return Priority.LECTURER
        return Priority.OTHER

    # ---- links and layers (the relay's adaptation reports) ---------------------------------------

    def _link_reported(self, participant: Participant, report: LinkReport) -> None:
        """A subscriber's link report: tell it, its lecturers, and publishers which layers to encode."""
        if not self.seated(participant):
            return
        now = time.monotonic()
        event = LinkChanged(
            quality=report.quality,
            reduced=report.reduced,
            estimate_kbps=report.estimate_kbps,
            tracks=tuple((key[1], layer) for key, layer in report.tracks),
        )
        if event != participant.sent_link and now - participant.sent_link_at >= LINK_INTERVAL_S:
            participant.sent_link, participant.sent_link_at = event, now
            participant.outbox.send(event)
        participant.link = ParticipantLink(participant.id, report.quality, report.camera, report.estimate_kbps)
        if now - self._layers_checked_at >= LAYERS_CHECK_INTERVAL_S:  # once per round of reports
            self._layers_checked_at = now
            self._layers_changed()
        self._link_qualities(now)

    def _layers_changed(self) -> None:
        """Publishers stop encoding the layers no one receives (dynacast)."""
        for publisher in self.participants.values():
            activity: dict[str, bool] = {}
            for track in publisher.published.values():
                if not track.layers:
                    continue
                activity[track.track_id] = _received(track.uptrack)
                for layer_id, uptrack in track.layers.values():
                    activity[layer_id] = _received(uptrack)
            changed = {t: a for t, a in activity.items() if publisher.sent_layers.get(t) != a}
            if changed:
                publisher.sent_layers = activity
                publisher.outbox.send(LayersChanged(tuple(activity.items())))

    def _link_qualities(self, now: float) -> None:
        # Every subscriber reports twice a second: compare everyone's links twice a second in
        # all, not once per report (a class of 100 would compare 100 links 200 times a second).
        if now - self._links_sent_at < LINK_QUALITY_INTERVAL_S or now - self._links_checked_at < LINK_QUALITY_CHECK_S:
            return
        self._links_checked_at = now
        links = tuple(p.link for p in self.participants.values() if p.link is not None)
        if links == self._links_sent:
            return
        self._links_sent, self._links_sent_at = links, now
        event = LinkQualities(links)
        for participant in self.participants.values():
            if participant.role is Role.LECTURER:
                participant.outbox.send(event)

    def _offer_sender(self, participant_id: str) -> OfferSender:
        async def send_offer(sdp: str, announced: list[tuple[str, tuple[str, str]]], fresh: bool) -> None:
            participant = self.participants.get(participant_id)
            if participant is None:
                return
            tracks = []
            for mid, (publisher_id, track_id) in announced:
                publisher = self.participants.get(publisher_id)
                track = publisher.published.get(track_id) if publisher else None
                if track is not None:
                    tracks.append(ForwardedTrack(mid, publisher_id, track_id, track.source, track.kind))
            participant.outbox.send(ReceiveOffer(sdp=sdp, tracks=tuple(tracks), fresh=fresh))

        return send_offer

    # ---- recording -----------------------------------------------------------------------------

    def start_recording(self, lecturer: Participant) -> None:
        """Record what goes to everyone (lecturer, room, screens, the floor) until stopped."""
        self._lecturer_only(lecturer, "record the class")
        self.recording_declined = False
        self._begin_recording(lecturer.name)

    def record_by_schedule(self) -> None:
        """The course records every class: start recording, by nobody (`by` is None); the
        lecturer may stop it. RecordingUnavailable when it cannot start (the class goes on)."""
        if self.ended or self.recording is not None:
            return
        self._begin_recording(None)
        lecturer = next((p for p in self.participants.values() if p.role is Role.LECTURER), None)
        if lecturer is not None:
            self._credit_lecturer(lecturer)

    def _begin_recording(self, by: str | None) -> None:
        if self.recording is not None:
            return
        if self._recordings is None:
            raise RecordingUnavailable("recording is not set up on this server")
        recording = self._recordings(self.summary, by, self._recording_stopped)
        try:
            recording.start()
        except StorageError as exc:
            raise RecordingUnavailable(f"cannot start recording: {exc}") from None
        self.recording = recording
        self._recording_status = RecordingStatus(active=True, since=self._clock(), by=by)
        self._note_floor()
        self._sync_recording()
        self._broadcast(RecordingChanged(self._recording_status))

    def _credit_lecturer(self, lecturer: Participant) -> None:
        """A recording the schedule started names the first lecturer in class (the library shows it)."""
        recording = self.recording
        if recording is not None and recording.info.get("lecturer") is None:
            recording.info["lecturer"] = lecturer.name
            recording.write_manifest()

    def stop_recording(self, lecturer: Participant) -> None:
        self._lecturer_only(lecturer, "stop recording")
        if self.recording is not None:
            self.recording_declined = True  # the schedule does not start it again in this sitting
        self.end_recording(StopReason.STOPPED)

    def end_recording(self, reason: StopReason) -> None:
        """Stop a running recording (the class ends, everyone left, the server stops)."""
        if self.recording is not None:
            self.recording.stop(reason)

    def _recording_stopped(self, reason: StopReason) -> None:
        """The recording stopped, asked to or because storage ran out: everyone is told."""
        self.recording = None
        self._recording_status = RecordingStatus(active=False, by=self._recording_status.by, reason=reason.value)
        self._broadcast(RecordingChanged(self._recording_status))

    def _recorded(self, publisher: Participant, track: PublishedTrack) -> bool:
        """A recording keeps what everyone in the class receives."""
        if track.source in publisher.blocked:
            return False
        return receives("", Role.TRAINEE, publisher.id, publisher.role, track.source, self.floor)

    def _sync_recording(self) -> None:
        recording = self.recording
        if recording is None:
            return
        wanted = {
            (p.id, t.track_id): (p, t)
            for p in self.participants.values()
            for t in p.published.values()
            if self._recorded(p, t)
        }
        for key in recording.recorded - wanted.keys():
            recording.release(key)
        for key, (publisher, track) in wanted.items():
            if key not in recording.recorded:
                label = TrackLabel(publisher.id, publisher.name, publisher.role.value, track.source.value, track.track_id)
                recording.record(key, track.uptrack, label)

    def _note(self, kind: str, **data: object) -> None:
        if self.recording is not None:
            self.recording.note(kind, **data)

    def _note_floor(self) -> None:
        holders = [self.participants[h] for h in self.floor.holders() if h in self.participants]
        self._note("floor", holders=[{"id": p.id, "name": p.name} for p in holders])

    def _floor_changed(self) -> None:
        self._broadcast(FloorChanged(self.floor.holders()))
        self._note_floor()
        self._sync_recording()

    def _broadcast(self, event: ClassEvent, exclude: str | None = None) -> None:
        for participant in self.participants.values():
            if participant.id != exclude:
                participant.outbox.send(event)


def _received(uptrack: UpTrack) -> bool:
    """Someone receives this track, or is about to (a switch waits on it), or records it."""
    return bool(uptrack.downtracks or uptrack.taps)


_unkept_ids = iter(range(1, 2**62))


def _unkept(draft: ChatDraft) -> ChatLine:
    """A chat line of a class without a journal (tests of the class alone)."""
    return ChatLine(id=next(_unkept_ids), **draft.__dict__)

