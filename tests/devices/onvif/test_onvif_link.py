"""The ONVIF link: exchange outcomes drive the shared link state machine as documented."""

from __future__ import annotations

import pytest

from devices.drivers.base import LinkState
from devices.errors import (
    AuthError,
    ConfigError,
    DeviceBusy,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    ProtocolError,
    Unsupported,
)
from devices.onvif.link import OnvifLink


def online() -> OnvifLink:
    link = OnvifLink("cam", offline_after=3)
    link.setting_up()
    link.set_up(None)
    return link


def test_setup_then_online_with_listeners_told() -> None:
    link = OnvifLink("cam")
    seen: list[tuple[LinkState, LinkState]] = []
    link.add_listener(lambda old, new, detail: seen.append((old, new)))
    assert (link.state, link.detail) == (LinkState.OFFLINE, "not started")
    link.setting_up()
    assert link.state is LinkState.CONNECTING
    link.set_up(None)
    assert (link.state, link.detail) == (LinkState.ONLINE, "")
    assert seen == [(LinkState.OFFLINE, LinkState.CONNECTING), (LinkState.CONNECTING, LinkState.ONLINE)]


def test_a_failed_setup_is_offline_and_says_why() -> None:
    link = OnvifLink("cam")
    link.setting_up()
    link.set_up(ConfigError("profile: no media profile 'x'"))
    assert (link.state, link.detail) == (LinkState.OFFLINE, "profile: no media profile 'x'")


def test_setting_up_again_from_any_state() -> None:
    link = online()
    link.outcome(DeviceTimeout("t"))
    link.setting_up()
    assert link.state is LinkState.CONNECTING
    link.setting_up()
    assert link.state is LinkState.CONNECTING


@pytest.mark.parametrize("error", [DeviceTimeout("t"), ProtocolError("p"), DeviceBusy("b")])
def test_soft_failures_degrade_then_drop(error: Exception) -> None:
    link = online()
    assert [link.outcome(error) for _ in range(3)] == [LinkState.DEGRADED, LinkState.DEGRADED, LinkState.OFFLINE]
    assert link.detail == f"3 failures in a row: {error}"


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
def test_lost_connection_or_credentials_drop_at_once(error: Exception) -> None:
    link = online()
    assert link.outcome(error) is LinkState.OFFLINE and link.detail == str(error)


def test_late_outcomes_change_nothing() -> None:
    link = online()
    link.outcome(DeviceOffline("gone"))
    assert link.outcome(None) is LinkState.OFFLINE and link.detail == "gone"
    link.setting_up()
    assert link.outcome(DeviceTimeout("t")) is LinkState.CONNECTING


def test_stopped_from_anywhere() -> None:
    for link in (online(), OnvifLink("cam")):
        link.stopped()
        assert (link.state, link.detail) == (LinkState.OFFLINE, "stopped")
