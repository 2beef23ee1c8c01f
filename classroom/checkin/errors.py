"""Why a check-in is refused, each with a stable code the check-in page words in vi or en."""

from __future__ import annotations

from classroom.errors import ClassroomError


class CheckInError(ClassroomError):
    code = "checkin_refused"
    status = 409  # the HTTP edge's status for it


class NoRoster(CheckInError):
    code = "no_roster"

    def __init__(self) -> None:
        super().__init__("this class has no course roster: check-in in the room is not available")


class NotOnRoster(CheckInError):
    code = "not_on_roster"
    status = 404

    def __init__(self, external_id: str) -> None:
        super().__init__(f"there is nobody with id {external_id!r} on this class's roster")


class DeviceUsed(CheckInError):
    """One phone checks in one person per class."""

    code = "device_used"

    def __init__(self, name: str) -> None:
        super().__init__(f"this phone has already checked in {name} in this class")
        self.name = name


class AlreadyCheckedIn(CheckInError):
    code = "already_checked_in"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has already checked in from another phone")
        self.name = name


class CheckedOut(CheckInError):
    code = "checked_out"

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has checked out of this class; ask the lecturer to be counted again")
        self.name = name


class NotCheckedIn(CheckInError):
    code = "not_checked_in"
    status = 404

    def __init__(self) -> None:
        super().__init__("this phone has checked nobody in to this class")
