from __future__ import annotations

import pytest
from pydantic import ValidationError

from classroom.roles import Role
from signaling.api.schemas import ClassCreate, LinkRequest


def test_whitespace_is_stripped() -> None:
    body = ClassCreate(title="  Lớp bồi dưỡng  ", room=" a2 ")
    assert (body.title, body.room) == ("Lớp bồi dưỡng", "a2")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "line\nbreak"},
        {"title": "tab\there"},
        {"title": "t", "room": ""},
        {"title": "t", "room": "r" * 101},
        {"title": "t", "colour": "red"},
        {"title": 5},
    ],
)
def test_bad_class(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ClassCreate.model_validate(data)


def test_link_request() -> None:
    body = LinkRequest.model_validate(
        {"role": "trainee", "external_id": " HV1 ", "name": "Lan", "ttl_hours": 2}
    )
    assert (body.role, body.external_id, body.ttl_hours) == (Role.TRAINEE, "HV1", 2)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"role": "admin"},
        {"role": "trainee", "ttl_hours": 0},
        {"role": "trainee", "ttl_hours": 24 * 367},
        {"role": "trainee", "name": "x" * 101},
        {"role": "trainee", "external_id": "x" * 129},
        {"role": "trainee", "name": "a\x00b"},
        {"role": "trainee", "extra": 1},
    ],
)
def test_bad_link_request(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LinkRequest.model_validate(data)
