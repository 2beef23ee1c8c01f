"""Request and response bodies of the REST API (also what ``classbridge class ... --json`` prints).

Requests forbid unknown fields and strip whitespace, so that a typo in a school system's
integration is an error rather than a silently ignored field.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from classroom.classes import ClassInfo
from classroom.models import EXTERNAL_ID_MAX, NAME_MAX, ROOM_MAX, TITLE_MAX
from classroom.roles import Role
from signaling.links import JoinLink

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
        examples=["Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khoá 12"],
    )
    room: str | None = Field(
        default=None,
        min_length=1,
        max_length=ROOM_MAX,
        description="The physical room the class is taught from, if any (its rooms-file name).",
        examples=["phong-hoc-a2"],
    )

    _check = field_validator("title", "room")(_printable)


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


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, for programs: e.g. class_not_found, auth_invalid.")
    message: str = Field(description="For people, in English.")
    details: list[ErrorDetail] | None = Field(
        default=None, description="Each invalid field, if any."
    )


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str
    version: str
