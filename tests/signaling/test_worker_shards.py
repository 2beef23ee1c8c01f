"""The worker-to-worker shard channel on a real UNIX seqpacket socket pair."""

from __future__ import annotations

import socket

from signaling.workers.shards import SeqpacketLink
from tests.support.wait import until


def pair() -> tuple[socket.socket, socket.socket]:
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


async def test_datagrams_arrive_whole_and_in_order():
    ours, theirs = pair()
    got: list[bytes] = []
    a = SeqpacketLink("a", ours, lambda d: None, lambda: None)
    b = SeqpacketLink("b", theirs, got.append, lambda: None)
    a.send_control(b"\x02{}")
    assert a.send_media(b"\x01" + bytes(1200))
    a.send_control(b"\x02[]")
    await until(lambda: len(got) == 3)
    assert got == [b"\x02{}", b"\x01" + bytes(1200), b"\x02[]"]
    a.close(), b.close()


async def test_a_full_channel_drops_media_and_keeps_control_in_order():
    ours, theirs = pair()
    a = SeqpacketLink("a", ours, lambda d: None, lambda: None)
    packet = b"\x01" + bytes(1200)
    sent = 0
    while a.send_media(packet):  # the other side reads nothing yet
        sent += 1
        assert sent < 1_000_000
    a.send_control(b"\x02first")
    a.send_control(b"\x02second")
    assert not a.send_media(packet)  # never ahead of waiting control datagrams
    got: list[bytes] = []
    b = SeqpacketLink("b", theirs, got.append, lambda: None)
    await until(lambda: len(got) == sent + 2)
    assert got[-2:] == [b"\x02first", b"\x02second"] and got[:-2] == [packet] * sent
    assert a.send_media(packet)  # drained: media flows again
    a.close(), b.close()


async def test_the_other_side_closing_is_noticed_once():
    ours, theirs = pair()
    lost: list[str] = []
    a = SeqpacketLink("a", ours, lambda d: None, lambda: lost.append("lost"))
    theirs.close()
    await until(lambda: lost)
    assert not a.send_media(b"\x01")
    a.send_control(b"\x02{}")
    assert lost == ["lost"] and a.closed
