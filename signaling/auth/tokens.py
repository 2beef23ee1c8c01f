"""Join tokens: what a join link carries, signed with the keyring's newest key (JWT, HS256).

A token names one class and one role, and optionally the trainee (their id in the school's
training-management system and a display name). The role comes from the token and never from
the client, so a trainee cannot make themself a lecturer without the server's secret.
Expiry is checked against an injected clock so that tests need no sleeping.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from classroom.models import EXTERNAL_ID_MAX, NAME_MAX
from classroom.roles import Role
from signaling.errors import TokenError
from signaling.auth.keys import Keyring

ALGORITHM = "HS256"
ISSUER = "classbridge"
AUDIENCE = "classbridge:join"  # so that no other token this server might sign opens a class
MAX_TOKEN_CHARS = 4096
REQUIRED_CLAIMS = ["exp", "iat", "jti", "aud", "iss", "class_id", "role"]


class SignedClaims(BaseModel):
    """What every token this server signs says (join links, technician links)."""

    model_config = ConfigDict(frozen=True, extra="ignore")  # aud and iss are checked by PyJWT

    exp: datetime
    iat: datetime
    jti: str = Field(min_length=1, max_length=64)


C = TypeVar("C", bound=SignedClaims)


class JoinClaims(SignedClaims):
    """What a verified join token says."""

    class_id: str = Field(min_length=1, max_length=64)
    role: Role
    external_id: str | None = Field(default=None, min_length=1, max_length=EXTERNAL_ID_MAX)
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)


class SignedTokens:
    """What join and technician tokens share: the keyring that signs them, their default
    lifetime, and the clock and leeway their times are checked against. Each kind has its own
    audience, so that neither opens the other's door."""

    audience: ClassVar[str]
    required: ClassVar[list[str]]
    what: ClassVar[str]  # names the token in errors: "this join link has expired"

    def __init__(
        self,
        keyring: Keyring,
        default_ttl: timedelta,
        leeway: timedelta = timedelta(seconds=30),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keyring = keyring
        self.default_ttl = default_ttl
        self.leeway = leeway
        self._clock = clock

    def _lifetime(self, ttl: timedelta | None) -> tuple[int, int]:
        """(iat, exp) of a token issued now, living `ttl` (default: `default_ttl`)."""
        ttl = self.default_ttl if ttl is None else ttl
        if ttl <= timedelta(0):
            raise ValueError(f"a {self.what}'s lifetime must be positive")
        now = int(self._clock())
        return now, now + int(ttl.total_seconds())

    def _sign(self, payload: dict[str, Any]) -> str:
        return sign(self.keyring, payload | {"iss": ISSUER, "aud": self.audience})

    def _mint(self, model: type[C], ttl: timedelta | None, **fields: object) -> tuple[str, C]:
        """A token of `model`'s claims (`fields`, plus a fresh id and times) and those claims."""
        iat, exp = self._lifetime(ttl)
        claims = model.model_validate(
            fields
            | {
                "iat": datetime.fromtimestamp(iat, UTC),
                "exp": datetime.fromtimestamp(exp, UTC),
                "jti": secrets.token_urlsafe(12),
            }
        )
        payload = claims.model_dump(mode="json", exclude_none=True) | {"iat": iat, "exp": exp}
        return self._sign(payload), claims

    def _decode(self, token: str, model: type[C]) -> C:
        """The claims of a genuine, unexpired token of this kind; else TokenError."""
        claims = decode_signed(
            self.keyring, token, audience=self.audience, required=self.required, model=model, what=self.what
        )
        check_times(claims, self._clock(), self.leeway, self.what)
        return claims


class TokenService(SignedTokens):
    """Issues and verifies join tokens with the keys of one keyring."""

    audience = AUDIENCE
    required = REQUIRED_CLAIMS
    what = "join link"

    def issue(
        self,
        class_id: str,
        role: Role,
        ttl: timedelta | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> str:
        return self.mint(class_id, role, ttl, external_id, name)[0]

    def mint(
        self,
        class_id: str,
        role: Role,
        ttl: timedelta | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> tuple[str, JoinClaims]:
        """A token and the claims it carries (callers show the expiry next to the link)."""
        return self._mint(
            JoinClaims, ttl, class_id=class_id, role=role, external_id=external_id, name=name
        )

    def verify(self, token: str, class_id: str) -> JoinClaims:
        """The claims of `token` if it is genuine, unexpired and for `class_id`; else TokenError."""
        claims = self.verify_any(token)
        if claims.class_id != class_id:
            raise TokenError("this join link is for another class", code="wrong_class")
        return claims

    def verify_any(self, token: str) -> JoinClaims:
        """The claims of a genuine, unexpired token for whichever class it names (the room
        API learns a lecturer's class from their token)."""
        return self._decode(token, JoinClaims)


def sign(keyring: Keyring, payload: dict[str, Any]) -> str:
    """`payload` signed with the keyring's newest key, whose id goes in the header."""
    key = keyring.signing_key()
    return jwt.encode(payload, key.key_bytes, algorithm=ALGORITHM, headers={"kid": key.kid})


def decode_signed(
    keyring: Keyring, token: str, *, audience: str, required: list[str], model: type[C], what: str
) -> C:
    """The claims of a token this server signed for `audience` (join links, technician
    links): signature, key id, issuer and audience are checked here; times by `check_times`
    against the caller's clock. Every failure is a TokenError naming `what`."""
    invalid = TokenError(f"this {what} is not valid", code="token_invalid")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise invalid
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise invalid from None
    kid = header.get("kid")
    key = keyring.verification_key(kid) if isinstance(kid, str) else None
    if key is None or header.get("alg") != ALGORITHM:
        raise TokenError(f"this {what} was signed with a key that is no longer valid; ask for a new one")
    try:
        payload = jwt.decode(
            token,
            key.key_bytes,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "require": required},
        )
        return model.model_validate(payload)
    except (jwt.InvalidTokenError, ValidationError):
        raise invalid from None


def check_times(claims: SignedClaims, now: float, leeway: timedelta, what: str) -> None:
    """Expired, or issued in the future (beyond `leeway`): a TokenError naming `what`."""
    if claims.exp.timestamp() + leeway.total_seconds() < now:
        raise TokenError(f"this {what} has expired; ask for a new one", code="token_expired")
    if claims.iat.timestamp() - leeway.total_seconds() > now:
        raise TokenError(f"this {what} is not valid yet (issued in the future)")
