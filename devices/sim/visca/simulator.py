"""`ViscaSimulator`: a simulated VISCA camera over a pseudo-terminal, raw TCP and UDP 52381.

All three endpoints share one `SimulatedCamera`, so a move made over UDP shows in a position
inquiry over the serial line. The serial endpoint is a pty whose slave is reached through a
stable symlink (the path survives a simulated cable drop or a restart). Fault knobs in
`sim.faults` make it misbehave the way cameras do: silence, slow answers, buffer full, not
executable, garbage bytes, dropped connections and VISCA-over-IP sequence errors.

Technicians start it through ``classbridge simulate``; tests start it directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import tty
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from devices.rooms_file.device_config import ViscaCameraConfig
from devices.errors import ProtocolError
from devices.sim.endpoints import LOOPBACK, TcpListener
from devices.transport.framing import iter_frames
from devices.visca.catalog import match
from devices.visca.errors import ControlErrorCode, ErrorCode
from devices.visca.ip import RESET, IpPacket, PayloadType
from devices.visca.packet import (
    ADDRESS_SET_BODY,
    BROADCAST,
    IF_CLEAR_BODY,
    Ack,
    AddressSetReply,
    ErrorReply,
    IfClearReply,
    NetworkChange,
    Packet,
    raw_decoder,
)
from devices.sim.visca.camera import SimulatedCamera

log = logging.getLogger(__name__)

GARBAGE = b"\x00\x12\x34"  # no byte of it can start a VISCA packet or an IP header


@dataclass
class ViscaFaults:
    """Fault knobs. Counters apply to that many next requests, then clear themselves."""

    no_answer: bool = False  # swallow everything
    slow_answer: float = 0.0  # seconds before each reply
    busy: int = 0  # answer "buffer full" (60 03) instead of executing
    not_executable: int = 0  # ACK, then "not executable" (6z 41)
    refused: int = 0  # a command answered "not executable" on socket 1 with no ACK (90 61 41 FF)
    garbage: int = 0  # send junk bytes before the replies
    truncate: int = 0  # send only the first half of the last reply
    drop: int = 0  # close the connection instead of answering (UDP: the packet is lost)
    sequence_error: int = 0  # VISCA over IP: answer with control error 0F 01

    def take(self, knob: str) -> bool:
        left = cast(int, getattr(self, knob))
        if left > 0:
            setattr(self, knob, left - 1)
            return True
        return False


Send = Callable[[bytes], None]


class ViscaSimulator:
    """One simulated camera reachable over a pty, TCP and UDP, all bound to loopback."""

    def __init__(
        self,
        camera: SimulatedCamera | None = None,
        *,
        tcp_port: int = 0,
        udp_port: int = 0,
    ) -> None:
        self.camera = camera or SimulatedCamera()
        self.faults = ViscaFaults()
        self.udp_port = udp_port
        self._tcp = TcpListener(self._serve_tcp, tcp_port)
        self._udp: asyncio.DatagramTransport | None = None
        self.sequence_resets = 0  # VISCA over IP: control "reset sequence" packets received
        self._pty: _PtyEndpoint | None = None
        self._link_dir: str | None = None

    @classmethod
    def from_config(cls, cfg: ViscaCameraConfig) -> ViscaSimulator:
        return cls(SimulatedCamera(address=cfg.address, preset_slots=max(cfg.presets, 1)))

    @property
    def serial_path(self) -> str:
        """Where a serial client connects: a symlink to the current pty slave."""
        if self._link_dir is None:
            self._link_dir = tempfile.mkdtemp(prefix="classbridge-visca-")
        return os.path.join(self._link_dir, "tty")

    @property
    def tcp_port(self) -> int:
        return self._tcp.port

    async def start(self) -> dict[str, str]:
        """Open every endpoint (the same ports and path again after a restart)."""
        loop = asyncio.get_running_loop()
        os.makedirs(os.path.dirname(self.serial_path), exist_ok=True)
        self._pty = _PtyEndpoint(self, self.serial_path)
        await self._tcp.start()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _UdpEndpoint(self), local_addr=(LOOPBACK, self.udp_port)
        )
        self.udp_port = self._udp.get_extra_info("sockname")[1]
        return self.endpoints

    @property
    def endpoints(self) -> dict[str, str]:
        return {
            "serial": self.serial_path,
            "tcp": self._tcp.address,
            "udp": f"{LOOPBACK}:{self.udp_port}",
        }

    async def stop(self) -> None:
        if self._pty is not None:
            self._pty.close()
            self._pty = None
        await self._tcp.stop()
        if self._udp is not None:
            endpoint = cast(_UdpEndpoint, self._udp.get_protocol())
            self._udp.close()
            await endpoint.closed  # gone for real: a client's next datagram bounces
            self._udp = None
        if self._link_dir is not None:
            shutil.rmtree(self._link_dir, ignore_errors=True)  # recreated at the same path

    # the camera's side of one request ---------------------------------------------------------

    def respond(self, packet: Packet) -> list[Packet] | None:
        """Replies to one received packet, with the fault knobs applied; None = stay silent."""
        address = self.camera.address
        if packet.header == BROADCAST:
            if packet.body == ADDRESS_SET_BODY:  # this camera takes `address`; pretend it is last
                return [AddressSetReply(address + 1).packet()]
            if packet.body == IF_CLEAR_BODY:
                return [IfClearReply().packet()]
            return None
        if packet.destination != address or self.faults.no_answer:
            return None
        if self.faults.take("busy"):
            return [ErrorReply(address, 0, ErrorCode.BUFFER_FULL).packet()]
        if self.faults.take("refused"):
            return [ErrorReply(address, 1, ErrorCode.NOT_EXECUTABLE).packet()]
        if self.faults.take("not_executable"):
            found = match(packet.body)
            if found is not None and not found[0].inquiry:
                return [
                    Ack(address, 1).packet(),
                    ErrorReply(address, 1, ErrorCode.NOT_EXECUTABLE).packet(),
                ]
            return [ErrorReply(address, 0, ErrorCode.NOT_EXECUTABLE).packet()]
        return [reply.packet() for reply in self.camera.handle(packet.body)]

    def deliver(self, chunks: list[bytes], send: Send) -> None:
        """Send replies now or after the slow-answer delay, junk first if asked."""
        if self.faults.take("garbage"):
            chunks = [GARBAGE, *chunks]
        if chunks and self.faults.take("truncate"):
            chunks = [*chunks[:-1], chunks[-1][: max(1, len(chunks[-1]) // 2)]]

        def send_all() -> None:
            for chunk in chunks:
                send(chunk)

        if self.faults.slow_answer > 0:
            asyncio.get_running_loop().call_later(self.faults.slow_answer, send_all)
        else:
            send_all()

    def serve_stream(
        self, data_packets: list[Packet], send: Send, drop: Callable[[], None]
    ) -> None:
        """Shared by the pty and TCP endpoints: raw framing, one packet at a time."""
        for packet in data_packets:
            if packet.header != BROADCAST and self.faults.take("drop"):
                drop()
                return
            replies = self.respond(packet)
            if replies:
                self.deliver([reply.serialize() for reply in replies], send)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One TCP client; `TcpListener` tracks, ends and closes the connection."""
        decoder = raw_decoder()
        writer.write(NetworkChange(self.camera.address).packet().serialize())  # as cameras do
        while data := await reader.read(1024):
            packets = [p for p in iter_frames(decoder, data) if isinstance(p, Packet)]
            self.serve_stream(packets, writer.write, writer.close)
            if writer.is_closing():
                break


class _UdpEndpoint(asyncio.DatagramProtocol):
    """VISCA over IP: header, sequence numbers (never lower than the last until a reset; the
    same number again is a resend), control messages."""

    def __init__(self, sim: ViscaSimulator) -> None:
        self.sim = sim
        self.transport: asyncio.DatagramTransport | None = None
        self.last_seq = -1
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            packet = IpPacket.parse(data)
        except ProtocolError as exc:
            log.info("visca simulator: ignoring datagram: %s", exc)
            return
        faults = self.sim.faults
        if faults.no_answer:
            return
        if packet.kind is PayloadType.CONTROL:
            if packet.payload == RESET:
                self.last_seq = -1
                self.sim.sequence_resets += 1
                self._send(IpPacket(PayloadType.CONTROL_REPLY, packet.seq, RESET), addr)
            return
        if not packet.kind.carries_visca or packet.kind is PayloadType.REPLY:
            error = IpPacket.control_error(packet.seq, ControlErrorCode.MESSAGE_TYPE)
            self._send(error, addr)
            return
        if faults.take("sequence_error") or packet.seq < self.last_seq:
            self._send(IpPacket.control_error(packet.seq, ControlErrorCode.SEQUENCE_NUMBER), addr)
            return
        self.last_seq = packet.seq
        if faults.take("drop"):
            return
        replies = self.sim.respond(packet.visca)
        if replies:
            chunks = [
                IpPacket(PayloadType.REPLY, packet.seq, r.serialize()).serialize() for r in replies
            ]
            self.sim.deliver(chunks, lambda chunk: self._send_raw(chunk, addr))

    def _send(self, packet: IpPacket, addr: tuple[str, int]) -> None:
        self.sim.deliver([packet.serialize()], lambda chunk: self._send_raw(chunk, addr))

    def _send_raw(self, chunk: bytes, addr: tuple[str, int]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(chunk, addr)


class _PtyEndpoint:
    """The serial endpoint: a pseudo-terminal pair; clients open the symlink to its slave."""

    def __init__(self, sim: ViscaSimulator, link_path: str) -> None:
        self.sim = sim
        self.link_path = link_path
        self._loop = asyncio.get_running_loop()
        self._master = -1
        self._slave = -1
        self._open()

    def _open(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing, before any client opens it
        os.set_blocking(self._master, False)
        self._decoder = raw_decoder()
        self._loop.add_reader(self._master, self._readable)
        tmp = f"{self.link_path}.new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(os.ttyname(self._slave), tmp)
        os.replace(tmp, self.link_path)  # atomic: a client never sees a missing link

    def _readable(self) -> None:
        try:
            data = os.read(self._master, 1024)
        except OSError:  # EAGAIN; EIO cannot happen while we hold the slave open
            return
        packets = [p for p in iter_frames(self._decoder, data) if isinstance(p, Packet)]
        self.sim.serve_stream(packets, self._write, self.drop)

    def _write(self, data: bytes) -> None:
        if self._master >= 0:
            os.write(self._master, data)

    def drop(self) -> None:
        """Pull the cable: the client's port fails, and a fresh pty waits behind the symlink."""
        self._close_fds()
        self._open()

    def _close_fds(self) -> None:
        if self._master >= 0:
            self._loop.remove_reader(self._master)
            os.close(self._master)
            os.close(self._slave)
            self._master = self._slave = -1

    def close(self) -> None:
        self._close_fds()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.link_path)
