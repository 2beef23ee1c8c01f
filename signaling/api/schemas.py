"""Request and response bodies of the REST API (also what ``classbridge class ... --json`` prints).

Requests forbid unknown fields and strip whitespace, so that a typo in a school system's
integration is an error rather than a silently ignored field.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from classroom.classes import ClassInfo
from classroom.models import EXTERNAL_ID_MAX, NAME_MAX, ROOM_MAX, TITLE_MAX
from classroom.roles import Role
from signaling.auth.links import JoinLink
from signaling.auth.technicians import check_name

MAX_TTL_HOURS = 24 * 366


def _printable(v: str | None) -> str | None:
    if v is not None and any(unicodedata.category(c) == "Cc" for c in v):
        raise ValueError("must not contain control characters (newlines, tabs, ...)")
    return v


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClassCreate(_Request):
    title: str = Field(
        min_length=1,
        max_length=TITLE_MAX,
        description="Shown to everyone who joins.",
        examples=["Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12"],
    )
    room: str | None = Field(
        default=None,
        min_length=1,
        max_length=ROOM_MAX,
        description="The physical room the class is taught from, if any: a room of the rooms "
        "file (`unknown_room` otherwise).",
        examples=["room-101"],
    )

    starts_at: AwareDatetime | None = Field(
        default=None,
        description="When the class begins, with its UTC offset; the room's start scene runs "
        "before it. Give ends_at too.",
        examples=["2025-03-10T08:00:00+07:00"],
    )
    ends_at: AwareDatetime | None = Field(
        default=None,
        description="When the class ends; the room's end scene runs after it.",
        examples=["2025-03-10T11:30:00+07:00"],
    )

    allow_overlap: bool = Field(
        default=False,
        description="Book the room even if another class holds it at that time (`room_booked` "
        "otherwise): the classes share one preparation of the room (docs/rooms.md).",
    )

    _check = field_validator("title", "room")(_printable)

    @model_validator(mode="after")
    def _times(self) -> ClassCreate:
        if (self.starts_at is None) != (self.ends_at is None):
            raise ValueError("give both starts_at and ends_at, or neither")
        if self.starts_at is not None and self.ends_at is not None:
            if self.ends_at <= self.starts_at:
                raise ValueError("ends_at must be after starts_at")
            if self.room is None:
                raise ValueError("a class with times needs the room it is taught in")
        return self


class LinkRequest(_Request):
    role: Role = Field(description="Who the link admits: lecturer, trainee, room or observer.")
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=EXTERNAL_ID_MAX,
        description="The trainee's id in the school's training-management system.",
        examples=["HV-2024-0153"],
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=NAME_MAX,
        description="Display name shown to the class.",
        examples=["Nguyễn Thị Lan"],
    )
    ttl_hours: float | None = Field(
        default=None, gt=0, le=MAX_TTL_HOURS, description="Link lifetime; default link_ttl_hours."
    )

    _check = field_validator("external_id", "name")(_printable)


class TechnicianLinkRequest(_Request):
    name: str = Field(description="Who the link is for; the audit log names them.", examples=["Trần Văn Tuấn"])
    ttl_hours: float | None = Field(
        None, gt=0, le=MAX_TTL_HOURS, description="Default technician_link_ttl_hours."
    )

    _name = field_validator("name")(check_name)


class ClassOut(ClassInfo):
    participants_online: int = Field(description="Connected right now.")


class RoleLinks(BaseModel):
    """One join link per role; anyone holding a link joins with that role."""

    lecturer: str
    trainee: str
    room: str
    observer: str


class ClassCreated(ClassOut):
    links: RoleLinks
    links_expire_at: datetime

    @classmethod
    def build(cls, info: ClassInfo, links: dict[Role, JoinLink]) -> ClassCreated:
        return cls(
            **info.model_dump(),
            participants_online=0,
            links=RoleLinks(**{role.value: link.url for role, link in links.items()}),
            links_expire_at=min(link.claims.exp for link in links.values()),
        )


class LinkOut(BaseModel):
    class_id: str
    role: Role
    link: str
    expires_at: datetime
    external_id: str | None
    name: str | None

    @classmethod
    def build(cls, link: JoinLink) -> LinkOut:
        c = link.claims
        return cls(
            class_id=c.class_id,
            role=c.role,
            link=link.url,
            expires_at=c.exp,
            external_id=c.external_id,
            name=c.name,
        )


class ErrorDetail(BaseModel):
    field: str
    message: str
    row: int | None = None  # a roster file's row (`roster_invalid`); 0: the file as a whole


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, for programs: e.g. class_not_found, auth_invalid.")
    message: str = Field(description="For people, in English.")
    details: list[ErrorDetail] | None = Field(
        default=None, description="Each invalid field, if any."
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


Responses = dict[int | str, dict[str, Any]]


def error_doc(description: str) -> dict[str, Any]:
    """An OpenAPI `responses` entry: the one error shape, with what the status means there."""
    return {"model": ErrorResponse, "description": description}


class Health(BaseModel):
    status: str
    version: str
