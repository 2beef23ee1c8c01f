"""Who receives whose tracks: the classroom topology (../shared/media-relay.md, last section).

A lecture is not a gallery: the lecturer's and the room's tracks go to everyone; a trainee's
tracks go to the lecturer and the room (its screen and speakers), and to everyone only while
the lecturer has given that trainee the floor. Cost then grows linearly with trainees.
Later features (the floor, the room screen's active speaker) change `ClassState`, not this rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classroom.roles import Role, Source

_BROADCASTERS = frozenset({Role.LECTURER, Role.ROOM})
_TRAINEE_AUDIENCE = frozenset({Role.LECTURER, Role.ROOM})


@dataclass
class ClassState:
    """The parts of a live class that decide subscriptions."""

    floor: set[str] = field(default_factory=set)  # participant ids given the floor


def receives(
    state: ClassState,
    subscriber_id: str,
    subscriber_role: Role,
    publisher_id: str,
    publisher_role: Role,
    source: Source,
) -> bool:
    """Should the subscriber receive this publisher's track?"""
    if subscriber_id == publisher_id:
        return False
    if publisher_role in _BROADCASTERS:
        return True
    if publisher_role is Role.TRAINEE:
        return subscriber_role in _TRAINEE_AUDIENCE or publisher_id in state.floor
    return False
