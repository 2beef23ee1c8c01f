"""Many ICE connections on one UDP port: who does a datagram belong to? (sans-I/O)

Single-port mode (as LiveKit's and Jitsi's) lets a school open one UDP port in its firewall.
Every participant's connection shares the socket, so each datagram must find its connection:
a STUN binding request names it in its USERNAME attribute ("<our ufrag>:<their ufrag>",
RFC 8445 section 7.2.2), which also teaches us the sender's address; everything else (the
responses to our checks, DTLS, SRTP, RTCP) is routed by the sender's address alone. An address
we send a check to is claimed for the sending connection unless another already holds it.
"""

from __future__ import annotations

import struct
from typing import Generic, TypeVar

E = TypeVar("E")

STUN_MAGIC_COOKIE = 0x2112A442
STUN_HEADER = struct.Struct("!HHI12s")
STUN_BINDING_REQUEST = 0x0001
ATTR_USERNAME = 0x0006
Address = tuple[str, int]


def stun_request_ufrag(data: bytes) -> str | None:
    """The local ufrag named by a STUN binding request (the part before ':'), else None.

    RTP, RTCP and DTLS never start with two zero bits, so most datagrams are ruled out by
    their first byte.
    """
    if len(data) < 20 or data[0] > 1:
        return None
    msg_type, length, cookie, _ = STUN_HEADER.unpack_from(data)
    if msg_type != STUN_BINDING_REQUEST or cookie != STUN_MAGIC_COOKIE or len(data) < 20 + length:
        return None
    pos, end = 20, 20 + length
    while pos + 4 <= end:
        attr_type, attr_length = struct.unpack_from("!HH", data, pos)
        value_start = pos + 4
        if value_start + attr_length > end:
            return None
        if attr_type == ATTR_USERNAME:
            try:
                username = data[value_start : value_start + attr_length].decode("utf-8")
            except UnicodeDecodeError:
                return None
            local, colon, _ = username.partition(":")
            return local if colon and local else None
        pos = value_start + attr_length + (-attr_length % 4)
    return None


class UdpMux(Generic[E]):
    """The routing table of one shared socket: ufrag → endpoint, remote address → endpoint."""

    def __init__(self) -> None:
        self._by_ufrag: dict[str, E] = {}
        self._by_address: dict[Address, E] = {}
        self._addresses_of: dict[int, set[Address]] = {}
        self._ufrag_of: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._by_ufrag)

    def register(self, ufrag: str, endpoint: E) -> None:
        if ufrag in self._by_ufrag:
            raise ValueError(f"ICE ufrag {ufrag!r} is already in use on this port")
        self._by_ufrag[ufrag] = endpoint
        self._ufrag_of[id(endpoint)] = ufrag
        self._addresses_of[id(endpoint)] = set()

    def unregister(self, endpoint: E) -> None:
        ufrag = self._ufrag_of.pop(id(endpoint), None)
        if ufrag is not None:
            del self._by_ufrag[ufrag]
        for address in self._addresses_of.pop(id(endpoint), ()):
            if self._by_address.get(address) is endpoint:
                del self._by_address[address]

    def route(self, data: bytes, address: Address) -> E | None:
        """The endpoint a datagram from `address` belongs to; None: nobody's, drop it."""
        ufrag = stun_request_ufrag(data)
        if ufrag is not None:
            endpoint = self._by_ufrag.get(ufrag)
            if endpoint is not None:
                self._bind(address, endpoint)
            return endpoint
        return self._by_address.get(address)

    def claim(self, address: Address, endpoint: E) -> None:
        """`endpoint` sends to `address`: its answers come back to it, unless already taken."""
        if address not in self._by_address and id(endpoint) in self._addresses_of:
            self._bind(address, endpoint)

    def _bind(self, address: Address, endpoint: E) -> None:
        previous = self._by_address.get(address)
        if previous is endpoint:
            return
        if previous is not None:
            self._addresses_of[id(previous)].discard(address)
        self._by_address[address] = endpoint
        self._addresses_of[id(endpoint)].add(address)
