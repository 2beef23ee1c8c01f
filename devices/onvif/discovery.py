"""WS-Discovery over UDP: probe for ONVIF cameras, and answer probes as a simulated one.

`probe()` multicasts to 239.255.255.250:3702 by default, like Home Assistant's discovery; give
it a `target` to send a directed (unicast) probe to one address instead — what the tests do,
since they never multicast. SOAP-over-UDP §3.1 has a probe sent more than once because UDP
may lose it; replies are told apart by RelatesTo and de-duplicated by endpoint address.
Messages are built and parsed by the sans-I/O codec in devices/onvif/wsd.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass

from devices.errors import ProtocolError
from devices.onvif.wsd import (
    MULTICAST_ADDRESS,
    NETWORK_VIDEO_TRANSMITTER,
    Probe,
    ProbeMatch,
    ProbeMatches,
    QName,
    new_message_id,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscoveredCamera:
    endpoint: str  # the stable urn:uuid the camera calls itself
    xaddrs: tuple[str, ...]  # device-service URLs
    scopes: tuple[str, ...]
    name: str | None
    hardware: str | None
    source: tuple[str, int]  # where the answer came from


class _Collector(asyncio.DatagramProtocol):
    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.found: dict[str, DiscoveredCamera] = {}

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            reply = ProbeMatches.parse(data)
        except ProtocolError as exc:
            log.debug("ignoring a datagram from %s: %s", addr, exc)
            return
        if reply.relates_to != self.message_id:
            return
        for match in reply.matches:
            self.found.setdefault(match.address, DiscoveredCamera(
                endpoint=match.address, xaddrs=match.xaddrs, scopes=match.scopes,
                name=match.scope_value("name"), hardware=match.scope_value("hardware"), source=addr[:2],
            ))


async def probe(
    target: tuple[str, int] = MULTICAST_ADDRESS,
    *,
    timeout: float = 3.0,
    types: tuple[QName, ...] = (NETWORK_VIDEO_TRANSMITTER,),
    scopes: tuple[str, ...] = (),
    repeat: int = 2,
) -> list[DiscoveredCamera]:
    """Send a Probe to `target` and collect ProbeMatches for `timeout` seconds."""
    message = Probe(new_message_id(), types, scopes)
    loopback = ipaddress.ip_address(target[0]).is_loopback
    loop = asyncio.get_running_loop()
    transport, collector = await loop.create_datagram_endpoint(
        lambda: _Collector(message.message_id), local_addr=("127.0.0.1" if loopback else "0.0.0.0", 0)
    )
    try:
        data = message.serialize()
        for attempt in range(repeat):
            transport.sendto(data, target)
            if attempt + 1 < repeat:
                await asyncio.sleep(min(0.1, timeout / (2 * repeat)))
        await asyncio.sleep(timeout)
    finally:
        transport.close()
    return list(collector.found.values())


class ProbeResponder(asyncio.DatagramProtocol):
    """Answers Probes that match `match` with a ProbeMatches sent back to the prober."""

    def __init__(self, match: ProbeMatch) -> None:
        self.match = match
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            request = Probe.parse(data)
        except ProtocolError as exc:
            log.debug("ignoring a datagram from %s: %s", addr, exc)
            return
        if self.transport is not None and self.match.answers(request):
            reply = ProbeMatches(new_message_id(), request.message_id, (self.match,))
            self.transport.sendto(reply.serialize(), addr)
