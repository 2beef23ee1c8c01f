"""A subscriber's stream moved between real VP8 layers (classroom/relay/adaptation.py).

Two layers are encoded by libvpx (aiortc's encoder) at different sizes and fed to the relay's
UpTracks; the subscriber's DownTrack is switched between them by tile size and bandwidth; what
it sends is depacketized and decoded: every frame decodes, sequence numbers have no gap and
picture IDs run on by one per frame across the switches.
"""

from __future__ import annotations

from classroom.relay.adaptation import STARVED_S, SubscriberLayers
from classroom.relay.bandwidth import LOSS_WINDOW_S, PROBE_AFTER_S
from classroom.relay.counters import COUNTERS
from classroom.relay.forwarding import CodecSpec, DownTrack, OutgoingParameters, UpTrack
from classroom.relay.layers import Priority
from classroom.relay.vp8_rewrite import Vp8Rewriter
from tests.classroom.relay.test_forwarding import Sink
from tests.classroom.relay.vp8_media import Camera, decode
from tests.support.clock import ManualClock


def steps(values: list[int], modulo: int) -> set[int]:
    """The differences between neighbours, modulo the field's size."""
    return {(b - a) % modulo for a, b in zip(values, values[1:], strict=False)}


VP8 = CodecSpec("video/VP8", 90000)
KEY = ("lecturer", "cam")


class Layered(ManualClock):
    def __init__(self) -> None:
        super().__init__()
        self.cams = {"high": Camera(320, 180), "low": Camera(160, 90)}
        self.plis: dict[str, int] = {"high": 0, "low": 0}
        self.seq = {"high": 1000, "low": 50_000}
        self.ups = {
            q: UpTrack(f"cam-{q}", VP8, lambda q=q: self._pli(q), self.schedule, clock=self)
            for q in self.cams
        }
        self.want_key = {"high": True, "low": True}
        self.sink = Sink()
        self.down = DownTrack("video", 90000, self.sink, clock=self)
        self.down.vp8 = Vp8Rewriter()
        self.down.bind(self.ups["high"])
        self.down.configure(OutgoingParameters(payload_type=96, ssrc=0x1234))
        self.down.on_remb(5_000_000)  # a measured link: the layers follow the tile first
        self.layers = SubscriberLayers(self)
        self.layers.adapt(KEY, self.down, self.ups, Priority.LECTURER)

    def _pli(self, quality: str) -> None:
        self.plis[quality] += 1
        self.want_key[quality] = True

    def frames(self, n: int) -> None:
        """n frames of every layer, a key frame where one was asked for (as a browser does)."""
        for _ in range(n):
            self.advance(1 / 30)
            for quality, cam in self.cams.items():
                payloads, ts = cam.frame(keyframe=self.want_key[quality])
                self.want_key[quality] = False
                for i, payload in enumerate(payloads):
                    self.seq[quality] = (self.seq[quality] + 1) & 0xFFFF
                    self.ups[quality].on_packet(
                        self.seq[quality], ts, i == len(payloads) - 1, payload, self.now
                    )


def test_switches_wait_for_the_target_s_key_frame_and_the_stream_stays_continuous() -> None:
    env = Layered()
    env.frames(10)
    downs_before = COUNTERS.layer_switches_down
    env.layers.set_tiles({"cam": (160, 90)})  # a small tile: the low layer
    assert env.plis["low"] >= 1, "a key frame of the target layer is asked for"
    assert env.down.source is env.ups["high"], "the current layer flows until then"
    asked = env.plis["low"]
    env.want_key["low"] = False  # that request was lost
    env.advance(1.0)
    env.layers.tick()
    assert env.plis["low"] == asked + 1, "a switch still waiting asks again"
    env.frames(10)
    assert env.down.source is env.ups["low"]
    assert COUNTERS.layer_switches_down == downs_before + 1
    env.layers.set_tiles({"cam": (1280, 720)})  # full screen: back to high
    env.frames(10)
    assert env.down.source is env.ups["high"]
    got = decode(env.sink.packets)
    assert (320, 180) in got.sizes and (160, 90) in got.sizes
    assert got.sizes[-1] == (320, 180)
    assert len(got.sizes) == len(got.picture_ids), "every forwarded frame decodes"
    assert steps(got.seqs, 1 << 16) == {1}, "no sequence gap"
    assert steps(got.picture_ids, 1 << 15) == {1}, "picture ids run on"
    assert all(0 < d < 1 << 31 for d in steps(got.timestamps, 1 << 32)), "time runs forward"


def test_a_hidden_tile_gets_nothing_and_comes_back_at_a_key_frame() -> None:
    env = Layered()
    env.frames(5)
    env.layers.set_tiles({"cam": (0, 0)})
    sent = len(env.sink.packets)
    env.frames(5)
    assert len(env.sink.packets) == sent and env.down.source is None
    report = env.layers.tick()
    assert report.tracks == ((KEY, "paused"),) and report.camera == "paused"
    env.layers.set_tiles({})
    env.frames(5)
    got = decode(env.sink.packets)
    assert got.sizes[-1] == (320, 180) and len(got.sizes) == len(got.picture_ids)
    assert steps(got.seqs, 1 << 16) == {1}


def report(env: Layered, lost: int, expected: int) -> None:
    """A receiver report: `lost` of the `expected` packets since the previous one."""
    stats = env.down.stats
    highest = (stats.rr_highest_seq or 0) + expected
    env.down.on_receiver_report(0, 0, 0, 0, highest, stats.rr_packets_lost + lost)


def test_a_low_remb_alone_moves_nothing_loss_moves_down_at_once_and_a_probe_brings_it_back() -> (
    None
):
    env = Layered()
    env.frames(5)
    report(env, 0, 1)
    env.layers.tick()
    env.down.on_remb(80_000)  # what a busy receiver's delay-based estimate may say
    for _ in range(4):
        env.frames(15)
        report(env, 0, 30)
        assert env.layers.tick().tracks == ((KEY, "high"),), "no loss: the REMB is only a floor"
    env.frames(15)
    report(env, 15, 30)  # half of the packets lost: congested
    assert env.layers.tick().tracks == ((KEY, "low"),)
    env.frames(5)
    assert env.down.source is env.ups["low"]
    # clean again: after the probe wait, one layer up beyond the estimate (here: high)
    t = env.now
    while env.layers.tick().tracks != ((KEY, "high"),):
        assert env.now - t < PROBE_AFTER_S + LOSS_WINDOW_S + 2, (
            "a clean link is probed within seconds"
        )
        env.frames(15)
        report(env, 0, 30)
    env.frames(5)
    assert env.down.source is env.ups["high"]
    got = decode(env.sink.packets)
    assert len(got.sizes) == len(got.picture_ids), "every forwarded frame decodes"
    assert steps(got.seqs, 1 << 16) == {1}


def test_a_single_layer_camera_is_paused_only_when_loss_persists_at_its_only_layer() -> None:
    env = Layered()
    env.layers.adapt(KEY, env.down, {"high": env.ups["high"]}, Priority.OTHER)
    env.down.on_remb(50_000)  # far below the camera's nominal 1.5 Mbit/s
    report(env, 0, 1)
    for _ in range(10):
        env.frames(15)
        report(env, 0, 30)
        assert env.layers.tick().tracks == ((KEY, "high"),), "never paused on a REMB alone"
    t = env.now
    while env.layers.tick().tracks != ((KEY, "paused"),):
        assert env.now - t < STARVED_S + LOSS_WINDOW_S + 2
        env.frames(15)
        report(env, 20, 30)
    assert env.now - t >= STARVED_S, "only after the loss persisted"


def test_save_data_sends_slides_key_frame_by_key_frame_with_continuous_numbering() -> None:
    env = Layered()
    env.layers.adapt(KEY, env.down, {"high": env.ups["high"]}, Priority.SCREEN)
    assert env.layers.tick().camera is None, "slides are not a camera"
    env.frames(3)
    env.layers.set_save_data(True)
    assert env.down.keyframes_only
    env.frames(6)  # delta frames: none forwarded after the current frame
    count = len(env.sink.packets)
    env.want_key["high"] = True  # a new slide's key frame
    env.frames(1)
    assert len(env.sink.packets) > count
    got = decode(env.sink.packets)
    assert len(got.sizes) == len(got.picture_ids)
    assert steps(got.seqs, 1 << 16) == {1}
