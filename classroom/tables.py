"""Every table of the schema, registered on ``Base.metadata``: import this module (not the
model modules one by one) wherever the whole schema is needed (creating it, migrating it)."""

from classroom import models
from classroom.assessment import models as assessment_models
from classroom.checkin import models as checkin_models
from classroom.courses import models as course_models
from classroom.attendance_chain import models as attendance_chain_models  # noqa: F401
from classroom.webhooks import models as webhook_models  # noqa: F401
from classroom.room_keys import models as room_key_models  # noqa: F401

__all__ = ["models", "course_models", "checkin_models", "assessment_models"]
