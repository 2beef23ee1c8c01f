"""ICE over TCP: a trainee whose network drops UDP gets media over the relay's one TCP port.

The lab (made here, removed in `finally`): a namespace holding Chromium (the trainee, a real
browser: browsers make the active TCP candidates, RFC 6544), linked by a veth to the root
namespace where the server listens on 10.S.3.1 with its UDP host candidate and its passive TCP
candidate. nftables in the trainee's namespace drops every UDP datagram to and from the server
(and counts them). The lecturer is this test process, publishing over UDP.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from classroom.relay import aiortc_internals
from classroom.roles import Source
from tests.integration.conftest import ADMIN_TOKEN, Server
from tests.support.media import PatternTrack, ToneTrack
from tests.support.netns import Lab, lab, leftovers
from tests.support.server import REPOSITORY, free_port, serve

pytestmark = pytest.mark.webrtc


@dataclass
class TcpLab:
    lab: Lab
    server: Server
    browser_ns: str
    gateway: str
    tcp_port: int


def udp_dropped(tcp_lab: TcpLab) -> int:
    listed = tcp_lab.lab.exec(tcp_lab.browser_ns, "nft", "-j", "list", "counter", "inet", "cbnoudp", "udp_dropped")
    for item in json.loads(listed)["nftables"]:
        if "counter" in item:
            return int(item["counter"]["packets"])
    raise AssertionError(listed)


@pytest.fixture(scope="module")
def tcp_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TcpLab]:
    directory = tmp_path_factory.mktemp("ice-tcp")
    with lab() as built:
        tag = built.tag
        try:
            browser = built.namespace("b")
            gateway = built.address(3, 1)
            built.link(None, "", gateway, browser, "eth0", built.address(3, 2))
            built.nft(
                browser,
                f"""
                table inet cbnoudp {{
                    counter udp_dropped {{ }}
                    chain output {{
                        type filter hook output priority 0;
                        ip daddr {gateway} meta l4proto udp counter name udp_dropped drop
                    }}
                    chain input {{
                        type filter hook input priority 0;
                        ip saddr {gateway} meta l4proto udp counter name udp_dropped drop
                    }}
                }}
                """,
            )
            tcp_port = free_port()
            env = {
                **os.environ,
                "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
                "CLASSBRIDGE_LOG_LEVEL": "warning",
                "CLASSBRIDGE_ICE__HOST_ADDRESSES": json.dumps([gateway]),
                "CLASSBRIDGE_ICE__TCP_PORT": str(tcp_port),
            }
            served = serve(directory / "data", env=env, host=gateway)
            try:
                yield TcpLab(built, Server(served, directory / "codecs.log"), browser, gateway, tcp_port)
            finally:
                served.stop()
        finally:
            built.close()
            assert [x for name in ("cbv", "cbb") for x in leftovers(name + tag)] == []


@pytest.fixture
def lecturer_offers_the_gateway(tcp_lab: TcpLab) -> Iterator[None]:
    aiortc_internals.use_host_addresses([tcp_lab.gateway])
    yield
    aiortc_internals.use_host_addresses(None)


async def test_a_browser_whose_udp_is_dropped_gets_media_over_ice_tcp(
    tcp_lab: TcpLab, lecturer_offers_the_gateway: None, cleanup
):
    server = tcp_lab.server
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Giảng viên")
    cleanup.append(lecturer)
    await lecturer.publish([(PatternTrack(), Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])

    before = udp_dropped(tcp_lab)
    command = tcp_lab.lab.command(
        tcp_lab.browser_ns, sys.executable, "-m", "tests.support.remote_browser", "--link", links["trainee"]
    )
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    out, err = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0, f"browser failed:\n{err.decode()[-4000:]}\nserver:\n{server.served.log_tail()}"
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["media"]["framesDecoded"] >= 10, result
    pairs = result["pairs"]
    assert pairs and all(p.get("local_protocol") == "tcp" for p in pairs), pairs
    assert {(p["remote_address"], p["remote_port"]) for p in pairs} == {(tcp_lab.gateway, tcp_lab.tcp_port)}
    assert udp_dropped(tcp_lab) > before, "the browser never tried UDP: the test proves nothing"
