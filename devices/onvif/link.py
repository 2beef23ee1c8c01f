"""The state of an ONVIF camera's link, driven by the outcome of each SOAP exchange.

HTTP has no connection to watch, so the link is judged by answers: any answer (even a Fault:
the camera is there and talking) keeps it online; a timeout or an unreadable reply makes it
degraded, and `offline_after` of those in a row make it offline; a refused or dropped
connection, or rejected credentials, make it offline at once. The transition table below
is the whole state machine (style principle 4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.drivers.base import LinkState
from devices.errors import AuthError, DeviceError, DeviceOffline, DeviceRefused, Unsupported


class LinkEvent(enum.Enum):
    SETUP = "setup"  # the ordered setup starts
    ANSWERED = "answered"  # the camera answered (a result or a SOAP Fault)
    FAILED = "failed"  # timeout / unreadable reply / busy
    GAVE_UP = "gave-up"  # FAILED for the `offline_after`-th time in a row
    LOST = "lost"  # connection refused or dropped, credentials rejected
    CLOSED = "closed"  # stop()


ON, DEG, OFF, CONN = LinkState.ONLINE, LinkState.DEGRADED, LinkState.OFFLINE, LinkState.CONNECTING
E = LinkEvent

TRANSITIONS: dict[tuple[LinkState, LinkEvent], LinkState] = {
    (OFF, E.SETUP): CONN,
    (DEG, E.SETUP): CONN,
    (ON, E.SETUP): CONN,
    (CONN, E.SETUP): CONN,
    (CONN, E.ANSWERED): CONN,  # setup finishing moves it on with `ready()`
    (CONN, E.FAILED): OFF,
    (CONN, E.GAVE_UP): OFF,
    (CONN, E.LOST): OFF,
    (ON, E.ANSWERED): ON,
    (ON, E.FAILED): DEG,
    (ON, E.GAVE_UP): OFF,
    (ON, E.LOST): OFF,
    (DEG, E.ANSWERED): ON,
    (DEG, E.FAILED): DEG,
    (DEG, E.GAVE_UP): OFF,
    (DEG, E.LOST): OFF,
    (OFF, E.ANSWERED): OFF,  # a late answer does not revive a link that needs setup again
    (OFF, E.FAILED): OFF,
    (OFF, E.GAVE_UP): OFF,
    (OFF, E.LOST): OFF,
    **{(state, E.CLOSED): OFF for state in LinkState},
}
_holes = [(s, e) for s in LinkState for e in LinkEvent if (s, e) not in TRANSITIONS]
if _holes:
    raise RuntimeError(f"link transition table has no entry for {_holes}")


@dataclass
class Link:
    offline_after: int = 3
    state: LinkState = LinkState.OFFLINE
    detail: str = "not started"
    failures: int = 0

    def fire(self, event: LinkEvent, detail: str = "") -> LinkState:
        self.failures = self.failures + 1 if event is E.FAILED else 0
        if event is E.FAILED and self.failures >= self.offline_after:
            event = E.GAVE_UP
        previous, self.state = self.state, TRANSITIONS[(self.state, event)]
        if detail or self.state is not previous:
            self.detail = detail
        return self.state

    def ready(self) -> None:
        """The ordered setup finished: the camera is online."""
        if self.state is not CONN:
            raise RuntimeError(f"ready() while {self.state.value}")
        self.state, self.detail, self.failures = ON, "", 0

    def outcome(self, error: DeviceError | None) -> LinkState:
        """Fire the event an exchange's outcome stands for (None: it succeeded)."""
        if error is None:
            return self.fire(E.ANSWERED)
        if isinstance(error, (DeviceOffline, AuthError)):
            return self.fire(E.LOST, str(error))
        if isinstance(error, (DeviceRefused, Unsupported)):
            return self.fire(E.ANSWERED)  # a Fault proves the camera is there and talking
        return self.fire(E.FAILED, str(error))
