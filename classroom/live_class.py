"""A class while it is live: who is in it, what each one publishes, who receives what.

One `LiveClass` per running class. It owns the roster and the published tracks, applies the
subscription topology (classroom/subscriptions.py) through each participant's media peer, and
carries out what participants ask (publish, mute, receive audio only, end the class...). It
knows nothing of WebSockets, frames or databases: it tells each participant what happened
through their `Outbox` in its own events (classroom/events.py), refuses requests with its own
errors (classroom/errors.py), and gets each participant's media from a `MediaPeerFactory`.
The edge (signaling/ws/) maps frames to these calls and events back to frames.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Iterable, Protocol

from classroom.errors import ClassEnded as ClassHasEnded
from classroom.errors import ClassFull, InvalidCandidate, InvalidSdp, NotAllowed, UnknownTrack
from classroom.events import (
    ClassEnded,
    ClassEvent,
    ClassSummary,
    Dismissal,
    ForwardedTrack,
    MediaKind,
    NegotiationFailed,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantView,
    PublishAnswer,
    ReceiveOffer,
    Seated,
    TrackMuted,
    TrackPublished,
    TrackUnpublished,
    TrackView,
)
from classroom.participant_media import (
    IncomingMedia,
    MediaPeerFactory,
    NegotiationError,
    OfferSender,
    ParticipantMedia,
)
from classroom.relay.forwarding import UpTrack
from classroom.roles import SOURCE_KIND, Role, Source, may_publish
from classroom.subscriptions import receives

logger = logging.getLogger(__name__)

SCREEN_SOURCES = frozenset({Source.SCREEN, Source.SCREEN_AUDIO})


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

    def view(self) -> TrackView:
        return TrackView(track_id=self.track_id, source=self.source, kind=self.kind, muted=self.muted)


@dataclass
class Participant:
    id: str
    role: Role
    name: str
    external_id: str | None
    client_id: str | None
    outbox: Outbox
    peer: ParticipantMedia
    declared: dict[str, Source] = field(default_factory=dict)
    published: dict[str, PublishedTrack] = field(default_factory=dict)
    receive_video: bool = True  # False: audio only, for weak links

    def view(self) -> ParticipantView:
        return ParticipantView(
            id=self.id,
            role=self.role,
            name=self.name,
            external_id=self.external_id,
            tracks=tuple(t.view() for t in self.published.values()),
        )

    def stream_id(self, source: Source) -> str:
        """One msid stream per publisher and kind of content: camera+mic stay in lip-sync."""
        return f"{self.id}-screen" if source in SCREEN_SOURCES else self.id


class LiveClass:
    def __init__(
        self,
        summary: ClassSummary,
        media: MediaPeerFactory,
        max_participants: int,
        end_requested: Callable[[], Awaitable[None]] | None = None,
    ):
        self.summary = summary
        self._media = media
        self._end_requested = end_requested
        self.max_participants = max_participants
        self.participants: dict[str, Participant] = {}
        self.ended = False

    # ---- membership -------------------------------------------------------------------------------

    async def join(
        self,
        role: Role,
        name: str,
        external_id: str | None,
        client_id: str | None,
        outbox: Outbox,
    ) -> Participant:
        """Seat a participant (its outbox gets `Seated` first); raises ClassEnded or ClassFull."""
        if self.ended:
            raise ClassHasEnded(self.summary.id)
        for other in list(self.participants.values()):
            same_person = external_id is not None and other.external_id == external_id
            same_client = client_id is not None and other.client_id == client_id
            if (same_person or same_client) and other.role is role:
                other.outbox.dismiss(Dismissal.REPLACED)
                await self.leave(other, "replaced")
        if len(self.participants) >= self.max_participants:
            raise ClassFull(self.max_participants)
        participant_id = secrets.token_urlsafe(6)
        participant = Participant(
            id=participant_id,
            role=role,
            name=name,
            external_id=external_id,
            client_id=client_id,
            outbox=outbox,
            peer=self._media(
                participant_id,
                self._offer_sender(participant_id),
                lambda reason: outbox.send(NegotiationFailed(reason)),
            ),
        )
        outbox.send(Seated(participant=participant.view(), class_summary=self.summary, participants=self.roster()))
        self.participants[participant_id] = participant
        self._broadcast(ParticipantJoined(participant=participant.view()), exclude=participant_id)
        for publisher in self.participants.values():
            for track in publisher.published.values():
                self._maybe_subscribe(participant, publisher, track)
        return participant

    def roster(self) -> tuple[ParticipantView, ...]:
        return tuple(p.view() for p in self.participants.values())

    def seated(self, participant: Participant) -> bool:
        """False once the participant was replaced or removed (a request may still be in flight)."""
        return self.participants.get(participant.id) is participant

    async def leave(self, participant: Participant, reason: str) -> None:
        if not self.seated(participant):
            return
        del self.participants[participant.id]
        for track_id in list(participant.published):
            self._unpublish(participant, track_id)
        await participant.peer.close()
        self._broadcast(ParticipantLeft(participant_id=participant.id, reason=reason))

    async def end(self) -> None:
        """The class was ended: everyone is told and disconnected."""
        self.ended = True
        for participant in list(self.participants.values()):
            participant.outbox.send(ClassEnded())
            participant.outbox.dismiss(Dismissal.CLASS_ENDED)
            await self.leave(participant, "class_ended")

    # ---- what participants ask ---------------------------------------------------------------------

    def declare_tracks(self, participant: Participant, tracks: Iterable[tuple[str, Source]]) -> None:
        """Label the tracks the participant is about to send (camera, screen...)."""
        declared = list(tracks)
        for _, source in declared:
            if not may_publish(participant.role, source):
                raise NotAllowed(f"a {participant.role.value} may not publish {source.value}")
        for track_id, source in declared:
            participant.declared[track_id] = source

    def withdraw_tracks(self, participant: Participant, track_ids: Iterable[str]) -> None:
        """The participant stops sending these tracks."""
        for track_id in track_ids:
            participant.declared.pop(track_id, None)
            if track_id in participant.published:
                self._unpublish(participant, track_id)
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
        refused = [i for i in added if not self._publish(participant, i)]
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
        track = participant.published.get(track_id)
        if track is None:
            raise UnknownTrack(track_id)
        if track.muted != muted:
            track.muted = muted
            self._broadcast(TrackMuted(participant_id=participant.id, track_id=track.track_id, muted=track.muted))

    def receive_video(self, participant: Participant, video: bool) -> None:
        """`video=False`: audio only, for a weak link."""
        if participant.receive_video == video:
            return
        participant.receive_video = video
        for publisher in self.participants.values():
            for track in publisher.published.values():
                if track.kind != "video":
                    continue
                if video:
                    self._maybe_subscribe(participant, publisher, track)
                else:
                    participant.peer.unsubscribe((publisher.id, track.track_id))

    async def end_by(self, participant: Participant) -> None:
        """The lecturer ends the class for everyone."""
        if participant.role is not Role.LECTURER or self._end_requested is None:
            raise NotAllowed("only the lecturer can end the class")
        await self._end_requested()

    # ---- tracks -----------------------------------------------------------------------------------

    def _publish(self, participant: Participant, incoming: IncomingMedia) -> bool:
        source = participant.declared.pop(incoming.track_id, None)
        if source is None:
            source = Source.CAMERA if incoming.kind == "video" else Source.MICROPHONE
        if SOURCE_KIND[source] != incoming.kind or not may_publish(participant.role, source):
            participant.peer.end_incoming(incoming.track_id)
            return False
        track = PublishedTrack(incoming.track_id, source, SOURCE_KIND[source], incoming.uptrack)
        participant.published[track.track_id] = track
        self._broadcast(TrackPublished(participant_id=participant.id, track=track.view()), exclude=participant.id)
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
        if receives(subscriber.id, subscriber.role, publisher.id, publisher.role, track.source):
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
                    tracks.append(ForwardedTrack(mid, publisher_id, track_id, track.source, track.kind))
            participant.outbox.send(ReceiveOffer(sdp=sdp, tracks=tuple(tracks), fresh=fresh))

        return send_offer

    def _broadcast(self, event: ClassEvent, exclude: str | None = None) -> None:
        for participant in self.participants.values():
            if participant.id != exclude:
                participant.outbox.send(event)
