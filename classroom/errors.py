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
