"""One class's subscribers spread over shards: the home worker's exports, the shards' mirrors.

Home and shards talk through the real datagram format (every datagram is encoded, handed
over as bytes and decoded); the channel itself is in-process so that the test drives time.
Outgoing packets are parsed with aiortc's RTP parser, independent of the relay's.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Mapping, Sequence

import pytest
from aiortc.rtp import RtpPacket

from classroom.participant_media import NegotiationError, OfferSender
from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import CodecSpec, DownTrack, OutgoingParameters, UpTrack
from classroom.relay.layers import LayerState, Priority, Quality
from classroom.relay.shards.counters import SHARDS
from classroom.relay.shards.export import Placement, capture
from classroom.relay.shards.home import ShardedMedia
from classroom.relay.shards.mirror import ShardHost
from classroom.relay.shards.wire import Subscribe, decode, encode_control
from tests.support.clock import ManualClock
from tests.support.wait import until

VP8 = CodecSpec("video/VP8", 90000)
KEY = bytes([0x10, 0x00, 0xAA])  # VP8 key frame start
DELTA = bytes([0x10, 0x01, 0xBB])


class Sink:
    def __init__(self) -> None:
        self.packets: list[bytes] = []

    def send(self, data: bytes) -> bool:
        self.packets.append(data)
        return True

    def parsed(self) -> list[RtpPacket]:
        return [RtpPacket.parse(p) for p in self.packets]


class SinkPeer:
    """A participant's media without WebRTC: each subscription is a DownTrack into a Sink.

    It offers on its first subscription (fresh) like the relay's MediaPeer, and takes answers.
    """

    def __init__(self, participant_id: str, send_offer: OfferSender, report_failure: Callable[[str], None]):
        self.participant_id = participant_id
        self.send_offer = send_offer
        self.report_failure = report_failure
        self.streams: dict[tuple[str, str], tuple[DownTrack, Sink]] = {}
        self.answers: list[str] = []
        self.closed = False
        # what the class (or, on a shard, the home) asked of its adaptation
        self.adapted: dict[tuple[str, str], tuple[dict[Quality, UpTrack], Priority]] = {}
        self.view: dict[str, tuple[int, int]] = {}
        self.save_data = False
        self.counts: dict[LayerState, int] = {}
        self.link_listener: Callable[[LinkReport], None] | None = None
        self._fresh = True
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle_publish_offer(self, sdp: str):  # type: ignore[no-untyped-def]
        return "answer", [], []

    async def handle_subscribe_answer(self, sdp: str) -> None:
        if sdp == "bad":
            raise NegotiationError("not an answer")
        self.answers.append(sdp)

    async def add_remote_candidate(self, transport: str, candidate: str | None, sdp_mid: str | None, index: int | None) -> bool:
        return candidate is not None

    def subscribe(self, key: tuple[str, str], uptrack: UpTrack, stream_id: str) -> None:
        sink = Sink()
        down = DownTrack(uptrack.kind, uptrack.codec.clock_rate, sink)
        down.bind(uptrack)
        down.configure(OutgoingParameters(payload_type=96, ssrc=0x5555))
        self.streams[key] = (down, sink)
        fresh, self._fresh = self._fresh, False
        task = asyncio.ensure_future(self.send_offer(f"offer from {self.participant_id}", [("0", key)], fresh))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def unsubscribe(self, key: tuple[str, str]) -> None:
        self.adapted.pop(key, None)
        if (stream := self.streams.pop(key, None)) is not None:
            stream[0].close()

    def adapt(self, key: tuple[str, str], layers: Mapping[Quality, UpTrack], priority: Priority) -> None:
        if key in self.streams:
            self.adapted[key] = (dict(layers), priority)

    def set_view(self, tiles: Mapping[str, tuple[int, int]]) -> None:
        self.view = dict(tiles)

    def set_save_data(self, on: bool) -> None:
        self.save_data = on

    def watch_link(self, listener: Callable[[LinkReport], None]) -> None:
        self.link_listener = listener

    def layer_counts(self) -> dict[LayerState, int]:
        return dict(self.counts)

    def end_incoming(self, track_id: str) -> object:
        return None

    def downtracks(self) -> Sequence[DownTrack]:
        return [d for d, _ in self.streams.values()]

    async def close(self) -> None:
        self.closed = True
        for down, _ in self.streams.values():
            down.close()


class Channel:
    """Home's link to one shard: datagrams go over as bytes, in order; media may be refused."""

    def __init__(self, name: str, clock: ManualClock, home: ShardedMedia):
        self.name = name
        self.accept = True
        self.media_sent = 0
        self.peers: dict[str, SinkPeer] = {}
        self.host = ShardHost(lambda d: home.on_control(self, decode(d)), self._peer, clock.schedule, clock)

    def _peer(self, participant_id: str, send_offer: OfferSender, report_failure: Callable[[str], None]) -> SinkPeer:
        peer = self.peers[participant_id] = SinkPeer(participant_id, send_offer, report_failure)
        return peer

    def send_media(self, datagram: bytes) -> bool:
        if not self.accept:
            return False
        self.media_sent += 1
        self.host.on_datagram(datagram)
        return True

    def send_control(self, datagram: bytes) -> None:
        self.host.on_datagram(datagram)


class Class(ManualClock):
    """A home worker with one publisher's video track and shards `a` and `b`."""

    def __init__(self, threshold: int = 1):
        super().__init__(100.0)
        self.plis: list[float] = []
        self.up = UpTrack("cam", VP8, lambda: self.plis.append(self.now), self.schedule, clock=self)
        self.home_peers: dict[str, SinkPeer] = {}
        self.media = ShardedMedia(self._home_peer, threshold)
        self.a = Channel("a", self, self.media)
        self.b = Channel("b", self, self.media)
        self.media.shard_ready(self.a)
        self.media.shard_ready(self.b)
        self.offers: dict[str, list[tuple[str, list[tuple[str, tuple[str, str]]], bool]]] = {}
        self.failures: dict[str, list[str]] = {}
        self.seq = 1000
        self.ts = 5000

    def _home_peer(self, participant_id: str, send_offer: OfferSender, report_failure: Callable[[str], None]) -> SinkPeer:
        peer = self.home_peers[participant_id] = SinkPeer(participant_id, send_offer, report_failure)
        return peer

    def join(self, participant_id: str):  # type: ignore[no-untyped-def]
        offers = self.offers.setdefault(participant_id, [])
        failures = self.failures.setdefault(participant_id, [])

        async def send_offer(sdp: str, announced: list[tuple[str, tuple[str, str]]], fresh: bool) -> None:
            offers.append((sdp, announced, fresh))

        peer = self.media(participant_id, send_offer, failures.append)
        peer.subscribe(("lecturer", "cam"), self.up, "lecturer")
        return peer

    def sink_of(self, participant_id: str) -> Sink:
        for peers in (self.home_peers, self.a.peers, self.b.peers):
            if participant_id in peers and ("lecturer", "cam") in peers[participant_id].streams:
                return peers[participant_id].streams[("lecturer", "cam")][1]
        raise KeyError(participant_id)

    def frame(self, key: bool = False, packets: int = 3) -> None:
        """One video frame of `packets` packets, 33 ms after the previous one."""
        self.advance(0.033)
        self.ts += 2970
        for i in range(packets):
            start = i == 0
            payload = (KEY if key else DELTA) if start else bytes([0x00, i])
            self.up.on_packet(self.seq, self.ts, i == packets - 1, payload, self.now)
            self.seq = (self.seq + 1) & 0xFFFF


def shape(sink: Sink) -> list[tuple[int, int, bool, bytes]]:
    """What a subscriber saw, relative to its first packet: seq and ts steps, marker, payload."""
    packets = sink.parsed()
    first = packets[0]
    return [
        ((p.sequence_number - first.sequence_number) & 0xFFFF, (p.timestamp - first.timestamp) & 0xFFFFFFFF, bool(p.marker), p.payload)
        for p in packets
    ]


async def test_every_shard_gets_each_packet_once_and_forwards_as_home_does():
    c = Class(threshold=1)
    c.join("home-1"), c.join("shard-a-1"), c.join("shard-b-1"), c.join("shard-a-2")
    assert set(c.home_peers) == {"home-1", "shard-a-1", "shard-b-1", "shard-a-2"}  # publishing is home's
    assert set(c.a.peers) == {"shard-a-1", "shard-a-2"} and set(c.b.peers) == {"shard-b-1"}
    assert [p.streams for p in map(c.home_peers.get, ["shard-a-1", "shard-b-1", "shard-a-2"])] == [{}, {}, {}]
    c.frame(key=True)
    for _ in range(20):
        c.frame()
    home = shape(c.sink_of("home-1"))
    assert len(home) == 63
    for participant in ("shard-a-1", "shard-b-1", "shard-a-2"):
        assert shape(c.sink_of(participant)) == home
    # one datagram per packet per shard, however many subscribers each shard holds
    assert c.a.media_sent == c.b.media_sent == 63


async def test_packets_keep_their_order_across_wrap_and_a_shard_forwards_them_as_sent():
    c = Class(threshold=1)
    c.seq = 65533
    c.join("home"), c.join("x")
    assert "x" in c.a.peers
    c.frame(key=True, packets=5)
    c.up.on_packet(65534, c.ts, False, bytes([0x00, 9]), c.now)  # late: forwarded where it falls
    c.frame(packets=2)
    seqs = [p.sequence_number for p in c.sink_of("x").parsed()]
    assert [(s - seqs[0]) & 0xFFFF for s in seqs] == [0, 1, 2, 3, 4, 1, 5, 6]
    assert [p.payload for p in c.sink_of("x").parsed()][5] == bytes([0x00, 9])
    assert shape(c.sink_of("x")) == shape(c.sink_of("home"))


async def test_a_shard_subscriber_starts_at_a_key_frame_the_publisher_was_asked_for():
    c = Class(threshold=0)
    c.join("x")
    assert c.plis, "the export asks the publisher for a key frame for the shard's new subscriber"
    c.frame()  # no key frame yet: nothing reaches the subscriber
    assert c.sink_of("x").packets == []
    c.advance(1.0)
    before = len(c.plis)
    down = c.a.peers["x"].streams[("lecturer", "cam")][0]
    down.on_keyframe_request()  # the subscriber's PLI travels home
    assert len(c.plis) == before + 1
    c.frame(key=True)
    assert len(c.sink_of("x").packets) == 3


async def test_a_sender_report_reaches_the_shard_before_the_packets_it_precedes():
    c = Class(threshold=0)
    c.join("x")
    c.up.on_sender_report(0xE000_0000_8000_0000, 123456, c.now)
    c.frame(key=True)
    mirror = c.a.host.tracks[1]
    assert mirror.sender_clock is not None
    assert (mirror.sender_clock.ntp, mirror.sender_clock.rtp, mirror.sender_clock.received_at) == (0xE000_0000_8000_0000, 123456, c.up.sender_clock.received_at)
    down = c.a.peers["x"].streams[("lecturer", "cam")][0]
    assert down.sender_report() is not None


async def test_a_slow_shard_loses_packets_alone():
    c = Class(threshold=0)
    c.join("on-a")
    c.join("on-b")
    c.frame(key=True)
    c.a.accept = False
    before = SHARDS.snapshot()
    c.frame()
    c.a.accept = True
    c.frame()
    export = c.media.exports.by_number[1]
    assert (export.stats["a"].dropped, export.stats["b"].dropped) == (3, 0)
    after = SHARDS.snapshot()
    assert after["shard_packets_dropped"] - before["shard_packets_dropped"] == 3
    assert after["shard_packets_sent"] - before["shard_packets_sent"] == 9  # 3 to a, 6 to b
    assert len(c.sink_of("on-b").packets) == 9


async def test_signaling_of_a_shard_subscriber_goes_through_home():
    c = Class(threshold=0)
    peer = c.join("x")
    await until(lambda: c.offers["x"])
    assert c.offers["x"] == [("offer from x", [("0", ("lecturer", "cam"))], True)]
    await peer.handle_subscribe_answer("answer from x")
    assert c.a.peers["x"].answers == ["answer from x"]
    with pytest.raises(NegotiationError, match="not an answer"):
        await peer.handle_subscribe_answer("bad")
    assert await peer.add_remote_candidate("subscribe", "candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", 0) is True
    assert await peer.add_remote_candidate("subscribe", None, "0", 0) is False


async def test_unsubscribing_the_last_shard_subscriber_closes_the_track_there():
    c = Class(threshold=0)
    c.join("x").unsubscribe(("lecturer", "cam"))
    assert c.a.host.tracks == {}
    assert c.up.taps == ()


async def test_a_track_that_ends_at_home_ends_on_every_shard():
    c = Class(threshold=0)
    c.join("on-a"), c.join("on-b")
    mirrors = [c.a.host.tracks[1], c.b.host.tracks[1]]
    c.up.close()
    assert c.a.host.tracks == c.b.host.tracks == {}
    assert [m.downtracks for m in mirrors] == [(), ()]


async def test_a_moved_subscriber_continues_its_numbering_on_the_new_shard():
    c = Class(threshold=0)
    c.join("x")
    c.frame(key=True)
    c.frame()
    old = c.a.peers["x"].streams[("lecturer", "cam")]
    last = old[1].parsed()[-1]
    where = capture(old[0])
    assert where is not None
    # the shard takes the stream over from where the other one stopped
    c.b.host.on_datagram(encode_control(c.media.exports.by_number[1].open_message()))
    c.media.exports.by_number[1].add(c.b)
    c.b.host.on_datagram(
        encode_control(Subscribe(peer="x", publisher="lecturer", track_id="cam", track=1, stream_id="lecturer", continuity=where))
    )
    c.a.host.on_datagram(encode_control(c.media.exports.by_number[1].open_message()))  # ignored: already open
    c.frame()  # not a key frame: the new stream waits
    c.advance(0.5)
    c.frame(key=True)
    moved = c.b.peers["x"].streams[("lecturer", "cam")][1].parsed()
    assert moved[0].sequence_number == (last.sequence_number + 1) & 0xFFFF
    elapsed = round((0.5 + 0.066) * 90000)  # the wall time between the last packet and this one
    assert abs(((moved[0].timestamp - last.timestamp) & 0xFFFFFFFF) - elapsed) <= 90


async def test_a_shard_that_dies_sends_its_subscribers_elsewhere_and_the_class_goes_on():
    c = Class(threshold=1)
    peers = {p: c.join(p) for p in ("h1", "a1", "b1", "a2", "b2")}
    assert set(c.a.peers) == {"a1", "a2"} and set(c.b.peers) == {"b1", "b2"}
    c.frame(key=True)
    await until(lambda: all(c.offers[p] for p in peers))
    rejoined = SHARDS.shard_subscribers_rejoined
    c.media.shard_lost(c.a)  # its channel closed: the process is gone
    assert SHARDS.shard_subscribers_rejoined == rejoined + 2
    assert c.failures["a1"] and c.failures["a2"] and not c.failures["b1"] and not c.failures["h1"]
    assert peers["a1"].link is not c.a and peers["a2"].link is not c.a
    # a fresh subscribe offer follows from wherever they now are
    await until(lambda: c.offers["a1"][-1][2] and len(c.offers["a1"]) == 2 and len(c.offers["a2"]) == 2)
    for _ in range(3):
        c.frame()
    c.frame(key=True)
    assert len(c.sink_of("b1").packets) == 15  # the others never stopped
    assert len(c.sink_of("h1").packets) == 15
    for moved in ("a1", "a2"):
        receiving = c.home_peers[moved].streams or c.b.peers[moved].streams
        assert len(receiving[("lecturer", "cam")][1].packets) == 3  # from the next key frame
    assert c.a.media_sent == 3  # nothing more was handed to the dead shard
    assert set(c.media.placement.loads) == {c.b}


async def test_closing_a_shard_subscriber_frees_its_place_and_its_peer_there():
    c = Class(threshold=0)
    peer = c.join("x")
    await peer.close()
    await until(lambda: c.a.peers["x"].closed)
    assert c.media.placement.loads[c.a] == 0
    assert c.a.host.tracks == {} and c.home_peers["x"].closed


def test_placement_keeps_small_classes_at_home_and_balances_large_ones():
    a, b = object(), object()
    placement = Placement(threshold=50)
    placement.add_shard(a)  # type: ignore[arg-type]
    placement.add_shard(b)  # type: ignore[arg-type]
    where = [placement.place(n) for n in range(50)]
    assert where == [None] * 50
    where = [placement.place(n) for n in range(50, 200)]
    assert (placement.home_load, placement.loads[a], placement.loads[b]) == (66, 67, 67)
    placement.shard_lost(a)  # type: ignore[arg-type]
    assert [placement.place(300), placement.place(300)] == [None, b]  # home was the least loaded
    lone = Placement(threshold=0)
    assert lone.place(1000) is None  # no shard: everything stays at home


async def test_a_shard_ignores_what_it_cannot_use_and_goes_on():
    c = Class(threshold=0)
    c.join("x")
    host = c.a.host
    host.on_datagram(b"\x09garbage")
    host.on_datagram(b'\x02{"t":"track_closed","track":"1"}')
    host.on_datagram(encode_control(Subscribe(peer="y", publisher="p", track_id="t", track=99, stream_id="s")))
    assert host.malformed == 2 and "y" not in host.peers
    c.frame(key=True)
    assert len(c.sink_of("x").packets) == 3


async def test_a_shard_subscriber_adapts_there_to_its_layers_view_and_save_data():
    """The selection runs where the subscriber's stream is: each layer is handed to its shard
    (once per shard), the page's view and save-data follow it, and its link reports come home."""
    c = Class(threshold=1)
    low = UpTrack("cam-low", VP8, lambda: None, c.schedule, clock=c)
    c.join("h1")
    peer = c.media("x", lambda sdp, announced, fresh: asyncio.sleep(0), lambda reason: None)
    reports: list[LinkReport] = []
    peer.watch_link(reports.append)
    peer.set_view({"cam": (320, 180)})  # before the receive side has a place
    peer.set_save_data(True)
    key = ("lecturer", "cam")
    peer.subscribe(key, c.up, "lecturer")
    peer.adapt(key, {"high": c.up, "low": low}, Priority.LECTURER)
    assert peer.link is c.a
    there = c.a.peers["x"]
    layers, priority = there.adapted[key]
    assert priority is Priority.LECTURER
    assert layers["high"] is c.a.host.tracks[1] and layers["low"].track_id == "cam-low"
    assert there.view == {"cam": (320, 180)} and there.save_data
    sent = c.a.media_sent
    low.on_packet(1, 10, True, KEY, c.now)
    assert c.a.media_sent == sent + 1  # the low layer reaches the shard
    peer.set_view({"cam": (0, 0)})
    peer.set_save_data(False)
    assert there.view == {"cam": (0, 0)} and not there.save_data
    # the shard's selection reports, home hands them to the class as a local peer's
    assert there.link_listener is not None
    there.counts = {"low": 1}
    report = LinkReport(quality="fair", reduced=True, estimate_kbps=280, tracks=((key, "low"),), camera="low")
    there.link_listener(report)
    there.link_listener(report)  # unchanged within a second: not sent again
    assert reports == [report] and peer.layer_counts() == {"low": 1}
    c.advance(1.0)
    there.link_listener(report)
    assert reports == [report, report]
    # the layer taken away: it is no longer handed over
    peer.adapt(key, {"high": c.up}, Priority.FLOOR)
    assert set(there.adapted[key][0]) == {"high"} and there.adapted[key][1] is Priority.FLOOR
    low.on_packet(2, 20, True, DELTA, c.now)
    assert c.a.media_sent == sent + 1 and not low.taps
    # a shard lost: the adaptation is replayed where the subscriber goes next
    peer.adapt(key, {"high": c.up, "low": low}, Priority.LECTURER)
    c.media.shard_lost(c.a)
    assert peer.link is c.b
    moved = c.b.peers["x"]
    assert set(moved.adapted[key][0]) == {"high", "low"} and moved.view == {"cam": (0, 0)}
    assert peer.layer_counts() == {}  # nothing measured there yet
    await peer.close()
    await until(lambda: moved.closed)
    assert not low.taps and c.b.host.tracks == {}


async def test_a_home_subscriber_adapts_at_home():
    c = Class(threshold=5)
    low = UpTrack("cam-low", VP8, lambda: None, c.schedule, clock=c)
    peer = c.join("h1")
    key = ("lecturer", "cam")
    peer.adapt(key, {"high": c.up, "low": low}, Priority.OTHER)
    peer.set_view({"cam": (160, 90)})
    here = c.home_peers["h1"]
    assert peer.link is None and set(here.adapted[key][0]) == {"high", "low"} and here.view == {"cam": (160, 90)}
    assert not low.taps and c.a.media_sent == 0
    here.counts = {"high": 1}
    assert peer.layer_counts() == {"high": 1}
