"""The live class's rules, driven without a wire or WebRTC.

Participants' media come from a `MediaPeerFactory` that records what the class asks of it
(subscribe, unsubscribe, end a track); published tracks are real relay `UpTrack`s. What the
class tells each participant is read from their outbox as domain events.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import pytest

from classroom.errors import ClassEnded, ClassFull, InvalidSdp, NotAllowed, UnknownTrack
from classroom.events import (
    ClassEvent,
    ClassSummary,
    Dismissal,
    NegotiationFailed,
    ParticipantJoined,
    ParticipantLeft,
    PublishAnswer,
    ReceiveOffer,
    Seated,
    TrackMuted,
    TrackPublished,
    TrackUnpublished,
)
from classroom.events import ClassEnded as ClassEndedEvent
from classroom.live_class import LiveClass, Participant
from classroom.participant_media import NegotiationError, OfferSender
from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import CodecSpec, DownTrack, UpTrack
from classroom.relay.layers import Priority
from classroom.roles import Role, Source
from classroom.seat_limits import SeatLimits

VP8 = CodecSpec(mime_type="video/VP8", clock_rate=90000)
OPUS = CodecSpec(mime_type="audio/opus", clock_rate=48000, channels=2)


@dataclass
class Incoming:
    track_id: str
    kind: str
    uptrack: UpTrack


class RecordingPeer:
    """A participant's media as the class drives it; `offer` decides what the next offer adds."""

    def __init__(self, participant_id: str, send_offer: OfferSender, report_failure: Callable[[str], None]):
        self.participant_id = participant_id
        self.send_offer = send_offer
        self.report_failure = report_failure
        self.subscribed: dict[tuple[str, str], str] = {}
        self.adapted: dict[tuple[str, str], tuple[dict[str, UpTrack], Priority]] = {}
        self.tiles: dict[str, tuple[int, int]] = {}
        self.save_data = False
        self.link_listener: Callable[[LinkReport], None] = lambda report: None
        self.ended: list[str] = []
        self.closed = False
        self.next_tracks: list[tuple[str, CodecSpec]] = []
        self.refuse_sdp = False

    async def handle_publish_offer(self, sdp: str) -> tuple[str, Sequence[Incoming], Sequence[Incoming]]:
        if self.refuse_sdp:
            raise NegotiationError("the offer has no m-line")
        added = [
            Incoming(track_id, codec.kind, UpTrack(track_id, codec, lambda: None, asyncio.get_running_loop().call_later))
            for track_id, codec in self.next_tracks
        ]
        self.next_tracks = []
        return f"answer to {sdp}", added, []

    async def handle_subscribe_answer(self, sdp: str) -> None:
        if self.refuse_sdp:
            raise NegotiationError("not an answer")

    async def add_remote_candidate(self, transport: str, candidate: str | None, sdp_mid: str | None, index: int | None) -> bool:
        return True

    def subscribe(self, key: tuple[str, str], uptrack: UpTrack, stream_id: str) -> None:
        self.subscribed[key] = stream_id

    def unsubscribe(self, key: tuple[str, str]) -> None:
        self.subscribed.pop(key, None)
        self.adapted.pop(key, None)

    def adapt(self, key: tuple[str, str], layers: Mapping[str, UpTrack], priority: Priority) -> None:
        self.adapted[key] = (dict(layers), priority)

    def set_view(self, tiles: Mapping[str, tuple[int, int]]) -> None:
        self.tiles = dict(tiles)

    def set_save_data(self, on: bool) -> None:
        self.save_data = on

    def watch_link(self, listener: Callable[[LinkReport], None]) -> None:
        self.link_listener = listener

    def layer_counts(self) -> dict[str, int]:
        return {}

    def end_incoming(self, track_id: str) -> object:
        self.ended.append(track_id)
        return None

    def downtracks(self) -> Sequence[DownTrack]:
        return []

    async def close(self) -> None:
        self.closed = True


@dataclass
class Inbox:
    """An outbox that keeps what the class sent."""

    events: list[ClassEvent] = field(default_factory=list)
    dismissed: Dismissal | None = None

    def send(self, event: ClassEvent) -> None:
        self.events.append(event)

    def dismiss(self, why: Dismissal) -> None:
        self.dismissed = why

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


class Harness:
    def __init__(self, max_participants: int = 10, seat_limits: SeatLimits | None = None):
        self.peers: dict[str, RecordingPeer] = {}
        self.end_requests = 0

        def media(participant_id: str, send_offer: OfferSender, report: Callable[[str], None]) -> RecordingPeer:
            peer = RecordingPeer(participant_id, send_offer, report)
            self.peers[participant_id] = peer
            return peer

        async def end_requested() -> None:
            self.end_requests += 1

        self.live = LiveClass(
            ClassSummary("c1", "Kỹ năng lãnh đạo", "room-101"), media, max_participants, end_requested, seat_limits=seat_limits
        )

    async def join(self, role: Role, name: str, external_id: str | None = None) -> tuple[Participant, Inbox]:
        inbox = Inbox()
        seat = await self.live.join(role, name, external_id, None, inbox)
        assert seat.participant is not None, "waits in the lobby"
        return seat.participant, inbox

    async def publish(self, participant: Participant, *tracks: tuple[str, Source]) -> None:
        self.live.declare_tracks(participant, tracks)
        peer = self.peers[participant.id]
        peer.next_tracks = [(t, VP8 if s in (Source.CAMERA, Source.SCREEN) else OPUS) for t, s in tracks]
        await self.live.publish_offer(participant, "offer")


async def test_a_newcomer_is_seated_with_the_roster_and_the_others_are_told() -> None:
    h = Harness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    trainee, inbox = await h.join(Role.TRAINEE, "Anh Minh", external_id="HV-1")
    (seated,) = inbox.of(Seated)
    assert seated.participant.id == trainee.id and seated.participant.external_id == "HV-1"
    assert seated.class_summary == ClassSummary("c1", "Kỹ năng lãnh đạo", "room-101")
    assert [p.id for p in seated.participants] == [lecturer.id]
    assert [e.participant.id for e in lecturer_inbox.of(ParticipantJoined)] == [trainee.id]


async def test_tracks_follow_the_classroom_topology() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    room, _ = await h.join(Role.ROOM, "Phòng A2")
    trainee, _ = await h.join(Role.TRAINEE, "Học viên 1")
    other, _ = await h.join(Role.TRAINEE, "Học viên 2")
    await h.publish(lecturer, ("cam", Source.CAMERA), ("mic", Source.MICROPHONE))
    await h.publish(trainee, ("t-cam", Source.CAMERA))
    # the lecturer's tracks reach everyone else; a trainee's only the lecturer and the room
    for peer in (h.peers[room.id], h.peers[trainee.id], h.peers[other.id]):
        assert {(lecturer.id, "cam"), (lecturer.id, "mic")} <= set(peer.subscribed)
    assert (trainee.id, "t-cam") in h.peers[lecturer.id].subscribed
    assert (trainee.id, "t-cam") in h.peers[room.id].subscribed
    assert (trainee.id, "t-cam") not in h.peers[other.id].subscribed
    assert not any(key[0] == lecturer.id for key in h.peers[lecturer.id].subscribed)
    # a late joiner receives what is already published
    late, _ = await h.join(Role.OBSERVER, "Thanh tra")
    assert set(h.peers[late.id].subscribed) == {(lecturer.id, "cam"), (lecturer.id, "mic")}


async def test_a_publish_offer_is_answered_and_announced() -> None:
    h = Harness()
    lecturer, inbox = await h.join(Role.LECTURER, "Giảng viên")
    trainee, trainee_inbox = await h.join(Role.TRAINEE, "Học viên")
    await h.publish(lecturer, ("screen", Source.SCREEN))
    assert inbox.of(PublishAnswer) == [PublishAnswer("answer to offer")]
    (published,) = trainee_inbox.of(TrackPublished)
    assert (published.participant_id, published.track.source, published.track.kind) == (lecturer.id, Source.SCREEN, "video")
    assert h.peers[trainee.id].subscribed[(lecturer.id, "screen")] == f"{lecturer.id}-screen"


async def test_roles_may_publish_only_their_sources() -> None:
    h = Harness()
    trainee, _ = await h.join(Role.TRAINEE, "Học viên")
    observer, _ = await h.join(Role.OBSERVER, "Thanh tra")
    with pytest.raises(NotAllowed, match="may not publish screen"):
        h.live.declare_tracks(trainee, [("s", Source.SCREEN)])
    with pytest.raises(NotAllowed):
        await h.live.publish_offer(observer, "offer")
    # a track whose kind contradicts its declaration is refused and ended, not forwarded
    h.live.declare_tracks(trainee, [("x", Source.MICROPHONE)])
    h.peers[trainee.id].next_tracks = [("x", VP8)]
    with pytest.raises(NotAllowed, match="tracks not forwarded: x"):
        await h.live.publish_offer(trainee, "offer")
    assert h.peers[trainee.id].ended == ["x"] and not trainee.published


async def test_negotiation_errors_become_the_class_s_own_refusals() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    h.peers[lecturer.id].refuse_sdp = True
    with pytest.raises(InvalidSdp, match="no m-line"):
        await h.live.publish_offer(lecturer, "offer")
    with pytest.raises(InvalidSdp, match="not an answer"):
        await h.live.receive_answer(lecturer, "answer")


async def test_a_failed_receive_connection_is_reported_to_its_participant() -> None:
    h = Harness()
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    h.peers[trainee.id].report_failure("no answer within 15 s")
    assert inbox.of(NegotiationFailed) == [NegotiationFailed("no answer within 15 s")]


async def test_receive_offers_name_the_tracks_they_carry() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await h.publish(lecturer, ("cam", Source.CAMERA))
    await h.peers[trainee.id].send_offer("sdp", [("0", (lecturer.id, "cam")), ("1", (lecturer.id, "gone"))], True)
    (offer,) = inbox.of(ReceiveOffer)
    assert offer.fresh and [(t.mid, t.track_id, t.source) for t in offer.tracks] == [("0", "cam", Source.CAMERA)]


async def test_mute_is_broadcast_once_and_unknown_tracks_are_refused() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await h.publish(lecturer, ("mic", Source.MICROPHONE))
    h.live.mute(lecturer, "mic", True)
    h.live.mute(lecturer, "mic", True)
    assert inbox.of(TrackMuted) == [TrackMuted(lecturer.id, "mic", True)]
    with pytest.raises(UnknownTrack):
        h.live.mute(lecturer, "nope", True)


async def test_audio_only_drops_video_and_brings_it_back() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, _ = await h.join(Role.TRAINEE, "Học viên")
    await h.publish(lecturer, ("cam", Source.CAMERA), ("mic", Source.MICROPHONE))
    peer = h.peers[trainee.id]
    h.live.receive_video(trainee, False)
    assert set(peer.subscribed) == {(lecturer.id, "mic")}
    h.live.receive_video(trainee, True)
    assert set(peer.subscribed) == {(lecturer.id, "mic"), (lecturer.id, "cam")}


async def test_withdrawn_tracks_are_unpublished_for_everyone() -> None:
    h = Harness()
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    await h.publish(lecturer, ("cam", Source.CAMERA))
    h.live.withdraw_tracks(lecturer, ["cam"])
    assert inbox.of(TrackUnpublished) == [TrackUnpublished(lecturer.id, "cam")]
    assert not h.peers[trainee.id].subscribed and h.peers[lecturer.id].ended == ["cam"]


async def test_the_same_person_joining_again_replaces_the_first_seat() -> None:
    h = Harness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Giảng viên")
    first, first_inbox = await h.join(Role.TRAINEE, "Học viên", external_id="HV-7")
    second, _ = await h.join(Role.TRAINEE, "Học viên", external_id="HV-7")
    assert first_inbox.dismissed is Dismissal.REPLACED and h.peers[first.id].closed
    assert not h.live.seated(first) and h.live.seated(second)
    assert ParticipantLeft(first.id, "replaced") in lecturer_inbox.events


async def test_a_full_class_refuses_newcomers() -> None:
    h = Harness(max_participants=1)
    await h.join(Role.TRAINEE, "Học viên 1")
    with pytest.raises(ClassFull, match=r"\(1 trainees\)") as refused:
        await h.join(Role.TRAINEE, "Học viên 2")
    assert refused.value.limit == 1 and refused.value.role == "trainee"


async def test_the_class_size_counts_trainees_only() -> None:
    """300 places are 300 trainees: the lecturers, the room and observers sit apart."""
    h = Harness(max_participants=300, seat_limits=SeatLimits(lecturers=2, rooms=1, observers=1))
    await h.join(Role.LECTURER, "Giảng viên 1")
    await h.join(Role.LECTURER, "Giảng viên 2")
    await h.join(Role.ROOM, "Phòng A2")
    await h.join(Role.OBSERVER, "Thanh tra")
    for i in range(300):
        await h.join(Role.TRAINEE, f"Học viên {i + 1}")
    assert sum(p.role is Role.TRAINEE for p in h.live.participants.values()) == 300
    with pytest.raises(ClassFull, match=r"\(300 trainees\)"):
        await h.join(Role.TRAINEE, "Học viên 301")
    for role, limit in ((Role.LECTURER, 2), (Role.ROOM, 1), (Role.OBSERVER, 1)):
        with pytest.raises(ClassFull) as refused:
            await h.join(role, "Một người nữa")
        assert (refused.value.limit, refused.value.role) == (limit, role.value)
    assert len(h.live.participants) == 304


async def test_each_role_has_its_own_limit_and_a_leaver_frees_a_place() -> None:
    h = Harness(max_participants=1, seat_limits=SeatLimits(lecturers=1, rooms=1, observers=0))
    with pytest.raises(ClassFull, match=r"\(0 observers\)"):
        await h.join(Role.OBSERVER, "Thanh tra")
    room, _ = await h.join(Role.ROOM, "Phòng A2")
    with pytest.raises(ClassFull, match=r"\(1 rooms\)"):
        await h.join(Role.ROOM, "Phòng B1")
    trainee, _ = await h.join(Role.TRAINEE, "Học viên")  # the room took no trainee's place
    await h.live.leave(room, "left")
    await h.join(Role.ROOM, "Phòng B1")
    await h.live.leave(trainee, "left")
    await h.join(Role.TRAINEE, "Học viên 2")


async def test_trainees_waiting_in_the_lobby_hold_their_places() -> None:
    h = Harness(max_participants=1)
    lecturer, _ = await h.join(Role.LECTURER, "Giảng viên")
    h.live.change_settings(lecturer, lobby=True)
    seat = await h.live.join(Role.TRAINEE, "Học viên 1", None, None, Inbox())
    assert seat.participant is None and seat.id in h.live.lobby
    with pytest.raises(ClassFull):
        await h.live.join(Role.TRAINEE, "Học viên 2", None, None, Inbox())


async def test_only_the_lecturer_ends_the_class_and_ending_dismisses_everyone() -> None:
    h = Harness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Giảng viên")
    trainee, inbox = await h.join(Role.TRAINEE, "Học viên")
    with pytest.raises(NotAllowed):
        await h.live.end_by(trainee)
    await h.live.end_by(lecturer)
    assert h.end_requests == 1
    await h.live.end()
    for box in (inbox, lecturer_inbox):
        assert ClassEndedEvent() in box.events and box.dismissed is Dismissal.CLASS_ENDED
    assert not h.live.participants and all(peer.closed for peer in h.peers.values())
    with pytest.raises(ClassEnded):
        await h.join(Role.TRAINEE, "Muộn")
