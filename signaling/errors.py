"""The signaling package's error taxonomy.

One base class for the package. Every error carries a stable ``code`` (what clients and scripts
match on; the browser translates codes into Vietnamese or English) and a human ``message`` in
English that is safe to show: it never contains secrets. Library exceptions (PyJWT, pydantic,
PyYAML, OSError) are translated into these at the module that calls the library.
"""

from __future__ import annotations


class SignalingError(Exception):
    """Base for every error raised by the signaling package."""

    code: str = "signaling_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class SettingsError(SignalingError):
    """The settings are invalid; the message names each field and where its value came from."""

    code = "settings_invalid"


class SecretFileError(SignalingError):
    """A secret file (signing keys, admin token) is unreadable, corrupt or readable by others."""

    code = "secret_file_invalid"


class TokenError(SignalingError):
    """A join token was refused.

    Codes: ``token_expired``, ``token_invalid`` (bad signature, malformed, unknown key id, wrong
    audience or issuer, bad claims) and ``wrong_class`` (a valid token for another class).
    """

    code = "token_invalid"


class AuthRefused(SignalingError):
    """A request refused for its credential: 401 without one (``auth_required``), 403
    otherwise. The HTTP edge (signaling/api/errors.py) answers every kind the same way."""

    code = "auth_invalid"

    @property
    def status(self) -> int:
        return 401 if self.code == "auth_required" else 403


class AdminAuthError(AuthRefused):
    """A REST call without the admin bearer token (``auth_required``) or with a wrong one
    (``auth_invalid``)."""


class RecordingNotFound(SignalingError):
    """No such recording, or not one of the asker's courses (the library says nothing more)."""

    code = "recording_not_found"
