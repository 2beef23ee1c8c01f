"""The OpusHead of a recorded Opus track, put into the WebM header the muxer writes (sans-I/O).

A WebM Opus track's CodecPrivate is the OpusHead (RFC 7845 §5.1). The recorder's streams have
no codec context (nothing that could decode or encode exists), and PyAV gives such a stream no
way to set its extradata, so the muxer writes the track without one. Instead the stream is
named `PLACEHOLDER` (19 characters): the muxer writes that name as a TrackName element of
exactly the size of a CodecPrivate element holding the 19-byte OpusHead, and `patch_header`,
applied to the bytes on their way to the file, swaps one for the other and sets the track's
channel count (the muxer writes 0; the value keeps its one byte). Nothing moves: every offset
the muxer noted (cues, seek head, the sizes it rewrites at close) stays right. The muxer writes
the track header twice (at the start, and again at close); both pass through here.

The head says: version 1, 2 channels, pre-skip 0, 48 kHz, gain 0, channel mapping family 0.
Two channels because RFC 7587 signals Opus as `opus/48000/2` whatever the sender's microphone:
each packet says whether it is mono or stereo, and a decoder told 2 channels plays both (one
told 1 would fold stereo packets down). Pre-skip 0 because a recording starts in the middle of
the sender's stream: its encoder's priming samples went by long before.
"""

from __future__ import annotations

import struct

PLACEHOLDER = "classbridge-opus-19"
CHANNELS = 2
SAMPLE_RATE = 48000

_TRACK_NAME = b"\x53\x6e"
_CODEC_PRIVATE = b"\x63\xa2"
_AUDIO = 0xE1
_CHANNELS = 0x9F


def opus_head(channels: int = CHANNELS, pre_skip: int = 0, input_rate: int = SAMPLE_RATE, gain: int = 0) -> bytes:
    """The 19-byte OpusHead of RFC 7845 §5.1 (channel mapping family 0: mono or stereo)."""
    if channels not in (1, 2):
        raise ValueError("channel mapping family 0 has 1 or 2 channels")
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, input_rate, gain, 0)


def _placeholder_element() -> bytes:
    name = PLACEHOLDER.encode()
    return _TRACK_NAME + bytes([0x80 | len(name)]) + name


_FIND = _placeholder_element()
_REPLACE = _CODEC_PRIVATE + bytes([0x80 | 19]) + opus_head()
assert len(_FIND) == len(_REPLACE)


def _vint(data: bytes | bytearray, at: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-size integer at `at`: (value, its length). IDs keep their marker bit."""
    first = data[at]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or at + length > len(data):
        raise ValueError("not an EBML integer")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = value << 8 | byte
    return value, length


def _set_channels(data: bytearray, at: int, channels: int) -> bool:
    """Set Audio/Channels in the track elements that follow the swapped one (same level)."""
    try:
        while at < len(data):
            element, id_len = _vint(data, at, keep_marker=True)
            size, size_len = _vint(data, at + id_len, keep_marker=False)
            body = at + id_len + size_len
            if element == _AUDIO:
                inner = body
                while inner < body + size:
                    child, child_id_len = _vint(data, inner, keep_marker=True)
                    child_size, child_size_len = _vint(data, inner + child_id_len, keep_marker=False)
                    if child == _CHANNELS and child_size == 1:
                        data[inner + child_id_len + child_size_len] = channels
                        return True
                    inner += child_id_len + child_size_len + child_size
                return False
            at = body + size
    except (ValueError, IndexError):
        pass
    return False


def patch_header(chunk: bytes) -> tuple[bytes, bool]:
    """`chunk` with the placeholder swapped for the OpusHead; (the same bytes, False) without it."""
    at = chunk.find(_FIND)
    if at < 0:
        return chunk, False
    patched = bytearray(chunk)
    patched[at : at + len(_FIND)] = _REPLACE
    _set_channels(patched, at + len(_REPLACE), CHANNELS)
    return bytes(patched), True
