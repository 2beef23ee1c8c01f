"""classroom/relay/kernel_drops.py: the kernel's UDP drop counters, parsed and read for real."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from classroom.relay.kernel_drops import (
    SocketDrops,
    parse_proc_udp,
    parse_snmp_udp,
    read_socket_drops,
    read_system_udp_errors,
    socket_inodes,
)
from classroom.relay.socket_buffers import RECEIVE_BUFFER_BYTES, set_receive_buffer

SNMP = """Ip: Forwarding DefaultTTL
Ip: 1 64
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 6554424 41441 5654 6605772 5650 0 4 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
"""
PROC_UDP = """   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  291: 0100007F:A1D5 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 815273 2 0000000000000000 0
  310: 0100007F:8B9E 0100007F:A1D5 01 00000000:0003F000 00:00000000 00000000     0        0 815274 2 0000000000000000 117
  bad line
"""


def test_the_udp_counters_of_snmp_are_read_by_name() -> None:
    counters = parse_snmp_udp(SNMP)
    assert (counters["RcvbufErrors"], counters["InErrors"], counters["InCsumErrors"]) == (5650, 5654, 4)
    with pytest.raises(ValueError):
        parse_snmp_udp("Ip: Forwarding\nIp: 1\n")


def test_drops_are_read_per_socket_inode() -> None:
    assert parse_proc_udp(PROC_UDP) == {815273: 0, 815274: 117}


def test_socket_drops_only_grow_and_count_our_sockets_only() -> None:
    drops = SocketDrops()
    assert drops.update({1: 5, 2: 7, 3: 100}, ours={1, 2}) == 12
    assert drops.update({1: 9, 2: 7, 3: 200}, ours={1, 2}) == 16  # +4 on socket 1
    assert drops.update({1: 9}, ours={1}) == 16  # socket 2 closed: nothing is taken back
    assert drops.update({1: 9, 4: 3}, ours={1, 4}) == 19  # a new socket's drops count from 0


def overflowing_socket() -> tuple[socket.socket, socket.socket]:
    """A receiver with the smallest queue the kernel allows, flooded and never read."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # the kernel raises it to its minimum
    receiver.bind(("127.0.0.1", 0))
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(200):
        sender.sendto(b"x" * 1000, receiver.getsockname())
    return receiver, sender


def test_a_full_receive_queue_shows_in_this_process_and_in_the_machine_counters() -> None:
    before_process = read_socket_drops()
    before_machine = read_system_udp_errors()
    assert set(before_machine) == {"InErrors", "RcvbufErrors"}
    receiver, sender = overflowing_socket()
    try:
        assert os.fstat(receiver.fileno()).st_ino in socket_inodes()
        assert read_socket_drops() - before_process >= 150  # a 2 KiB-or-so queue holds a few
        after_machine = read_system_udp_errors()
        assert after_machine["RcvbufErrors"] - before_machine["RcvbufErrors"] >= 150
    finally:
        receiver.close()
        sender.close()


def test_another_process_sockets_are_not_ours(tmp_path: Path) -> None:
    empty = tmp_path / "fd"
    empty.mkdir()
    assert socket_inodes(empty) == set()


def test_the_relay_asks_for_large_receive_buffers_and_gets_them_as_root() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        granted = set_receive_buffer(sock)
        rmem_max = int(Path("/proc/sys/net/core/rmem_max").read_text())
        if os.geteuid() == 0:
            assert granted == RECEIVE_BUFFER_BYTES  # SO_RCVBUFFORCE: past net.core.rmem_max too
        else:
            assert granted == min(RECEIVE_BUFFER_BYTES, rmem_max)  # the fallback, capped
        assert set_receive_buffer(sock, 8 * RECEIVE_BUFFER_BYTES) >= granted
    finally:
        sock.close()
