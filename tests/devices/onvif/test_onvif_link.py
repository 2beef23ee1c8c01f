"""The link state machine: the table is complete, and outcomes move it as documented."""

from __future__ import annotations

import pytest

from devices.drivers.base import LinkState
from devices.errors import (
    AuthError,
    DeviceBusy,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    ProtocolError,
    Unsupported,
)
from devices.onvif.link import TRANSITIONS, Link, LinkEvent


def online() -> Link:
    link = Link(offline_after=3)
    link.fire(LinkEvent.SETUP)
    link.ready()
    return link


def test_every_state_has_an_answer_to_every_event() -> None:
    assert len(TRANSITIONS) == len(LinkState) * len(LinkEvent)


def test_setup_then_ready() -> None:
    link = Link()
    assert (link.state, link.detail) == (LinkState.OFFLINE, "not started")
    assert link.fire(LinkEvent.SETUP) is LinkState.CONNECTING
    link.ready()
    assert (link.state, link.detail) == (LinkState.ONLINE, "")
    with pytest.raises(RuntimeError):
        link.ready()


def test_a_failed_setup_is_offline() -> None:
    link = Link()
    link.fire(LinkEvent.SETUP)
    assert link.outcome(DeviceTimeout("slow")) is LinkState.OFFLINE


@pytest.mark.parametrize("error", [DeviceTimeout("t"), ProtocolError("p"), DeviceBusy("b")])
def test_soft_failures_degrade_then_give_up(error: Exception) -> None:
    link = online()
    assert [link.outcome(error) for _ in range(3)] == [LinkState.DEGRADED, LinkState.DEGRADED, LinkState.OFFLINE]
    assert link.detail == str(error)


def test_an_answer_heals_a_degraded_link_and_resets_the_count() -> None:
    link = online()
    link.outcome(DeviceTimeout("t"))
    link.outcome(DeviceTimeout("t"))
    assert link.outcome(None) is LinkState.ONLINE and link.detail == ""
    assert link.outcome(DeviceTimeout("t")) is LinkState.DEGRADED


@pytest.mark.parametrize("error", [DeviceRefused("r"), Unsupported("u")])
def test_a_fault_is_an_answer(error: Exception) -> None:
    link = online()
    link.outcome(DeviceTimeout("t"))
    assert link.outcome(error) is LinkState.ONLINE


@pytest.mark.parametrize("error", [DeviceOffline("gone"), AuthError("who")])
def test_lost_connection_or_credentials_are_offline_at_once(error: Exception) -> None:
    link = online()
    assert link.outcome(error) is LinkState.OFFLINE and link.detail == str(error)
    assert link.outcome(None) is LinkState.OFFLINE and link.detail == str(error)


def test_closed_is_offline_from_anywhere() -> None:
    for link in (online(), Link()):
        assert link.fire(LinkEvent.CLOSED, "stopped") is LinkState.OFFLINE
