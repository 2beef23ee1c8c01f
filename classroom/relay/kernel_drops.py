"""Datagrams the kernel dropped before the relay could read them (Linux /proc, sans-I/O parsing).

A relay that falls behind loses packets in its sockets' receive queues, where no counter of
its own sees them. Linux counts them twice: system-wide in /proc/net/snmp (`Udp:
RcvbufErrors`, `InErrors`) and per socket in the `drops` column of /proc/net/udp and
/proc/net/udp6. The relay sums the latter over its own sockets (found by inode under
/proc/self/fd), so /metrics can tell a full receive queue from loss on the network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SNMP_FIELDS = ("InErrors", "RcvbufErrors")


def parse_snmp_udp(text: str) -> dict[str, int]:
    """The `Udp:` counters of /proc/net/snmp (a header line, then a value line)."""
    rows = [line.split() for line in text.splitlines() if line.startswith("Udp:")]
    if len(rows) < 2 or len(rows[0]) != len(rows[1]):
        raise ValueError("no Udp: header and value lines in /proc/net/snmp")
    return {name: int(value) for name, value in zip(rows[0][1:], rows[1][1:], strict=True)}


def parse_proc_udp(text: str) -> dict[int, int]:
    """inode → drops, from /proc/net/udp or /proc/net/udp6 (the header names the columns).

    The header has fewer names than a row has fields ("tx_queue rx_queue" is one field pair
    written "tx:rx", "tr tm->when" two), so the inode and drops are read from the end of
    each row: `... uid timeout inode ref pointer drops`.
    """
    found: dict[int, int] = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 13:
            continue
        try:
            inode, drops = int(fields[9]), int(fields[-1])
        except ValueError:
            continue
        found[inode] = found.get(inode, 0) + drops
    return found


def socket_inodes(fd_dir: Path = Path("/proc/self/fd")) -> set[int]:
    """Inodes of the sockets this process holds open."""
    inodes: set[int] = set()
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return inodes
    for name in names:
        try:
            target = os.readlink(fd_dir / name)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


@dataclass
class SocketDrops:
    """A counter that only grows: drops on this process's UDP sockets, as of the last `update`.

    The kernel forgets a socket's drops when it closes, so each update adds what every open
    socket dropped since the previous update; drops between a socket's last update and its
    close are not counted.
    """

    total: int = 0
    _seen: dict[int, int] = field(default_factory=dict)

    def update(self, drops_by_inode: dict[int, int], ours: set[int]) -> int:
        seen: dict[int, int] = {}
        for inode in ours:
            drops = drops_by_inode.get(inode)
            if drops is None:
                continue
            self.total += max(0, drops - self._seen.get(inode, 0))
            seen[inode] = drops
        self._seen = seen
        return self.total


_PROC_NET = Path("/proc/self/net")
_SOCKET_DROPS = SocketDrops()


def read_socket_drops(proc_net: Path = _PROC_NET) -> int:
    """Datagrams dropped on this process's UDP sockets so far (0 where /proc is missing)."""
    drops: dict[int, int] = {}
    for name in ("udp", "udp6"):
        try:
            drops.update(parse_proc_udp((proc_net / name).read_text()))
        except OSError:
            continue
    return _SOCKET_DROPS.update(drops, socket_inodes())


def read_system_udp_errors(proc_net: Path = _PROC_NET) -> dict[str, int]:
    """The kernel's UDP receive errors for the whole network namespace (empty if unreadable)."""
    try:
        counters = parse_snmp_udp((proc_net / "snmp").read_text())
    except (OSError, ValueError):
        return {}
    return {name: counters[name] for name in SNMP_FIELDS if name in counters}
