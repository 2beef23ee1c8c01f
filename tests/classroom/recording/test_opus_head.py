"""The OpusHead swapped into a WebM track header (sans-I/O): the bytes, and what stays in place."""

from __future__ import annotations

import pytest

from classroom.recording.opus_head import PLACEHOLDER, opus_head, patch_header


def test_the_head_is_rfc_7845s():
    head = opus_head()
    assert len(head) == 19
    assert head[:8] == b"OpusHead"
    assert head[8] == 1  # version
    assert head[9] == 2  # channels
    assert int.from_bytes(head[10:12], "little") == 0  # pre-skip
    assert int.from_bytes(head[12:16], "little") == 48000
    assert int.from_bytes(head[16:18], "little", signed=True) == 0  # output gain
    assert head[18] == 0  # channel mapping family
    assert opus_head(channels=1, pre_skip=312)[9:12] == b"\x01\x38\x01"
    with pytest.raises(ValueError):
        opus_head(channels=3)


# A TrackEntry's elements as FFmpeg's WebM muxer writes them for a stream named PLACEHOLDER:
# TrackName, Language "und", FlagDefault, CodecID "A_OPUS", SeekPreRoll, TrackType, Audio
# (Channels 0, SamplingFrequency 48000.0), then the next level-1 element (Tags).
_NAME = b"\x53\x6e\x93" + PLACEHOLDER.encode()
_AFTER = (
    b"\x22\xb5\x9c\x83und\x88\x81\x00\x86\x86A_OPUS\x56\xbb\x84\x04\xc4\xb4\x00\x83\x81\x02"
    b"\xe1\x8d\x9f\x81\x00\xb5\x88\x40\xe7\x70\x00\x00\x00\x00\x00\x12\x54\xc3\x67"
)
_BEFORE = b"\x16\x54\xae\x6b\xdb\xae\x01\x00\x00\x00\x00\x00\x00\x52\xd7\x81\x01\x9c\x81\x00"


def test_the_placeholder_becomes_codec_private_and_nothing_moves():
    chunk = _BEFORE + _NAME + _AFTER
    patched, swapped = patch_header(chunk)
    assert swapped
    assert len(patched) == len(chunk)
    assert patched[: len(_BEFORE)] == _BEFORE
    at = len(_BEFORE)
    assert patched[at : at + 3] == b"\x63\xa2\x93"  # CodecPrivate, 19 bytes
    assert patched[at + 3 : at + 22] == opus_head()
    rest = patched[at + 22 :]
    # Only the channel count changed after it: Audio/Channels 0 -> 2.
    assert rest.replace(b"\xe1\x8d\x9f\x81\x02", b"\xe1\x8d\x9f\x81\x00") == _AFTER
    assert b"\xe1\x8d\x9f\x81\x02" in rest


def test_chunks_without_the_placeholder_pass_unchanged():
    chunk = b"\x1f\x43\xb6\x75" + bytes(range(256)) * 4
    assert patch_header(chunk) == (chunk, False)
    # A header cut before its Audio element still gets its OpusHead.
    patched, swapped = patch_header(_BEFORE + _NAME + _AFTER[:10])
    assert swapped and opus_head() in patched
