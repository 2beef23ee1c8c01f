"""Course tokens: a trainee's (or lecturer's) personal link to a whole course.

A join token opens one class; a course token names the course and the person on its roster
(their external id), so the same personal link lets a trainee join the course's current class,
take its tests and watch its e-lectures, and lets a lecturer grade and manage them. Its own
audience keeps it from opening anything a join or technician token opens.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from classroom.courses.models import COURSE_ID_MAX
from classroom.models import EXTERNAL_ID_MAX, NAME_MAX
from classroom.roles import Role
from signaling.auth.tokens import SignedClaims, SignedTokens
from signaling.errors import TokenError

COURSE_AUDIENCE = "classbridge:course"


class CourseClaims(SignedClaims):
    course_id: str = Field(min_length=1, max_length=COURSE_ID_MAX)
    role: Role
    external_id: str | None = Field(default=None, min_length=1, max_length=EXTERNAL_ID_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)


class CourseTokens(SignedTokens):
    audience = COURSE_AUDIENCE
    required = ["exp", "iat", "jti", "aud", "iss", "course_id", "role"]
    what = "course link"

    def mint(
        self,
        course_id: str,
        role: Role,
        ttl: timedelta | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> tuple[str, CourseClaims]:
        return self._mint(
            CourseClaims, ttl, course_id=course_id, role=role, external_id=external_id, name=name
        )

    def verify(self, token: str, course_id: str | None = None) -> CourseClaims:
        """The claims of a genuine, unexpired course token (for `course_id` when given)."""
        claims = self._decode(token, CourseClaims)
        if course_id is not None and claims.course_id != course_id:
            raise TokenError("this course link is for another course", code="wrong_course")
        return claims
