"""The H.264 bitstream facts the agent's passthrough relies on (pure functions)."""

from __future__ import annotations

import pytest

from signaling.agent import h264
from signaling.agent.codecs import passable
from signaling.agent.placeholder import FILE

SPS_CB31 = bytes([0x67, 0x42, 0xC0, 0x1F, 0xDA])  # constrained baseline 3.1
SPS_HIGH40 = bytes([0x67, 0x64, 0x00, 0x28, 0xAC])
PPS = bytes([0x68, 0xCE, 0x3C, 0x80])
IDR = bytes([0x65, 0x88, 0x84, 0x00])
P_SLICE = bytes([0x41, 0x9A, 0x00])


def test_nal_units_split_on_three_and_four_byte_start_codes() -> None:
    stream = b"\x00\x00\x00\x01" + SPS_CB31 + b"\x00\x00\x01" + PPS + b"\x00\x00\x00\x01" + IDR
    assert h264.nal_units(stream) == [SPS_CB31, PPS, IDR]
    assert h264.nal_units(b"") == []
    assert h264.nal_units(b"garbage without start code") == []


def test_annex_b_round_trips() -> None:
    units = [SPS_CB31, PPS, IDR]
    assert h264.nal_units(h264.annex_b(units)) == units


def test_key_frames_get_the_parameter_sets_they_lack() -> None:
    assert h264.is_keyframe([IDR]) and not h264.is_keyframe([P_SLICE])
    assert h264.with_parameter_sets([IDR], [SPS_CB31, PPS]) == [SPS_CB31, PPS, IDR]
    assert h264.with_parameter_sets([SPS_CB31, PPS, IDR], [SPS_CB31, PPS]) == [SPS_CB31, PPS, IDR]
    assert h264.with_parameter_sets([P_SLICE], [SPS_CB31, PPS]) == [P_SLICE]


def test_profile_level_id_and_names() -> None:
    cb = h264.sps_profile(SPS_CB31)
    assert (cb.profile_level_id, cb.name, cb.level) == ("42c01f", "constrained baseline", "3.1")
    high = h264.sps_profile(SPS_HIGH40)
    assert (high.profile_level_id, high.name, high.level) == ("640028", "high", "4.0")
    assert passable(cb) and not passable(high) and not passable(None)
    with pytest.raises(ValueError):
        h264.sps_profile(PPS)


def test_the_shipped_placeholder_is_one_constrained_baseline_key_frame() -> None:
    units = h264.nal_units(FILE.read_bytes())
    assert h264.is_keyframe(units)
    assert {h264.NAL_SPS, h264.NAL_PPS} <= {h264.nal_type(u) for u in units}
    profile = h264.find_profile(units)
    assert profile is not None and profile.name == "constrained baseline"
