"""Signed, expiring links to a recording's files, for the playback page and downloads.

A `<video>` cannot send a bearer header, so the files are fetched with a short-lived token in
the query string; it names one recording and opens nothing else (its own audience).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from pydantic import Field

from signaling.auth.tokens import SignedClaims, SignedTokens
from signaling.errors import TokenError

RECORDING_AUDIENCE = "classbridge:recording"
RECORDING_LINK_TTL = timedelta(hours=6)


class RecordingClaims(SignedClaims):
    recording: str = Field(min_length=3, max_length=160)  # "<class id>/<recording id>"


class RecordingLinks(SignedTokens):
    audience = RECORDING_AUDIENCE
    required = ["exp", "iat", "jti", "aud", "iss", "recording"]
    what = "recording link"

    def mint(self, recording: str, ttl: timedelta | None = None) -> str:
        iat, exp = self._lifetime(ttl)
        claims = RecordingClaims(
            recording=recording,
            iat=datetime.fromtimestamp(iat, UTC),
            exp=datetime.fromtimestamp(exp, UTC),
            jti=secrets.token_urlsafe(9),
        )
        return self._sign(claims.model_dump(mode="json") | {"iat": iat, "exp": exp})

    def verify(self, token: str, recording: str) -> RecordingClaims:
        claims = self._decode(token, RecordingClaims)
        if claims.recording != recording:
            raise TokenError("this link is for another recording", code="token_invalid")
        return claims
