"""The device link state machine: states, events and the transition table, in one place.

A link is OFFLINE until it is started; CONNECTING while the transport opens and the protocol's
start-up exchange runs (VISCA Address Set, a sequence reset); ONLINE while exchanges succeed;
DEGRADED while connected but the last exchange failed (a timeout). A dropped connection or a
failed connect attempt goes back to OFFLINE, from which the link reconnects with backoff.

The table is data so that it can be read, printed and tested as a whole (h11's `_state.py`
style); `LinkStateMachine` only looks transitions up and tells listeners about changes.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class LinkState(enum.Enum):
    """State of the link to one device."""

    OFFLINE = "offline"
    CONNECTING = "connecting"
    ONLINE = "online"
    DEGRADED = "degraded"  # connected, but the last exchange failed or timed out

    @property
    def connected(self) -> bool:
        """ONLINE or DEGRADED: there is a connection to send requests on."""
        return self in (LinkState.ONLINE, LinkState.DEGRADED)


class LinkEvent(enum.Enum):
    """What happened to a link; the table below says where each event leads."""

    CONNECT = "connect"  # a connect attempt starts
    CONNECTED = "connected"  # transport open and the start-up exchange succeeded
    CONNECT_FAILED = "connect-failed"
    EXCHANGE_OK = "exchange-ok"  # the device answered (even with a refusal)
    EXCHANGE_FAILED = "exchange-failed"  # no answer in time
    DROPPED = "dropped"  # the transport closed under us
    STOP = "stop"  # we closed the link on purpose


S, E = LinkState, LinkEvent

TRANSITIONS: dict[tuple[LinkState, LinkEvent], LinkState] = {
    (S.OFFLINE, E.CONNECT): S.CONNECTING,
    (S.OFFLINE, E.STOP): S.OFFLINE,
    (S.CONNECTING, E.CONNECTED): S.ONLINE,
    (S.CONNECTING, E.CONNECT_FAILED): S.OFFLINE,
    (S.CONNECTING, E.STOP): S.OFFLINE,
    (S.ONLINE, E.EXCHANGE_OK): S.ONLINE,
    (S.ONLINE, E.EXCHANGE_FAILED): S.DEGRADED,
    (S.ONLINE, E.DROPPED): S.OFFLINE,
    (S.ONLINE, E.STOP): S.OFFLINE,
    (S.DEGRADED, E.EXCHANGE_OK): S.ONLINE,
    (S.DEGRADED, E.EXCHANGE_FAILED): S.DEGRADED,
    (S.DEGRADED, E.DROPPED): S.OFFLINE,
    (S.DEGRADED, E.STOP): S.OFFLINE,
}

del S, E

StateListener = Callable[[LinkState, LinkState, str], None]
"""Called as ``listener(old, new, detail)`` after every change of state."""


class WatchedLink(Protocol):
    """What every driver exposes as its `link`, whatever carries it (a `DeviceLink`, or the
    ONVIF driver's `OnvifLink`): the state, why it is so, and news of every change."""

    @property
    def state(self) -> LinkState: ...

    @property
    def detail(self) -> str: ...

    def add_listener(self, listener: StateListener) -> Callable[[], None]: ...


class LinkStateError(RuntimeError):
    """An event that the table does not allow in the current state: a bug, not a device fault."""


class LinkStateMachine:
    """Holds one link's state and detail, applies events through TRANSITIONS, notifies listeners."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.state = LinkState.OFFLINE
        self.detail = ""
        self._listeners: list[StateListener] = []

    def add_listener(self, listener: StateListener) -> Callable[[], None]:
        """Register a listener; returns a function that removes it again."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def fire(self, event: LinkEvent, detail: str = "") -> LinkState:
        """Apply an event; listeners hear about it only when the state actually changes."""
        try:
            new = TRANSITIONS[(self.state, event)]
        except KeyError:
            raise LinkStateError(
                f"{self.name}: event {event.value} is not allowed in state {self.state.value}"
            ) from None
        old, self.state, self.detail = self.state, new, detail
        if new is not old:
            log.info("%s: %s -> %s %s", self.name, old.value, new.value, detail)
            for listener in list(self._listeners):
                try:
                    listener(old, new, detail)
                except Exception:  # a faulty listener must not break the link
                    log.exception("%s: link state listener failed", self.name)
        return new
