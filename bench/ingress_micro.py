"""The relay's ingress path alone: one publisher socket, N subscriber streams, real sockets.

    python -m bench.ingress_micro --subscribers 100 --busy 2 --mode sliced
    python -m bench.ingress_micro --subscribers 100 --busy 2 --mode serial

A sender process (nice 0, as a publisher on another machine would be unaffected by this
server's load) sends paced RTP, 200 packets/s with a 50-packet key frame burst every 2 s, to
one UDP socket; this process reads it on an asyncio loop into a real `UpTrack`, whose
`DownTrack`s SRTP-protect (libsrtp, as aiortc) and send each packet on a UDP socket of their
own, as the relay does. No aiortc peers and no load generator share the cores, so the figures
are the relay's: kernel drops on the publisher's socket, packets taken in, ingress delay
(send → read) and fan-out delay (send → last subscriber), packets dropped as stale by the
sliced fan-out, the share of sent packets the last subscriber got, CPU µs per forwarded
packet.

Modes: `serial` (fan-out all at once, aioice's 256 KiB receive buffer: before issue 18),
`sliced` (fan-out in slices, 4 MiB buffer), `serial-large` (all at once, 4 MiB buffer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from pylibsrtp import Policy, Session

from bench.stats import percentile
from classroom.relay.counters import COUNTERS
from classroom.relay.fanout import DEFAULT_SLICE, FanoutScheduler
from classroom.relay.forwarding import CodecSpec, DownTrack, OutgoingParameters, UpTrack
from classroom.relay.kernel_drops import parse_proc_udp
from classroom.relay.socket_buffers import set_receive_buffer

HEADER = struct.Struct("!BBHII")
SENT_AT = struct.Struct("!d")  # the send time, after the 2-byte VP8 descriptor that starts the payload
VP8 = CodecSpec("video/VP8", 90000)
SENDER = r"""
import socket, struct, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
h, t = struct.Struct("!BBHII"), struct.Struct("!d")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
body = bytes(1100)
seq, start, n = 0, time.monotonic(), 0
while time.monotonic() - start < seconds:
    key = n % 400 == 0
    burst = 50 if key else 1
    for i in range(burst):
        first = (key and i == 0) or (not key)
        payload = (b"\x10\x00" if key and i == 0 else b"\x10\x01" if first else b"\x00\x00")
        s.sendto(h.pack(0x80, 96, seq & 0xFFFF, seq * 450, 0x1234) + payload + t.pack(time.time()) + body, ("127.0.0.1", port))
        seq += 1
    n += burst
    delay = start + n / 200 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
"""


class Sink:
    __slots__ = ("srtp", "sock", "addr")

    def __init__(self, addr: tuple[str, int]):
        key = os.urandom(30)
        self.srtp = Session(Policy(key=key, ssrc_type=Policy.SSRC_ANY_OUTBOUND))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.addr = addr

    def send(self, data: bytes) -> bool:
        try:
            self.sock.sendto(self.srtp.protect(data), self.addr)
        except BlockingIOError:
            return False
        return True


class Ingress(asyncio.DatagramProtocol):
    def __init__(self, up: UpTrack, fanout_done: list[float]):
        self.up = up
        self.delays: list[float] = []
        self.received = 0

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        _, _, seq, ts, _ = HEADER.unpack_from(data)
        (sent,) = SENT_AT.unpack_from(data, 14)
        self.delays.append(time.time() - sent)
        self.received += 1
        self.up.on_packet(seq, ts, False, data[12:], time.monotonic())


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    sink_rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # the subscribers: never read
    sink_rx.bind(("127.0.0.1", 0))
    slice_size = getattr(args, "slice", DEFAULT_SLICE)
    scheduler = FanoutScheduler(loop.call_soon, slice_size) if args.mode == "sliced" else None
    up = UpTrack("t", VP8, lambda: None, loop.call_later, fanout=scheduler)
    last_out: list[float] = []
    for i in range(args.subscribers):
        down = DownTrack("video", 90000, Sink(sink_rx.getsockname()))
        down.bind(up)
        down.configure(OutgoingParameters(payload_type=96, ssrc=0x2000 + i))
    # the last subscriber notes when a packet reached it: the fan-out delay
    watcher_sink = Sink(sink_rx.getsockname())

    class Watch:
        def send(self, data: bytes) -> bool:
            last_out.append(time.time() - SENT_AT.unpack_from(data, 14)[0])
            return watcher_sink.send(data)

    watcher = DownTrack("video", 90000, Watch())  # type: ignore[arg-type]
    watcher.bind(up)
    watcher.configure(OutgoingParameters(payload_type=96, ssrc=0x1FFF))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.mode == "serial":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 262144)  # aioice's figure
    else:
        set_receive_buffer(sock)
    sock.bind(("127.0.0.1", 0))
    inode = os.fstat(sock.fileno()).st_ino
    protocol = Ingress(up, last_out)
    await loop.create_datagram_endpoint(lambda: protocol, sock=sock)
    sender = subprocess.Popen([sys.executable, "-c", SENDER, str(sock.getsockname()[1]), str(args.seconds)])
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)
    ]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    forwarded0 = watcher.stats.packets_sent
    try:
        while sender.poll() is None:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    drops = parse_proc_udp(Path("/proc/net/udp").read_text()).get(inode, 0)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    forwarded = (watcher.stats.packets_sent - forwarded0) * (args.subscribers + 1)
    sent = protocol.received + drops
    return {
        "mode": args.mode if scheduler is None else f"sliced/{slice_size}",
        "subscribers": args.subscribers,
        "busy": args.busy,
        "loadavg": os.getloadavg(),
        "sent": sent,
        "kernel_drops": drops,
        "loss_percent": round(100 * drops / max(1, sent), 2),
        "stale_drops": COUNTERS.fanout_backlog_drops,
        "delivered_percent": round(100 * watcher.stats.packets_sent / max(1, sent), 2),
        "ingress_p50_ms": round(1000 * percentile(protocol.delays, 0.5), 2),
        "ingress_p99_ms": round(1000 * percentile(protocol.delays, 0.99), 2),
        "fanout_p50_ms": round(1000 * percentile(last_out, 0.5), 2) if last_out else None,
        "fanout_p99_ms": round(1000 * percentile(last_out, 0.99), 2) if last_out else None,
        "cpu_us_per_forwarded_packet": round(1e6 * cpu / max(1, forwarded), 2),
        "backlog_peak": scheduler.backlog_peak if scheduler else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning during the run")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--mode", choices=["serial", "serial-large", "sliced"], default="sliced")
    parser.add_argument("--slice", type=int, default=DEFAULT_SLICE, help="sliced: subscriber streams per slice")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
