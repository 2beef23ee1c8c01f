"""One class across two media workers: subscribers on both all decode; the shard dies, the class goes on.

A real server with `--workers 2` and `shard_class_above: 1`, so that from the second
subscriber on, subscribers are placed on both workers; aiortc participants over loopback.
"""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from classroom.roles import Source
from signaling.ws.client import ClassClient
from signaling.ws.messages import TileSize, View
from tests.integration.conftest import ADMIN_TOKEN, Server
from tests.integration.test_media_ports import free_udp_range, server_ports_in_use
from tests.integration.test_workers import metric_by_worker, workers_by_index
from tests.support.media import PatternTrack, frames
from tests.support.server import serve
from tests.support.wait import until

pytestmark = pytest.mark.webrtc


@pytest.fixture(scope="module")
def sharded_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("shards")
    env = {
        **os.environ,
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CLASSBRIDGE_LOG_LEVEL": "info",
        "CLASSBRIDGE_SHARD_CLASS_ABOVE": "1",
    }
    served = serve(directory / "data", "--workers", "2", env=env)
    yield Server(served, directory / "unused.log")
    served.stop()


def by_index(server: Server, name: str) -> dict[str, float]:
    """A per-worker metric by worker index."""
    return {labels.split('"')[1]: value for labels, value in metric_by_worker(server, name).items()}


async def watching_class(server: Server, title: str, cleanup: list) -> tuple[ClassClient, list[ClassClient], list]:
    """A lecturer publishing a camera and four trainees decoding it; their received tracks."""
    created = server.create_class(title)
    lecturer = await server.client(created["id"], created["links"]["lecturer"], name="L")
    cleanup.append(lecturer)
    trainees = []
    for n in range(4):
        trainee = await server.client(created["id"], created["links"]["trainee"], name=f"T{n}")
        cleanup.append(trainee)
        trainees.append(trainee)
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    lecturer_id = lecturer.joined.participant.id
    received = [await t.wait_for_track(lecturer_id, Source.CAMERA, timeout=30) for t in trainees]
    await asyncio.gather(*(frames(r.track, 5, timeout=20) for r in received))
    return lecturer, trainees, received


async def test_trainees_on_a_shard_get_the_layer_their_tile_needs(sharded_server, cleanup):
    """Layer selection runs where a subscriber's stream is: shard-hosted trainees showing the
    camera in a small tile get its low layer, and their link reports reach the class."""
    server = sharded_server
    created = server.create_class("Lớp lớn, ô nhỏ")
    lecturer = await server.client(created["id"], created["links"]["lecturer"], name="L")
    cleanup.append(lecturer)
    sizes = {"high": (320, 180), "medium": (160, 96), "low": (80, 48)}
    cams = {q: PatternTrack(*size) for q, size in sizes.items()}
    high_id = cams["high"].id
    trainees = []
    for n in range(3):
        trainee = await server.client(created["id"], created["links"]["trainee"], name=f"T{n}")
        cleanup.append(trainee)
        await trainee.send(View(type="view", tracks=[TileSize(track_id=high_id, width=80, height=48)]))
        trainees.append(trainee)
    forwarded_before = by_index(server, "classbridge_forwarded_packets_total")
    await lecturer.publish(
        [(cams[q], Source.CAMERA) for q in ("high", "medium", "low")],
        layers={cams["medium"].id: (high_id, "medium"), cams["low"].id: (high_id, "low")},
    )
    lecturer_id = lecturer.joined.participant.id
    received = [await t.wait_for_track(lecturer_id, Source.CAMERA, timeout=30) for t in trainees]
    decoded = await asyncio.gather(*(frames(r.track, 10, timeout=20) for r in received))
    for got in decoded:
        assert {(f.width, f.height) for f in got[-5:]} == {sizes["low"]}, [(f.width, f.height) for f in got]
    forwarded = by_index(server, "classbridge_forwarded_packets_total")
    grew = [i for i in forwarded if forwarded[i] > forwarded_before.get(i, 0)]
    assert len(grew) == 2, (forwarded_before, forwarded)  # the home and the shard both forward
    for trainee in trainees:  # each one's link report, from wherever it is served
        link = await trainee.next_event("link", timeout=20)
        while not link.tracks or link.tracks[0].layer != "low":
            link = await trainee.next_event("link", timeout=20)
        assert link.tracks[0].track_id == high_id and not link.reduced
    ids = {t.joined.participant.id for t in trainees}
    qualities = await lecturer.next_event("link_quality", timeout=20)
    while ids - {p.id for p in qualities.participants if p.layer == "low"}:
        qualities = await lecturer.next_event("link_quality", timeout=20)


async def test_a_class_spread_over_two_workers_survives_losing_one(sharded_server, cleanup):
    """Last in this module: it kills a worker of the shared server."""
    server = sharded_server
    lecturer, trainees, received = await watching_class(server, "Lớp lớn", cleanup)
    lecturer_id = lecturer.joined.participant.id

    # Both workers forward: the class's home and the shard.
    participants = metric_by_worker(server, "classbridge_participants")
    home = next(labels for labels, n in participants.items() if n >= 1).split('"')[1]
    forwarded = by_index(server, "classbridge_forwarded_packets_total")
    shard = next(index for index in forwarded if index != home)
    assert forwarded[home] > 0 and forwarded[shard] > 0, forwarded
    handed = by_index(server, "classbridge_shard_packets_sent_total")
    assert handed[home] > 0 and handed[shard] == 0, handed

    # Which trainees receive from the shard: their subscribe offers came from it (2 of 4).
    offers_before = [t.offers_received for t in trainees]
    os.kill(workers_by_index(server)[shard], signal.SIGKILL)
    await until(
        lambda: sum(t.offers_received > before for t, before in zip(trainees, offers_before, strict=True)) == 2,
        what="the shard's subscribers to get a fresh subscribe offer",
        describe=server.served.log_tail,
        interval=0.2,
    )
    moved = [t for t, before in zip(trainees, offers_before, strict=True) if t.offers_received > before]
    stayed = [t for t in trainees if t not in moved]
    assert len(stayed) == 2  # their connections were never touched
    assert by_index(server, "classbridge_shard_subscribers_rejoined_total")[home] == 2
    # The home's own subscribers never stopped; the moved ones decode again.
    await asyncio.gather(*(frames(received[trainees.index(t)].track, 10, timeout=5) for t in stayed))
    again = [await t.wait_for_track(lecturer_id, Source.CAMERA, timeout=30) for t in moved]
    await asyncio.gather(*(frames(r.track, 5, timeout=20) for r in again))


async def test_single_port_mode_gives_each_worker_its_port_and_a_class_spreads_over_both(tmp_path, cleanup):
    """`ice.udp_port` with two workers: worker i serves on udp_port + i, and a class spread over
    both workers has its media on exactly those two ports."""
    low, _ = free_udp_range(2)
    env = {
        **os.environ,
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CLASSBRIDGE_SHARD_CLASS_ABOVE": "1",
        "CLASSBRIDGE_ICE__UDP_PORT": str(low),
        "CLASSBRIDGE_ROOMS_SIMULATED": "false",
    }
    served = serve(tmp_path / "data", "--workers", "2", env=env)
    try:
        server = Server(served, tmp_path / "unused.log")
        lecturer, trainees, _ = await watching_class(server, "Lớp một cổng", cleanup)
        used = set().union(*(server_ports_in_use(c) for c in [lecturer, *trainees]))
        assert used == {low, low + 1}, f"media on server ports {sorted(used)}, not {low} and {low + 1}"
    finally:
        served.stop()
