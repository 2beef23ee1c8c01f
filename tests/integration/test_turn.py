"""TURN with short-lived credentials: a trainee behind NAT that cannot reach the relay directly.

The lab (made here, removed in `finally`):

    [trainee ns] 10.S.1.2 ── lan ──┤ [nat ns] masquerade; UDP to the server only to :3478 ├── wan ── 10.S.2.1 (root ns)
                                                                                              classbridge (HTTP and media)
                                                                                              coturn :3478 (UDP, TCP), :443 (TLS)

The relay offers 10.S.2.1 as its only host candidate and the NAT drops every UDP datagram the
trainee sends it (counted), so its media can only come through coturn, with the credentials
minted for it in its join reply. The lecturer is this test process (root namespace).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from classroom.relay import aiortc_internals
from classroom.roles import Source
from signaling.auth.turn_credentials import turn_credential
from signaling.cli.doctor import check_turn_url
from tests.integration.conftest import ADMIN_TOKEN, Server, token_of
from tests.signaling.conftest import self_signed
from tests.support.coturn import Coturn, start_coturn
from tests.support.media import PatternTrack
from tests.support.netns import Lab, lab, leftovers
from tests.support.server import REPOSITORY, serve

pytestmark = pytest.mark.webrtc

SECRET = "turn-rest-secret-for-tests-0123456789"


@dataclass
class TurnLab:
    lab: Lab
    server: Server
    coturn: Coturn
    trainee_ns: str
    nat_ns: str
    gateway: str  # the root namespace's address: the server's and coturn's
    ca: Path


@pytest.fixture(scope="module")
def turn_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnLab]:
    directory = tmp_path_factory.mktemp("turn")
    with lab() as built:
        tag = built.tag
        coturn: Coturn | None = None
        try:
            trainee, nat = built.namespace("t"), built.namespace("n")
            gateway = built.address(2, 1)
            built.link(None, "", gateway, nat, "wan", built.address(2, 2))
            built.link(nat, "lan", built.address(1, 1), trainee, "eth0", built.address(1, 2))
            built.exec(trainee, "ip", "route", "add", "default", "via", built.address(1, 1))
            built.exec(nat, "sysctl", "-qw", "net.ipv4.ip_forward=1")
            # The root namespace reaches the trainee's private network only through the NAT (which
            # lets nothing in): the relay's checks to the trainee's host candidate end there.
            subprocess.run(["ip", "route", "add", f"10.{built.subnet}.1.0/24", "via", built.address(2, 2)], check=True)
            cert, key = self_signed(directory, ip=gateway)
            coturn = start_coturn(directory / "coturn", gateway, SECRET, tls=(cert, key))
            env = {
                **os.environ,
                "CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
                "CLASSBRIDGE_LOG_LEVEL": "warning",
                "CLASSBRIDGE_ICE__HOST_ADDRESSES": json.dumps([gateway]),
                "CLASSBRIDGE_ICE__TURN__URLS": json.dumps(
                    [
                        f"turn:{gateway}:3478?transport=udp",
                        f"turn:{gateway}:3478?transport=tcp",
                        f"turns:{gateway}:443?transport=tcp",
                    ]
                ),
                "CLASSBRIDGE_ICE__TURN__SECRET": SECRET,
                "CLASSBRIDGE_ICE__TURN__TTL_S": "600",
            }
            served = serve(directory / "data", env=env, host=gateway)
            try:
                http_port = urlsplit(served.url).port
                built.nft(
                    nat,
                    f"""
                    table inet cbnat {{
                        chain forward {{
                            type filter hook forward priority 0; policy drop;
                            ct state established,related accept
                            iifname "lan" ip daddr {gateway} tcp dport {{ {http_port}, 3478, 443 }} accept
                            iifname "lan" ip daddr {gateway} udp dport 3478 accept
                            iifname "lan" meta l4proto udp counter name direct_udp drop
                        }}
                        counter direct_udp {{ }}
                        chain postrouting {{
                            type nat hook postrouting priority 100;
                            oifname "wan" masquerade
                        }}
                    }}
                    """,
                )
                yield TurnLab(built, Server(served, directory / "codecs.log"), coturn, trainee, nat, gateway, cert)
            finally:
                served.stop()
        finally:
            if coturn is not None:
                coturn.stop()
            built.close()
            assert [x for name in ("cbv", "cbt", "cbn") for x in leftovers(name + tag)] == []


@pytest.fixture
def lecturer_offers_the_gateway(turn_lab: TurnLab) -> Iterator[None]:
    """The lecturer (this process) offers the lab address: the relay ignores loopback candidates."""
    aiortc_internals.use_host_addresses([turn_lab.gateway])
    yield
    aiortc_internals.use_host_addresses(None)


def direct_udp_dropped(turn_lab: TurnLab) -> int:
    listed = turn_lab.lab.exec(turn_lab.nat_ns, "nft", "-j", "list", "counter", "inet", "cbnat", "direct_udp")
    for item in json.loads(listed)["nftables"]:
        if "counter" in item:
            return int(item["counter"]["packets"])
    raise AssertionError(listed)


@pytest.mark.parametrize(
    "turn_url",
    ["turn:{gw}:3478?transport=udp", "turn:{gw}:3478?transport=tcp", "turns:{gw}:443?transport=tcp"],
    ids=["udp", "tcp", "tls-443"],
)
async def test_a_trainee_behind_nat_gets_the_lecturers_video_through_coturn(
    turn_lab: TurnLab, lecturer_offers_the_gateway: None, cleanup, turn_url: str
):
    turn_url = turn_url.format(gw=turn_lab.gateway)
    server = turn_lab.server
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Giảng viên")
    cleanup.append(lecturer)
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    mine = next(s for s in lecturer.joined.ice_servers if s.username)
    expiry, _, who = mine.username.partition(":")
    assert who == lecturer.joined.participant.id and 590 <= int(expiry) - time.time() <= 600

    dropped_before = direct_udp_dropped(turn_lab)
    command = turn_lab.lab.command(
        turn_lab.trainee_ns,
        sys.executable, "-m", "tests.support.remote_trainee",
        "--ws", server.ws_url(cid), "--token", token_of(links["trainee"]), "--turn-url", turn_url,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "SSL_CERT_FILE": str(turn_lab.ca)}
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, f"trainee failed:\n{err.decode()[-3000:]}\ncoturn:\n{turn_lab.coturn.log_tail()}"
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["frames"] == 10 and result["sizes"] == [[320, 240]]
    assert set(result["local_candidate_types"]) == {"relay"}, result
    expiry, _, who = result["turn_username"].partition(":")
    assert who != lecturer.joined.participant.id and 590 <= int(expiry) - time.time() <= 600
    # It did try the direct way (its host candidate): the NAT dropped those datagrams.
    assert direct_udp_dropped(turn_lab) > dropped_before


async def test_doctor_checks_coturn_with_the_secret_and_expired_credentials_are_refused(turn_lab: TurnLab):
    gw = turn_lab.gateway
    now = int(time.time())
    ok = await check_turn_url(f"turn:{gw}:3478?transport=udp", SECRET, now + 60)
    assert ok.ok, ok.detail
    assert f"allocated a relay at {gw}:" in ok.detail
    tcp = await check_turn_url(f"turn:{gw}:3478?transport=tcp", SECRET, now + 60)
    assert tcp.ok, tcp.detail
    expired = await check_turn_url(f"turn:{gw}:3478?transport=udp", SECRET, now - 60)
    assert not expired.ok and "401" in expired.detail, expired.detail
    wrong = await check_turn_url(f"turn:{gw}:3478?transport=udp", "another-secret-0123456789", now + 60)
    assert not wrong.ok and "static-auth-secret" in wrong.detail, wrong.detail
    # The same expired credential a participant would hold, straight through aioice's client.
    stale = turn_credential(SECRET, "p1", now - 1)
    with pytest.raises(aiortc_internals.TurnRefused, match="401"):
        await aiortc_internals.turn_allocate((gw, 3478), "udp", None, stale.username, stale.credential)


def test_classbridge_doctor_reports_the_turn_server(turn_lab: TurnLab, tmp_path: Path):
    gw = turn_lab.gateway
    config = tmp_path / "classbridge.yaml"
    config.write_text(
        "ice:\n"
        f"  host_addresses: [{gw}]\n"
        "  turn:\n"
        f"    urls: ['turn:{gw}:3478?transport=udp', 'turns:{gw}:443?transport=tcp']\n"
        f"    secret: {SECRET}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "SSL_CERT_FILE": str(turn_lab.ca)}
    args = [sys.executable, "-m", "signaling.cli.main", "doctor", "--config", str(config), "--data-dir", str(tmp_path)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("ok  ") == 3, done.stdout
    config.write_text(config.read_text().replace(SECRET, "not-the-coturn-secret-0123"))
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and done.stdout.count("FAIL") == 2, done.stdout
    assert "401" in done.stdout
