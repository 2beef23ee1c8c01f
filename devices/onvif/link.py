"""An ONVIF camera's link state, judged by the outcome of each SOAP exchange.

HTTP keeps no connection to watch, so this drives the shared state machine
(devices/transport/state.py) from answers: any answer, even a SOAP Fault, is an exchange that
worked; a timeout or an unreadable reply is a failed exchange (degraded), and `offline_after`
of those in a row count as a dropped link (the silent ⇒ offline rule,
devices/transport/silence.py); a refused or dropped connection, or rejected credentials, drop
the link at once. Outcomes that arrive while the link is not in use (a concurrent call already
took it offline, or a setup is running) change nothing. The driver exposes this object as its
`link`, as every driver exposes its link.
"""

from __future__ import annotations

from collections.abc import Callable

from devices.errors import AuthError, DeviceError, DeviceOffline, DeviceRefused, Unsupported
from devices.transport.silence import Silence
from devices.transport.state import LinkEvent, LinkState, LinkStateMachine, StateListener


class OnvifLink:
    def __init__(self, name: str, offline_after: int = 3) -> None:
        self._machine = LinkStateMachine(name)
        self._machine.detail = "not started"
        self._silence = Silence(offline_after)

    @property
    def offline_after(self) -> int:
        return self._silence.limit

    @property
    def state(self) -> LinkState:
        return self._machine.state

    @property
    def detail(self) -> str:
        return self._machine.detail

    def add_listener(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener(old, new, detail)`` on every state change; returns an unsubscribe."""
        return self._machine.add_listener(listener)

    def setting_up(self) -> None:
        """The ordered setup starts (again): whatever came before is closed."""
        if self.state is not LinkState.OFFLINE:
            self._machine.fire(LinkEvent.STOP, "setting up again")
        self._machine.fire(LinkEvent.CONNECT)

    def set_up(self, error: DeviceError | None) -> None:
        """The ordered setup ended, well (None) or with `error`."""
        self._silence.answered()
        if error is None:
            self._machine.fire(LinkEvent.CONNECTED)
        else:
            self._machine.fire(LinkEvent.CONNECT_FAILED, str(error))

    def outcome(self, error: DeviceError | None) -> LinkState:
        """Record how one exchange ended (None: it succeeded) and return the state after it."""
        if not self.state.connected:
            return self.state
        if error is None or isinstance(error, (DeviceRefused, Unsupported)):
            self._silence.answered()
            return self._machine.fire(LinkEvent.EXCHANGE_OK)
        if isinstance(error, (DeviceOffline, AuthError)):
            self._silence.answered()
            return self._machine.fire(LinkEvent.DROPPED, str(error))
        if self._silence.unanswered():
            self._silence.answered()  # the next connection starts counting afresh
            return self._machine.fire(LinkEvent.DROPPED, f"{self.offline_after} failures in a row: {error}")
        return self._machine.fire(LinkEvent.EXCHANGE_FAILED, str(error))

    def stopped(self) -> None:
        self._machine.fire(LinkEvent.STOP, "stopped")
