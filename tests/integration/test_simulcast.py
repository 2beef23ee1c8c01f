"""Layered cameras through the real server (issue 19), with real aiortc peers on loopback.

The lecturer publishes a camera as three VP8 tracks of different sizes (multi-track simulcast,
docs/relay.md "Layers"); one trainee shows it full size and, starting at the low layer until
its link is measured, is probed up to the high one; the other shows it in a small tile and so
stays at the low layer; the second trainee then enlarges it and climbs to the high layer, its
decoder running on across the switches. The module's server runs under the codec audit (conftest): the
relay still creates no codec.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import httpx
import pytest

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
        wait = (
            deadline - loop.time() if not seen else min(gap, deadline - loop.time())
        )  # the first: connecting
        (frame,) = await frames(track, 1, timeout=max(0.1, wait))
        seen.append((frame.width, frame.height))
    return seen


async def test_each_trainee_gets_the_layer_its_tile_needs_and_decodes_across_a_switch(
    server, cleanup
):
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

    big, tiny = await asyncio.gather(
        sizes_until(big_video.track, SIZES["high"], timeout=30.0),
        sizes_until(small_video.track, SIZES["low"]),
    )
    assert SIZES["low"] in big and set(big) <= set(SIZES.values()), f"from the low layer up: {big}"
    assert tiny[-1] == SIZES["low"]
    more = await frames(small_video.track, 10, timeout=2.0)
    assert {(f.width, f.height) for f in more} == {SIZES["low"]}

    link = await small.next_event("link")
    while link.tracks[0].layer != "low":
        link = await small.next_event("link")
    assert link.tracks[0].track_id == high_id and not link.reduced, (
        "a small tile is not a poor link"
    )
    # One trainee on high, one on low: nobody receives medium, and its publisher is told so.
    wanted = {high_id: True, cams["medium"].id: False, cams["low"].id: True}
    layers = await lecturer.next_event("layers")
    while {t.track_id: t.active for t in layers.tracks} != wanted:
        layers = await lecturer.next_event("layers")
    qualities = await lecturer.next_event("link_quality")
    while small.joined.participant.id not in {p.id for p in qualities.participants}:
        qualities = await lecturer.next_event("link_quality")
    (mine,) = [p for p in qualities.participants if p.id == small.joined.participant.id]
    assert mine.layer == "low" and mine.quality == "good"

    # The small tile is enlarged: the high layer from its next key frame, the decoder running on.
    await small.send(View(type="view", tracks=[TileSize(track_id=high_id, width=1280, height=720)]))
    switched = await sizes_until(small_video.track, SIZES["high"], timeout=20.0)
    assert set(switched) <= set(SIZES.values())
    after = await frames(small_video.track, 10, timeout=2.0)
    assert {(f.width, f.height) for f in after} == {SIZES["high"]}

    samples = parse_metrics(httpx.get(f"{server.url}/metrics").text)
    switches = {
        labels: v
        for (name, labels), v in samples.items()
        if name == "classbridge_layer_switches_total"
    }
    assert sum(v for labels, v in switches.items() if 'direction="up"' in labels) >= 1, switches
    assert sum(v for labels, v in switches.items() if 'direction="down"' in labels) >= 1, switches
    layer_gauges = {
        labels: v
        for (name, labels), v in samples.items()
        if name == "classbridge_subscriber_layers"
    }
    assert sum(v for labels, v in layer_gauges.items() if 'layer="high"' in labels) == 2, (
        layer_gauges
    )
    link_gauges = {
        labels: v for (name, labels), v in samples.items() if name == "classbridge_subscriber_links"
    }
    assert sum(v for labels, v in link_gauges.items() if 'quality="good"' in labels) == 2, (
        link_gauges
    )


async def keep_alive(*clients) -> None:
    """Ping as a page does: this test outlasts the server's keepalive timeout."""
    while True:
        await asyncio.sleep(10)
        for client in clients:
            await client.ping()


def lossy_link(client, track, share: float) -> Callable[[], None]:
    """A lossy link in front of the subscriber: `share` of the packets of `track`'s stream are
    dropped on arrival, before aiortc's receiver counts them, so its receiver reports carry the
    loss to the relay as a browser's would. Returns the function that mends the link."""
    receiver = next(
        t.receiver for t in client.subscribe_pc.getTransceivers() if t.receiver.track is track
    )
    deliver = receiver._handle_rtp_packet
    chance = random.Random(19)

    async def lossy(packet, arrival_time_ms: int) -> None:
        if chance.random() >= share:
            await deliver(packet, arrival_time_ms)

    receiver._handle_rtp_packet = lossy

    def mend() -> None:
        del receiver._handle_rtp_packet

    return mend


async def test_a_link_that_cannot_carry_even_the_low_layer_pauses_it_and_a_mended_one_gets_high_back(
    server, cleanup
):
    """Loss, not REMB, is what the relay acts on (docs/relay.md "The rules"): a link losing most
    packets goes down at once, and is paused only when the loss persists at the low layer; once the loss stops, probes bring the layers back one by one."""
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
    pings = asyncio.create_task(keep_alive(lecturer, weak))
    try:
        await paused_and_back(weak, lecturer)
    finally:
        pings.cancel()


async def paused_and_back(weak, lecturer) -> None:
    video = await weak.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await sizes_until(video.track, SIZES["high"], timeout=30.0)

    mend = lossy_link(weak, video.track, 0.8)
    try:
        link = await weak.next_event("link")
        while link.tracks[0].layer == "high":
            link = await weak.next_event("link")
        assert link.tracks[0].layer in ("medium", "low"), f"down at once, not paused first: {link}"
        while link.tracks[0].layer != "paused":
            link = await weak.next_event("link")
        assert link.reduced and link.quality == "poor", link
    finally:
        mend()
    with pytest.raises(asyncio.TimeoutError):  # nothing arrives while paused
        await frames(video.track, 30, timeout=1.0)
    # The link is mended: the low layer again, then up layer by layer, from key frames.
    link = await weak.next_event("link", timeout=60.0)
    while link.tracks[0].layer == "paused":
        link = await weak.next_event("link", timeout=60.0)
    assert link.tracks[0].layer == "low", link
    while link.tracks[0].layer != "high":
        link = await weak.next_event("link", timeout=60.0)
        assert link.tracks[0].layer != "paused", link
    # Frames decoded meanwhile are queued (one of them may be an old high frame completed by a
    # retransmission): read on until the high layer runs steadily.
    seen: list[tuple[int, int]] = []
    while seen[-10:] != [SIZES["high"]] * 10:
        (frame,) = await frames(video.track, 1, timeout=5.0)
        seen.append((frame.width, frame.height))
        assert len(seen) < 2000, f"the high layer never ran steadily: {sorted(set(seen))}"
    assert set(seen) <= set(SIZES.values()), seen
