"""Why the library refuses an upload or a deletion (the edge maps these to HTTP statuses)."""

from __future__ import annotations

from classroom.errors import ClassroomError


class LibraryError(ClassroomError):
    code = "library_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class UnsupportedFile(LibraryError):
    """Neither an MP4 video nor a PDF."""

    code = "unsupported_file"


class BadFile(LibraryError):
    """An MP4 or PDF that cannot be read: cut short, damaged, no stream (`bad_video`, `bad_pdf`, `empty_file`)."""

    code = "bad_file"


class StillRecording(LibraryError):
    """A recording that is still being written cannot be deleted."""

    code = "still_recording"


class NotAnUpload(LibraryError):
    """Files are added only to uploaded e-lectures, not to a class's recording."""

    code = "not_an_upload"


class NoRoom(LibraryError):
    """The disk (or the recordings' quota) has no room for the upload."""

    code = "storage_full"
