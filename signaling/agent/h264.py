"""H.264 Annex-B bitstream facts the agent needs to forward a camera's stream as it is.

Pure functions over bytes (no I/O, no codec): split an access unit into NAL units, tell a key
frame, put the parameter sets in front of a key frame that lacks them (cameras that send them
only in the SDP), and read the profile-level-id a browser must be offered (RFC 6184 §8.1).
"""

from __future__ import annotations

from dataclasses import dataclass

NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9  # access unit delimiter: not needed over RTP
_START = b"\x00\x00\x00\x01"

# profile_idc → name; "constrained baseline" is baseline with constraint_set1 (RFC 6184 table 5)
_PROFILES = {66: "baseline", 77: "main", 88: "extended", 100: "high", 110: "high 10", 122: "high 4:2:2", 244: "high 4:4:4"}


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units of an Annex-B byte stream (start codes of 3 or 4 bytes), without start codes."""
    out: list[bytes] = []
    i = data.find(b"\x00\x00\x01")
    while i != -1:
        start = i + 3
        j = data.find(b"\x00\x00\x01", start)
        end = len(data) if j == -1 else j
        unit = data[start:end]
        if j != -1:
            unit = unit.rstrip(b"\x00")  # trailing zero of the next 4-byte start code
        if unit:
            out.append(unit)
        i = j
    return out


def nal_type(unit: bytes) -> int:
    return unit[0] & 0x1F


def is_keyframe(units: list[bytes]) -> bool:
    return any(nal_type(u) == NAL_IDR for u in units)


def annex_b(units: list[bytes]) -> bytes:
    return b"".join(_START + u for u in units)


def with_parameter_sets(units: list[bytes], parameter_sets: list[bytes]) -> list[bytes]:
    """A key frame with SPS and PPS in front (a decoder joining there needs them)."""
    if not is_keyframe(units):
        return units
    present = {nal_type(u) for u in units}
    if NAL_SPS in present and NAL_PPS in present:
        return units
    return [p for p in parameter_sets if nal_type(p) not in present] + units


def parameter_sets(units: list[bytes]) -> list[bytes]:
    return [u for u in units if nal_type(u) in (NAL_SPS, NAL_PPS)]


@dataclass(frozen=True)
class Profile:
    """What an SPS says about the stream, as SDP's profile-level-id and in words."""

    profile_idc: int
    constraints: int  # the constraint_set flags byte
    level_idc: int

    @property
    def profile_level_id(self) -> str:
        return f"{self.profile_idc:02x}{self.constraints:02x}{self.level_idc:02x}"

    @property
    def name(self) -> str:
        if self.profile_idc == 66 and self.constraints & 0x40:
            return "constrained baseline"
        return _PROFILES.get(self.profile_idc, f"profile {self.profile_idc}")

    @property
    def level(self) -> str:
        return f"{self.level_idc // 10}.{self.level_idc % 10}"


def sps_profile(sps: bytes) -> Profile:
    """The profile, constraint flags and level of a sequence parameter set NAL unit."""
    if len(sps) < 4 or nal_type(sps) != NAL_SPS:
        raise ValueError("not an H.264 sequence parameter set")
    return Profile(sps[1], sps[2], sps[3])


def find_profile(units: list[bytes]) -> Profile | None:
    for unit in units:
        if nal_type(unit) == NAL_SPS and len(unit) >= 4:
            return sps_profile(unit)
    return None
