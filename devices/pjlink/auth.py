"""PJLink authentication (PJLink 1.04 §5.1): MD5 over the projector's salt and the password.

The projector greets with `PJLINK 1 <salt>`; the client prefixes its first command line with
the lower-case hex MD5 of salt + password. MD5 is what the standard prescribes, not a choice.
"""

from __future__ import annotations

import hashlib
import secrets


def digest(salt: str, password: str) -> str:
    """The 32-hex-digit prefix for the first command of an authenticated session."""
    return hashlib.md5((salt + password).encode("utf-8"), usedforsecurity=False).hexdigest()


def new_salt() -> str:
    """A fresh greeting salt as projectors send it: 8 hex digits (4 random bytes)."""
    return secrets.token_hex(4)
