"""The room's check-in PIN: six digits that change every minute, derived, never stored.

PIN = HMAC-SHA256(server secret, "<class id>:<minute window>") read as a number, modulo 10⁶.
Anyone in the room sees it on the LED wall; nobody outside can compute it without the server's
secret. A PIN is accepted during its own minute and the next (a trainee typing at the turn of
the minute is not refused), so it lives between 60 and 120 seconds. Pure: no clock, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac

WINDOW_S = 60
DIGITS = 6
ACCEPTED_WINDOWS = 2  # the current one and the one before


def window_of(unix_time: float) -> int:
    return int(unix_time // WINDOW_S)


def pin(secret: bytes, class_id: str, window: int) -> str:
    mac = hmac.new(secret, f"{class_id}:{window}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(mac[:8], "big") % 10**DIGITS).zfill(DIGITS)


def current_pin(secret: bytes, class_id: str, unix_time: float) -> tuple[str, float]:
    """The PIN to show now, and when the screen should show the next one (unix time)."""
    window = window_of(unix_time)
    return pin(secret, class_id, window), float((window + 1) * WINDOW_S)


def accepts(secret: bytes, class_id: str, presented: str, unix_time: float) -> bool:
    """Whether `presented` is the class's PIN of this minute or the one before."""
    if len(presented) != DIGITS or not presented.isascii() or not presented.isdigit():
        return False
    window = window_of(unix_time)
    return any(
        hmac.compare_digest(pin(secret, class_id, window - back), presented)
        for back in range(ACCEPTED_WINDOWS)
    )
