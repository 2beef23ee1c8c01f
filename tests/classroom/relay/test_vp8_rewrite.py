"""VP8 picture ID and TL0PICIDX rewriting (classroom/relay/vp8_rewrite.py)."""

from __future__ import annotations

from classroom.relay.vp8_rewrite import Vp8Rewriter, picture_id, tl0picidx
from tests.classroom.relay.vp8_media import Camera


def descriptor(pid: int, *, long: bool = True, tl0: int | None = None, start: bool = True, key: bool = True) -> bytes:
    x = 0x80 | (0x40 if tl0 is not None else 0)
    head = bytes([0x80 | (0x10 if start else 0), x])
    head += bytes([0x80 | (pid >> 8), pid & 0xFF]) if long else bytes([pid & 0x7F])
    if tl0 is not None:
        head += bytes([tl0])
    return head + bytes([0x00 if key else 0x01, 0xAB, 0xCD])


def test_the_first_segment_passes_through_unchanged() -> None:
    rw = Vp8Rewriter()
    payload = descriptor(1234, tl0=7)
    rw.resync(payload)
    assert rw.rewrite(payload) == payload


def test_a_new_segment_continues_picture_ids_and_tl0picidx_from_the_last_sent() -> None:
    rw = Vp8Rewriter()
    for pid in range(100, 105):
        rw.rewrite(descriptor(pid, tl0=pid % 256))
    switched = descriptor(30_000, tl0=200)
    rw.resync(switched)
    out = [rw.rewrite(descriptor(p, tl0=200 + i)) for i, p in enumerate(range(30_000, 30_003))]
    assert [picture_id(p) for p in out] == [105, 106, 107]
    assert [tl0picidx(p) for p in out] == [105, 106, 107]
    # only the descriptor changes: the VP8 frame bytes are untouched
    assert all(p.endswith(b"\x00\xab\xcd") for p in out)


def test_picture_ids_wrap_at_15_bits_and_7_bit_ids_stay_7_bits() -> None:
    rw = Vp8Rewriter()
    rw.rewrite(descriptor(0x7FFE))
    rw.resync(descriptor(10))
    assert picture_id(rw.rewrite(descriptor(10))) == 0x7FFF
    assert picture_id(rw.rewrite(descriptor(11))) == 0
    rw.resync(descriptor(5, long=False))
    short = rw.rewrite(descriptor(5, long=False))
    assert len(short) == len(descriptor(5, long=False)) and picture_id(short) == 1


def test_a_retransmitted_older_packet_does_not_move_the_continuation_point() -> None:
    rw = Vp8Rewriter()
    for pid in (50, 51, 52):
        rw.rewrite(descriptor(pid))
    rw.rewrite(descriptor(49), resent=True)  # a NACKed packet, resent as it was
    rw.resync(descriptor(900))
    assert picture_id(rw.rewrite(descriptor(900))) == 53
    assert picture_id(rw.rewrite(descriptor(901))) == 54
    assert picture_id(rw.rewrite(descriptor(899), resent=True)) == 52  # mapped, not the newest
    rw.resync(descriptor(7))
    assert picture_id(rw.rewrite(descriptor(7))) == 55


def test_packets_without_a_descriptor_extension_are_left_alone() -> None:
    rw = Vp8Rewriter()
    plain = bytes([0x10, 0x00, 0xAA])
    rw.resync(plain)
    assert rw.rewrite(plain) == plain


def test_real_vp8_from_libvpx_is_rewritten_in_place() -> None:
    cam = Camera(160, 90)
    payloads, _ = cam.frame(keyframe=True)
    rw = Vp8Rewriter()
    rw.last_pid = 41  # as if another source had sent up to 41
    rw.resync(payloads[0])
    out = [rw.rewrite(p) for p in payloads]
    assert {picture_id(p) for p in out} == {42}
    assert [len(p) for p in out] == [len(p) for p in payloads]
