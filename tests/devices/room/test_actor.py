"""Actors as logs show them."""

from devices.room.actor import SUPERVISION, Actor, ActorKind


def test_actor_labels() -> None:
    assert Actor(kind=ActorKind.ADMIN, name="").label == "admin"
    assert Actor(kind=ActorKind.LECTURER, name="TS. Lan").label == "lecturer TS. Lan"
    assert SUPERVISION.label == "controller"
    assert Actor(kind=ActorKind.SCHEDULE, name="", class_id="k12").label == "schedule (class k12)"
    assert Actor(kind=ActorKind.LECTURER, name="", class_id="k12").label == "lecturer (class k12)"
