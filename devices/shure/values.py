"""Values carried by Shure command strings: on/off, gain in dB, meter levels in dBFS.

AUDIO_GAIN_HI_RES is 0000–1400 in 0.1 dB steps with 1100 as unity (0 dB), so
dB = value / 10 − 110 (docs/devices.md §6; confirm on hardware). SAMPLE levels are
000–060 per channel, 60 above the dBFS value (MXA910 command strings: 000 = −60 dBFS).
"""

from __future__ import annotations

from devices.shure.errors import ShureProtocolError

GAIN_MIN_RAW, GAIN_MAX_RAW, GAIN_UNITY_RAW = 0, 1400, 1100
GAIN_RANGE_DB = ((GAIN_MIN_RAW - GAIN_UNITY_RAW) / 10, (GAIN_MAX_RAW - GAIN_UNITY_RAW) / 10)
METER_OFFSET_DB = 60
METER_RATE_MIN_MS = 100  # 0 turns metering off; devices refuse 1..99


def on_off(value: str) -> bool:
    if value == "ON":
        return True
    if value == "OFF":
        return False
    raise ShureProtocolError(f"expected ON or OFF, not {value!r}")


def on_off_text(on: bool) -> str:
    return "ON" if on else "OFF"


def gain_db(raw: str) -> float:
    """`1100` → 0.0 dB."""
    if not (raw.isascii() and raw.isdigit()) or not GAIN_MIN_RAW <= int(raw) <= GAIN_MAX_RAW:
        raise ShureProtocolError(
            f"AUDIO_GAIN_HI_RES is {GAIN_MIN_RAW:04d}..{GAIN_MAX_RAW}, not {raw!r}"
        )
    return (int(raw) - GAIN_UNITY_RAW) / 10


def gain_raw(db: float) -> str:
    """0.0 dB → `1100`; rounds to the device's 0.1 dB step."""
    raw = round(db * 10) + GAIN_UNITY_RAW
    if not GAIN_MIN_RAW <= raw <= GAIN_MAX_RAW:
        raise ShureProtocolError(
            f"gain must be {GAIN_RANGE_DB[0]}..{GAIN_RANGE_DB[1]} dB, not {db}"
        )
    return f"{raw:04d}"


def level_dbfs(raw: int) -> float:
    return float(raw - METER_OFFSET_DB)


def level_raw(dbfs: float) -> int:
    return max(0, min(METER_OFFSET_DB, round(dbfs) + METER_OFFSET_DB))


def meter_rate(ms: int) -> str:
    if ms != 0 and ms < METER_RATE_MIN_MS:
        raise ShureProtocolError(
            f"METER_RATE is 0 (off) or at least {METER_RATE_MIN_MS} ms, not {ms}"
        )
    return str(ms)
