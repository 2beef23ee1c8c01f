"""Every table of the schema, registered on ``Base.metadata``: import this module (not the
model modules one by one) wherever the whole schema is needed (creating it, migrating it)."""

from classroom import models
from classroom.checkin import models as checkin_models
from classroom.courses import models as course_models
from classroom.recording import models as recording_models

__all__ = ["models", "course_models", "checkin_models", "recording_models"]
