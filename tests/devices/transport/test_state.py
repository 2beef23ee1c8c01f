"""The link state machine: the table as a whole, listeners, and refused events."""

from __future__ import annotations

import itertools

import pytest

from devices.transport.state import (
    TRANSITIONS,
    LinkEvent,
    LinkState,
    LinkStateError,
    LinkStateMachine,
)


def test_every_state_can_be_stopped_into_offline() -> None:
    for state in LinkState:
        assert TRANSITIONS[(state, LinkEvent.STOP)] is LinkState.OFFLINE


def test_only_a_connect_attempt_leaves_offline() -> None:
    leaving = {
        ev for (st, ev), new in TRANSITIONS.items() if st is LinkState.OFFLINE and new is not st
    }
    assert leaving == {LinkEvent.CONNECT}


def test_online_is_reached_only_by_connecting_or_a_good_exchange() -> None:
    into_online = {(st, ev) for (st, ev), new in TRANSITIONS.items() if new is LinkState.ONLINE}
    assert into_online == {
        (LinkState.CONNECTING, LinkEvent.CONNECTED),
        (LinkState.ONLINE, LinkEvent.EXCHANGE_OK),
        (LinkState.DEGRADED, LinkEvent.EXCHANGE_OK),
    }


def test_the_normal_life_of_a_link() -> None:
    machine = LinkStateMachine("cam")
    seen: list[tuple[LinkState, LinkState, str]] = []
    machine.add_listener(lambda old, new, detail: seen.append((old, new, detail)))
    for event in (
        LinkEvent.CONNECT,
        LinkEvent.CONNECTED,
        LinkEvent.EXCHANGE_OK,  # no change: no notification
        LinkEvent.EXCHANGE_FAILED,
        LinkEvent.EXCHANGE_FAILED,
        LinkEvent.EXCHANGE_OK,
        LinkEvent.DROPPED,
    ):
        machine.fire(event, event.value)
    assert [(old.value, new.value) for old, new, _ in seen] == [
        ("offline", "connecting"),
        ("connecting", "online"),
        ("online", "degraded"),
        ("degraded", "online"),
        ("online", "offline"),
    ]
    assert seen[-1][2] == "dropped"
    assert machine.detail == "dropped"


@pytest.mark.parametrize(
    ("state", "event"),
    [pair for pair in itertools.product(LinkState, LinkEvent) if pair not in TRANSITIONS],
)
def test_events_outside_the_table_are_refused(state: LinkState, event: LinkEvent) -> None:
    machine = LinkStateMachine("cam")
    machine.state = state
    with pytest.raises(LinkStateError, match=event.value):
        machine.fire(event)
    assert machine.state is state


def test_a_failing_listener_does_not_stop_the_others() -> None:
    machine = LinkStateMachine("cam")
    heard: list[LinkState] = []

    def broken(old: LinkState, new: LinkState, detail: str) -> None:
        raise RuntimeError("listener bug")

    machine.add_listener(broken)
    machine.add_listener(lambda old, new, detail: heard.append(new))
    machine.fire(LinkEvent.CONNECT)
    assert heard == [LinkState.CONNECTING]


def test_unsubscribe() -> None:
    machine = LinkStateMachine("cam")
    heard: list[LinkState] = []
    remove = machine.add_listener(lambda old, new, detail: heard.append(new))
    machine.fire(LinkEvent.CONNECT)
    remove()
    machine.fire(LinkEvent.CONNECT_FAILED)
    assert heard == [LinkState.CONNECTING]
