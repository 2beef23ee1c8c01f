"""`classbridge doctor`: checks a deployment's media networking before the first class.

Today: the public media address rule, and the TURN server: for each configured TURN URL, an
Allocate with credentials minted from `ice.turn.secret`, as a participant would get them.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs

from signaling.auth.turn_credentials import turn_credential
from signaling.server.media_network import media_address_problem
from signaling.server.settings import Settings

DOCTOR_NAME = "classbridge-doctor"


@dataclass(frozen=True)
class TurnUrl:
    host: str
    port: int
    transport: str  # "udp" or "tcp"
    tls: bool


def parse_turn_url(url: str) -> TurnUrl:
    """turn:host[:port][?transport=udp|tcp] or turns:host[:port][?transport=tcp] (RFC 7065)."""
    scheme, colon, rest = url.partition(":")
    if not colon or scheme not in ("turn", "turns"):
        raise ValueError(f"{url!r} is not a turn: or turns: URL")
    hostport, _, query = rest.partition("?")
    transport = parse_qs(query).get("transport", ["tcp" if scheme == "turns" else "udp"])[0]
    if transport not in ("udp", "tcp") or (scheme == "turns" and transport != "tcp"):
        raise ValueError(f"{url!r}: transport must be udp or tcp (tcp for turns:)")
    if hostport.startswith("["):
        host, _, port_text = hostport[1:].partition("]")
        port_text = port_text.removeprefix(":")
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
    else:
        host, port_text = hostport, ""
    if not host:
        raise ValueError(f"{url!r} names no host")
    try:
        port = int(port_text) if port_text else (5349 if scheme == "turns" else 3478)
    except ValueError:
        raise ValueError(f"{url!r}: {port_text!r} is not a port") from None
    if not 0 < port < 65536:
        raise ValueError(f"{url!r}: {port} is not a port")
    return TurnUrl(host, port, transport, scheme == "turns")


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    detail: str


async def check_turn_url(url: str, secret: str, expires_at: int, timeout: float = 5.0) -> Check:
    from classroom.relay.aiortc_internals import TurnRefused, turn_allocate  # aiortc: only when checking

    try:
        parsed = parse_turn_url(url)
    except ValueError as e:
        return Check(f"TURN {url}", False, str(e))
    issued = turn_credential(secret, DOCTOR_NAME, expires_at)
    tls = ssl.create_default_context() if parsed.tls else None
    try:
        relayed = await turn_allocate(
            (parsed.host, parsed.port), parsed.transport, tls, issued.username, issued.credential, timeout
        )
    except TurnRefused as e:
        hint = ""
        if str(e).startswith("401"):
            hint = " (is coturn's static-auth-secret the same as ice.turn.secret, and its clock right?)"
        return Check(f"TURN {url}", False, f"no allocation: {e}{hint}")
    return Check(f"TURN {url}", True, f"allocated a relay at {relayed[0]}:{relayed[1]} with the configured secret")


async def run_checks(settings: Settings, now: float) -> list[Check]:
    checks = []
    problem = media_address_problem(settings)
    checks.append(Check("media address", problem is None, problem or "browsers reaching public_url can reach the relay"))
    turn = settings.ice.turn
    if turn is None:
        checks.append(Check("TURN", True, "not configured: trainees whose networks block UDP will not get media"))
    else:
        secret = turn.secret.get_secret_value()
        checks += await asyncio.gather(*(check_turn_url(u, secret, int(now) + 300) for u in turn.urls))
    return checks
