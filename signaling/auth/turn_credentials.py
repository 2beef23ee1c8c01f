"""Short-lived TURN credentials from a shared secret (the "TURN REST API" convention).

coturn's `use-auth-secret` checks them without asking us: the username is
"<expiry as unix time>:<who>" and the password is base64(HMAC-SHA1(secret, username))
(draft-uberti-behave-turn-rest-00). Each participant gets its own, valid for `ttl_s`, so
a link shared on social media does not hand out a TURN account, and a leaked credential
ends by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnCredential:
    username: str
    credential: str
    expires_at: int


def turn_credential(secret: str, who: str, expires_at: int) -> TurnCredential:
    """The credential coturn accepts until `expires_at` (unix seconds)."""
    if ":" in who:
        raise ValueError("the name in a TURN REST username must not contain ':'")
    username = f"{expires_at}:{who}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredential(username, base64.b64encode(digest).decode("ascii"), expires_at)


@dataclass(frozen=True)
class TurnCredentialIssuer:
    """Mints each participant's credentials for the configured TURN URLs."""

    urls: tuple[str, ...]
    secret: str
    ttl_s: int
    clock: Callable[[], float] = time.time

    def issue(self, who: str) -> TurnCredential:
        return turn_credential(self.secret, who, int(self.clock()) + self.ttl_s)
