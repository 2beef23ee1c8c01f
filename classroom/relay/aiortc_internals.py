"""Every use of aiortc and aioice private APIs, in one module.

aiortc always decodes what it receives and encodes what it sends; its maintainer considers
raw forwarding out of scope (aiortc issues #449, #627). The relay therefore hooks in here:

- ingress: a receiver's jitter buffer is replaced by a tap that hands each decrypted,
  RTX-unwrapped packet to an `UpTrack`, and the receiver's idle decoder thread is stopped, so
  no frame is ever assembled or decoded; its per-packet bandwidth estimator gives way to a
  fixed REMB cap per publisher track;
- egress: a subscriber's sender is turned into a `ForwardingSender` whose RTCP goes to its
  `DownTrack` (NACK, PLI/FIR, receiver reports, REMB) and whose sender reports describe the
  relayed stream; packets go out through `DtlsSink`, which SRTP-protects and hands them to the
  selected ICE pair's datagram transport without awaiting;
- ICE: the host addresses aioice offers (it never offers 127.0.0.1 by itself), and on
  loopback the sources it answers connectivity checks from; the ports of its host sockets (a
  configured range, or one shared socket per address demultiplexed by `UdpMux`), which aioice
  cannot be told;
- negotiation details: the codec a publisher may send, and each outgoing stream's msid.

The versions below are pinned in pyproject.toml; tests/classroom/relay/test_aiortc_internals.py
fails loudly when any attribute used here changes.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import ipaddress
import logging
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Callable, Iterable

import aioice
import aioice.candidate
import aioice.ice
import aioice.stun
import aioice.turn
from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.codecs import is_rtx
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtcrtpparameters import RTCRtpCodecCapability, RTCRtpCodecParameters, RTCRtpSendParameters
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    AnyRtcpPacket,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSenderInfo,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
)

from classroom.relay.fanout import fanout_scheduler
from classroom.relay.forwarding import CodecSpec, DownTrack, OutgoingParameters, UpTrack
from classroom.relay.socket_buffers import RECEIVE_BUFFER_BYTES, set_receive_buffer
from classroom.relay.tcp_framing import FrameReader, frame
from classroom.relay.udp_mux import UdpMux, stun_request_ufrag

logger = logging.getLogger(__name__)

PINNED_VERSIONS = {"aiortc": "1.16.0", "aioice": "0.13.0"}
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
# Above this many bytes waiting in a subscriber's socket buffer, its packets are refused.
DEFAULT_MAX_SEND_BUFFER = 256 * 1024


def check_versions() -> None:
    """Refuse to run the relay on aiortc/aioice versions its hooks were not written for."""
    for package, expected in PINNED_VERSIONS.items():
        found = importlib.metadata.version(package)
        if found != expected:
            raise RuntimeError(
                f"classbridge's media relay needs {package}=={expected} (found {found}); "
                "it hooks into private APIs that change between versions"
            )


# ---- ICE ------------------------------------------------------------------------------------

_aioice_host_addresses = aioice.ice.get_host_addresses
_aioice_request_received = aioice.ice.Connection.request_received


def use_host_addresses(addresses: Iterable[str] | None) -> None:
    """Offer exactly these host candidate addresses in this process (None: aioice's choice).

    aioice gathers host candidates from every interface except 127.0.0.1; a server on
    loopback, tests and local demos need 127.0.0.1, a deployment its public interface only.
    When every address is loopback, connectivity checks arriving from any other address are
    ignored too: a browser on this machine sends them from its LAN socket to 127.0.0.1, and
    answering would make aioice pick the LAN address as a peer-reflexive candidate.
    """
    if addresses is None:
        aioice.ice.get_host_addresses = _aioice_host_addresses
        aioice.ice.Connection.request_received = _aioice_request_received  # type: ignore[method-assign]
        return
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses
    loopback_only = all(ipaddress.ip_address(a).is_loopback for a in chosen)
    aioice.ice.Connection.request_received = (  # type: ignore[method-assign]
        _loopback_requests_only if loopback_only else _aioice_request_received
    )


def _loopback_requests_only(self, message, addr, protocol):  # type: ignore[no-untyped-def]
    try:
        loopback = ipaddress.ip_address(addr[0]).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        _aioice_request_received(self, message, addr, protocol)


# ---- media ports: a UDP port range, or one port for everyone -----------------------------------

_aioice_get_component_candidates = aioice.ice.Connection.get_component_candidates
_aioice_connection_init = aioice.ice.Connection.__init__


@dataclass(frozen=True)
class _PortRange:
    low: int
    high: int


SHARED_SOCKET_BUFFER_SIZE = 4 * 1024 * 1024
_ports: _PortRange | None = None
_receive_buffer = aioice.turn.UDP_SOCKET_BUFFER_SIZE  # aioice's own figure, until use_receive_buffer
_shared_sockets: dict[str, _SharedSocket] = {}


def use_port_range(low: int, high: int) -> None:
    """Bind every host candidate's socket in this process to a port in [low, high].

    aioice binds port 0 (any port); a firewall then has to let every UDP port through.
    """
    global _ports
    _ports = _PortRange(low, high)
    aioice.ice.Connection.get_component_candidates = _component_candidates  # type: ignore[method-assign]


def use_single_port(port: int, addresses: Iterable[str]) -> None:
    """Every connection of this process on one UDP port per host address (bound now).

    Raises OSError (naming the port) when it cannot be bound, so a taken port stops the
    start-up rather than the first join.
    """
    for address in addresses:
        if address not in _shared_sockets:
            sock = _bound_socket(address, port)
            # Every subscriber's packets leave through this one socket: a kernel buffer as
            # large as allowed (net.core.wmem_max/rmem_max), so that a burst queues there
            # instead of in asyncio's buffer, which DtlsSink reads as "this subscriber is slow".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SHARED_SOCKET_BUFFER_SIZE)
            set_receive_buffer(sock, max(SHARED_SOCKET_BUFFER_SIZE, _receive_buffer))
            _shared_sockets[address] = _SharedSocket(sock)
    aioice.ice.Connection.get_component_candidates = _component_candidates  # type: ignore[method-assign]
    aioice.ice.Connection.__init__ = _connection_with_long_ufrag  # type: ignore[method-assign]


def use_receive_buffer(size: int = RECEIVE_BUFFER_BYTES) -> None:
    """Give every host candidate's UDP socket of this process a receive buffer of `size` bytes.

    aioice asks for 256 KiB (capped by net.core.rmem_max): about a second of a 720p stream,
    which a busy relay overflows; see socket_buffers.
    """
    global _receive_buffer
    _receive_buffer = size
    aioice.ice.Connection.get_component_candidates = _component_candidates  # type: ignore[method-assign]


_sliced_fanout = False


def use_sliced_fanout(on: bool) -> None:
    """Forward large fan-outs of the tracks published from now on in slices that let ingress in.

    Off by default: measured, it bounds the relay's lag and reads every packet, but costs more
    CPU per packet than it saves (docs/relay.md); kept for benchmarks and further work.
    """
    global _sliced_fanout
    _sliced_fanout = on


def use_any_ports() -> None:
    """aioice's own behaviour: a fresh UDP socket on any port per candidate, no TCP (tests restore this)."""
    global _ports, _receive_buffer
    _ports = None
    _receive_buffer = aioice.turn.UDP_SOCKET_BUFFER_SIZE
    for shared in _shared_sockets.values():
        shared.close()
    _shared_sockets.clear()
    for listener in _tcp_listeners.values():
        listener.close()
    _tcp_listeners.clear()
    aioice.ice.Connection.get_component_candidates = _aioice_get_component_candidates  # type: ignore[method-assign]
    aioice.ice.Connection.__init__ = _aioice_connection_init  # type: ignore[method-assign]


def _connection_with_long_ufrag(self, *args, local_username=None, **kwargs):  # type: ignore[no-untyped-def]
    # aioice's 4-character ufrags collide among hundreds of connections sharing a port.
    _aioice_connection_init(self, *args, local_username=local_username or secrets.token_hex(8), **kwargs)


def _bound_socket(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        set_receive_buffer(sock, _receive_buffer)
        sock.bind((address, port))
    except OSError as e:
        sock.close()
        raise OSError(e.errno, f"cannot bind UDP {address}:{port} for media: {e.strerror}") from None
    sock.setblocking(False)
    return sock


def _socket_in_range(address: str, ports: _PortRange) -> socket.socket | None:
    """A socket bound to a free port of the range, starting at a random one (spreads workers)."""
    count = ports.high - ports.low + 1
    start = secrets.randbelow(count)
    for i in range(count):
        try:
            return _bound_socket(address, ports.low + (start + i) % count)
        except OSError:
            continue
    logger.error("no free UDP port in %d-%d on %s for media", ports.low, ports.high, address)
    return None


async def _component_candidates(self, component, addresses, timeout=5):  # type: ignore[no-untyped-def]
    """aioice's gathering with our host sockets; STUN/TURN candidates still come from aioice."""
    candidates = []
    for address in addresses:
        protocol = await _host_protocol(self, address)
        if protocol is None:
            continue
        host, port = protocol.transport.get_extra_info("sockname")[:2]
        protocol.local_candidate = aioice.Candidate(
            foundation=aioice.candidate.candidate_foundation("host", "udp", host),
            component=component,
            transport="udp",
            priority=aioice.candidate.candidate_priority(component, "host"),
            host=host,
            port=port,
            type="host",
        )
        candidates.append(protocol.local_candidate)
        self._protocols.append(protocol)
    for address in addresses:
        tcp = await _tcp_candidate(self, component, address)
        if tcp is not None:
            candidates.append(tcp.local_candidate)
            self._protocols.append(tcp)
    return candidates + await _aioice_get_component_candidates(self, component, [], timeout)


async def _host_protocol(connection: aioice.ice.Connection, address: str) -> aioice.ice.StunProtocol | None:
    shared = _shared_sockets.get(address)
    if shared is not None:
        return await shared.endpoint(connection)
    sock: socket.socket | None
    if _ports is not None:
        sock = _socket_in_range(address, _ports)
    else:
        try:
            sock = _bound_socket(address, 0)  # any port, as aioice binds
        except OSError as e:
            logger.warning("%s", e.strerror)
            sock = None
    if sock is None:
        return None
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_datagram_endpoint(lambda: aioice.ice.StunProtocol(connection), sock=sock)
    return protocol


class _SharedSocket(asyncio.DatagramProtocol):
    """One UDP socket carrying many ICE connections (single-port mode), demultiplexed by UdpMux."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.sockname: tuple[str, int] = sock.getsockname()[:2]
        self.mux: UdpMux[aioice.ice.StunProtocol] = UdpMux()
        self.transport: asyncio.DatagramTransport | None = None
        self._opening: asyncio.Future[tuple[asyncio.DatagramTransport, _SharedSocket]] | None = None

    async def endpoint(self, connection: aioice.ice.Connection) -> aioice.ice.StunProtocol:
        if self.transport is None:
            if self._opening is None:
                loop = asyncio.get_running_loop()
                self._opening = asyncio.ensure_future(loop.create_datagram_endpoint(lambda: self, sock=self.sock))
            opening = self._opening
            await asyncio.shield(opening)
        protocol = aioice.ice.StunProtocol(connection)
        self.mux.register(connection.local_username, protocol)
        protocol.connection_made(_MuxedTransport(self, protocol))
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        address = (addr[0], addr[1])
        protocol = self.mux.route(data, address)
        if protocol is not None:
            protocol.datagram_received(data, address)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        else:
            self.sock.close()


class _MuxedTransport(asyncio.DatagramTransport):
    """What one connection's StunProtocol sees of the shared socket."""

    def __init__(self, shared: _SharedSocket, protocol: aioice.ice.StunProtocol):
        super().__init__()
        self._shared = shared
        self._protocol = protocol
        self._closing = False

    def sendto(self, data, addr=None):  # type: ignore[no-untyped-def]
        transport = self._shared.transport
        if self._closing or transport is None or transport.is_closing():
            return
        address = (addr[0], addr[1])
        self._shared.mux.claim(address, self._protocol)
        transport.sendto(data, address)

    def get_write_buffer_size(self) -> int:
        size: Callable[[], int] | None = getattr(self._shared.transport, "get_write_buffer_size", None)
        return 0 if size is None else size()

    def get_extra_info(self, name, default=None):  # type: ignore[no-untyped-def]
        if name == "sockname":
            return self._shared.sockname
        return default

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._shared.mux.unregister(self._protocol)
        asyncio.get_running_loop().call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()


# ---- ICE over TCP (RFC 6544 passive candidates on one port, RFC 4571 framing) ----------------------

# Below every UDP host candidate (65535), so that UDP wins whenever it works.
TCP_LOCAL_PREFERENCE = 8191
# A TCP stream that has not named its connection (a STUN request with our ufrag) by then is closed.
TCP_FIRST_REQUEST_S = 10.0
_tcp_listeners: dict[str, _TcpListener] = {}


def use_tcp_port(port: int, addresses: Iterable[str]) -> None:
    """Offer a passive TCP candidate on `port` for every connection (for networks that block UDP).

    The listening sockets are bound now (OSError naming the port if taken) and served once
    the event loop runs the first gathering.
    """
    for address in addresses:
        if address not in _tcp_listeners:
            _tcp_listeners[address] = _TcpListener(_bound_tcp_socket(address, port))
    aioice.ice.Connection.get_component_candidates = _component_candidates  # type: ignore[method-assign]
    aioice.ice.Connection.__init__ = _connection_with_long_ufrag  # type: ignore[method-assign]


def _bound_tcp_socket(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(128)
    except OSError as e:
        sock.close()
        raise OSError(e.errno, f"cannot listen on TCP {address}:{port} for media: {e.strerror}") from None
    sock.setblocking(False)
    return sock


async def _tcp_candidate(connection: aioice.ice.Connection, component: int, address: str) -> aioice.ice.StunProtocol | None:
    listener = _tcp_listeners.get(address)
    if listener is None:
        return None
    protocol = await listener.endpoint(connection)
    host, port = listener.sockname
    protocol.local_candidate = aioice.Candidate(
        foundation=aioice.candidate.candidate_foundation("host", "tcp", host),
        component=component,
        transport="tcp",
        priority=aioice.candidate.candidate_priority(component, "host", TCP_LOCAL_PREFERENCE),
        host=host,
        port=port,
        type="host",
        tcptype="passive",
    )
    return protocol


class _TcpListener:
    """One listening TCP socket for every connection's passive candidate, streams routed by ufrag."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.sockname: tuple[str, int] = sock.getsockname()[:2]
        self.endpoints: dict[str, aioice.ice.StunProtocol] = {}
        self._server: asyncio.Server | None = None
        self._opening: asyncio.Future[asyncio.Server] | None = None

    async def endpoint(self, connection: aioice.ice.Connection) -> aioice.ice.StunProtocol:
        if self._server is None:
            if self._opening is None:
                loop = asyncio.get_running_loop()
                self._opening = asyncio.ensure_future(loop.create_server(lambda: _IceTcpStream(self), sock=self.sock))
            opening = self._opening
            self._server = await asyncio.shield(opening)
        ufrag = connection.local_username
        if ufrag in self.endpoints:
            raise ValueError(f"ICE ufrag {ufrag!r} is already in use on this port")
        protocol = aioice.ice.StunProtocol(connection)
        self.endpoints[ufrag] = protocol
        protocol.connection_made(_TcpEndpointTransport(self, ufrag, protocol))
        return protocol

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        else:
            self.sock.close()


class _IceTcpStream(asyncio.Protocol):
    """One TCP connection from a participant (its active candidate)."""

    def __init__(self, listener: _TcpListener):
        self.listener = listener
        self.reader = FrameReader()
        self.transport: asyncio.Transport | None = None
        self.peer: tuple[str, int] = ("", 0)
        self.endpoint: _TcpEndpointTransport | None = None
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = (peer[0], peer[1])
        self._deadline = asyncio.get_running_loop().call_later(TCP_FIRST_REQUEST_S, self._give_up)

    def data_received(self, data: bytes) -> None:
        for packet in self.reader.feed(data):
            if self.endpoint is None and not self._attach(packet):
                return
            assert self.endpoint is not None
            self.endpoint.protocol.datagram_received(packet, self.peer)
        if self.endpoint is None and self.reader.pending > 2048:
            self._give_up()  # not ICE: nobody sends kilobytes before a binding request

    def _attach(self, packet: bytes) -> bool:
        ufrag = stun_request_ufrag(packet)
        protocol = self.listener.endpoints.get(ufrag) if ufrag else None
        if protocol is None:
            self._give_up()
            return False
        endpoint = protocol.transport
        assert isinstance(endpoint, _TcpEndpointTransport)
        self.endpoint = endpoint
        endpoint.streams[self.peer] = self
        if self._deadline is not None:
            self._deadline.cancel()
        return True

    def send(self, packet: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(frame(packet))

    def _give_up(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        if self.endpoint is not None and self.endpoint.streams.get(self.peer) is self:
            del self.endpoint.streams[self.peer]


class _TcpEndpointTransport(asyncio.DatagramTransport):
    """One connection's view of its TCP streams, as the datagram transport aioice expects."""

    def __init__(self, listener: _TcpListener, ufrag: str, protocol: aioice.ice.StunProtocol):
        super().__init__()
        self._listener = listener
        self._ufrag = ufrag
        self.protocol = protocol
        self.streams: dict[tuple[str, int], _IceTcpStream] = {}
        self._closing = False

    def sendto(self, data, addr=None):  # type: ignore[no-untyped-def]
        stream = self.streams.get((addr[0], addr[1])) if addr else None
        if stream is not None and not self._closing:  # checks towards active candidates: nowhere to go
            stream.send(data)

    def get_write_buffer_size(self) -> int:
        return max(
            (s.transport.get_write_buffer_size() for s in self.streams.values() if s.transport is not None),
            default=0,
        )

    def get_extra_info(self, name, default=None):  # type: ignore[no-untyped-def]
        if name == "sockname":
            return self._listener.sockname
        return default

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._listener.endpoints.get(self._ufrag) is self.protocol:
            del self._listener.endpoints[self._ufrag]
        for stream in list(self.streams.values()):
            stream._give_up()
        self.streams.clear()
        asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()


def media_socket_count() -> int:
    """Connections on the shared sockets of this process (single-port mode)."""
    return sum(len(s.mux) for s in _shared_sockets.values())


# ---- TURN check (classbridge doctor) -----------------------------------------------------------


class TurnRefused(Exception):
    """A TURN server did not grant an allocation; the message says what it answered."""


async def turn_allocate(
    server: tuple[str, int],
    transport: str,
    tls: ssl.SSLContext | None,
    username: str,
    password: str,
    timeout: float = 5.0,
) -> tuple[str, int]:
    """Allocate a relay on a TURN server with these credentials, free it, return its address.

    aioice's TURN client (what a participant's aiortc uses) is not public API.
    """
    try:
        relay, _ = await asyncio.wait_for(
            aioice.turn.create_turn_endpoint(
                asyncio.DatagramProtocol, server, username, password, lifetime=60, ssl=tls, transport=transport
            ),
            timeout,
        )
    except aioice.stun.TransactionFailed as e:
        code, reason = e.response.attributes.get("ERROR-CODE", (0, "error"))
        raise TurnRefused(f"{code} {reason}") from None
    except (aioice.stun.TransactionTimeout, asyncio.TimeoutError):
        raise TurnRefused(f"no answer within {timeout:g} s") from None
    except (OSError, ConnectionError, ssl.SSLError) as e:
        raise TurnRefused(str(e) or type(e).__name__) from None
    address: tuple[str, int] = relay.get_extra_info("sockname")
    relay.close()
    return address


# ---- negotiation ------------------------------------------------------------------------------


def codec_spec(codec: RTCRtpCodecParameters) -> CodecSpec:
    return CodecSpec(
        mime_type=codec.mimeType,
        clock_rate=codec.clockRate,
        channels=codec.channels,
        parameters=tuple(sorted((k, str(v)) for k, v in codec.parameters.items())),
    )


def restrict_to_one_codec(transceiver: RTCRtpTransceiver, preference: list[str]) -> CodecSpec:
    """Answer a publisher's offer with one codec (and its RTX), so we know what it will send.

    aiortc negotiates every common codec and the browser may pick any; subscribers must get
    exactly the publisher's codec, so the answer offers a single choice, by `preference`
    (mime types such as "video/VP8"). Call between setRemoteDescription and createAnswer.
    Raises ValueError when no acceptable codec is common.
    """
    codecs: list[RTCRtpCodecParameters] = transceiver._codecs
    for mime in preference:
        for codec in codecs:
            if not is_rtx(codec) and codec.mimeType.lower() == mime.lower():
                chosen = [codec] + [
                    c for c in codecs if is_rtx(c) and c.parameters.get("apt") == codec.payloadType
                ]
                transceiver._codecs = chosen
                return codec_spec(codec)
    offered = sorted({c.mimeType for c in codecs if not is_rtx(c)})
    raise ValueError(f"no codec in common: offered {offered or 'none'}, accepted {preference}")


def subscriber_codec_preferences(codec: CodecSpec) -> list[RTCRtpCodecCapability]:
    """Codec preferences making a subscriber's stream use exactly the publisher's codec."""
    capabilities = RTCRtpSender.getCapabilities(codec.kind).codecs
    wanted = dict(codec.parameters)
    chosen = [
        c
        for c in capabilities
        if c.mimeType.lower() == codec.mime_type.lower()
        and {k: str(v) for k, v in c.parameters.items()} == wanted
    ]
    if not chosen:
        raise ValueError(f"cannot forward {codec.mime_type} {wanted}: not a codec aiortc can negotiate")
    rtx = [c for c in capabilities if is_rtx(c)] if codec.kind == "video" else []
    return chosen[:1] + rtx


def publisher_is_sending(transceiver: RTCRtpTransceiver) -> bool:
    """After applying a participant's offer: does it (still) send on this m-line?"""
    return transceiver._offerDirection in ("recvonly", "sendrecv")


def set_stream_identity(sender: RTCRtpSender, stream_id: str, track_id: str) -> None:
    """The msid a subscriber sees: one stream per publisher keeps its audio and video in sync."""
    sender._stream_id = stream_id
    sender._track_id = track_id


# ---- ingress -------------------------------------------------------------------------------


class _Tap:
    """Stands in for a receiver's jitter buffer: each packet goes to the relay, no frame is built."""

    __slots__ = ("uptrack", "media_ssrc")

    def __init__(self, uptrack: UpTrack):
        self.uptrack = uptrack
        self.media_ssrc: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, None]:
        self.media_ssrc = packet.ssrc
        self.uptrack.on_packet(
            packet.sequence_number, packet.timestamp, bool(packet.marker), packet.payload, time.monotonic()
        )
        return False, None


class ForwardingReceiver(RTCRtpReceiver):
    """An RTCRtpReceiver whose packets feed an UpTrack instead of a decoder.

    Everything else of aiortc's receiver keeps working: SRTP, RTX unwrapping, receiver
    reports, NACKs to the publisher for packets lost upstream, REMB.
    """

    _tap: _Tap

    @property
    def uptrack(self) -> UpTrack:
        return self._tap.uptrack

    async def receive(self, parameters):  # type: ignore[no-untyped-def]
        await super().receive(parameters)
        # The decoder thread would only ever wait; frames never reach it.
        self._RTCRtpReceiver__stop_decoder()  # type: ignore[attr-defined]

    async def _handle_rtcp_packet(self, packet: AnyRtcpPacket) -> None:
        await super()._handle_rtcp_packet(packet)
        if isinstance(packet, RtcpSrPacket):
            info = packet.sender_info
            self._tap.uptrack.on_sender_report(info.ntp_timestamp, info.rtp_timestamp, time.monotonic())

    def request_keyframe(self) -> None:
        """Send a PLI to the publisher (the UpTrack throttles the calls)."""
        ssrc = self._tap.media_ssrc
        if ssrc is not None:
            asyncio.ensure_future(self._send_rtcp_pli(ssrc))

    async def send_bitrate_cap(self, bitrate: int) -> None:
        """REMB: the most the publisher may send on this track (RFC draft-alvestrand-rmcat-remb)."""
        ssrc, rtcp_ssrc = self._tap.media_ssrc, self._RTCRtpReceiver__rtcp_ssrc  # type: ignore[attr-defined]
        if ssrc is not None and rtcp_ssrc is not None:
            packet = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=rtcp_ssrc, media_ssrc=0, fci=pack_remb_fci(bitrate, [ssrc]))
            await self._send_rtcp(packet)


def tap_receiver(receiver: RTCRtpReceiver, track_id: str, codec: CodecSpec) -> ForwardingReceiver:
    """Turn a fresh receiver (not yet started) into a ForwardingReceiver feeding a new UpTrack.

    The UpTrack (`receiver.uptrack`) sends its throttled keyframe requests back through this
    receiver, as PLIs to the publisher.
    """
    receiver.__class__ = ForwardingReceiver
    assert isinstance(receiver, ForwardingReceiver)
    loop = asyncio.get_running_loop()
    # Fan-out at once, not in slices (classroom/relay/fanout.py): slicing cost 10-30 % more CPU
    # per packet for no fewer losses (docs/relay.md, "Ingress comes first").
    fanout = fanout_scheduler(loop) if _sliced_fanout else None
    uptrack = UpTrack(track_id, codec, receiver.request_keyframe, schedule=loop.call_later, fanout=fanout)
    receiver._tap = _Tap(uptrack)
    receiver._RTCRtpReceiver__jitter_buffer = receiver._tap  # type: ignore[attr-defined]
    # aiortc estimates the publisher's bandwidth per packet and sends REMB as often as it
    # sees congestion; the relay caps each publisher with `send_bitrate_cap` instead.
    receiver._RTCRtpReceiver__remote_bitrate_estimator = None  # type: ignore[attr-defined]
    return receiver


# ---- egress ----------------------------------------------------------------------------------


class _IdleTrack(MediaStreamTrack):
    """Occupies a sender so that aiortc's RTP loop waits instead of polling; never yields."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    async def recv(self):  # type: ignore[no-untyped-def]
        await asyncio.get_running_loop().create_future()


class DtlsSink:
    """A DownTrack's PacketSink on one subscriber connection: SRTP-protect, send, never await.

    Runs once per packet per subscriber, so what does not change between packets (the
    selected ICE pair's transport and address, the SRTP session) is looked up again only when
    the pair changes. aiortc's `state` property formats an enum on every call; the relay
    compares the enum itself.
    """

    __slots__ = ("_dtls", "_ice", "max_buffer", "sent", "refused", "_pair", "_sendto", "_addr", "_buffered")

    def __init__(self, dtls: RTCDtlsTransport, max_buffer: int = DEFAULT_MAX_SEND_BUFFER):
        self._dtls = dtls
        self._ice = dtls.transport._connection  # the aioice Connection
        self.max_buffer = max_buffer
        self.sent = 0
        self.refused = 0
        self._pair: object | None = None
        self._sendto: Callable[[bytes, tuple[str, int]], None] | None = None
        self._addr: tuple[str, int] = ("", 0)
        self._buffered: Callable[[], int] | None = None

    def send(self, data: bytes) -> bool:
        pair = self._ice._nominated.get(1)
        if pair is not self._pair:
            self._select(pair)
        if self._sendto is None or self._dtls._state is not DtlsState.CONNECTED:
            self.refused += 1
            return False
        buffered = self._buffered
        if buffered is not None and buffered() > self.max_buffer:
            self.refused += 1
            return False
        self._sendto(self._dtls._tx_srtp.protect(data), self._addr)
        self.sent += 1
        return True

    def _select(self, pair: object | None) -> None:
        self._pair = pair
        if pair is None:
            self._sendto = self._buffered = None
            return
        transport = pair.protocol.transport  # type: ignore[attr-defined]
        self._sendto = transport.sendto
        self._addr = pair.remote_addr  # type: ignore[attr-defined]
        self._buffered = getattr(transport, "get_write_buffer_size", None)  # a TURN relay has none


class ForwardingSender(RTCRtpSender):
    """An RTCRtpSender whose stream is written by a DownTrack, not by an encoder."""

    _downtrack: DownTrack

    async def send(self, parameters: RTCRtpSendParameters) -> None:
        await super().send(parameters)  # registers for RTCP and starts aiortc's RTCP loop
        self._downtrack.configure(_outgoing_parameters(self, parameters))

    async def _handle_rtcp_packet(self, packet: AnyRtcpPacket) -> None:
        downtrack = self._downtrack
        if isinstance(packet, (RtcpRrPacket, RtcpSrPacket)):
            for report in packet.reports:
                if report.ssrc == self._ssrc:
                    downtrack.on_receiver_report(
                        report.fraction_lost,
                        report.jitter,
                        report.lsr,
                        report.dlsr,
                        report.highest_sequence,
                        report.packets_lost,
                    )
        elif isinstance(packet, RtcpRtpfbPacket) and packet.fmt == RTCP_RTPFB_NACK:
            downtrack.on_nack(packet.lost)
        elif isinstance(packet, RtcpPsfbPacket) and packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
            downtrack.on_keyframe_request()
        elif isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                return
            if self._ssrc in ssrcs:
                downtrack.on_remb(bitrate)

    async def _send_rtcp(self, packets: list[AnyRtcpPacket]) -> None:
        # aiortc's RTCP loop reports its (idle) encoder's counters; report the relayed stream.
        report = self._downtrack.sender_report()
        kept: list[AnyRtcpPacket] = []
        for packet in packets:
            if isinstance(packet, RtcpSrPacket) and packet.ssrc == self._ssrc:
                if report is None:
                    continue
                ntp, rtp, count, octets = report
                packet.sender_info = RtcpSenderInfo(
                    ntp_timestamp=ntp,
                    rtp_timestamp=rtp,
                    packet_count=count & 0xFFFFFFFF,
                    octet_count=octets & 0xFFFFFFFF,
                )
            kept.append(packet)
        if kept:
            await super()._send_rtcp(kept)


def _outgoing_parameters(sender: RTCRtpSender, parameters: RTCRtpSendParameters) -> OutgoingParameters:
    primary = parameters.codecs[0]
    rtx = next(
        (c for c in parameters.codecs if is_rtx(c) and c.parameters.get("apt") == primary.payloadType),
        None,
    )
    mid_ext = next((e.id for e in parameters.headerExtensions if e.uri == MID_URI), None)
    assert primary.payloadType is not None  # negotiated parameters always carry one
    return OutgoingParameters(
        payload_type=primary.payloadType,
        ssrc=sender._ssrc,
        rtx_payload_type=rtx.payloadType if rtx else None,
        rtx_ssrc=sender._rtx_ssrc if rtx else None,
        mid_extension_id=mid_ext,
        mid=parameters.muxId,
    )


def release_receiver_state(receiver: RTCRtpReceiver) -> None:
    """Free what aiortc builds for receiving on a send-only m-line, which never receives.

    Every receiver gets a 512-slot jitter buffer, a NACK generator and a bandwidth estimator
    whose rate counter holds 1,000 bucket objects; on a relay's send-only m-lines they are
    never used (aiortc starts a receiver only when its m-line receives), yet the garbage
    collector walks them on every full collection, which stalls forwarding under load.
    """
    receiver._RTCRtpReceiver__jitter_buffer = None  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__nack_generator = None  # type: ignore[attr-defined]
    receiver._RTCRtpReceiver__remote_bitrate_estimator = None  # type: ignore[attr-defined]


def forwarding_sender(sender: RTCRtpSender, downtrack: DownTrack) -> ForwardingSender:
    """Turn a fresh sender (from addTransceiver, not yet started) into a ForwardingSender."""
    sender.__class__ = ForwardingSender
    assert isinstance(sender, ForwardingSender)
    sender._downtrack = downtrack
    sender.replaceTrack(_IdleTrack(sender.kind))
    return sender


def dtls_sink(sender: RTCRtpSender, max_buffer: int = DEFAULT_MAX_SEND_BUFFER) -> DtlsSink:
    return DtlsSink(sender.transport, max_buffer)
