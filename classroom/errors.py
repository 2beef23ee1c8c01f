"""The classroom package's error taxonomy.

One base class with a stable ``code`` (what the REST API and the CLI report, and what the
browser translates) and an English ``message`` that is safe to show. SQLAlchemy errors are
translated in classroom/db.py.
"""

from __future__ import annotations


class ClassroomError(Exception):
    """Base for every error raised by the classroom package."""

    code: str = "classroom_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseError(ClassroomError):
    """The database cannot be opened or created (the message names it, without password)."""

    code = "database_unavailable"


class ClassNotFound(ClassroomError):
    code = "class_not_found"

    def __init__(self, class_id: str) -> None:
        super().__init__(f"there is no class {class_id!r}")
        self.class_id = class_id


class ClassEnded(ClassroomError):
    """The class has ended: nobody can join it and it cannot be ended again."""

    code = "class_ended"

    def __init__(self, class_id: str) -> None:
        super().__init__(f"class {class_id!r} has already ended")
        self.class_id = class_id


class UnknownRoom(ClassroomError):
    """A class booked in a room the school's rooms file does not have."""

    code = "unknown_room"

    def __init__(self, room: str, known: list[str]) -> None:
        rooms = ", ".join(known) if known else "none (no rooms file is configured)"
        super().__init__(f"there is no room {room!r}; the rooms are: {rooms}")
        self.room = room
        self.known = known


class RoomBooked(ClassroomError):
    """A class booked in a room over the time of another class there."""

    code = "room_booked"

    def __init__(self, room: str, other_id: str, other_title: str, starts: str, ends: str) -> None:
        super().__init__(
            f"room {room!r} is booked from {starts} to {ends} by class {other_id} "
            f"({other_title!r}); choose another time or room, or allow the overlap"
        )
        self.room = room
        self.other_id = other_id


# ---- a live class refuses what a participant asked ----------------------------------------------


class LiveClassError(ClassroomError):
    """A live class refused a participant's request; the class itself carries on."""


class ClassFull(LiveClassError):
    code = "class_full"

    def __init__(self, limit: int, role: str = "trainee") -> None:
        super().__init__(f"this class is full ({limit} {role}s)")
        self.limit = limit
        self.role = role


class NotAllowed(LiveClassError):
    """The participant's role may not do this."""

    code = "not_allowed"


class UnknownTrack(LiveClassError):
    code = "unknown_track"

    def __init__(self, track_id: str) -> None:
        super().__init__(f"no published track {track_id!r}")
        self.track_id = track_id


class InvalidSdp(LiveClassError):
    """A session description the relay cannot apply."""

    code = "invalid_sdp"


class InvalidCandidate(LiveClassError):
    code = "invalid_candidate"


class ClassLocked(LiveClassError):
    """The lecturer locked the class: nobody new gets in."""

    code = "class_locked"

    def __init__(self) -> None:
        super().__init__("the lecturer has locked this class")


class RemovedFromClass(LiveClassError):
    """The lecturer removed this person; their link no longer opens the class."""

    code = "removed"

    def __init__(self) -> None:
        super().__init__("the lecturer removed you from this class")


class NotAdmitted(LiveClassError):
    """The participant waits in the lobby: nothing but waiting (and leaving) until admitted."""

    code = "not_admitted"

    def __init__(self) -> None:
        super().__init__("you are waiting for the lecturer to let you in")


class FloorFull(LiveClassError):
    code = "floor_full"

    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} trainee(s) already hold the floor; take it back from one first")
        self.limit = limit


class ChatOff(LiveClassError):
    """The lecturer turned trainees' chat off."""

    code = "chat_off"

    def __init__(self) -> None:
        super().__init__("the lecturer has turned chat off")


class TooFast(LiveClassError):
    """More chat lines or reactions than a person can mean."""

    code = "rate_limited"


class UnknownParticipant(LiveClassError):
    code = "unknown_participant"

    def __init__(self, participant_id: str) -> None:
        super().__init__(f"nobody in this class has the id {participant_id!r}")
        self.participant_id = participant_id


class InvalidChat(LiveClassError):
    """An empty or overlong chat line."""

    code = "invalid_chat"


# ---- courses, rosters and reports ----------------------------------------------------------------


class CourseNotFound(ClassroomError):
    code = "course_not_found"

    def __init__(self, course_id: str) -> None:
        super().__init__(f"there is no course {course_id!r}")
        self.course_id = course_id


class InvalidCourse(ClassroomError):
    """A course's settings cannot be used (an unknown time zone, an empty completion rule part)."""

    code = "invalid_course"


class RosterInvalid(ClassroomError):
    """A roster file with bad rows: nothing of it was imported; `problems` names each row."""

    code = "roster_invalid"

    def __init__(self, problems: list[RosterProblem]) -> None:
        first = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"the roster was not imported: {first}{more}")
        self.problems = problems


class RosterProblem:
    """One thing wrong in a roster file: the row (as the spreadsheet numbers it), the column."""

    def __init__(self, row: int, column: str, why: str) -> None:
        self.row, self.column, self.why = row, column, why

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, {self.column}: {self.why}" if self.column else f"{where}: {self.why}"


class ReportUnavailable(ClassroomError):
    """A report format that cannot be produced here (no font for the PDF, a bad certificate)."""

    code = "report_unavailable"


class RecordingUnavailable(LiveClassError):
    """The class cannot be recorded now: recording is off on this server, or no room to record."""

    code = "recording_unavailable"
