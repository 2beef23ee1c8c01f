"""Who receives whose tracks: the classroom topology (docs/relay.md, "Who receives what").

A lecture is not a gallery: the lecturer's and the room's tracks go to everyone; a trainee's
tracks go to the lecturer and the room (its screen and speakers), and to everyone while the
lecturer has given that trainee the floor. The relay's cost then grows linearly with the
number of trainees, not with its square.
"""

from __future__ import annotations

from collections.abc import Container

from classroom.roles import Role, Source

_BROADCASTERS = frozenset({Role.LECTURER, Role.ROOM})
_TRAINEE_AUDIENCE = frozenset({Role.LECTURER, Role.ROOM})


def receives(
    subscriber_id: str,
    subscriber_role: Role,
    publisher_id: str,
    publisher_role: Role,
    source: Source,
    floor: Container[str] = (),
) -> bool:
    """Should the subscriber receive this publisher's track?"""
    if subscriber_id == publisher_id:
        return False
    if publisher_role in _BROADCASTERS:
        return True
    if publisher_role is Role.TRAINEE:
        return subscriber_role in _TRAINEE_AUDIENCE or publisher_id in floor
    return False
