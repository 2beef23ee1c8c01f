"""HTTP statuses of the e-lecture library's errors (signaling/api/errors.py reads them)."""

from __future__ import annotations

from classroom.recording import errors as e

STATUS: list[tuple[type[Exception], int]] = [
    (e.UnsupportedFile, 415),
    (e.BadFile, 422),
    (e.StillRecording, 409),
    (e.NotAnUpload, 409),
    (e.NoRoom, 507),
]
