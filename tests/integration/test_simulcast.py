"""Layered cameras through the real server (issue 19), with real aiortc peers on loopback.

The lecturer publishes a camera as three VP8 tracks of different sizes (multi-track simulcast,
docs/relay.md "Layers"); one trainee shows it full size, the other in a small tile and so gets
the low layer; the second trainee then enlarges it and gets the high layer, its decoder
running on across the switch. The module's server runs under the codec audit (conftest): the
relay still creates no codec.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import httpx
import pytest
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, pack_remb_fci

from classroom.roles import Source
from signaling.ws.messages import TileSize, View
from tests.integration.test_classroom_media import parse_metrics
from tests.support.media import PatternTrack, frames

pytestmark = pytest.mark.webrtc

SIZES = {"high": (320, 180), "medium": (160, 96), "low": (80, 48)}


async def sizes_until(
    track, size: tuple[int, int], timeout: float = 15.0, gap: float = 2.0
) -> list[tuple[int, int]]:
    """Decode frames until one has `size`; the sizes seen on the way (each frame within `gap` s)."""
    seen: list[tuple[int, int]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not seen or seen[-1] != size:
        assert loop.time() < deadline, f"no {size} frame in {timeout} s; saw {sorted(set(seen))}"
        wait = deadline - loop.time() if not seen else min(gap, deadline - loop.time())  # the first: connecting
        (frame,) = await frames(track, 1, timeout=max(0.1, wait))
        seen.append((frame.width, frame.height))
    return seen


async def test_each_trainee_gets_the_layer_its_tile_needs_and_decodes_across_a_switch(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Giảng viên")
    full = await server.client(cid, links["trainee"], name="Học viên màn hình lớn")
    small = await server.client(cid, links["trainee"], name="Học viên ô nhỏ")
    cleanup.extend([lecturer, full, small])
    cams = {q: PatternTrack(*size) for q, size in SIZES.items()}
    high_id = cams["high"].id
    await small.send(View(type="view", tracks=[TileSize(track_id=high_id, width=80, height=48)]))
    await lecturer.publish(
        [(cams[q], Source.CAMERA) for q in ("high", "medium", "low")],
        layers={cams["medium"].id: (high_id, "medium"), cams["low"].id: (high_id, "low")},
    )
    lecturer_id = lecturer.joined.participant.id
    big_video = await full.wait_for_track(lecturer_id, Source.CAMERA)
    small_video = await small.wait_for_track(lecturer_id, Source.CAMERA)
    # Others see the one high track, never the layers.
    assert [r.info.track_id for r in full.received()] == [high_id]
    assert [r.info.track_id for r in small.received()] == [high_id]

    big, tiny = await asyncio.gather(sizes_until(big_video.track, SIZES["high"]), sizes_until(small_video.track, SIZES["low"]))
    assert set(big) == {SIZES["high"]}
    assert tiny[-1] == SIZES["low"]
    more = await frames(small_video.track, 10, timeout=2.0)
    assert {(f.width, f.height) for f in more} == {SIZES["low"]}

    link = await small.next_event("link")
    while link.tracks[0].layer != "low":
        link = await small.next_event("link")
    assert link.tracks[0].track_id == high_id and not link.reduced, "a small tile is not a poor link"
    layers = await lecturer.next_event("layers")
    while dict((t.track_id, t.active) for t in layers.tracks).get(cams["medium"].id) is not False:
        layers = await lecturer.next_event("layers")
    activity = {t.track_id: t.active for t in layers.tracks}
    assert activity == {high_id: True, cams["medium"].id: False, cams["low"].id: True}, "nobody receives medium"
    qualities = await lecturer.next_event("link_quality")
    while small.joined.participant.id not in {p.id for p in qualities.participants}:
        qualities = await lecturer.next_event("link_quality")
    (mine,) = [p for p in qualities.participants if p.id == small.joined.participant.id]
    assert mine.layer == "low" and mine.quality == "good"

    # The small tile is enlarged: the high layer from its next key frame, the decoder running on.
    await small.send(View(type="view", tracks=[TileSize(track_id=high_id, width=1280, height=720)]))
    switched = await sizes_until(small_video.track, SIZES["high"], timeout=10.0)
    assert set(switched) <= {SIZES["low"], SIZES["high"]}
    after = await frames(small_video.track, 10, timeout=2.0)
    assert {(f.width, f.height) for f in after} == {SIZES["high"]}

    samples = parse_metrics(httpx.get(f"{server.url}/metrics").text)
    switches = {labels: v for (name, labels), v in samples.items() if name == "classbridge_layer_switches_total"}
    assert sum(v for labels, v in switches.items() if 'direction="up"' in labels) >= 1, switches
    assert sum(v for labels, v in switches.items() if 'direction="down"' in labels) >= 1, switches
    layer_gauges = {labels: v for (name, labels), v in samples.items() if name == "classbridge_subscriber_layers"}
    assert sum(v for labels, v in layer_gauges.items() if 'layer="high"' in labels) == 2, layer_gauges
    link_gauges = {labels: v for (name, labels), v in samples.items() if name == "classbridge_subscriber_links"}
    assert sum(v for labels, v in link_gauges.items() if 'quality="good"' in labels) == 2, link_gauges


async def send_remb(received, bitrate: int) -> None:
    """What a browser's receive-side estimator sends: REMB for the stream it receives.
    (aiortc's own receiver only estimates with the abs-send-time extension, which the relay
    does not write, so the test sends the REMB itself on the subscriber's real transport.)"""
    receiver = next(
        t.receiver for t in received.subscribe_pc.getTransceivers() if t.receiver.track is received.track
    )
    stats = await receiver.getStats()
    (ssrc,) = {s.ssrc for s in stats.values() if s.type == "inbound-rtp"}
    packet = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=1, media_ssrc=0, fci=pack_remb_fci(bitrate, [ssrc]))
    await receiver._send_rtcp(packet)


async def test_a_link_that_cannot_carry_video_pauses_it_and_a_recovered_one_brings_the_high_layer_back(server, cleanup):
    """REMB through the subscriber's real transport: the selection runs on what the browser
    reports. (Which layer a middling REMB picks depends on the layers' measured bit rates, which
    aiortc's encoder makes content-dependent; tests/classroom/relay/test_layers.py covers that.)"""
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Giảng viên")
    weak = await server.client(cid, links["trainee"], name="Học viên ở huyện")
    cleanup.extend([lecturer, weak])
    cams = {q: PatternTrack(*size) for q, size in SIZES.items()}
    high_id = cams["high"].id
    await lecturer.publish(
        [(cams[q], Source.CAMERA) for q in ("high", "medium", "low")],
        layers={cams["medium"].id: (high_id, "medium"), cams["low"].id: (high_id, "low")},
    )
    video = await weak.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await sizes_until(video.track, SIZES["high"])
    received = SimpleNamespace(subscribe_pc=weak.subscribe_pc, track=video.track)

    async def remb_every_half_second(bitrate: int) -> None:
        while True:
            await send_remb(received, bitrate)
            await asyncio.sleep(0.5)

    sender = asyncio.create_task(remb_every_half_second(1_000))
    try:
        link = await weak.next_event("link")
        while link.tracks[0].layer != "paused":
            link = await weak.next_event("link")
        assert link.reduced and link.quality == "poor" and link.estimate_kbps == 1, link
    finally:
        sender.cancel()
    with pytest.raises(asyncio.TimeoutError):  # nothing arrives while paused
        await frames(video.track, 30, timeout=1.0)
    # The link recovers: the high layer again within seconds, from a key frame.
    sender = asyncio.create_task(remb_every_half_second(5_000_000))
    try:
        seen = await sizes_until(video.track, SIZES["high"], timeout=15.0, gap=15.0)
    finally:
        sender.cancel()
    assert set(seen) <= set(SIZES.values())
    after = await frames(video.track, 10, timeout=2.0)
    assert {(f.width, f.height) for f in after} == {SIZES["high"]}
