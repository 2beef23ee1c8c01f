"""Join links: ``{public_url}/join#t=<token>``.

The token travels in the URL fragment, which browsers never send to the server nor put in
Referer headers, so it stays out of access logs and third-party requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from classroom.roles import Role
from signaling.auth.tokens import JoinClaims, TokenService


@dataclass(frozen=True)
class JoinLink:
    url: str
    claims: JoinClaims


class JoinLinks:
    def __init__(self, tokens: TokenService, public_url: str) -> None:
        self.tokens = tokens
        self.public_url = public_url.rstrip("/")

    def link(
        self,
        class_id: str,
        role: Role,
        ttl: timedelta | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> JoinLink:
        token, claims = self.tokens.mint(class_id, role, ttl, external_id, name)
        return JoinLink(f"{self.public_url}/join#t={token}", claims)

    def for_every_role(self, class_id: str) -> dict[Role, JoinLink]:
        """One shared link per role, with the default lifetime."""
        return {role: self.link(class_id, role) for role in Role}
