"""A class while it is live: who is in it, what each one publishes, who receives what.

One `LiveClass` per running class. It owns the roster and the published tracks, applies the
subscription topology (classroom/subscriptions.py) through each participant's `MediaPeer`,
and handles every typed signaling message of its participants. It knows nothing of
WebSockets or databases: each participant has an `Outbox` (non-blocking send, close), and the
signaling layer records attendance.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol

from pydantic import BaseModel

from classroom.relay.forwarding import UpTrack
from classroom.relay.peer import IncomingTrack, MediaPeer, NegotiationError, OfferSender, RelayConfig
from classroom.roles import SOURCE_KIND, Role, Source, may_publish
from classroom.subscriptions import ClassState, receives
from signaling.ws.messages import (
    Candidate,
    ClassEnded,
    ClassInfo,
    ClientAnswer,
    ClientOffer,
    EndClass,
    Error,
    ErrorCode,
    IceCandidate,
    IceServerInfo,
    Joined,
    Leave,
    Limits,
    Mute,
    ParticipantInfo,
    ParticipantJoined,
    ParticipantLeft,
    Ping,
    Pong,
    Publish,
    ReceiveMedia,
    ServerAnswer,
    ServerOffer,
    MessageError,
    SubscribedTrack,
    TrackInfo,
    TrackMuted,
    TrackPublished,
    TrackUnpublished,
    Unpublish,
)

logger = logging.getLogger(__name__)

SCREEN_SOURCES = frozenset({Source.SCREEN, Source.SCREEN_AUDIO})


class Outbox(Protocol):
    """A participant's connection as the class sees it."""

    def send(self, message: BaseModel) -> None:
        """Queue a message; never blocks."""

    def close(self, code: ErrorCode | None, message: str) -> None:
        """Send an error (when `code` is given) and then close the connection."""


@dataclass
class PublishedTrack:
    track_id: str
    source: Source
    kind: str
    uptrack: UpTrack
    muted: bool = False

    def info(self) -> TrackInfo:
        return TrackInfo(track_id=self.track_id, source=self.source, kind=self.kind, muted=self.muted)  # type: ignore[arg-type]


@dataclass
class Participant:
    id: str
    role: Role
    name: str
    external_id: str | None
    client_id: str | None
    outbox: Outbox
    peer: MediaPeer
    declared: dict[str, Source] = field(default_factory=dict)
    published: dict[str, PublishedTrack] = field(default_factory=dict)
    receive_video: bool = True  # False: audio only, for weak links

    def info(self) -> ParticipantInfo:
        return ParticipantInfo(
            id=self.id,
            role=self.role,
            name=self.name,
            external_id=self.external_id,
            tracks=[t.info() for t in self.published.values()],
        )

    def stream_id(self, source: Source) -> str:
        """One msid stream per publisher and kind of content: camera+mic stay in lip-sync."""
        return f"{self.id}-screen" if source in SCREEN_SOURCES else self.id


@dataclass(frozen=True)
class Welcome:
    """What every newcomer's `joined` carries besides the roster: ICE servers and limits."""

    ice_servers: list[IceServerInfo]
    limits: Limits


class LiveClass:
    def __init__(
        self,
        info: ClassInfo,
        relay: RelayConfig,
        welcome: Welcome,
        max_participants: int,
        end_requested: Callable[[], Awaitable[None]] | None = None,
    ):
        self.info = info
        self._end_requested = end_requested
        self.relay = relay
        self.welcome = welcome
        self.max_participants = max_participants
        self.state = ClassState()
        self.participants: dict[str, Participant] = {}
        self.ended = False
        self._handlers: dict[type, Callable[[Participant, Any], Awaitable[None]]] = {
            Publish: self._on_publish,
            Unpublish: self._on_unpublish,
            ClientOffer: self._on_offer,
            ClientAnswer: self._on_answer,
            Candidate: self._on_candidate,
            Mute: self._on_mute,
            ReceiveMedia: self._on_receive,
            EndClass: self._on_end_class,
            Ping: self._on_ping,
            Leave: self._on_leave,
        }

    # ---- membership -------------------------------------------------------------------------------

    async def join(
        self,
        role: Role,
        name: str,
        external_id: str | None,
        client_id: str | None,
        outbox: Outbox,
    ) -> Participant:
        if self.ended:
            raise MessageError(ErrorCode.CLASS_ENDED, "this class has ended", fatal=True)
        for other in list(self.participants.values()):
            same_person = external_id is not None and other.external_id == external_id
            same_client = client_id is not None and other.client_id == client_id
            if (same_person or same_client) and other.role is role:
                other.outbox.close(ErrorCode.REPLACED, "you joined this class from another window or device")
                await self.leave(other, "replaced")
        if len(self.participants) >= self.max_participants:
            raise MessageError(ErrorCode.CLASS_FULL, f"this class is full ({self.max_participants} participants)", fatal=True)
        participant_id = secrets.token_urlsafe(6)
        participant = Participant(
            id=participant_id,
            role=role,
            name=name,
            external_id=external_id,
            client_id=client_id,
            outbox=outbox,
            peer=MediaPeer(
                participant_id,
                self.relay,
                self._offer_sender(participant_id),
                lambda reason: outbox.send(Error(code=ErrorCode.NEGOTIATION_FAILED, message=f"{reason}; a new offer follows")),
            ),
        )
        outbox.send(
            Joined(
                participant=participant.info(),
                class_=self.info,
                participants=self.roster(),
                ice_servers=self.welcome.ice_servers,
                limits=self.welcome.limits,
            )
        )
        self.participants[participant_id] = participant
        self._broadcast(ParticipantJoined(participant=participant.info()), exclude=participant_id)
        for publisher in self.participants.values():
            for track in publisher.published.values():
                self._maybe_subscribe(participant, publisher, track)
        return participant

    def roster(self) -> list[ParticipantInfo]:
        return [p.info() for p in self.participants.values()]

    async def leave(self, participant: Participant, reason: str) -> None:
        if self.participants.get(participant.id) is not participant:
            return
        del self.participants[participant.id]
        self.state.floor.discard(participant.id)
        for track_id in list(participant.published):
            self._unpublish(participant, track_id)
        await participant.peer.close()
        self._broadcast(ParticipantLeft(participant_id=participant.id, reason=reason))

    async def end(self) -> None:
        """The class was ended: everyone is told and disconnected."""
        self.ended = True
        for participant in list(self.participants.values()):
            participant.outbox.send(ClassEnded())
            participant.outbox.close(None, "class ended")
            await self.leave(participant, "class_ended")

    # ---- messages ---------------------------------------------------------------------------------

    async def handle(self, participant: Participant, message: Any) -> None:
        if self.participants.get(participant.id) is not participant:
            return  # replaced or removed while the message was in flight
        handler = self._handlers.get(type(message))
        if handler is None:
            raise MessageError(ErrorCode.ALREADY_JOINED, "already joined", ref=getattr(message, "type", None))
        await handler(participant, message)

    async def _on_publish(self, participant: Participant, message: Publish) -> None:
        for declaration in message.tracks:
            if not may_publish(participant.role, declaration.source):
                raise MessageError(
                    ErrorCode.NOT_ALLOWED,
                    f"a {participant.role.value} may not publish {declaration.source.value}",
                    ref="publish",
                )
        for declaration in message.tracks:
            participant.declared[declaration.track_id] = declaration.source

    async def _on_unpublish(self, participant: Participant, message: Unpublish) -> None:
        for track_id in message.track_ids:
            participant.declared.pop(track_id, None)
            if track_id in participant.published:
                self._unpublish(participant, track_id)
                participant.peer.end_incoming(track_id)

    async def _on_offer(self, participant: Participant, message: ClientOffer) -> None:
        if not any(may_publish(participant.role, s) for s in Source):
            raise MessageError(ErrorCode.NOT_ALLOWED, f"a {participant.role.value} may not publish", ref="offer")
        try:
            answer, added, ended = await participant.peer.handle_publish_offer(message.sdp)
        except NegotiationError as exc:
            raise MessageError(ErrorCode.INVALID_SDP, str(exc), ref="offer") from None
        participant.outbox.send(ServerAnswer(sdp=answer))
        for incoming in ended:
            if incoming.track_id in participant.published:
                self._unpublish(participant, incoming.track_id)
        refused = [i for i in added if not self._publish(participant, i)]
        if refused:
            names = ", ".join(i.track_id for i in refused)
            raise MessageError(ErrorCode.NOT_ALLOWED, f"tracks not forwarded: {names}", ref="offer")

    async def _on_answer(self, participant: Participant, message: ClientAnswer) -> None:
        try:
            await participant.peer.handle_subscribe_answer(message.sdp)
        except NegotiationError as exc:
            raise MessageError(ErrorCode.INVALID_SDP, str(exc), ref="answer") from None

    async def _on_candidate(self, participant: Participant, message: Candidate) -> None:
        candidate: IceCandidate | None = message.candidate
        try:
            await participant.peer.add_remote_candidate(
                message.transport,
                candidate.candidate if candidate else None,
                candidate.sdpMid if candidate else None,
                candidate.sdpMLineIndex if candidate else None,
            )
        except NegotiationError as exc:
            raise MessageError(ErrorCode.INVALID_CANDIDATE, str(exc), ref="candidate") from None

    async def _on_mute(self, participant: Participant, message: Mute) -> None:
        track = participant.published.get(message.track_id)
        if track is None:
            raise MessageError(ErrorCode.UNKNOWN_TRACK, f"no published track {message.track_id!r}", ref="mute")
        if track.muted != message.muted:
            track.muted = message.muted
            self._broadcast(TrackMuted(participant_id=participant.id, track_id=track.track_id, muted=track.muted))

    async def _on_receive(self, participant: Participant, message: ReceiveMedia) -> None:
        if participant.receive_video == message.video:
            return
        participant.receive_video = message.video
        for publisher in self.participants.values():
            for track in publisher.published.values():
                if track.kind != "video":
                    continue
                if message.video:
                    self._maybe_subscribe(participant, publisher, track)
                else:
                    participant.peer.unsubscribe((publisher.id, track.track_id))

    async def _on_end_class(self, participant: Participant, message: EndClass) -> None:
        if participant.role is not Role.LECTURER or self._end_requested is None:
            raise MessageError(ErrorCode.NOT_ALLOWED, "only the lecturer can end the class", ref="end_class")
        await self._end_requested()

    async def _on_ping(self, participant: Participant, message: Ping) -> None:
        participant.outbox.send(Pong(ts=message.ts))

    async def _on_leave(self, participant: Participant, message: Leave) -> None:
        participant.outbox.close(None, "left")
        await self.leave(participant, "left")

    # ---- tracks -----------------------------------------------------------------------------------

    def _publish(self, participant: Participant, incoming: IncomingTrack) -> bool:
        source = participant.declared.pop(incoming.track_id, None)
        if source is None:
            source = Source.CAMERA if incoming.kind == "video" else Source.MICROPHONE
        if SOURCE_KIND[source] != incoming.kind or not may_publish(participant.role, source):
            participant.peer.end_incoming(incoming.track_id)
            return False
        track = PublishedTrack(incoming.track_id, source, incoming.kind, incoming.uptrack)
        participant.published[track.track_id] = track
        self._broadcast(TrackPublished(participant_id=participant.id, track=track.info()), exclude=participant.id)
        for other in self.participants.values():
            self._maybe_subscribe(other, participant, track)
        return True

    def _unpublish(self, participant: Participant, track_id: str) -> None:
        track = participant.published.pop(track_id)
        for other in self.participants.values():
            other.peer.unsubscribe((participant.id, track_id))
        track.uptrack.close()
        self._broadcast(TrackUnpublished(participant_id=participant.id, track_id=track_id), exclude=participant.id)

    def _maybe_subscribe(self, subscriber: Participant, publisher: Participant, track: PublishedTrack) -> None:
        if track.kind == "video" and not subscriber.receive_video:
            return
        if receives(self.state, subscriber.id, subscriber.role, publisher.id, publisher.role, track.source):
            subscriber.peer.subscribe((publisher.id, track.track_id), track.uptrack, publisher.stream_id(track.source))

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
                    tracks.append(
                        SubscribedTrack(
                            mid=mid,
                            participant_id=publisher_id,
                            track_id=track_id,
                            source=track.source,
                            kind=track.kind,  # type: ignore[arg-type]
                        )
                    )
            participant.outbox.send(ServerOffer(sdp=sdp, tracks=tracks, fresh=fresh))

        return send_offer

    def _broadcast(self, message: BaseModel, exclude: str | None = None) -> None:
        for participant in self.participants.values():
            if participant.id != exclude:
                participant.outbox.send(message)

