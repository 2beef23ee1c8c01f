"""Standard Webhooks signatures: pure, no I/O (https://www.standardwebhooks.com).

The secret is ``whsec_`` followed by the base64 key. Each request carries ``webhook-id`` (the
same on every retry), ``webhook-timestamp`` (Unix seconds of this attempt) and
``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256, under the key, of
``"{id}.{timestamp}.{body}"``. A receiver recomputes it, compares in constant time, and
refuses a timestamp too far from its own clock (replays).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"
TOLERANCE_S = 5 * 60


def new_secret() -> str:
    """A fresh secret to configure on both sides (32 random bytes)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError(f"a webhook secret starts with '{PREFIX}'")
    return base64.b64decode(secret.removeprefix(PREFIX), validate=True)


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256>``."""
    signed = webhook_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def headers(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, webhook_id, timestamp, body),
        "content-type": "application/json",
    }


def verify(secret: str, received: dict[str, str], body: bytes, now: int) -> bool:
    """True if `received` (header names in any case) sign `body` under `secret`, recently."""
    lower = {k.lower(): v for k, v in received.items()}
    webhook_id, stamp, signatures = (lower.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (webhook_id and stamp and signatures and stamp.isdigit()):
        return False
    if abs(now - int(stamp)) > TOLERANCE_S:
        return False
    expected = signature(secret, webhook_id, int(stamp), body)
    return any(hmac.compare_digest(expected, given) for given in signatures.split(" "))
