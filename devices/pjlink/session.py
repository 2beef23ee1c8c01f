"""The client side of one PJLink TCP session, as a state machine without I/O.

A session starts when the projector greets; if the greeting carries a salt, the first command
line must carry the MD5 digest (auth.py) and later lines must not. Projectors close a session
after 30 s idle (and after ERRA), so a driver opens a new session per batch and feeds each
new connection's lines here.
"""

from __future__ import annotations

import enum

from devices.pjlink.auth import digest
from devices.pjlink.errors import PJLinkAuthError, PJLinkProtocolError
from devices.pjlink.messages import AuthFailure, Greeting, ProjectorLine, Request, Response


class SessionState(enum.Enum):
    AWAIT_GREETING = "await-greeting"
    READY = "ready"  # greeted; the next request carries the digest if one is due
    FAILED = "failed"  # ERRA received: the projector is closing the connection


_TRANSITIONS: dict[tuple[SessionState, type], SessionState] = {
    (SessionState.AWAIT_GREETING, Greeting): SessionState.READY,
    (SessionState.AWAIT_GREETING, AuthFailure): SessionState.FAILED,
    (SessionState.READY, Response): SessionState.READY,
    (SessionState.READY, AuthFailure): SessionState.FAILED,
}


class ClientSession:
    """Turns requests into lines (adding the digest once) and checks what the projector says."""

    def __init__(self, password: str | None = None) -> None:
        self.password = password
        self.state = SessionState.AWAIT_GREETING
        self._pending_digest: str | None = None

    def receive(self, line: ProjectorLine) -> Response | None:
        """Take one decoded line; return it if it is a response to a request.

        Raises PJLinkAuthError on `PJLINK ERRA`, or when the projector wants a password and
        none is configured; PJLinkProtocolError on a line that makes no sense in this state.
        """
        next_state = _TRANSITIONS.get((self.state, type(line)))
        if next_state is None:
            raise PJLinkProtocolError(
                f"unexpected {type(line).__name__} in state {self.state.value}"
            )
        self.state = next_state
        if isinstance(line, AuthFailure):
            raise line.error()
        if isinstance(line, Greeting):
            if line.salt is not None:
                if self.password is None:
                    self.state = SessionState.FAILED
                    raise PJLinkAuthError(
                        "the projector requires a PJLink password and none is configured"
                    )
                self._pending_digest = digest(line.salt, self.password)
            return None
        return line

    def encode(self, request: Request) -> bytes:
        """The bytes for `request`; the first one after an authenticating greeting is prefixed."""
        if self.state is not SessionState.READY:
            raise PJLinkProtocolError(f"cannot send in state {self.state.value}")
        line = request.serialize(self._pending_digest)
        self._pending_digest = None
        return line
