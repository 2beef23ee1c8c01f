"""The keyring that signs join tokens: HS256 secrets with key ids, in <data_dir>/signing-keys.json.

The newest key signs; older keys still verify until they are dropped, so rotating does not
break links already sent to trainees, and ``rotate --drop-old`` revokes them all at once.
The file is the single source of truth: a running server notices when the CLI rotated it
(one stat per use) and picks the change up without a restart.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, model_validator

from signaling.errors import SecretFileError
from signaling.auth.secret_file import create_secret, read_secret, replace_secret

KEYRING_FILE = "signing-keys.json"
SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key must be at least as long as the hash output


class SigningKey(BaseModel):
    model_config = ConfigDict(frozen=True)

    kid: str = Field(min_length=1, max_length=64)
    secret: SecretStr = Field(description="base64url of the raw key bytes")
    created_at: datetime

    @field_serializer("secret", when_used="json")
    def _reveal(self, secret: SecretStr) -> str:
        return secret.get_secret_value()  # only into the keyring file

    @property
    def key_bytes(self) -> bytes:
        text = self.secret.get_secret_value()
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    @model_validator(mode="after")
    def _long_enough(self) -> SigningKey:
        try:
            size = len(self.key_bytes)
        except ValueError:
            raise ValueError(f"key {self.kid}: secret is not base64url") from None
        if size < SECRET_BYTES:
            raise ValueError(f"key {self.kid}: secret shorter than {SECRET_BYTES} bytes")
        return self


class _KeyringFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    keys: list[SigningKey] = Field(min_length=1, description="Oldest first; the last one signs.")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_key(existing: list[SigningKey], now: datetime) -> SigningKey:
    taken = {k.kid for k in existing}
    kid = secrets.token_hex(4)
    while kid in taken:
        kid = secrets.token_hex(4)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).rstrip(b"=").decode()
    return SigningKey(kid=kid, secret=SecretStr(secret), created_at=now)


def _serialize(keys: list[SigningKey]) -> str:
    return _KeyringFile(keys=keys).model_dump_json(indent=2) + "\n"


class Keyring:
    """The signing keys in one data directory."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = _utcnow) -> None:
        self.path = path
        self._clock = clock
        self._keys: list[SigningKey] = []
        self._stamp: tuple[int, int, int] | None = None
        self.created = False  # True when `open` created the file (the server logs it)

    @classmethod
    def open(cls, data_dir: Path, clock: Callable[[], datetime] = _utcnow) -> Keyring:
        """The keyring of `data_dir`, created with one fresh key on first use."""
        ring = cls(data_dir / KEYRING_FILE, clock)
        ring.created = create_secret(ring.path, _serialize([_new_key([], clock())]))
        ring._refresh()
        return ring

    def signing_key(self) -> SigningKey:
        self._refresh()
        return self._keys[-1]

    def verification_key(self, kid: str) -> SigningKey | None:
        self._refresh()
        return next((k for k in self._keys if k.kid == kid), None)

    def keys(self) -> list[SigningKey]:
        """Every key, oldest first; the last one signs."""
        self._refresh()
        return list(self._keys)

    def rotate(self, drop_old: bool = False) -> SigningKey:
        """Add a new signing key; with `drop_old`, tokens signed by every older key stop working."""
        with self._locked():
            self._refresh()
            key = _new_key(self._keys, self._clock())
            keys = [key] if drop_old else [*self._keys, key]
            replace_secret(self.path, _serialize(keys))
            self._refresh()
        return key

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialize rotations by several processes (flock on the data directory itself)."""
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _refresh(self) -> None:
        try:
            st = self.path.stat()
        except OSError as e:
            raise SecretFileError(f"cannot read {self.path}: {e.strerror or e}") from None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        text = read_secret(self.path)
        try:
            self._keys = _KeyringFile.model_validate(json.loads(text)).keys
        except ValueError as e:  # bad JSON or a pydantic ValidationError
            raise SecretFileError(
                f"{self.path} is not a classbridge keyring ({e.__class__.__name__}); "
                "restore it from a backup or delete it to start over (every join link becomes invalid)"
            ) from None
        self._stamp = stamp
