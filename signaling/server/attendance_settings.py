"""Settings of attendance: crash safety and the webhooks to the school's training software.

In the YAML config under ``attendance:``; from the environment as
``CLASSBRIDGE_ATTENDANCE__HEARTBEAT_S``, ``CLASSBRIDGE_ATTENDANCE__WEBHOOK_URL`` and
``CLASSBRIDGE_ATTENDANCE__WEBHOOK_SECRET``.
"""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from classroom.attendance import HEARTBEAT_MAX_S

SECRET_PREFIX = "whsec_"


class AttendanceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heartbeat_s: float = Field(
        default=2.0,
        gt=0,
        le=HEARTBEAT_MAX_S,
        description="How often open attendance rows are marked seen: the most time online a "
        "crash of the server can lose.",
    )
    webhook_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Where class.started, class.ended and report.ready are POSTed "
        "(Standard Webhooks); none when unset.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="The signing secret shared with the receiver: 'whsec_' and base64 of at least 24 bytes.",
    )

    webhook_retry_base_s: float = Field(
        default=5.0,
        ge=0.1,
        le=3600,
        description="Wait before the first retry of a webhook; each further retry waits twice as long (at most an hour).",
    )
    webhook_max_attempts: int = Field(default=12, ge=1, le=100, description="Attempts before a webhook is marked failed.")

    @model_validator(mode="after")
    def _both(self) -> AttendanceSettings:
        if (self.webhook_url is None) != (self.webhook_secret is None):
            raise ValueError("webhook_url and webhook_secret go together: set both or neither")
        return self

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return v

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None:
            return v
        text = v.get_secret_value()
        if not text.startswith(SECRET_PREFIX):
            raise ValueError(f"must start with '{SECRET_PREFIX}'")
        try:
            key = base64.b64decode(text.removeprefix(SECRET_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"must be '{SECRET_PREFIX}' followed by base64") from None
        if len(key) < 24:
            raise ValueError("must hold at least 24 bytes of key")
        return v
