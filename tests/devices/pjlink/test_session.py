"""The client session: greeting, digest on the first line only, ERRA."""

from __future__ import annotations

import pytest

from devices.errors import AuthError
from devices.pjlink.auth import digest
from devices.pjlink.errors import PJLinkProtocolError
from devices.pjlink.messages import AuthFailure, Command, Greeting, Request, Response
from devices.pjlink.session import ClientSession, SessionState


def test_no_auth_session() -> None:
    session = ClientSession()
    assert session.receive(Greeting(None)) is None
    assert session.encode(Request(Command.POWR)) == b"%1POWR ?\r"
    assert session.receive(Response("POWR", "0")) == Response("POWR", "0")


def test_digest_only_on_first_line() -> None:
    session = ClientSession("secret")
    session.receive(Greeting("1a2b3c4d"))
    first = session.encode(Request(Command.POWR))
    assert first == digest("1a2b3c4d", "secret").encode() + b"%1POWR ?\r"
    assert session.encode(Request(Command.INPT)) == b"%1INPT ?\r"


def test_auth_failure_raises_auth_error() -> None:
    session = ClientSession("wrong")
    session.receive(Greeting("1a2b3c4d"))
    session.encode(Request(Command.POWR))
    with pytest.raises(AuthError):
        session.receive(AuthFailure())
    assert session.state is SessionState.FAILED
    with pytest.raises(PJLinkProtocolError):
        session.encode(Request(Command.POWR))


def test_password_needed_but_missing() -> None:
    with pytest.raises(AuthError):
        ClientSession(None).receive(Greeting("1a2b3c4d"))


def test_out_of_order_lines() -> None:
    with pytest.raises(PJLinkProtocolError):
        ClientSession().receive(Response("POWR", "1"))
    with pytest.raises(PJLinkProtocolError):
        ClientSession().encode(Request(Command.POWR))
    session = ClientSession()
    session.receive(Greeting(None))
    with pytest.raises(PJLinkProtocolError):
        session.receive(Greeting(None))
