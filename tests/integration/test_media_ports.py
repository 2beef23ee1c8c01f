"""The relay's media ports, read from the OS: a configured UDP range, or one port for everyone.

A class with real aiortc participants runs through the real server; the server process's UDP
sockets (psutil, i.e. /proc/net/udp of its pid) show where the relay's ICE sockets are, and
each participant's selected ICE pair shows which server port its media actually uses.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from collections.abc import Iterator

import psutil
import pytest

from classroom.roles import Source
from signaling.ws.client import ClassClient
from tests.integration.conftest import ADMIN_TOKEN, Server
from tests.support import codec_audit
from tests.support.media import PatternTrack, ToneTrack, frames
from tests.support.server import audited_env, serve

pytestmark = pytest.mark.webrtc

RANGE_SIZE = 40


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_udp_range(size: int) -> tuple[int, int]:
    """A run of `size` UDP ports on 127.0.0.1 that nobody holds right now."""
    for _ in range(50):
        low = random.randrange(20000, 32000)
        probes = []
        try:
            for port in range(low, low + size):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                probes.append(s)
                s.bind(("127.0.0.1", port))
            return low, low + size - 1
        except OSError:
            continue
        finally:
            for s in probes:
                s.close()
    raise AssertionError("no free UDP port range on 127.0.0.1")


def udp_ports(pid: int) -> set[int]:
    """The local ports of every UDP socket the process holds, from the OS."""
    return {c.laddr.port for c in psutil.Process(pid).net_connections(kind="udp") if c.laddr}


def server_ports_in_use(client: ClassClient) -> set[int]:
    """The server-side port of each of this client's selected ICE pairs (its media path)."""
    ports = set()
    for pc in (client.publish_pc, client.subscribe_pc):
        if pc is None:
            continue
        for transceiver in pc.getTransceivers():
            connection = transceiver.sender.transport.transport._connection
            pair = connection._nominated.get(1)
            if pair is not None:
                ports.add(pair.remote_addr[1])
    return ports


@pytest.fixture(scope="module", params=["range", "single"])
def media_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, tuple[int, int]]]:
    mode = request.param
    directory = tmp_path_factory.mktemp(f"ports-{mode}")
    codec_log = directory / "codecs.log"
    if mode == "range":
        low, high = free_udp_range(RANGE_SIZE)
        ports = {"CLASSBRIDGE_ICE__UDP_PORT_MIN": str(low), "CLASSBRIDGE_ICE__UDP_PORT_MAX": str(high)}
    else:
        low = high = free_udp_port()
        ports = {"CLASSBRIDGE_ICE__UDP_PORT": str(low)}
    env = {
        **os.environ,
        **audited_env(codec_log),
        **ports,
        "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CLASSBRIDGE_LOG_LEVEL": "warning",
        # No rooms: the example room's simulated devices would open UDP sockets of their own.
        "CLASSBRIDGE_ROOMS_SIMULATED": "false",
    }
    served = serve(directory / "data", env=env)
    try:
        yield Server(served, codec_log), mode, (low, high)
    finally:
        output = served.stop()
        assert {what for what, _ in codec_audit.recorded(codec_log)} == {codec_audit.INSTALLED}, output[-3000:]


async def test_every_relay_socket_is_on_the_configured_ports(media_server, cleanup):
    server, mode, (low, high) = media_server
    pid = server.served.process.pid
    before = udp_ports(pid)
    if mode == "single":
        assert low in before, f"the single port {low} is not bound by the server: {sorted(before)}"

    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Giảng viên")
    cleanup.append(lecturer)
    trainees = [await server.client(cid, links["trainee"], name=f"Học viên {i + 1}") for i in range(3)]
    cleanup.extend(trainees)
    await lecturer.publish([(PatternTrack(), Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])
    lecturer_id = lecturer.joined.participant.id

    async def watch(trainee: ClassClient) -> None:
        video = await trainee.wait_for_track(lecturer_id, Source.CAMERA)
        assert len(await frames(video.track, 10)) == 10

    await asyncio.gather(*(watch(t) for t in trainees))
    await trainees[0].publish([(ToneTrack(660), Source.MICROPHONE)])
    heard = await lecturer.wait_for_track(trainees[0].joined.participant.id, Source.MICROPHONE)
    await frames(heard.track, 10)

    during = udp_ports(pid)
    new = during - before
    used = set().union(*(server_ports_in_use(c) for c in [lecturer, *trainees]))
    connections = 1 + 3 + 1 + 1  # a subscribe connection each, and two publish connections
    if mode == "range":
        assert len(new) >= connections, (sorted(before), sorted(during))
        assert all(low <= p <= high for p in new), f"sockets outside {low}-{high}: {sorted(new)}"
        assert used <= new, (used, new)
        assert len(used) >= connections
    else:
        assert new == set(), f"single-port mode opened more UDP sockets: {sorted(new)}"
        assert used == {low}, f"media used server ports {used}, not only {low}"
