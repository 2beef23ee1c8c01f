"""Who is asking about a course: the admin (the admin token) or a person on it (their personal
course link's token, for that course). Assessment routes take one of these and decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from classroom.roles import Role
from signaling.errors import AuthRefused, TokenError
from signaling.server.state import server_of

bearer = HTTPBearer(
    auto_error=False,
    description="The admin token, or the token of a personal course link for this course.",
)


@dataclass(frozen=True)
class CourseAccess:
    course_id: str
    role: Role | None  # None: the admin
    external_id: str | None
    name: str | None

    @property
    def manages(self) -> bool:
        """The admin or a lecturer of the course: may edit the bank, compose and grade."""
        return self.role is None or self.role is Role.LECTURER


def course_access(
    course_id: str,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> CourseAccess:
    if credentials is None:
        raise AuthRefused(
            "this API needs a credential: the admin token or a course link's token",
            code="auth_required",
        )
    services = server_of(request.app).services
    if services.admin_token.matches(credentials.credentials):
        return CourseAccess(course_id, None, None, None)
    try:
        claims = services.course_tokens.verify(credentials.credentials, course_id)
    except TokenError as e:
        raise AuthRefused(e.message, code=e.code) from None
    return CourseAccess(course_id, claims.role, claims.external_id, claims.name)


def course_manager(access: Annotated[CourseAccess, Depends(course_access)]) -> CourseAccess:
    """The admin or a lecturer of the course; 403 `not_lecturer` otherwise."""
    if not access.manages:
        raise AuthRefused("only the course's lecturers may do this", code="not_lecturer")
    return access
