"""Real aiortc peers through LiveClass and MediaPeer, signaling in memory (no WebSocket).

The edge's translation (signaling/ws/dispatch.py, signaling/ws/frames.py) carries the
client's frames to the class and the class's events back.

The relay's aiortc hooks are exercised end to end here: packets forwarded from a publisher to
subscribers are decoded by the subscribers' own aiortc decoders.
"""

from __future__ import annotations

import asyncio

import pytest
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, unpack_remb_fci

from classroom.errors import LiveClassError
from classroom.events import ClassSummary, Dismissal
from classroom.live_class import LiveClass
from classroom.relay import aiortc_internals
from classroom.relay.fanout import DEFAULT_SLICE, fanout_scheduler
from classroom.relay.ice import IcePolicy
from classroom.relay.peer import RelayConfig
from classroom.roles import Role, Source
from signaling.server.media import media_peers
from signaling.ws.client import ClassClient, ServerError
from signaling.ws.dispatch import carry_out
from signaling.ws.frames import DISMISSALS, ConnectionTerms, frame_of, refusal
from signaling.ws.messages import Error, ErrorCode, Limits, MessageError, encode, parse_client_message
from tests.support.media import PatternTrack, ToneTrack, audio_level, frames
from tests.support.wait import until

pytestmark = pytest.mark.webrtc

TERMS = ConnectionTerms(ice_servers=[], limits=Limits(max_message_bytes=65536, rate_per_second=20, keepalive_timeout_s=45))


class MemoryConnection:
    """The server end of an in-memory signaling channel: Outbox for LiveClass, Channel for the client."""

    def __init__(self, live: LiveClass, role: Role):
        self.live = live
        self.role = role
        self.to_client: asyncio.Queue[str | None] = asyncio.Queue()
        self.participant = None

    # Outbox
    def send(self, event) -> None:
        self.to_client.put_nowait(encode(frame_of(event, TERMS)))

    def dismiss(self, why: Dismissal) -> None:
        code, message = DISMISSALS[why]
        if code is not None:
            self.to_client.put_nowait(encode(Error(code=code, message=message, fatal=True)))
        self.to_client.put_nowait(None)

    # Channel
    async def send_from_client(self, text: str) -> None:
        try:
            message = parse_client_message(text, 65536)
            if self.participant is None:
                try:
                    self.participant = await self.live.join(self.role, message.name or "x", None, None, self)
                except LiveClassError as error:
                    raise refusal(error, fatal=True) from None
            else:
                await carry_out(self.live, self.participant, message)  # the seat
        except MessageError as error:
            self.to_client.put_nowait(encode(Error(code=error.code, message=error.message, ref=error.ref)))


class MemoryChannel:
    def __init__(self, connection: MemoryConnection):
        self.connection = connection

    async def send(self, text: str) -> None:
        await self.connection.send_from_client(text)

    async def recv(self) -> str:
        item = await self.connection.to_client.get()
        if item is None:
            raise ConnectionError("closed")
        return item

    async def close(self) -> None:
        pass


def make_class(**relay_options) -> LiveClass:
    relay = RelayConfig(
        ice=IcePolicy(host_addresses=("127.0.0.1",)), max_video_bitrate=700_000, bitrate_cap_interval=0.2, **relay_options
    )
    return LiveClass(ClassSummary(id="c1", title="Test"), media_peers(relay), max_participants=50)


@pytest.fixture
def live():
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    yield make_class()
    aiortc_internals.use_host_addresses(None)


async def connect(live: LiveClass, role: Role, name: str, **options) -> ClassClient:
    client = ClassClient(MemoryChannel(MemoryConnection(live, role)), **options)
    await client.join("unused-token", name=name)
    return client


async def test_lecturer_video_and_audio_reach_a_trainee(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    await lecturer.publish([(PatternTrack(), Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])
    lecturer_id = lecturer.joined.participant.id
    video = await trainee.wait_for_track(lecturer_id, Source.CAMERA)
    audio = await trainee.wait_for_track(lecturer_id, Source.MICROPHONE)
    decoded = await frames(video.track, 10)
    assert {(f.width, f.height) for f in decoded} == {(320, 240)}
    sound = await frames(audio.track, 25)
    assert max(audio_level(f) for f in sound[-10:]) > 0.05  # the tone, not silence
    # the relay's stream for this trainee: packets went through a DownTrack, none decoded
    (publisher,) = [p for p in live.participants.values() if p.role is Role.LECTURER]
    uptracks = {t.source: t.uptrack for t in publisher.published.values()}
    assert uptracks[Source.CAMERA].downtracks[0].stats.packets_sent > 0
    await trainee.close()
    await lecturer.close()


async def test_trainee_audio_reaches_lecturer_but_not_other_trainees(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    a = await connect(live, Role.TRAINEE, "A")
    b = await connect(live, Role.TRAINEE, "B")
    await a.publish([(ToneTrack(), Source.MICROPHONE)])
    got = await lecturer.wait_for_track(a.joined.participant.id, Source.MICROPHONE)
    sound = await frames(got.track, 25)
    assert max(audio_level(f) for f in sound[-10:]) > 0.05
    await asyncio.sleep(0.3)
    assert b.received() == []
    for c in (a, b, lecturer):
        await c.close()


async def test_observer_may_not_publish(live):
    observer = await connect(live, Role.OBSERVER, "Inspector")
    with pytest.raises(ServerError):
        await observer.publish([(ToneTrack(), Source.MICROPHONE)])
    error = await observer.next_event("error")
    assert error.code == ErrorCode.NOT_ALLOWED
    await observer.close()


async def test_late_joiner_gets_a_picture_quickly(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    await asyncio.sleep(1.5)  # the stream runs; its first key frame is long gone
    loop = asyncio.get_running_loop()
    started = loop.time()
    late = await connect(live, Role.TRAINEE, "Late")
    video = await late.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await frames(video.track, 1)
    assert loop.time() - started < 1.0
    await late.close()
    await lecturer.close()


async def test_unpublish_then_screen_share_reuses_the_m_line(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    lecturer_id = lecturer.joined.participant.id
    camera = PatternTrack()
    await lecturer.publish([(camera, Source.CAMERA)])
    await frames((await trainee.wait_for_track(lecturer_id, Source.CAMERA)).track, 3)
    await lecturer.unpublish(camera)
    gone = await trainee.next_event("track_unpublished")
    assert gone.track_id == camera.id
    screen = PatternTrack(640, 360)
    await lecturer.publish([(screen, Source.SCREEN)])
    shared = await trainee.wait_for_track(lecturer_id, Source.SCREEN)
    decoded = await frames(shared.track, 3)
    assert decoded[-1].width == 640
    assert len(trainee.subscribe_pc.getTransceivers()) == 1  # the camera's m-line was reused
    await trainee.close()
    await lecturer.close()


async def test_invalid_sdp_is_refused_and_the_class_goes_on(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    await trainee.send_raw({"type": "offer", "transport": "publish", "sdp": "v=0\r\nthis is not sdp\r\n"})
    error = await trainee.next_event("error")
    assert error.code == ErrorCode.INVALID_SDP and not error.fatal
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    video = await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await frames(video.track, 2)
    await trainee.close()
    await lecturer.close()


async def test_audio_only_stops_video_and_keeps_audio(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    lecturer_id = lecturer.joined.participant.id
    await lecturer.publish([(PatternTrack(), Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])
    await frames((await trainee.wait_for_track(lecturer_id, Source.CAMERA)).track, 2)
    offers = trainee.offers_received
    await trainee.send_raw({"type": "receive", "video": False})
    await until(lambda: trainee.offers_received != offers, what="a new offer", interval=0.05)
    assert [r.info.source for r in trainee.received()] == [Source.MICROPHONE]
    (publisher,) = [p for p in live.participants.values() if p.role is Role.LECTURER]
    camera = next(t for t in publisher.published.values() if t.source is Source.CAMERA)
    assert camera.uptrack.downtracks == ()  # nothing forwarded to the trainee any more
    sound = await frames((await trainee.wait_for_track(lecturer_id, Source.MICROPHONE)).track, 10)
    assert max(audio_level(f) for f in sound) > 0.05
    await trainee.send_raw({"type": "receive", "video": True})
    await frames((await trainee.wait_for_track(lecturer_id, Source.CAMERA)).track, 2)
    await trainee.close()
    await lecturer.close()


async def test_only_the_lecturer_can_end_the_class(live):
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    await trainee.send_raw({"type": "end_class"})
    error = await trainee.next_event("error")
    assert error.code == ErrorCode.NOT_ALLOWED
    await trainee.close()


async def test_publishers_are_capped_by_remb(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    seen: list[tuple[int, list[int]]] = []
    camera = PatternTrack()
    await lecturer.publish([(camera, Source.CAMERA)])
    sender = lecturer.publish_pc.getSenders()[0]
    handle = sender._handle_rtcp_packet

    async def spy(packet):
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            seen.append(unpack_remb_fci(packet.fci))
        await handle(packet)

    sender._handle_rtcp_packet = spy
    await asyncio.sleep(1.0)
    assert seen and all(bitrate == 700_000 and ssrcs == [sender._ssrc] for bitrate, ssrcs in seen)
    await lecturer.close()


async def test_h264_is_forwarded_as_is(live):
    lecturer = await connect(live, Role.LECTURER, "Lecturer", video_codec="video/H264")
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    video = await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    decoded = await frames(video.track, 5)
    assert decoded[-1].width == 320
    (publisher,) = [p for p in live.participants.values() if p.role is Role.LECTURER]
    (track,) = publisher.published.values()
    assert track.uptrack.codec.mime_type == "video/H264"
    (transceiver,) = trainee.subscribe_pc.getTransceivers()
    assert [c.mimeType for c in transceiver._codecs if c.mimeType != "video/rtx"] == ["video/H264"]
    await trainee.close()
    await lecturer.close()


async def test_an_unanswered_subscribe_offer_is_reported_and_offered_afresh(live):
    live = make_class(answer_timeout=0.5)
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    silent = trainee._on_offer

    async def ignore_first(offer):
        trainee._on_offer = silent  # answer the next one

    trainee._on_offer = ignore_first
    error = await trainee.next_event("error")
    assert error.code == ErrorCode.NEGOTIATION_FAILED and not error.fatal
    video = await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await frames(video.track, 2)
    await trainee.close()
    await lecturer.close()


async def test_sliced_fan_out_delivers_decodable_video_to_every_trainee(live):
    """Off by default (docs/relay.md); on, with one subscriber stream per slice, each
    trainee still decodes the lecturer's picture: order and rewriting survive the slicing."""
    loop = asyncio.get_running_loop()
    scheduler = fanout_scheduler(loop)
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    trainees = [await connect(live, Role.TRAINEE, f"Trainee {i}") for i in range(2)]
    aiortc_internals.use_sliced_fanout(True)
    scheduler.slice_size = 1
    try:
        await lecturer.publish([(PatternTrack(), Source.CAMERA)])
        for trainee in trainees:
            video = await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
            assert {(f.width, f.height) for f in await frames(video.track, 5)} == {(320, 240)}
        assert scheduler.slices_run > 0
    finally:
        aiortc_internals.use_sliced_fanout(False)
        scheduler.slice_size = DEFAULT_SLICE
    for client in (*trainees, lecturer):
        await client.close()
async def test_a_receive_connection_started_afresh_keeps_each_stream_on_its_layer(live):
    """Layers survive a restarted subscribe connection: the small tile still gets the low layer."""
    from signaling.ws.messages import TileSize, View

    live = make_class(answer_timeout=0.5)
    lecturer = await connect(live, Role.LECTURER, "Lecturer")
    trainee = await connect(live, Role.TRAINEE, "Trainee")
    cams = {"high": PatternTrack(320, 180), "medium": PatternTrack(160, 96), "low": PatternTrack(80, 48)}
    high_id = cams["high"].id
    await trainee.send(View(type="view", tracks=[TileSize(track_id=high_id, width=80, height=48)]))
    silent = trainee._on_offer

    async def ignore_first(offer):
        trainee._on_offer = silent  # answer the next one

    trainee._on_offer = ignore_first
    await lecturer.publish(
        [(cams[q], Source.CAMERA) for q in ("high", "medium", "low")],
        layers={cams["medium"].id: (high_id, "medium"), cams["low"].id: (high_id, "low")},
    )
    error = await trainee.next_event("error")
    assert error.code == ErrorCode.NEGOTIATION_FAILED
    video = await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    decoded = await frames(video.track, 10)
    assert {(f.width, f.height) for f in decoded} == {(80, 48)}
    await trainee.close()
    await lecturer.close()
