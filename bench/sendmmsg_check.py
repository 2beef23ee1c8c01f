"""Would batching a packet's sends to many subscribers with sendmmsg(2) pay? (issue 18)

    python -m bench.sendmmsg_check

One socket sends one 1,150-byte packet to 100 loopback destinations (each its own bytes,
as each subscriber's SRTP differs), 200 times, three ways: asyncio's transport.sendto (what
the relay does), socket.sendto, and one sendmmsg per packet through ctypes with the message
headers prepared once. CPU time per sent datagram, best of 5.

Batching only applies where many subscribers share one socket (single-port mode,
`ice.udp_port`); with a socket per connection (the default) each sendmmsg would carry one
message. UDP GSO cannot help either: it splits one buffer into segments for one destination.
The ctypes path has to hand the kernel the address of each bytes object's data, which
Python exposes only through CPython's object layout. Measured on the project's machine
class (2 cores, load average ~18 from other work): 3.4–4.3 µs per datagram against 4.7–4.9 µs
for transport.sendto, under 1.5 µs of the ~24 µs a forwarded packet costs in all: not worth
the coupling, so the relay does not use it (docs/relay.md).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import resource
import socket
import struct
from typing import Callable

N = 100
ROUNDS = 200
BYTES_DATA_OFFSET = bytes.__basicsize__ - 1  # CPython: where a bytes object's data starts


class IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class MsgHdr(ctypes.Structure):
    _fields_ = [
        ("msg_name", ctypes.c_void_p),
        ("msg_namelen", ctypes.c_uint32),
        ("msg_iov", ctypes.POINTER(IoVec)),
        ("msg_iovlen", ctypes.c_size_t),
        ("msg_control", ctypes.c_void_p),
        ("msg_controllen", ctypes.c_size_t),
        ("msg_flags", ctypes.c_int),
    ]


class MMsgHdr(ctypes.Structure):
    _fields_ = [("msg_hdr", MsgHdr), ("msg_len", ctypes.c_uint)]


def cpu_us_per_datagram(send_round: Callable[[], None], drain: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(5):
        drain()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        for _ in range(ROUNDS):
            send_round()
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        best = min(best, cpu / (ROUNDS * N) * 1e6)
    return round(best, 2)


async def main_async() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    receivers = []
    for _ in range(N):
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        r.bind(("127.0.0.1", 0))
        receivers.append(r)
    addrs = [r.getsockname() for r in receivers]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    payloads = [os.urandom(1150) for _ in range(N)]
    names = [
        ctypes.create_string_buffer(struct.pack("=H", socket.AF_INET) + struct.pack("!H", p) + socket.inet_aton(h) + bytes(8), 16)
        for h, p in addrs
    ]
    msgs, iovs = (MMsgHdr * N)(), (IoVec * N)()
    for i in range(N):
        header = msgs[i].msg_hdr
        header.msg_name, header.msg_namelen = ctypes.addressof(names[i]), 16
        header.msg_iov, header.msg_iovlen = ctypes.pointer(iovs[i]), 1

    def drain() -> None:
        for r in receivers:
            try:
                while True:
                    r.recv(2048, socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass

    def with_sendmmsg() -> None:
        for i, data in enumerate(payloads):
            iovs[i].iov_base = id(data) + BYTES_DATA_OFFSET
            iovs[i].iov_len = len(data)
        if libc.sendmmsg(sock.fileno(), msgs, N, 0) != N:
            raise OSError(ctypes.get_errno(), "sendmmsg")

    def with_sendto() -> None:
        for data, addr in zip(payloads, addrs, strict=True):
            sock.sendto(data, addr)

    drain()
    with_sendmmsg()
    if [r.recv(2048) for r in receivers] != payloads:
        raise SystemExit("sendmmsg sent other bytes than asked: the CPython layout assumption broke")
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(asyncio.DatagramProtocol, sock=sock)

    def with_transport() -> None:
        for data, addr in zip(payloads, addrs, strict=True):
            transport.sendto(data, addr)

    for name, fn in (("transport.sendto", with_transport), ("socket.sendto", with_sendto), ("sendmmsg", with_sendmmsg)) * 2:
        print(f"{name:17} {cpu_us_per_datagram(fn, drain)} µs CPU per datagram")
    transport.close()


if __name__ == "__main__":
    asyncio.run(main_async())
