import pytest

from classroom.relay.payloads import h264_keyframe_start, start_predicate, vp8_keyframe_start


@pytest.mark.parametrize(
    "payload, expected",
    [
        (bytes([0x10, 0x00]), True),  # S=1, PID=0, no X; P=0: key frame
        (bytes([0x10, 0x01]), False),  # inter frame
        (bytes([0x00, 0x00]), False),  # not the start of a partition
        (bytes([0x11, 0x00]), False),  # partition 1
        (bytes([0x90, 0x80, 0x05, 0x00]), True),  # X, I with 7-bit picture id
        (bytes([0x90, 0x80, 0x81, 0x23, 0x00]), True),  # X, I with 15-bit picture id (M=1)
        (bytes([0x90, 0xE0, 0x81, 0x23, 0x07, 0x40, 0x00]), True),  # I, L, T: 1+1+2+1+1
        (bytes([0x90, 0xE0, 0x81, 0x23, 0x07, 0x40, 0x01]), False),
        (bytes([0x90, 0x80]), False),  # truncated
        (b"", False),
    ],
)
def test_vp8(payload, expected):
    assert vp8_keyframe_start(payload) is expected


def stap_a(*nals: bytes) -> bytes:
    out = bytes([24])
    for nal in nals:
        out += len(nal).to_bytes(2, "big") + nal
    return out


@pytest.mark.parametrize(
    "payload, expected",
    [
        (bytes([0x67, 0x42, 0x00, 0x1F]), True),  # SPS
        (bytes([0x65, 0x88]), True),  # single IDR
        (bytes([0x41, 0x9A]), False),  # non-IDR slice
        (stap_a(bytes([0x67, 0x42]), bytes([0x68, 0xCE])), True),  # SPS + PPS
        (stap_a(bytes([0x68, 0xCE])), False),  # PPS only
        (bytes([0x7C, 0x85, 0x88]), True),  # FU-A start of IDR
        (bytes([0x7C, 0x05, 0x88]), False),  # FU-A continuation
        (bytes([0x7C, 0x81, 0x88]), False),  # FU-A start of non-IDR
        (bytes([24, 0x00, 0x00]), False),  # malformed STAP-A
        (b"", False),
    ],
)
def test_h264(payload, expected):
    assert h264_keyframe_start(payload) is expected


def test_opus_every_packet_is_a_start():
    assert start_predicate("audio/opus")(b"\x00")


def test_unknown_codec_is_refused():
    with pytest.raises(KeyError):
        start_predicate("video/AV1")
