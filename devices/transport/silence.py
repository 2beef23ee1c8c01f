"""Silent ⇒ offline: the one rule for a device that stops answering without hanging up.

A dropped connection shows at once, but a device behind a pulled Ethernet cable, on a serial
line or on VISCA over UDP just stops answering. One unanswered exchange makes its link
degraded (devices/transport/state.py); `limit` unanswered exchanges in a row make it count as
offline; any answer starts the count again. Supervision counts unanswered polls with it
(devices/room/supervisor.py) and the ONVIF link unanswered SOAP calls (devices/onvif/link.py),
each with its own limit; docs/devices.md §1 gives the numbers and why.
"""

from __future__ import annotations


class Silence:
    """Counts exchanges in a row that got no answer, and says when that means offline."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a device is offline after at least one unanswered exchange")
        self.limit = limit
        self.count = 0

    def answered(self) -> None:
        """The device answered (even with a refusal), or the count starts over (a new link)."""
        self.count = 0

    def unanswered(self) -> bool:
        """Count one more exchange without an answer; True once the device counts as offline."""
        self.count += 1
        return self.count >= self.limit
